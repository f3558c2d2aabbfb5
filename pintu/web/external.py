"""Parties outside the office: the page behind their e-mailed link (no login), and the staff's
revoke / re-send of that link.  The logic lives in :mod:`pintu.engine.external` and :mod:`pintu.engine.workflow`."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from pintu.data import uploads
from pintu.engine import external, formtokens, workflow
from pintu.people import ratelimit
from pintu.people.access import application_or_404
from pintu.web.auth import too_many
from pintu.web.forms import ExternalActionForm, VersionForm, display_data
from pintu.contract.plugins import get_service

bp = Blueprint("external", __name__)

SCOPE = "external-link-miss"  # link pages that were not valid, per client address
LIMITED = ("Terlalu banyak tautan yang tidak berlaku dibuka dari alamat jaringan Anda. "
           "Demi keamanan, coba lagi dalam {wait}.")


def _invalid(status: int):
    """The one page for unknown, expired, revoked and spent links."""
    return render_template("external/invalid.html", limited=""), status


@bp.route("/pihak-luar/<token>", methods=["GET", "POST"])
def page(token):
    address = ratelimit.client_address()
    limit = ratelimit.Limit.from_config("RATE_LIMIT_EXTERNAL_LINK")
    wait = ratelimit.retry_after(SCOPE, address, limit)
    if wait:
        return too_many("external/invalid.html", LIMITED, wait)
    found = external.resolve(token)
    if found is None:
        ratelimit.hit(SCOPE, address)
        return _invalid(404)
    link, application, service, step = found
    form_token = request.form.get(formtokens.FIELD, "") if request.method == "POST" else ""
    if form_token and formtokens.valid(form_token):
        done = formtokens.used(form_token, None)
        if done is not None and done.application_id == application.id and link.used_at is not None:
            return _done(application, service, step)  # a double click: the first one's answer
    if external.state(link, application) != "open":
        ratelimit.hit(SCOPE, address)
        return _invalid(410)

    form = ExternalActionForm()
    if request.method == "GET":
        form.version.data = application.version
        if step.party.name_field:
            form.name.data = str((application.data or {}).get(step.party.name_field) or "")
    errors: dict = {}
    if request.method == "POST":
        files = uploads.check_posted(step.requirements, request.files, errors)
        if not form.validate_on_submit():
            errors.update({name: msgs[0] for name, msgs in form.errors.items()
                           if name not in ("csrf_token", "version")})
            if "csrf_token" in form.errors or "version" in form.errors:
                errors["__all__"] = "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."
        if not formtokens.valid(form_token):
            errors["__all__"] = "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."
        if not errors:
            party = external.PartyActor(link.id, step.party.label, form.name.data.strip(), link.email,
                                        form.capacity.data.strip())
            try:
                workflow.perform_external(application, party, form.action.data, note=form.note.data or "",
                                          expected_version=int(form.version.data) if form.version.data.isdigit()
                                          else -1, files=files, token=form_token)
            except formtokens.Replayed:
                return _done(application, service, step)
            except workflow.ValidationFailed as exc:
                errors = dict(exc.errors)
            except workflow.WorkflowError as exc:
                errors = {"__all__": str(exc)}
            else:
                return _done(application, service, step, form.action.data)
    form.version.data = application.version
    # Only what the step needs: the data keys the party declares (Party.show_fields), nothing else.
    shown = display_data(service, {k: v for k, v in (application.data or {}).items() if k in step.party.show_fields})
    return render_template(
        "external/step.html", application=application, service=service, step=step, party=step.party, form=form,
        errors=errors, shown=shown, instructions=step.instructions_for(application),
        form_token=formtokens.issue()), 422 if errors else 200


def _done(application, service, step, action_key: str = ""):
    action = step.action(action_key) if action_key else None
    return render_template("external/done.html", application=application, service=service, step=step, action=action)


# ---------------------------------------------------------------------------
# Staff: revoke and re-send
# ---------------------------------------------------------------------------

def _managed(app_id: int):
    application = application_or_404(app_id)
    if not external.may_manage(current_user) or application.applicant_id == current_user.id:
        abort(403)
    if not VersionForm().validate_on_submit():
        abort(400)
    return application


@bp.route("/petugas/permohonan/<int:app_id>/tautan-pihak-luar/cabut", methods=["POST"])
@login_required
def revoke(app_id):
    application = _managed(app_id)
    count = external.revoke(application, current_user)
    flash("Tautan pihak luar dicabut." if count else "Tidak ada tautan yang masih berlaku.", "info")
    return redirect(url_for("applications.detail", app_id=app_id))


@bp.route("/petugas/permohonan/<int:app_id>/tautan-pihak-luar/kirim-ulang", methods=["POST"])
@login_required
def resend(app_id):
    application = _managed(app_id)
    service = get_service(application.service)
    step = external.current_step(application, service)
    if external.resend(application, service, current_user):
        flash(f"Tautan baru dikirim ke {external.address_of(application, step)}; tautan lama dicabut.", "success")
    elif step is None:
        flash("Permohonan ini tidak sedang menunggu pihak luar.", "error")
    else:
        flash(f"Alamat e-mail {step.party.label} belum diisi atau tidak valid pada data permohonan; "
              "tautan tidak dapat dikirim.", "error")
    return redirect(url_for("applications.detail", app_id=app_id))
