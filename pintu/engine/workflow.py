"""The generic workflow engine: every service's applications move through here.

Public functions (also used by plugins, e.g. for demo data):

* :func:`save_application` - create or update a draft, submit, resubmit.
* :func:`perform` - a staff action at the current step (forward, return,
  refuse, finish, dispose).
* :func:`answer_disposition` - a routed unit answers.
* :func:`claim` / :func:`cancel`.

Every change runs in one database transaction, is checked against the
actor's roles and units, writes an append-only :class:`~pintu.data.models.Event`
and is guarded by the application's ``version`` column: of two staff acting
on the same version, one wins and the other gets :class:`Conflict`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import Node, Value

from pintu.contract import formparts
from pintu.data import pagedata, staging, uploads
from pintu.engine import clock, dispositions, external, formtokens, queues, service_settings, tracking, workingdays
from pintu.engine.unit_of_work import Work, unit_of_work
from pintu.notify import event_notices, notifications
from pintu.output import documents
from pintu.people import accounts
from pintu.data.db import create, prepared, write_transaction
from pintu.engine.external import PartyActor
from pintu.data.models import Application, Disposition, Event, StagedUpload, Unit, Upload, User, utcnow
from pintu.contract.plugins import get_service, service_hook
from pintu.contract.services import (DISPOSE, EXTERNAL, FINAL_STATUSES, FINISH, FORWARD, REFUSE, RETURN, Action,
                                     Service, Step)


class WorkflowError(Exception):
    """An action that is not allowed; ``str(err)`` is the Indonesian message."""


class Conflict(WorkflowError):
    """Somebody else changed the application first."""


@dataclass
class ValidationFailed(Exception):
    """Field-level problems; nothing was saved."""

    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self):
        return "; ".join(self.errors.values())


EDITABLE = ("draft", "returned")


# ---------------------------------------------------------------------------
# Who may do what
# ---------------------------------------------------------------------------

def can_act(user: User, step: Step | None, application: Application | None = None) -> bool:
    """True when ``user`` may act at ``step``: staff by role and unit; the applicant at an applicant step."""
    if step is None:
        return False
    if step.for_applicant:
        return application is not None and application.applicant_id == user.id
    if application is not None and application.applicant_id == user.id:
        return False  # staff never process their own application
    if step.external:
        return False  # only the party, through its link (perform_external)
    return user.takes_step(step.role, step.unit_key(application.data if application is not None else None))


def available_actions(application: Application, user: User) -> list[Action]:
    """The actions ``user`` may take on ``application`` right now."""
    if application.status in FINAL_STATUSES or application.status in EDITABLE:
        return []
    service = get_service(application.service)
    step = service.step(application.step)
    if not can_act(user, step, application):
        return []
    if dispositions.pending(application):
        return [a for a in step.actions if a.kind in (RETURN, REFUSE)]
    return list(step.actions)


def _actor_role(user: User, step: Step | None, application: Application) -> str:
    if step and not step.external and user.takes_step(step.role, step.unit_key(application.data)):
        return step.role
    return "pemohon"


# ---------------------------------------------------------------------------
# Applicant side
# ---------------------------------------------------------------------------

def _merge(errors: dict[str, str], found: dict[str, str] | None) -> None:
    """Add ``found`` to ``errors``: a field keeps its first message; general messages add up."""
    for key, msg in (found or {}).items():
        if not msg:
            continue
        if key == "__all__" and errors.get("__all__") and msg not in errors["__all__"]:
            errors["__all__"] = f"{errors['__all__']} {msg}"
        else:
            errors.setdefault(key, msg)


def _check_submission(service: Service, applicant: User, data: dict, application: Application | None,
                      new_files: dict, known: dict[str, str] | None = None) -> dict[str, str]:
    """Every problem of a submission, in one round.

    ``known`` are the problems the caller already found (fields in a wrong format, rejected
    files); they come first and keep their message.  Missing required files, the service's
    validators and the NIP check always run (validators get ``None`` for fields in a wrong
    format).  The ``pintu_validate_application`` hooks run only when every field is valid, since
    they may need the whole data (e.g. a booking's period) or the database: their messages can
    therefore come one round later than the others.
    """
    errors: dict[str, str] = dict(known or {})
    closed = service_settings.closed_message(service, clock.today())
    if closed:
        _merge(errors, {"__all__": closed})
    current = set()
    if application is not None:
        current = {u.requirement for u in application.uploads if not u.superseded}
    for req in service.requirements:
        if req.required_for(data) and req.key not in new_files and req.key not in current:
            _merge(errors, {f"file_{req.key}": req.missing_message or f"{req.label} wajib diunggah."})
    for validator in service.validators:
        _merge(errors, validator(data))
    if service.nip_missing_message:
        if not accounts.NIP_RE.match(accounts.clean_id_number(applicant.id_number)):
            _merge(errors, {"__all__": service.nip_missing_message})
    fields_valid = not any(not k.startswith("file_") and k != "__all__" for k in errors)
    if fields_valid:
        for result in service_hook(service, "pintu_validate_application")(
                service=service, data=data, applicant=applicant, application=application):
            _merge(errors, result)
    return errors


def _applicant_conflict(application: Application) -> Conflict:
    """The applicant's form is older than the application (another tab, a double submit)."""
    current = Application.get_or_none(Application.id == application.id) or application
    if current.status not in EDITABLE:
        return Conflict(f"Permohonan ini sudah diajukan dan berstatus \"{current.status_label}\" sejak formulir ini "
                        "dibuka, sehingga perubahan di bawah tidak disimpan. Buka halaman permohonan untuk melihat "
                        "status terbarunya.")
    when = clock.to_local(current.updated_at).strftime("%d-%m-%Y %H:%M")
    return Conflict(f"Permohonan ini sudah diubah pada {when} (misalnya dari tab atau jendela lain) sejak formulir "
                    "ini dibuka. Isian Anda di bawah belum disimpan: periksa kembali, lalu simpan atau ajukan lagi.")


def save_application(service: Service, applicant: User, data: dict, files: dict | None = None, *,
                     submit: bool, application: Application | None = None, errors: dict | None = None,
                     token: str | None = None, expected_version: int | None = None) -> Application:
    """Save a draft or (re)submit, with the ``files`` (requirement key -> CheckedFile, or a
    :class:`~pintu.data.models.StagedUpload` kept from an earlier try).

    ``errors`` are problems the caller already found (wrong field formats, rejected files): the
    other checks still run and everything is raised together.  ``token`` is the form's one-time
    token (:mod:`pintu.engine.formtokens`): a second write with it raises
    :class:`~pintu.engine.formtokens.Replayed` and changes nothing.  ``expected_version`` is the version
    the applicant's form was made from (default: the one loaded): a stale write raises
    :class:`Conflict` and changes nothing.

    Raises :class:`ValidationFailed` (nothing saved, no file left behind), :class:`Conflict` or
    :class:`WorkflowError`.  Returns the saved application.
    """
    files = files or {}
    service = service_settings.effective(service)  # the periods and texts an administrator set
    data = {**data, **formparts.computed_values(service.computed, data)}
    if not service.open_to(applicant.category):
        raise WorkflowError(f"Layanan ini hanya untuk {service.audience_label}.")
    version = None
    if application is not None:
        if application.applicant_id != applicant.id or application.service != service.slug:
            raise WorkflowError("Permohonan tidak ditemukan.")
        version = application.version if expected_version is None else expected_version
        if version != application.version:
            raise _applicant_conflict(application)
        if application.status not in EDITABLE:
            raise WorkflowError("Permohonan ini sedang diproses dan tidak dapat diubah.")
    found: dict[str, str] = dict(errors or {})
    total = sum(f.size for f in files.values())
    if total > service.max_total_mb * 1024 * 1024:
        _merge(found, {"__all__": f"Jumlah ukuran semua berkas melebihi batas {service.max_total_mb:g} MB."})
    if submit:
        found = _check_submission(service, applicant, data, application, files, found)
    if found:
        raise ValidationFailed(found)

    with unit_of_work() as work:
        # The token first: on SQLite a transaction that has read cannot wait for the write lock.
        token_row = formtokens.claim(token, applicant)
        now = utcnow()
        if application is None:
            application = Application.create(service=service.slug, applicant=applicant, data=data,
                                             created_at=now, updated_at=now)
        else:
            # Version-checked like staff actions: of a draft save and a resubmit racing, one wins.
            _update_versioned(application, version, {Application.data: data, Application.updated_at: now},
                              Application.status.in_(EDITABLE), conflict=_applicant_conflict)
            application.data, application.updated_at, application.version = data, now, version + 1
        formtokens.bind(token_row, application)
        _store_files(application, applicant, files, work.files)
        if submit:
            resubmitted = application.status == "returned"
            from_status = application.status
            if not application.reference:
                application.reference = tracking.next_reference(service.code)
                application.tracking_code = tracking.new_tracking_code()
            application.status = service.first_step.status
            application.step = service.first_step.key
            application.submitted_at = application.submitted_at or now
            application.assignee = None
            application.clock_started_at = None
            application.due_date = None
            application.paused_since = external.now_utc() if service.first_step.pauses_clock else None
            application.version += 1
            application.save()
            event = Event.create(
                application=application, actor=applicant, actor_role="pemohon",
                kind="resubmitted" if resubmitted else "submitted",
                message="Permohonan diajukan kembali setelah diperbaiki" if resubmitted else "Permohonan diajukan",
                from_status=from_status, to_status=application.status, to_step=application.step)
            service_hook(service, "pintu_after_transition")(application=application, service=service, event=event)
            queues.sync(application)  # after the hooks: a due date they set is filed too
            work.mails += event_notices.on_event(application, service, event)
            work.mails += _external_links(application, service, None)
    return application


def return_note(application: Application) -> Event | None:
    """The latest return to the applicant (its ``note`` is the reason meant for them), or None."""
    events = getattr(application, "_events", None)  # read with the page (pintu.data.pagedata)
    if events is not None:
        return pagedata.latest(events, RETURN)
    return (Event.select().where(Event.application == application.id, Event.kind == RETURN)
            .order_by(Event.id.desc()).first())


def cancel_refusal(application: Application) -> str:
    """Why the applicant can no longer cancel, or ""."""
    if application.status in FINAL_STATUSES or application.status == "ready":
        return "Permohonan yang sudah diputus tidak dapat dibatalkan."
    return ""


def cancel(application: Application, applicant: User, reason: str = "", *, token: str | None = None,
           expected_version: int | None = None) -> Event:
    """The applicant withdraws a request that has not been decided yet."""
    if application.applicant_id != applicant.id:
        raise WorkflowError("Permohonan tidak ditemukan.")
    if expected_version is not None and expected_version != application.version:
        raise _conflict(application)
    refusal = cancel_refusal(application)
    if refusal:
        raise WorkflowError(refusal)
    service = get_service(application.service)
    return _move(application, service, applicant, "pemohon", kind="cancel", action_key="cancel",
                 message="Permohonan dibatalkan oleh pemohon", to_status="cancelled", to_step=None,
                 note=reason, expected_version=application.version, token=token)


# ---------------------------------------------------------------------------
# Staff side
# ---------------------------------------------------------------------------

def may_claim(application: Application, user: User) -> bool:
    """True when ``user`` may take ``application`` on (claim): staff who can act on its current
    staff step or answer one of its dispositions.  Never the applicant, never at an applicant step."""
    if application.status in FINAL_STATUSES or application.status in EDITABLE:
        return False
    step = get_service(application.service).step(application.step)
    if step is None or step.for_applicant or application.applicant_id == user.id:
        return False
    return can_act(user, step, application) or bool(dispositions.answerable(application, user))


def claim(application: Application, actor: User, expected_version: int | None = None) -> None:
    """Assign the application to ``actor`` (who must be able to act on its step)."""
    service = get_service(application.service)
    step = service.step(application.step)
    if not may_claim(application, actor):
        raise WorkflowError("Anda tidak berwenang menangani permohonan ini pada tahap ini.")
    version = application.version if expected_version is None else expected_version
    with write_transaction():
        _update_versioned(application, version, {Application.assignee: actor})
        Event.create(application=application, actor=actor, actor_role=_actor_role(actor, step, application),
                     kind="claim",
                     message="Mulai ditangani", from_status=application.status,
                     from_step=application.step or "", to_status=application.status, to_step=application.step or "")
        queues.sync(application.id)
    application.assignee = actor
    application.version = version + 1


def perform(application: Application, actor: User, action_key: str, *, note: str = "", internal_note: str = "",
            expected_version: int | None = None, units: list[str] | None = None, files: dict | None = None,
            token: str | None = None) -> Event:
    """Take the action ``action_key`` at the application's current step.

    ``expected_version`` is the version the actor saw; when somebody acted in
    between, :class:`Conflict` is raised and nothing changes.  ``units`` are the
    unit keys for a ``dispose`` action.  ``files`` (requirement key ->
    CheckedFile) are the uploads of the step's ``requirements``: the applicant's
    at an applicant step, the staff member's product (answer letter, press
    release) at a staff step; they are stored in the same transaction as the move.
    ``token`` is the one-time token of the applicant's form (:mod:`pintu.engine.formtokens`).
    """
    service, step = _current(application, expected_version)
    if not can_act(actor, step, application):
        raise WorkflowError("Anda tidak berwenang mengambil tindakan pada tahap ini.")
    action = step.action(action_key)
    if action is None or action not in available_actions(application, actor):
        raise WorkflowError("Tindakan tidak tersedia pada tahap ini.")
    return _take(application, service, step, action, actor, step.role, note=note, internal_note=internal_note,
                 expected_version=expected_version, units=units, files=files, token=token)


def perform_external(application: Application, party: PartyActor, action_key: str, *, note: str = "",
                     expected_version: int | None = None, files: dict | None = None,
                     token: str | None = None) -> Event:
    """A party outside the office takes ``action_key`` at the external step through its link
    (:mod:`pintu.engine.external`): the same checks, hooks, optimistic lock and one-time token as
    :func:`perform`; the link ``party.link_id`` is spent in the same transaction, and the event
    records the party's name, e-mail and capacity (its ``actor`` is the placeholder account)."""
    service, step = _current(application, expected_version)
    if not step.external:
        raise WorkflowError("Permohonan ini tidak lagi menunggu tindakan Anda.")
    action = step.action(action_key)
    if action is None or action.kind == DISPOSE:
        raise WorkflowError("Tindakan tidak tersedia pada tahap ini.")
    return _take(application, service, step, action, external.placeholder_account(), EXTERNAL, note=note,
                 expected_version=expected_version, files=files, token=token, party=party)


def _current(application: Application, expected_version: int | None) -> tuple[Service, Step]:
    """The service and the step an action is taken at; raises when none can be taken now."""
    service = get_service(application.service)
    step = service.step(application.step)
    if application.status in FINAL_STATUSES:
        raise _conflict(application) if expected_version not in (None, application.version) else \
            WorkflowError("Permohonan ini sudah selesai diproses.")
    if expected_version is not None and expected_version != application.version:
        raise _conflict(application)
    if application.status in EDITABLE or step is None:
        raise WorkflowError("Permohonan ini sedang berada di tangan pemohon.")
    return service, step


def _take(application: Application, service: Service, step: Step, action: Action, actor: User, actor_role: str, *,
          note: str = "", internal_note: str = "", expected_version: int | None = None,
          units: list[str] | None = None, files: dict | None = None, token: str | None = None,
          party: PartyActor | None = None) -> Event:
    """The allowed ``action`` at ``step``: check the note and the files, then move (or dispose)."""
    note = (note or "").strip()
    if action.needs_note and not note:
        raise ValidationFailed({"note": "Alasan wajib diisi." if action.kind == REFUSE
                                else "Catatan untuk pemohon wajib diisi."})
    version = application.version if expected_version is None else expected_version
    files = files or {}
    # Applicant steps take the applicant's uploads, external steps the party's; staff steps with
    # requirements take the product the staff member delivers there (answer letter, press release).
    if step.requirements:
        allowed = {r.key: r for r in step.requirements}
        if set(files) - set(allowed):
            raise WorkflowError("Berkas tidak dikenal untuk tahap ini.")
        if action.kind == FORWARD:
            current = {u.requirement for u in application.uploads if not u.superseded}
            missing = {f"file_{r.key}": r.missing_message or f"{r.label} wajib diunggah."
                       for r in step.requirements
                       if r.required_for(application.data or {}) and r.key not in files and r.key not in current}
            if missing:
                raise ValidationFailed(missing)
    elif files:
        raise WorkflowError("Tahap ini tidak menerima unggahan berkas.")

    if action.kind == DISPOSE:
        return _dispose(application, service, step, action, actor, units or [], note, internal_note, version, token)

    to_step, to_status = _destination(service, step, action, application.data or {})
    return _move(application, service, actor, actor_role, kind=action.kind, action_key=action.key,
                 message=action.message or action.label, to_status=to_status, to_step=to_step,
                 note=note, internal_note=internal_note, expected_version=version, action=action, step=step,
                 files=files, token=token, party=party)


def _destination(service: Service, step: Step, action: Action, data: dict) -> tuple[str | None, str]:
    if action.kind == RETURN:
        return None, "returned"
    if action.kind == REFUSE:
        return None, "refused"
    if action.kind == FINISH:
        return None, "done"
    nxt = service.step(action.target) if action.target else service.next_step(step.key, data)
    if nxt is None:
        return None, "done"
    return nxt.key, nxt.status


def _move(application: Application, service: Service, actor: User, actor_role: str, *, kind: str, action_key: str,
          message: str, to_status: str, to_step: str | None, note: str = "", internal_note: str = "",
          expected_version: int, action: Action | None = None, step: Step | None = None,
          files: dict | None = None, token: str | None = None,
          party: PartyActor | None = None) -> Event:
    """Move the application; its mails are sent after the commit of the outermost change."""
    with unit_of_work() as work:
        return _move_in_transaction(application, service, actor, actor_role, kind, action_key, message, to_status,
                                    to_step, note, internal_note, expected_version, action, step, files or {},
                                    work, token, party)


def _store_files(application: Application, actor: User, files: dict, written: list, party: str = "") -> None:
    """Write ``files`` as the current uploads of their requirements (inside the caller's transaction).

    A :class:`~pintu.data.models.StagedUpload` (kept from an earlier try of the form) is taken over as
    it is; when it is gone (used by another save, swept) the save fails with a message on its field."""
    for key, checked in files.items():
        if isinstance(checked, StagedUpload):
            try:
                staging.attach(checked, application, actor)
            except staging.StagedGone:
                raise ValidationFailed({f"file_{key}": f"Berkas {checked.original_name} yang diunggah sebelumnya "
                                                       "sudah tidak tersedia. Unggah ulang berkas ini."}) from None
            continue
        Upload.update(superseded=True).where(Upload.application == application, Upload.requirement == key).execute()
        uploads.save(checked, application, key, actor, written, party)


def _move_in_transaction(application, service, actor, actor_role, kind, action_key, message, to_status, to_step,
                         note, internal_note, expected_version, action, step, files, work: Work,
                         token=None, party: PartyActor | None = None) -> Event:
    """The move itself, inside the unit of work ``work`` of :func:`_move`."""
    # The token first: on SQLite a transaction that has read cannot wait for the write lock.
    formtokens.claim(token, actor, application)
    if party is not None and not external.spend(party.link_id):
        raise WorkflowError(external.SPENT)
    _store_files(application, actor, files, work.files, party.label if party is not None else "")
    if action is not None:
        for veto in service_hook(service, "pintu_before_transition")(
                application=application, service=service, step=step, action=action, actor=actor, note=note,
                files=files):
            if veto:
                raise WorkflowError(veto)
    now = utcnow()
    changes = {Application.status: to_status, Application.step: to_step, Application.updated_at: now}
    if to_status != application.status or to_step != application.step:
        changes[Application.assignee] = None
    if action is not None and action.starts_clock and not application.clock_started_at:
        changes[Application.clock_started_at] = now
        changes[Application.due_date] = clock.due_date(service, application.data or {})
    if to_status == "returned":
        changes[Application.clock_started_at] = None
        changes[Application.due_date] = None
    changes.update(_pause_changes(application, service, to_step, to_status, changes))
    if to_status in FINAL_STATUSES:
        changes[Application.closed_at] = now
    if to_status == "refused":
        changes[Application.refusal_reason] = note
    _update_versioned(application, expected_version, changes)
    if to_step != application.step and application.step and dispositions.may_wait(application, expected_version):
        dispositions.close_pending(application, to_status, now)
    event = create(Event, application=application, actor=actor, actor_role=actor_role, kind=kind,
                   action=action_key, message=message[:255], from_status=application.status,
                   from_step=application.step or "", to_status=to_status, to_step=to_step or "",
                   note=note, internal_note=internal_note, created_at=now,
                   party_name=party.name[:120] if party else "", party_email=party.email[:254] if party
                   else "", party_capacity=party.capacity[:120] if party else "")
    from_step = application.step
    # Read again as changed, with the applicant (the notifications name and mail them).
    application = pagedata.load(application.id, lists=False)
    # the documents this action issues (numbered in this transaction)
    work.documents += documents.issue_for(application, service, step, action, actor)
    service_hook(service, "pintu_after_transition")(application=application, service=service, event=event)
    queues.sync(application)  # after the hooks: a due date they set is filed too
    work.mails += event_notices.on_event(application, service, event)
    work.mails += _external_links(application, service, from_step)
    return event


def _pause_changes(application: Application, service: Service, to_step: str | None, to_status: str,
                   changes: dict) -> dict:
    """The clock columns of a move (``Step.pauses_clock``): entering a pausing step records when;
    leaving it adds the working days spent there to the due date (unless this very move set it)."""
    out: dict = {}
    moves = to_step != application.step or to_status != application.status
    if not moves:
        return out
    if application.paused_since is not None:
        out[Application.paused_since] = None
        due = changes.get(Application.due_date, application.due_date)
        if due is not None and Application.due_date not in changes:
            extra = clock.extra_holidays()  # the institution profile's closures too
            spent = workingdays.working_days_between(clock.local_date(application.paused_since), clock.today(), extra)
            out[Application.due_date] = workingdays.add_working_days(due, max(spent, 0), extra)
    nxt = service.step(to_step) if to_step else None
    if nxt is not None and nxt.pauses_clock and to_status not in FINAL_STATUSES:
        out[Application.paused_since] = external.now_utc()
    return out


def _external_links(application: Application, service: Service, from_step: str | None) -> list[int]:
    """After a move (in its transaction): entering an external step mails the party a new link
    (revoking older ones); leaving one revokes its open links.  Returns the mail ids."""
    if application.step == from_step:
        return []
    step = external.current_step(application, service)
    if step is not None:
        return external.issue(application, service, step)
    left = service.step(from_step) if from_step else None
    if left is not None and left.external:
        external.revoke_open(application.id)
    return []


def _dispose(application, service, step, action, actor, unit_keys, note, internal_note, version,
             token=None) -> Event:
    units = list(Unit.select().where(Unit.key.in_(unit_keys))) if unit_keys else []
    if not units:
        raise ValidationFailed({"units": "Pilih sekurang-kurangnya satu unit tujuan disposisi."})
    with unit_of_work() as work:
        formtokens.claim(token, actor, application)
        for veto in service_hook(service, "pintu_before_transition")(
                application=application, service=service, step=step, action=action, actor=actor, note=note,
                files={}):
            if veto:
                raise WorkflowError(veto)
        _update_versioned(application, version, {Application.updated_at: utcnow(), Application.assignee: None})
        for unit in units:
            Disposition.create(application=application, step=step.key, unit=unit, instruction=note)
        names = ", ".join(u.name for u in units)
        event = Event.create(application=application, actor=actor, actor_role=step.role, kind=DISPOSE,
                             action=action.key, message=f"Didisposisikan ke {names}"[:255],
                             from_status=application.status, from_step=step.key, to_status=application.status,
                             to_step=step.key, note="", internal_note=(note + "\n" + internal_note).strip())
        application = Application.get_by_id(application.id)
        service_hook(service, "pintu_after_transition")(application=application, service=service, event=event)
        queues.sync(application)  # after the hooks: a due date they set is filed too
        work.mails += event_notices.on_event(application, service, event)
        for unit in units:
            notifications.notify_unit(application, unit, f"Disposisi {application.reference}: {service.title}")
    return event


def answer_disposition(application: Application, actor: User, disposition_id: int, answer: str,
                       expected_version: int | None = None) -> Event:
    """A routed unit answers; when the last unit answered, the step moves on."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed({"answer": "Jawaban / tindak lanjut unit wajib diisi."})
    mine = {d.id: d for d in dispositions.answerable(application, actor)}
    disposition = mine.get(int(disposition_id))
    if disposition is None:
        raise WorkflowError("Disposisi ini tidak menunggu jawaban unit Anda.")
    service = get_service(application.service)
    step = service.step(application.step)
    version = application.version if expected_version is None else expected_version
    with unit_of_work():
        _update_versioned(application, version, {Application.updated_at: utcnow()})
        (Disposition.update(answer=answer, answered_by=actor, answered_at=utcnow())
         .where(Disposition.id == disposition.id).execute())
        event = Event.create(application=application, actor=actor, actor_role="verifikator", kind="answer",
                             action="answer", message=f"Tindak lanjut {disposition.unit.name}"[:255],
                             from_status=application.status, from_step=step.key, to_status=application.status,
                             to_step=step.key, internal_note=answer)
        application = Application.get_by_id(application.id)
        service_hook(service, "pintu_after_transition")(application=application, service=service, event=event)
        remaining = dispositions.pending(application)
        if remaining:
            queues.sync(application)  # the answered unit's task goes; the others stay
        else:  # the last unit answered: the step moves on (_move refiles the application)
            dispose_action = next((a for a in step.actions if a.kind == DISPOSE), None)
            to_step, to_status = _destination(service, step, Action("all_answered", "Semua unit menjawab",
                                                                    FORWARD, target=dispose_action.target
                                                                    if dispose_action else None),
                                              application.data or {})
            event = _move(application, service, actor, "verifikator", kind=FORWARD, action_key="all_answered",
                          message="Semua unit terkait telah menindaklanjuti", to_status=to_status, to_step=to_step,
                          expected_version=application.version)
    return event


def _update_versioned(application: Application, version: int, changes: dict, *conditions,
                      conflict=None) -> None:
    """Write ``changes`` and the next version, only while the application is still at ``version``
    (and ``conditions`` hold): of two people acting on the same version one wins, and the other gets
    ``conflict(application)`` (default :func:`_conflict`), with nothing written."""
    if conditions or Application.version in changes or any(isinstance(v, Node) for v in changes.values()):
        changes = {**changes, Application.version: Application.version + 1}
        updated = (Application.update(changes)
                   .where(Application.id == application.id, Application.version == version, *conditions).execute())
    else:  # the usual change, inside the write transaction: its SQL written once per set of columns
        columns = sorted([*changes, Application.version], key=lambda f: f._sort_key)  # peewee's SET order
        params = [1 if f is Application.version else f.db_value(changes[f]) for f in columns]

        def build(*v):
            return Application.update({f: Application.version + x if f is Application.version else Value(x, unpack=False)
                                       for f, x in zip(columns, v)}).where(Application.id == v[-2],
                                                                           Application.version == v[-1])

        updated = prepared("workflow.update:" + ",".join(f.name for f in columns), build,
                           *params, application.id, version).rowcount
    if not updated:
        raise (conflict or _conflict)(application)


def _conflict(application: Application) -> Conflict:
    last = (Event.select(Event, User).join(User).where(Event.application == application.id)
            .order_by(Event.id.desc()).first())
    if last:
        when = clock.format_local(last.created_at)  # WIB, as on the page; stored times are UTC
        return Conflict(f"Permohonan ini sudah diproses oleh {last.party_name or last.actor.name} ({when}). "
                        "Muat ulang halaman untuk melihat status terbaru.")
    return Conflict("Permohonan ini sudah diproses oleh petugas lain. Muat ulang halaman.")


def working_days_left(application: Application, today: dt.date | None = None, extra=None) -> int | None:
    """Working days until the due date (negative when late), or None without a clock.

    A list passes ``today`` and ``extra`` (:func:`pintu.engine.clock.extra_holidays`) once for all its rows."""
    if not application.due_date or application.status in FINAL_STATUSES or application.paused_since is not None:
        return None  # no clock, closed, or the clock is paused (Step.pauses_clock)
    return workingdays.working_days_between(today or clock.today(), application.due_date,
                                            clock.extra_holidays() if extra is None else extra)
