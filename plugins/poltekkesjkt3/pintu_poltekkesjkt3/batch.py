"""Plugin (entry point ``pk3-ktm-batch``): the staff page "Batch KTM untuk bank".

Lists the KTM applications waiting for the bank and serves the batch the SOP sends to the bank
(7.4-7.6) as two downloads: the NIM list as XLSX and the photos as a ZIP.  Only staff of the
Sub Bagian Kemahasiswaan and administrators may see it (:func:`ktm_batch.may_export`); others get
403.  Every download is recorded in the audit trail.
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import Blueprint, Response, abort, flash, redirect, render_template, stream_with_context, url_for
from flask_login import current_user, login_required


from . import ktm_batch

from pintu import audit, hookimpl

bp = Blueprint("pk3_ktm_batch", __name__, url_prefix="/petugas/ktm-bank")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EMPTY = "Belum ada permohonan KTM yang menunggu bank."


def kemahasiswaan_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not ktm_batch.may_export(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _batch():
    from . import PACK

    applications = ktm_batch.waiting()
    photos = ktm_batch.photos_of(applications)
    jurusan = dict(next(f["choices"] for f in PACK.plugins["ktm"].entry.fields if f["key"] == "jurusan"))
    return applications, photos, ktm_batch.rows(applications, photos, jurusan)


def _send(kind: str, name: str, body, mimetype: str):
    """One download of the batch: refused when nothing waits, audited, never cached."""
    applications, photos, table = _batch()
    if not applications:
        flash(EMPTY, "warning")
        return redirect(url_for(".index"))
    stem = ktm_batch.file_stem()  # once: the audit entry and the file carry the same name (it has the minute)
    audit.record("ktm.batch_download", ("ktm-batch", stem, kind), format=kind,
                 count=len(applications), references=[a.reference for a in applications])
    response = Response(body(applications, photos, table), mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={stem}{name}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@kemahasiswaan_required
def index():
    applications, photos, table = _batch()
    return render_template("ktm/batch.html", table=table, columns=ktm_batch.COLUMNS,
                           missing=[a.reference for a in applications if a.id not in photos])


@bp.route("/daftar-nim.xlsx")
@kemahasiswaan_required
def workbook():
    return _send("xlsx", ".xlsx", lambda _apps, _photos, table: ktm_batch.workbook(table), XLSX)


@bp.route("/foto.zip")
@kemahasiswaan_required
def photos():
    return _send("zip", "-foto.zip",
                 lambda apps, photos, _table: stream_with_context(iter(ktm_batch.photo_zip(apps, photos))),
                 "application/zip")


@hookimpl
def pintu_blueprints():
    return [bp]


@hookimpl
def pintu_template_dirs():
    return [str(Path(__file__).parent / "templates")]
