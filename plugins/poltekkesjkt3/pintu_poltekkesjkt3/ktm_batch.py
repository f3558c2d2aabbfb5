"""The batch part of the KTM SOP (7.4-7.6): the KTM applications waiting for the bank, sent as one
NIM list (XLSX) and one ZIP of the students' photos.

An application enters the batch when the Sub Bagian Kemahasiswaan finds its NIM and photo
consistent (the KTM service's ``verifikasi`` step forwards it to the bank's step) and leaves it when
the bank marks the card printed (the bank's ``pihak_luar`` step).  Reading a batch costs a fixed
number of queries whatever its size: the applications with their applicants, then their photos.
"""

from __future__ import annotations

import io
import re

from pintu import clock, uploads
from pintu.models import Application, Upload, User

SLUG = "pk3-ktm"
BANK_STEP = "bank"
PHOTO = "foto"
UNIT = "pk3-kemahasiswaan"

#: Columns of the NIM list sent to the bank.  The SOP names only "Daftar NIM" and the photos; the other
#: columns identify the student and tie each row to its photo file in the ZIP.
COLUMNS = ("No", "NIM", "Nama", "Jurusan", "Angkatan", "E-mail", "Telepon", "Berkas foto", "Nomor permohonan",
           "Tanggal diajukan")


def may_export(user) -> bool:
    """Staff of the Sub Bagian Kemahasiswaan (who send the data to the bank, SOP 7.4) and administrators."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_admin or user.has_role("verifikator", UNIT) or user.has_role("pimpinan", UNIT))


def waiting() -> list[Application]:
    """KTM applications at the bank's step, oldest first, their applicants joined (one query)."""
    return list(Application.select(Application, User)
                .join(User, on=(Application.applicant == User.id))
                .where(Application.service == SLUG, Application.step == BANK_STEP,
                       Application.status == "in_process")
                .order_by(Application.submitted_at, Application.id))


def photos_of(applications: list[Application]) -> dict[int, Upload]:
    """Application id -> its current photo upload (one query)."""
    if not applications:
        return {}
    rows = (Upload.select()
            .where(Upload.application.in_([a.id for a in applications]), Upload.requirement == PHOTO,
                   Upload.superseded == False, Upload.purged_at.is_null())  # noqa: E712 (peewee expression)
            .order_by(Upload.id))
    return {u.application_id: u for u in rows}  # the latest upload wins


def photo_name(application: Application, upload: Upload | None) -> str:
    """The file name of a student's photo in the ZIP: the NIM, so the bank can match row and photo."""
    if upload is None:
        return ""
    nim = re.sub(r"[^A-Za-z0-9.-]", "_", str((application.data or {}).get("nim") or application.reference))
    return f"{nim}.{upload.stored_name.rsplit('.', 1)[-1]}"


def rows(applications: list[Application], photos: dict[int, Upload], jurusan: dict[str, str]) -> list[tuple]:
    """The batch as table rows (the order of :data:`COLUMNS`)."""
    out = []
    for number, application in enumerate(applications, start=1):
        data = application.data or {}
        submitted = clock.format_local(application.submitted_at) if application.submitted_at else ""
        out.append((number, str(data.get("nim", "")), application.applicant.name,
                    jurusan.get(str(data.get("jurusan", "")), str(data.get("jurusan", ""))),
                    data.get("angkatan", ""), application.applicant.email, application.applicant.phone,
                    photo_name(application, photos.get(application.id)), application.reference or "", submitted))
    return out


def workbook(table: list[tuple]) -> bytes:
    """The NIM list as an XLSX file (openpyxl), header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Daftar NIM KTM"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJ", (5, 22, 32, 36, 10, 32, 16, 26, 18, 22)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def photo_zip(applications: list[Application], photos: dict[int, Upload]):
    """A :class:`zipstream.ZipStream` of the photos named by NIM (files are read while it streams)."""
    from zipstream import ZIP_STORED, ZipStream

    stream = ZipStream(compress_type=ZIP_STORED, sized=False)  # photos are compressed already
    for application in applications:
        upload = photos.get(application.id)
        if upload is None:
            continue
        path = uploads.path_of(upload.stored_name)
        if path.exists():
            stream.add_path(str(path), photo_name(application, upload))
    return stream


def file_stem() -> str:
    """``ktm-bank-YYYYMMDD-HHMM`` in WIB, the name of both downloads of one batch."""
    return f"ktm-bank-{clock.now():%Y%m%d-%H%M}"
