"""What people see of an application's history: the timeline and the step overview."""

from __future__ import annotations

import re

from .models import Application, Event, User
from .services import ROLES, Service

#: Events that are staff business only (claiming, a unit's internal answer).
STAFF_ONLY_KINDS = {"claim", "answer"}

_NAMES_ACTOR = re.compile(r"\boleh\b", re.IGNORECASE)


def staff_only(event: Event, service: Service | None) -> bool:
    """True for events the applicant is neither shown nor told about: claims, units' answers and
    moves by an action declared ``internal`` (e.g. the leadership sending a draft reply back)."""
    if event.kind in STAFF_ONLY_KINDS:
        return True
    step = service.step(event.from_step) if service is not None and event.from_step else None
    action = step.action(event.action) if step is not None and event.action else None
    return bool(action is not None and action.internal)


def acted_by(event: Event, service: Service | None, staff: bool, unit_names: dict[str, str] | None = None) -> str:
    """Who acted, as the viewer may know it: staff see the officer's name; applicants see the unit
    of the step ("Subbagian Kepegawaian") or else the role ("Petugas ULT"), never the officer.

    ``unit_names`` (unit key -> name) lets a caller listing many events look the units up once."""
    if staff or event.actor_role == "pemohon":
        return event.actor.name
    step = service.step(event.from_step) if service is not None and event.from_step else None
    if step is not None and step.unit and step.role == event.actor_role:
        if unit_names is None:
            unit_names = _unit_names([step.unit])
        if step.unit in unit_names:
            return unit_names[step.unit]
    return ROLES.get(event.actor_role, event.actor_role)


def _unit_names(keys) -> dict[str, str]:
    from .models import Unit

    keys = sorted(set(keys))
    if not keys:
        return {}
    return dict(Unit.select(Unit.key, Unit.name).where(Unit.key.in_(keys)).tuples())


def names_actor(message: str) -> bool:
    """True when an event message already says who acted ("... oleh Subbagian Kepegawaian"): the
    timeline then shows it as it is instead of adding "oleh <who>" a second time."""
    return bool(_NAMES_ACTOR.search(message or ""))


def timeline(application: Application, staff: bool, mask_applicant: bool = False) -> list[dict]:
    """Events oldest first; applicants get neither staff-only events nor internal notes.

    ``mask_applicant``: the viewer may not see who the applicant is (``Service.confidential_identity``);
    the applicant's own events name "Pelapor dirahasiakan"."""
    from .access import MASKED_IDENTITY
    from .plugins import find_service

    service = find_service(application.service)
    rows = list(Event.select(Event, User).join(User).where(Event.application == application.id).order_by(Event.id))
    # One query for the units of every step (applicants see a unit's name instead of the officer's).
    needed = set()
    if not staff and service is not None:
        for e in rows:
            step = service.step(e.from_step) if e.from_step else None
            if step is not None and step.unit and step.role == e.actor_role:
                needed.add(step.unit)
    unit_names = _unit_names(needed)
    out = []
    for e in rows:
        if not staff and staff_only(e, service):
            continue
        role = "Pemohon" if e.actor_role == "pemohon" else ROLES.get(e.actor_role, e.actor_role)
        out.append({
            "when": e.created_at, "kind": e.kind, "message": e.message, "role": role,
            # Applicants see the unit or role that acted, not the officer's name.
            "who": (MASKED_IDENTITY if mask_applicant and e.actor_id == application.applicant_id
                    else acted_by(e, service, staff, unit_names)),
            "names_actor": names_actor(e.message),
            "note": e.note, "internal_note": e.internal_note if staff else "",
        })
    return out


def step_overview(application: Application, service: Service) -> list[dict]:
    """Each declared step with its state: done, current, pending or skipped."""
    visited = {e.from_step for e in Event.select(Event.from_step).where(Event.application == application.id)}
    current = application.step
    passed_current = False
    out = []
    for step in service.steps:
        if step.key == current:
            state = "current"
            passed_current = True
        elif application.status == "done":
            state = "done"
        elif step.key in visited and not passed_current:
            state = "done"
        else:
            state = "pending"
        out.append({"key": step.key, "title": step.title, "state": state})
    return out


def awaits_applicant(application: Application, service: Service | None = None) -> bool:
    """True while the application waits at an applicant step (payment proof, a signed form)."""
    if application.status != "in_process" or not application.step:
        return False
    if service is None:
        from .plugins import find_service

        service = find_service(application.service)
    step = service.step(application.step) if service is not None else None
    return bool(step is not None and step.for_applicant)


def status_text(application: Application, for_applicant: bool, service: Service | None = None) -> str:
    """The status as people read it: "Menunggu tindakan Anda" (to the applicant) or "Menunggu
    tindakan pemohon" (to others) at an applicant step, else the status label ("Diproses")."""
    if awaits_applicant(application, service):
        return "Menunggu tindakan Anda" if for_applicant else "Menunggu tindakan pemohon"
    return application.status_label


def note_label(event: Event, service: Service | None) -> str:
    """The heading of an event's note in the applicant's e-mail: a refusal's reason, a return's
    request, or a note from whoever acted (the unit, the leadership), never a generic "petugas"."""
    if event.kind == "refuse":
        return "Alasan penolakan"
    if event.kind == "return":
        return "Yang perlu diperbaiki"
    if event.actor_role == "pemohon":
        return "Keterangan Anda"
    return f"Catatan dari {acted_by(event, service, staff=False)}"
