"""What people see of an application's history: the timeline and the step overview."""

from __future__ import annotations

import re
from types import SimpleNamespace

from pintu.data.db import prepared
from pintu.data.models import Application, Event, Unit
from pintu.contract.services import EXTERNAL, MASKED_IDENTITY, ROLES, Service
from pintu.contract.plugins import find_service
from pintu.data.pagedata import events_of, unit_names

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


def party_label(event: Event, service: Service | None) -> str:
    """The label of the party outside the office who took ``event`` ("Pimpinan PTS")."""
    step = service.step(event.from_step) if service is not None and event.from_step else None
    return step.party.label if step is not None and step.party is not None else "Pihak luar"


def party_text(event: Event, service: Service | None, staff: bool = False) -> str:
    """"Pimpinan PTS (Dr. Siti, Rektor)": the party and who they said they are (staff also see the e-mail)."""
    details = [p for p in (event.party_name, event.party_capacity, event.party_email if staff else "") if p]
    label = party_label(event, service)
    return f"{label} ({', '.join(details)})" if details else label


def acted_by(event: Event, service: Service | None, staff: bool, unit_names: dict[str, str] | None = None,
             data: dict | None = None) -> str:
    """Who acted, as the viewer may know it: staff see the officer's name; applicants see the unit
    of the step ("Subbagian Kepegawaian") or else the role ("Petugas ULT"), never the officer.  A
    party outside the office is named with the name and capacity they gave, to everyone.

    ``unit_names`` (unit key -> name) lets a caller listing many events look the units up once;
    ``data`` is the application's data (a step routed by data names the unit it went to)."""
    if event.actor_role == EXTERNAL:
        return party_text(event, service, staff)
    if staff or event.actor_role == "pemohon":
        return event.actor.name
    step = service.step(event.from_step) if service is not None and event.from_step else None
    unit = step.unit_key(data) if step is not None else None
    if unit and step.role == event.actor_role:
        if unit_names is None:
            unit_names = _unit_names([unit])
        if unit in unit_names:
            return unit_names[unit]
    return ROLES.get(event.actor_role, event.actor_role)


def _unit_names(keys) -> dict[str, str]:
    keys = sorted(set(keys))
    if not keys:
        return {}
    return dict(Unit.select(Unit.key, Unit.name).where(Unit.key.in_(keys)).tuples())


def names_actor(message: str) -> bool:
    """True when an event message already says who acted ("... oleh Subbagian Kepegawaian"): the
    timeline then shows it as it is instead of adding "oleh <who>" a second time."""
    return bool(_NAMES_ACTOR.search(message or ""))


class Entry(SimpleNamespace):
    """One line of the timeline: ``when``, ``kind``, ``message``, ``role``, ``who``, ``names_actor``,
    ``note``, ``internal_note``.  Read as attributes (``entry.who``, as the templates do) or as keys
    (``entry["who"]``).  Not a dict: Jinja reads ``entry.who`` as an attribute first, and a dict
    answers that with an exception, caught, before the key is tried (a page shows dozens)."""

    def __getitem__(self, key: str):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key) -> bool:
        return isinstance(key, str) and key in self.__dict__

    def get(self, key: str, default=None):
        return self.__dict__.get(key, default)


def timeline(application: Application, staff: bool, mask_applicant: bool = False) -> list[Entry]:
    """Events oldest first; applicants get neither staff-only events nor internal notes.

    ``mask_applicant``: the viewer may not see who the applicant is (``Service.confidential_identity``);
    the applicant's own events name "Pelapor dirahasiakan"."""
    service = find_service(application.service)

    rows = events_of(application)
    # One query for the units of every step (applicants see a unit's name instead of the officer's),
    # none when the page read them with the application.
    unit_names_ = unit_names(application)
    if unit_names_ is None:
        needed = set()
        if not staff and service is not None:
            for e in rows:
                step = service.step(e.from_step) if e.from_step else None
                unit = step.unit_key(application.data) if step is not None else None
                if unit and step.role == e.actor_role:
                    needed.add(unit)
        unit_names_ = _unit_names(needed)
    out = []
    for e in rows:
        if not staff and staff_only(e, service):
            continue
        role = ("Pemohon" if e.actor_role == "pemohon" else party_label(e, service) if e.actor_role == EXTERNAL
                else ROLES.get(e.actor_role, e.actor_role))
        out.append(Entry(
            when=e.created_at, kind=e.kind, message=e.message, role=role,
            # Applicants see the unit or role that acted, not the officer's name.
            who=(MASKED_IDENTITY if mask_applicant and e.actor_id == application.applicant_id
                 else acted_by(e, service, staff, unit_names_, application.data)),
            names_actor=names_actor(e.message),
            note=e.note, internal_note=e.internal_note if staff else "",
        ))
    return out


def step_overview(application: Application, service: Service, visited: set[str] | None = None) -> list[dict]:
    """Each declared step with its state: done, current, pending or skipped.

    ``visited``: the steps the application's events left from, when the caller read them already
    (:func:`pintu.engine.tracking.lookup`); else they are queried."""
    if visited is None:
        visited = {step for (step,) in prepared("timeline.visited", lambda a: Event.select(Event.from_step).distinct()
                                                .where(Event.application == a).tuples(), application.id)}
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


def _waiting_step(application: Application, service: Service | None):
    """The step an ``in_process`` application waits at, or None."""
    if application.status != "in_process" or not application.step:
        return None
    if service is None:
        service = find_service(application.service)
    return service.step(application.step) if service is not None else None


def awaits_applicant(application: Application, service: Service | None = None) -> bool:
    """True while the application waits at an applicant step (payment proof, a signed form)."""
    step = _waiting_step(application, service)
    return bool(step is not None and step.for_applicant)


def status_text(application: Application, for_applicant: bool, service: Service | None = None) -> str:
    """The status as people read it: "Menunggu tindakan Anda" (to the applicant) or "Menunggu
    tindakan pemohon" (to others) at an applicant step, "Menunggu Pimpinan PTS" at the step of a
    party outside the office, else the status label ("Diproses")."""
    if awaits_applicant(application, service):
        return "Menunggu tindakan Anda" if for_applicant else "Menunggu tindakan pemohon"
    party = awaited_party(application, service)
    if party is not None:
        return f"Menunggu {party.label}"
    return application.status_label


def awaited_party(application: Application, service: Service | None = None):
    """The :class:`~pintu.contract.services.Party` the application waits on at an external step, or None."""
    step = _waiting_step(application, service)
    return step.party if step is not None else None


def note_label(event: Event, service: Service | None) -> str:
    """The heading of an event's note in the applicant's e-mail: a refusal's reason, a return's
    request, or a note from whoever acted (the unit, the leadership), never a generic "petugas"."""
    if event.kind == "refuse":
        return "Alasan penolakan"
    if event.kind == "return":
        return "Yang perlu diperbaiki"
    if event.actor_role == "pemohon":
        return "Keterangan Anda"
    return f"Catatan dari {acted_by(event, service, staff=False, data=event.application.data)}"
