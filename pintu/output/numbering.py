"""Numbers of issued documents: a scheme per (service, document), a counter per year (WIB).

:func:`next_seq` increments the counter row with one ``UPDATE ... RETURNING`` inside the caller's
transaction.  On PostgreSQL the row lock makes a second issuer wait for the first to commit (and
read its value); on SQLite the write lock does the same (the issuing transaction has already
written, or is opened with :func:`immediate`).  A rolled-back issue rolls its increment back, so
numbers have no gaps and no duplicates; a unique index on the issued documents' (service,
document, year, seq) is the last guard.

Schemes are format strings over a closed set of fields (see :data:`FIELDS`); attribute and item
access (``{seq.__class__}``) is refused, so an administrator's scheme reads nothing else.
"""

from __future__ import annotations

import datetime as dt
from string import Formatter

from pintu.data.models import DocumentCounter, DocumentScheme, utcnow

#: Fields a scheme may use.
FIELDS = ("seq", "year", "month", "month_roman", "code")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def check_scheme(scheme: str) -> str:
    """An Indonesian message when ``scheme`` is unusable, else ""."""
    scheme = (scheme or "").strip()
    if not scheme:
        return "Format penomoran wajib diisi."
    if len(scheme) > 120:
        return "Format penomoran terlalu panjang (maksimal 120 karakter)."
    try:
        names = [name for _, name, _, _ in Formatter().parse(scheme) if name is not None]
    except ValueError:
        return "Format penomoran tidak valid: periksa pasangan kurung kurawal { }."
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        return (f"Kolom {{{unknown[0]}}} tidak dikenal. Gunakan {{seq}}, {{year}}, {{month}}, {{month_roman}} "
                "atau {code}.")
    if "seq" not in names:
        return "Format penomoran harus memuat nomor urut {seq}, misalnya {seq:03d}."
    try:
        format_number(scheme, 1, dt.date(2026, 1, 1), "X")
    except (ValueError, TypeError):
        return "Format penomoran tidak valid: periksa penulisan setiap kolom, misalnya {seq:03d}."
    return ""


def format_number(scheme: str, seq: int, on: dt.date, code: str) -> str:
    """The number ``seq`` written in ``scheme`` for a document issued on ``on`` (a WIB date)."""
    return scheme.format(seq=seq, year=on.year, month=on.month, month_roman=ROMAN[on.month - 1], code=code)


def scheme_for(service, document) -> str:
    """The administrator's scheme for ``document`` of ``service``, else the declaration's."""
    row = DocumentScheme.get_or_none(DocumentScheme.service == service.slug, DocumentScheme.document == document.key)
    return row.scheme if row is not None else document.number_scheme


def schemes() -> dict[tuple[str, str], DocumentScheme]:
    """Every administrator's scheme, by (service, document)."""
    return {(r.service, r.document): r for r in DocumentScheme.select()}


def set_scheme(service, document, scheme: str, user_id: int | None) -> None:
    (DocumentScheme.insert(service=service.slug, document=document.key, scheme=scheme.strip(),
                           updated_at=utcnow(), updated_by=user_id)
     .on_conflict(conflict_target=[DocumentScheme.service, DocumentScheme.document],
                  update={DocumentScheme.scheme: scheme.strip(), DocumentScheme.updated_at: utcnow(),
                          DocumentScheme.updated_by: user_id})
     .execute())


def next_seq(service_slug: str, document_key: str, year: int) -> int:
    """The next number of the document in ``year``, taken inside the caller's transaction."""
    DocumentCounter.insert(service=service_slug, document=document_key, year=year, seq=0).on_conflict_ignore().execute()
    rows = list(DocumentCounter.update(seq=DocumentCounter.seq + 1)
                .where(DocumentCounter.service == service_slug, DocumentCounter.document == document_key,
                       DocumentCounter.year == year)
                .returning(DocumentCounter.seq).execute())
    return rows[0].seq
