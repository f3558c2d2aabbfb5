"""The message thread on the application page (htmx)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from pintu.data import uploads
from pintu.engine import formtokens, messages
from pintu.people.access import applicant_name, application_or_404, via_oversight
from pintu.contract.plugins import get_service

bp = Blueprint("messages", __name__)


def thread_context(application, error: str = "", body: str = "") -> dict:
    user = current_user._get_current_object()
    staff = application.applicant_id != user.id
    return dict(application=application, thread=messages.thread(application, staff), staff_view=staff,
                thread_error=error, body=body, attachment=messages.ATTACHMENT,
                # The applicant's name as this viewer may see it, once rather than per message.
                thread_applicant_name=applicant_name(user, application),
                read_only=via_oversight(user, application))  # admin/pimpinan oversight: no posting


@bp.route("/permohonan/<int:app_id>/pesan", methods=["POST"])
@login_required
def post(app_id):
    application = application_or_404(app_id)
    if not get_service(application.service).messages or via_oversight(current_user, application):
        abort(404)
    body = request.form.get("body", "")
    token = request.form.get(formtokens.FIELD, "")
    if not formtokens.valid(token):
        return render_template("applications/_thread.html", **thread_context(
            application, "Formulir kedaluwarsa. Muat ulang halaman lalu kirim kembali.", body)), 422
    if formtokens.used(token, current_user) is not None:
        return render_template("applications/_thread.html", **thread_context(application))  # a repeat
    internal = bool(request.form.get("internal")) and application.applicant_id != current_user.id
    checked = None
    storage = request.files.get("attachment")
    try:
        if storage is not None and storage.filename:
            checked = uploads.check(storage, messages.ATTACHMENT)
        messages.post(application, current_user, body, internal=internal, attachment=checked, token=token)
    except formtokens.Replayed:
        pass  # sent twice at once: the first one counts
    except (messages.MessageError, uploads.UploadError) as exc:
        return render_template("applications/_thread.html", **thread_context(application, str(exc), body)), 422
    return render_template("applications/_thread.html", **thread_context(application))
