"""The staff side: task inbox, claim, act on a step, answer a disposition (htmx swaps)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from .. import handover, inbox_page, queues, uploads, workflow
from ..access import application_or_404, staff_required
from ..forms import ActionForm, AnswerForm, VersionForm
from ..models import Unit
from ..plugins import get_service

bp = Blueprint("inbox", __name__, url_prefix="/petugas")


def action_context(application) -> dict:
    """Forms and choices for the action panel (empty for people who may not act)."""
    user = current_user
    actions = workflow.available_actions(application, user)
    answerable = workflow.answerable_dispositions(application, user) if user.is_staff else []
    form = ActionForm(formdata=None)
    form.version.data = application.version
    units = [(u.key, u.name) for u in Unit.select().order_by(Unit.name)] if any(
        a.kind == "dispose" for a in actions) else []
    form.units.choices = units
    return dict(actions=actions, action_form=form, answerable=answerable, answer_form=AnswerForm(formdata=None),
                claim_form=VersionForm(formdata=None),
                # Only someone who may claim sees the button (never the applicant at their own step).
                can_claim=application.assignee_id != user.id and workflow.may_claim(application, user),
                dispositions=workflow.dispositions_of(application)
                if user.is_staff and application.applicant_id != user.id else [])


@bp.route("/")
@staff_required
def index():
    tab = request.args.get("tab", "tugas")
    tab = tab if tab in queues.TABS else "tugas"
    service = request.args.get("layanan") or None
    sort = request.args.get("urut", "lama")
    sort = sort if sort in queues.SORTS else "lama"
    after = request.args.get("setelah") or None
    page = queues.inbox(current_user, tab, service, sort, after)
    ctx = dict(rows=inbox_page.rows(page.rows, current_user._get_current_object()),
               tabs=inbox_page.tabs(page.counts, service, sort), next_cursor=page.next_cursor, after=after, tab=tab,
               service=service, sort=sort, sorts={k: v[0] for k, v in queues.SORTS.items()},
               service_options=inbox_page.service_options(service))
    if request.htmx and request.htmx.target == "inbox":
        return render_template("inbox/_list.html", **ctx)
    return render_template("inbox/index.html", **ctx)


def _panel(application, error: str | None = None, status: int = 200, form=None):
    from .applications import detail_context

    application = application_or_404(application.id)
    ctx = detail_context(application)
    if form is not None:
        ctx["action_form"].note.data = form.note.data
        ctx["action_form"].internal_note.data = form.internal_note.data
    return render_template("applications/_work.html", error=error, **ctx), status


def _actionable_or_404(app_id: int):
    """The application for a staff action: 404 for those who see it only as oversight (admin,
    pimpinan without a step in the service), as for anybody who may not see it."""
    from ..access import via_oversight

    application = application_or_404(app_id)
    if via_oversight(current_user, application):
        abort(404)
    return application


@bp.route("/permohonan/<int:app_id>/aksi", methods=["POST"])
@staff_required
def act(app_id):
    application = _actionable_or_404(app_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _panel(application, "Formulir tidak lengkap. Muat ulang halaman.", 400)
    # A staff step may take files: the product delivered there (answer letter, press release).
    step = get_service(application.service).step(application.step)
    files = {}
    for req in (step.requirements if step is not None and not step.for_applicant else ()):
        storage = request.files.get(f"file_{req.key}")
        if storage is not None and storage.filename:
            try:
                files[req.key] = uploads.check(storage, req)
            except uploads.UploadError as exc:
                return _panel(application, f"{req.label}: {exc}", 422, form)
    try:
        action = step.action(form.action.data) if step is not None else None
        if handover.applies(step, action):  # the pickup: who collected is recorded with the action
            attorney = request.files.get("file_surat_kuasa")
            checked = None
            if attorney is not None and attorney.filename:
                try:
                    checked = uploads.check(attorney, handover.ATTORNEY)
                except uploads.UploadError as exc:
                    return _panel(application, f"{handover.ATTORNEY.label}: {exc}", 422, form)
            handover.take(application, current_user, action.key, collector=request.form.get("collector") or "pemohon",
                          name=request.form.get("collector_name", ""), id_number=request.form.get("collector_id", ""),
                          attorney=checked, note=form.note.data or "", internal_note=form.internal_note.data or "",
                          expected_version=int(form.version.data))
        else:
            workflow.perform(application, current_user, form.action.data, note=form.note.data or "",
                             internal_note=form.internal_note.data or "", expected_version=int(form.version.data),
                             units=form.units.data, files=files)
    except workflow.Conflict as exc:
        return _panel(application, str(exc), 409)
    except workflow.ValidationFailed as exc:
        return _panel(application, " ".join(exc.errors.values()), 422, form)
    except workflow.WorkflowError as exc:
        return _panel(application, str(exc), 422, form)
    return _panel(application)


@bp.route("/permohonan/<int:app_id>/klaim", methods=["POST"])
@staff_required
def claim(app_id):
    application = _actionable_or_404(app_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return _panel(application, "Formulir tidak lengkap. Muat ulang halaman.", 400)
    try:
        workflow.claim(application, current_user, int(form.version.data))
    except workflow.WorkflowError as exc:
        return _panel(application, str(exc), 409 if isinstance(exc, workflow.Conflict) else 422)
    return _panel(application)


@bp.route("/permohonan/<int:app_id>/jawab", methods=["POST"])
@staff_required
def answer(app_id):
    application = _actionable_or_404(app_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _panel(application, "Formulir tidak lengkap. Muat ulang halaman.", 400)
    try:
        workflow.answer_disposition(application, current_user, int(form.disposition.data), form.answer.data,
                                    int(form.version.data))
    except workflow.Conflict as exc:
        return _panel(application, str(exc), 409)
    except workflow.ValidationFailed as exc:
        return _panel(application, " ".join(exc.errors.values()), 422)
    except workflow.WorkflowError as exc:
        return _panel(application, str(exc), 422)
    return _panel(application)
