"""Exports of tables (the staff search's rows, the dashboard's summaries) as CSV and XLSX.

Both are generator responses without a row cap: rows are pulled from an iterator (the search
reads them in keyset batches, :func:`pintu.oversight.search.iterate`).  CSV is written row by row as it is
read.  XLSX uses openpyxl's write-only mode, which keeps each sheet's rows in a temporary file
rather than in memory; the workbook is zipped once every row is in (an XLSX is a ZIP whose
directory comes last), then sent in chunks from a temporary file.

Cells are neutralised against formula injection: a text starting with ``= + - @`` (or a tab or
carriage return) gets a leading apostrophe, so a spreadsheet never runs an applicant's input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from typing import Iterable

from flask import Response, stream_with_context

CHUNK = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Table:
    title: str  # sheet name (XLSX); at most 31 characters
    header: list[str]
    rows: Iterable[list]


def safe(value):
    """A cell value that no spreadsheet reads as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def csv_chunks(tables: list[Table]) -> Iterable[str]:
    """CSV text: the tables one after the other (a blank line and the next header between them),
    with a UTF-8 byte order mark so that spreadsheet programs read the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for n, table in enumerate(tables):
        if n:
            writer.writerow([])
        writer.writerow(table.header)
        for i, row in enumerate(table.rows, 1):
            writer.writerow([_text(safe(v)) for v in row])
            if i % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def xlsx_chunks(tables: list[Table]) -> Iterable[bytes]:
    """An XLSX workbook, one sheet per table (openpyxl write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        bold = []
        for label in table.header:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while True:
            chunk = out.read(CHUNK)
            if not chunk:
                return
            yield chunk


def _cell(value):
    if isinstance(value, dt.datetime):  # XLSX has no time zones: the local time as shown, to the minute
        return value.replace(tzinfo=None, second=0, microsecond=0)
    return safe(value)


def response(fmt: str, filename: str, tables: list[Table]) -> Response:
    """A streamed download of ``tables`` as ``fmt`` (``csv`` or ``xlsx``)."""
    chunks = csv_chunks(tables) if fmt == "csv" else xlsx_chunks(tables)
    body = (c.encode("utf-8") for c in chunks) if fmt == "csv" else chunks
    resp = Response(stream_with_context(body), mimetype=MIMETYPES[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
