"""The applicant's personal data (UU PDP): download everything as a ZIP, ask for deletion."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, stream_with_context, url_for
from flask_login import current_user, login_required

from pintu.data import audit
from pintu.people import privacy

bp = Blueprint("privacy", __name__)


@bp.route("/profil/data-saya.zip")
@login_required
def export():
    zs = privacy.export_zip(current_user._get_current_object())
    audit.record("privacy.export", current_user._get_current_object())
    response = Response(stream_with_context(iter(zs)), mimetype="application/zip")
    response.headers["Content-Disposition"] = "attachment; filename=data-pribadi-pintu.zip"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profil/hapus-akun", methods=["POST"])
@login_required
def request_deletion():
    # CSRFProtect checks every POST before this runs.
    if not request.form.get("confirm"):
        flash("Centang pernyataan bahwa Anda memahami akibat penghapusan akun.", "error")
        return redirect(url_for("auth.profile") + "#data-pribadi")
    try:
        privacy.request_deletion(current_user._get_current_object(), request.form.get("reason", ""))
    except privacy.PrivacyError as exc:
        flash(str(exc), "error")
    else:
        flash("Permintaan penghapusan akun diterima dan akan diproses oleh administrator.", "success")
    return redirect(url_for("auth.profile") + "#data-pribadi")
