"""The application: apply, save drafts, submit, fix and resubmit, cancel, follow, download; and the
application page, where the applicant acts at their steps and staff claim, act and answer
dispositions (htmx panel), every action through :func:`pintu.engine.workflow.perform` and friends."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from pintu.contract import formparts
from pintu.data import audit, pagedata, staging, uploads
from pintu.engine import dispositions, external, formtokens, handover, service_settings, workflow
from pintu.people.access import (application_or_404, can_download, can_reissue, identity_visible,
                                 reported_anonymously, staff_required, via_oversight)
from pintu.web.forms import (ActionForm, AnswerForm, VersionForm, application_form_class, display_data, form_data,
                             load_data)
from pintu.data.models import Application, Unit, Upload
from pintu.contract.plugins import get_service, service_hook
from pintu.engine.timeline import status_text, timeline
from pintu.web.messages import thread_context
from pintu.output import documents

bp = Blueprint("applications", __name__)


@bp.app_context_processor
def _form_tokens():
    # Each applicant form on a page gets its own one-time token (see pintu.engine.formtokens).
    return {"new_form_token": formtokens.issue, "FORM_TOKEN_FIELD": formtokens.FIELD,
            "return_note": workflow.return_note}


def _form_errors(form, submit: bool) -> dict:
    form.validate()
    errors = {}
    for name, messages in form.errors.items():
        if name == "csrf_token":
            errors["__all__"] = "Sesi formulir kedaluwarsa. Muat ulang halaman lalu kirim kembali."
            continue
        field = form[name]
        if formparts.is_group(field):  # errors on the right row (``anak-1-tanggal_lahir``)
            for index, entry in enumerate(field.entries):  # blank extra rows are dropped, not reported
                if not formparts.row_is_blank(entry) or (submit and index < field.min_entries):
                    errors.update(formparts.group_errors_of(entry, submit))
            continue
        if not submit and not (field.raw_data and any(str(v).strip() for v in field.raw_data)):
            continue  # drafts may leave fields empty; wrong formats are still reported
        errors[name] = messages[0]
    return errors


STALE_FORM = "Formulir ini tidak lengkap atau sudah kedaluwarsa. Periksa isian di bawah, lalu kirim kembali."


def _posted_version() -> int | None:
    raw = (request.form.get("version") or "").strip()
    return int(raw) if raw.isdigit() else None


def _replay(token: str, app_id: int | None = None):
    """The answer to a repeated write (double click, resend): the first one's result, never a second
    write.  ``app_id``: a step action or cancel on that application goes back to its page."""
    row = formtokens.used(token, current_user)
    if row is None:
        return None
    if row.user_id != current_user.id or (app_id is not None and row.application_id != app_id):
        abort(400)
    if app_id is not None:
        return redirect(url_for("applications.detail", app_id=app_id))
    flash("Permohonan ini sudah tersimpan; kiriman yang sama tidak diproses dua kali.", "info")
    if row.application_id:
        return redirect(url_for("applications.detail", app_id=row.application_id))
    return redirect(url_for("applications.mine"))


def _handle(service, application: Application | None):
    service = service_settings.effective(service)
    form = application_form_class(service)()
    keys = [r.key for r in service.requirements]
    token = request.form.get(formtokens.FIELD, "") if request.method == "POST" else ""
    version = application.version if application is not None else None
    staged: dict = {}
    if request.method == "GET" and application is not None:
        load_data(form, application.data or {})
    errors: dict = {}
    if request.method == "POST" and formparts.edit_rows(form, request.form):
        # "Tambah baris" / "Hapus baris": the same form again, one row more or less, nothing saved
        # and nothing reported yet; chosen files are kept for the real submit.
        files = uploads.check_posted(service.requirements, request.files, {})
        staged = staging.existing(staging.kept(request.form, current_user, keys))
        staged.update(staging.stage(files, current_user))
        return _render_form(service, form, {}, application, staged, token, version, 200)
    if request.method == "POST":
        if formtokens.valid(token):
            replay = _replay(token)
            if replay is not None:
                return replay
        submit = "submit" in request.form
        errors = _form_errors(form, submit)
        files = uploads.check_posted(service.requirements, request.files, errors)
        staged = staging.kept(request.form, current_user, keys)
        posted_version = _posted_version()
        if not formtokens.valid(token) or (application is not None and posted_version is None):
            errors["__all__"] = STALE_FORM
        data = form_data(form)
        for name in errors:
            if name in data:
                data[name] = None  # validators see a field in a wrong format as empty
        try:
            application = workflow.save_application(
                service, current_user, data, {**staged, **files}, submit=submit, application=application,
                errors=errors, token=token if formtokens.valid(token) else None, expected_version=posted_version)
        except formtokens.Replayed:
            return _replay(token) or redirect(url_for("applications.mine"))
        except workflow.ValidationFailed as exc:
            errors = dict(exc.errors)
        except workflow.Conflict as exc:
            errors = {"__all__": str(exc)}
            if application is not None:
                application = Application.get_by_id(application.id)
                version = application.version  # saving again now overwrites, knowingly
        except workflow.WorkflowError as exc:
            errors = {"__all__": str(exc)}
        else:
            if submit:
                flash(f"Permohonan terkirim dengan nomor {application.reference}. "
                      f"Kode lacak: {application.tracking_code}.", "success")
            else:
                flash("Draf disimpan. Anda dapat melanjutkan kapan saja dari menu Permohonan Saya.", "success")
            return redirect(url_for("applications.detail", app_id=application.id))
        # Nothing was saved: keep the valid files received for the next try (stored once).
        # A newly chosen file that was refused leaves the one kept before (if any) in place.
        staged = staging.existing(staged)
        staged.update(staging.stage({k: f for k, f in files.items() if f"file_{k}" not in errors}, current_user))
        if not formtokens.valid(token):
            token = ""
    return _render_form(service, form, errors, application, staged, token, version, 422 if errors else 200)


def _render_form(service, form, errors, application, staged, token, version, status):
    current = {}
    if application is not None:
        current = {u.requirement: u for u in application.uploads if not u.superseded}
    returned = workflow.return_note(application) if application is not None and application.status == "returned" \
        else None
    return render_template("applications/form.html", service=service, form=form, errors=errors,
                           application=application, current=current, staged=staged, returned=returned,
                           form_token=token or formtokens.issue(), version=version), status


@bp.route("/layanan/<slug>/ajukan", methods=["GET", "POST"])
@login_required
def apply(slug):
    service = get_service(slug)
    if not service.open_to(current_user.category):
        flash(f"Layanan ini hanya untuk {service.audience_label}. Kategori Anda: {current_user.category_label}.",
              "error")
        return redirect(url_for("catalog.service", slug=slug))
    return _handle(service, None)


@bp.route("/layanan/<slug>/periksa-berkas/<key>", methods=["POST"])
@login_required
def check_file(slug, key):
    """htmx: check one chosen file at once (nothing is stored) and answer with the field's message."""
    service = get_service(slug)
    req = next((r for r in service.requirements if r.key == key), None)
    if req is None:
        abort(404)
    storage = request.files.get(f"file_{key}")
    message, ok = "", False
    if storage is not None and storage.filename:
        try:
            uploads.check(storage, req)
            ok = True
        except uploads.UploadError as exc:
            message = str(exc)
    return render_template("applications/_file_check.html", ok=ok, message=message, key=key)


@bp.route("/permohonan/<int:app_id>/ubah", methods=["GET", "POST"])
@login_required
def edit(app_id):
    application = application_or_404(app_id)
    if application.applicant_id != current_user.id:
        abort(404)
    if application.status not in workflow.EDITABLE and request.method == "GET":
        # A POST goes on: a repeat answers with the first result, a stale form keeps what was typed.
        flash("Permohonan ini sedang diproses dan tidak dapat diubah.", "warning")
        return redirect(url_for("applications.detail", app_id=app_id))
    return _handle(get_service(application.service), application)


@bp.route("/permohonan-saya")
@login_required
def mine():
    rows = (Application.select().where(Application.applicant == current_user.id)
            .order_by(Application.updated_at.desc()).limit(200))
    return render_template("applications/mine.html", rows=rows, get_service=get_service)


@bp.route("/permohonan/<int:app_id>")
@login_required
def detail(app_id):
    application = application_or_404(app_id, page=True)
    if application.applicant_id != current_user.id:
        audit.record("application.view", application, **_oversight_flag(application))
    return render_template("applications/detail.html", **detail_context(application))


def _oversight_flag(application) -> dict:
    """``oversight=True`` in the audit entry of a view only admin/pimpinan oversight allowed."""
    return {"oversight": True} if via_oversight(current_user, application) else {}


def action_context(application) -> dict:
    """Forms and choices for the action panel (empty for people who may not act)."""
    user = current_user
    actions = workflow.available_actions(application, user)
    answerable = dispositions.answerable(application, user) if user.is_staff else []
    form = ActionForm(formdata=None)
    form.version.data = application.version
    units = [(u.key, u.name) for u in Unit.select().order_by(Unit.name)] if any(
        a.kind == "dispose" for a in actions) else []
    form.units.choices = units
    return dict(actions=actions, action_form=form, answerable=answerable, answer_form=AnswerForm(formdata=None),
                claim_form=VersionForm(formdata=None),
                # Only someone who may claim sees the button (never the applicant at their own step).
                can_claim=application.assignee_id != user.id and workflow.may_claim(application, user),
                dispositions=dispositions.of(application)
                if user.is_staff and application.applicant_id != user.id else [])


def detail_context(application: Application) -> dict:
    """Everything the application page shows.  Reads ``application`` again with all its lists in one
    query (:func:`pintu.data.pagedata.load`) unless it was read that way."""
    user = current_user._get_current_object()  # asked many times below: no proxy each time
    if not pagedata.loaded(application):
        application = pagedata.load(application.id) or application
    service = get_service(application.service)
    staff_view = application.applicant_id != user.id
    uploads_ = [u for u in pagedata.uploads_of(application) if not u.superseded]
    if not staff_view:  # a staff step's product is listed once it was delivered (access.can_download)
        outputs = {r.key for r in service.output_requirements}
        uploads_ = [u for u in uploads_ if u.requirement not in outputs or can_download(user, u)]
    panels = [panel for result in service_hook(service, "pintu_application_panels")(
        application=application, service=service, viewer=user) for panel in (result or ())]
    # The templates get plain values computed here once, not calls per row (each call from a
    # template costs more than the work: proxy, filters, macro frames).
    show_identity = identity_visible(user, application, service)
    by_requirement: dict = {}
    for upload in uploads_:
        by_requirement.setdefault(upload.requirement, upload)  # the oldest current file of each requirement
    step = service.step(application.step)
    ctx = dict(application=application, service=service, uploads=uploads_, staff_view=staff_view,
               data_rows=display_data(service, application.data or {}),
               events=timeline(application, staff=staff_view, mask_applicant=not show_identity),
               reported_anonymously=reported_anonymously(application), panels=panels,
               days_left=workflow.working_days_left(application),
               show_identity=show_identity, uploads_by_requirement=by_requirement, current_step=step,
               status_text=status_text(application, for_applicant=not staff_view, service=service),
               # "Berkas persyaratan": (requirement, its file or None, the outside party uploading it or None)
               requirement_rows=[(r, by_requirement.get(r.key), service.uploaded_by(r.key))
                                 for r in service.requirements_for(application.data or {})])
    if staff_view or user.is_staff or (step is not None and step.for_applicant):
        ctx.update(action_context(application))
    else:  # an applicant at a step that is not theirs: nothing to act on, claim or answer (no forms to build)
        ctx.update(actions=[], answerable=[], can_claim=False, dispositions=[], action_form=None, answer_form=None,
                   claim_form=None)
    ctx.update(external_context(application, service, staff_view))
    ctx.update(documents_context(application, service, staff_view))
    if service.messages:
        ctx.update({k: v for k, v in thread_context(application).items() if k not in ctx})
    return ctx


def documents_context(application: Application, service, staff_view: bool) -> dict:
    """The issued documents shown under "Dokumen hasil layanan", the drafts staff may preview at the
    issuing step, and which documents the viewer may re-issue."""
    if not service.documents:
        return {"issued_documents": [], "draft_documents": [], "reissuable": set()}
    issued = pagedata.documents_of(application)  # read with the page, or now
    if issued is None:
        issued = documents.of_application(application.id, current_only=not staff_view)
    elif not staff_view:
        issued = [doc for doc in issued if doc.current]
    drafts, reissuable = [], set()
    if staff_view:
        step = service.step(application.step)
        acting = step is not None and workflow.can_act(current_user, step, application)
        drafts = [d for d in service.documents if acting and step.key in d.steps]
        reissuable = {doc.id for doc in issued if doc.current and service.document(doc.document) is not None
                      and can_reissue(current_user, application, service.document(doc.document))}
    return {"issued_documents": issued, "draft_documents": drafts, "reissuable": reissuable}


def external_context(application: Application, service, staff_view: bool) -> dict:
    """Staff see the links of parties outside the office (state, revoke, re-send); one query, only
    for services with external steps."""
    if not staff_view or not service.external_steps:
        return {"external_links": [], "external_manage": False}
    links = pagedata.external_links_of(application)  # read with the page (oldest first), or now
    links = external.links_of(application) if links is None else links[::-1]
    step = external.current_step(application, service)
    return {"external_links": links, "link_states": {link.id: external.STATE_LABELS[external.state(link, application)]
                                                     for link in links},
            "external_manage": step is not None and external.may_manage(current_user),
            "external_no_address": step.party.label if step is not None and not external.address_of(application, step)
            else ""}


@bp.route("/permohonan/<int:app_id>/tindakan", methods=["POST"])
@login_required
def step_action(app_id):
    """The applicant acts at an applicant step (e.g. uploads proof of payment), files included."""
    application = application_or_404(app_id)
    service = get_service(application.service)
    step = service.step(application.step)
    form = VersionForm()
    if application.applicant_id != current_user.id or step is None or not step.for_applicant:
        abort(404)
    token = request.form.get(formtokens.FIELD, "")
    if formtokens.valid(token):
        replay = _replay(token, app_id)
        if replay is not None:
            return replay
    errors: dict = {}
    files = uploads.check_posted(step.requirements, request.files, errors)
    if not form.validate_on_submit() or not formtokens.valid(token):
        errors["__all__"] = "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."
    if not errors:
        try:
            workflow.perform(application, current_user, request.form.get("action", ""),
                             note=request.form.get("note", ""), expected_version=int(form.version.data), files=files,
                             token=token)
            flash("Tindakan Anda tersimpan.", "success")
            return redirect(url_for("applications.detail", app_id=app_id))
        except formtokens.Replayed:
            return _replay(token, app_id) or redirect(url_for("applications.detail", app_id=app_id))
        except workflow.ValidationFailed as exc:
            errors = dict(exc.errors)
        except workflow.WorkflowError as exc:
            errors = {"__all__": str(exc)}
    ctx = detail_context(application)
    ctx["step_errors"] = errors
    return render_template("applications/detail.html", **ctx), 422


def _panel(application, error: str | None = None, status: int = 200, form=None):
    application = application_or_404(application.id, page=True)  # read anew, with the page's lists
    ctx = detail_context(application)
    if form is not None:
        ctx["action_form"].note.data = form.note.data
        ctx["action_form"].internal_note.data = form.internal_note.data
    return render_template("applications/_work.html", error=error, **ctx), status


def _actionable_or_404(app_id: int):
    """The application for a staff action: 404 for those who see it only as oversight (admin,
    pimpinan without a step in the service), as for anybody who may not see it."""
    application = application_or_404(app_id)
    if via_oversight(current_user, application):
        abort(404)
    return application


@bp.route("/petugas/permohonan/<int:app_id>/aksi", methods=["POST"])
@staff_required
def act(app_id):
    application = _actionable_or_404(app_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _panel(application, FORM_EXPIRED, 400)
    step = get_service(application.service).step(application.step)
    action = step.action(form.action.data) if step is not None else None
    pickup = handover.applies(step, action)  # who collected is recorded with the action
    # A staff step may take files: the product delivered there (answer letter, press release), and
    # the power of attorney at the pickup. Every refused file is reported at once, as for applicants.
    requirements = [*(step.requirements if step is not None and not step.for_applicant else ()),
                    *((handover.ATTORNEY,) if pickup else ())]
    file_errors: dict = {}
    files = uploads.check_posted(requirements, request.files, file_errors)
    if file_errors:
        labels = {f"file_{r.key}": r.label for r in requirements}
        return _panel(application, " ".join(f"{labels[k]}: {msg}" for k, msg in file_errors.items()), 422, form)
    note, internal_note, version = form.note.data or "", form.internal_note.data or "", int(form.version.data)
    if pickup:
        return _staff_write(application, lambda: handover.take(
            application, current_user, action.key, collector=request.form.get("collector") or "pemohon",
            name=request.form.get("collector_name", ""), id_number=request.form.get("collector_id", ""),
            attorney=files.pop(handover.ATTORNEY.key, None), note=note, internal_note=internal_note,
            expected_version=version), form)
    return _staff_write(application, lambda: workflow.perform(
        application, current_user, form.action.data, note=note, internal_note=internal_note,
        expected_version=version, units=form.units.data, files=files), form)


@bp.route("/petugas/permohonan/<int:app_id>/klaim", methods=["POST"])
@staff_required
def claim(app_id):
    application = _actionable_or_404(app_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return _panel(application, FORM_EXPIRED, 400)
    return _staff_write(application, lambda: workflow.claim(application, current_user, int(form.version.data)))


@bp.route("/petugas/permohonan/<int:app_id>/jawab", methods=["POST"])
@staff_required
def answer(app_id):
    application = _actionable_or_404(app_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _panel(application, FORM_EXPIRED, 400)
    return _staff_write(application, lambda: workflow.answer_disposition(
        application, current_user, int(form.disposition.data), form.answer.data, int(form.version.data)))


FORM_EXPIRED = "Formulir tidak lengkap. Muat ulang halaman."


def _staff_write(application, write, form=None):
    """Run a staff write and answer with the work panel: updated, or with the error in place (409
    when somebody else acted first, 422 when refused; ``form`` keeps the notes typed)."""
    try:
        write()
    except workflow.Conflict as exc:
        return _panel(application, str(exc), 409)
    except workflow.ValidationFailed as exc:
        return _panel(application, " ".join(exc.errors.values()), 422, form)
    except workflow.WorkflowError as exc:
        return _panel(application, str(exc), 422, form)
    return _panel(application)


@bp.route("/permohonan/<int:app_id>/batal", methods=["POST"])
@login_required
def cancel(app_id):
    application = application_or_404(app_id)
    form = VersionForm()
    token = request.form.get(formtokens.FIELD, "")
    if application.applicant_id != current_user.id or not form.validate_on_submit():
        abort(404 if application.applicant_id != current_user.id else 400)
    if not formtokens.valid(token):
        flash(workflow.cancel_refusal(application) or "Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.",
              "error")
        return redirect(url_for("applications.detail", app_id=app_id))
    replay = _replay(token, app_id)
    if replay is not None:
        return replay
    try:
        workflow.cancel(application, current_user, token=token, expected_version=int(form.version.data))
        flash("Permohonan dibatalkan.", "info")
    except formtokens.Replayed:
        return _replay(token, app_id) or redirect(url_for("applications.detail", app_id=app_id))
    except workflow.WorkflowError as exc:
        flash(str(exc), "error")
    return redirect(url_for("applications.detail", app_id=app_id))


@bp.route("/berkas/<int:upload_id>")
@login_required
def download(upload_id):
    upload = Upload.get_or_none(Upload.id == upload_id)
    # Unknown, purged and not-yours all answer the same 404 (see access.can_download).
    if upload is None or not can_download(current_user, upload):
        abort(404)
    path = uploads.path_of(upload.stored_name)
    if not path.exists():
        abort(404)
    audit.record("upload.download", upload, application=upload.application.reference or upload.application_id,
                 requirement=upload.requirement, **_oversight_flag(upload.application))
    response = send_file(path, mimetype=upload.mime_type, as_attachment=True, download_name=upload.original_name)
    response.headers["Cache-Control"] = "no-store"
    return response
