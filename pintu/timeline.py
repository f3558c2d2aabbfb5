"""What people see of an application's history: the timeline and the step overview."""

from __future__ import annotations

from .models import Application, Event, User
from .services import ROLES, Service

#: Events that are staff business only (claiming, a unit's internal answer).
STAFF_ONLY_KINDS = {"claim", "answer"}


def timeline(application: Application, staff: bool, mask_applicant: bool = False) -> list[dict]:
    """Events oldest first; applicants get neither staff-only events nor internal notes.

    ``mask_applicant``: the viewer may not see who the applicant is (``Service.confidential_identity``);
    the applicant's own events name "Pelapor dirahasiakan"."""
    from .access import MASKED_IDENTITY

    rows = (Event.select(Event, User).join(User).where(Event.application == application.id).order_by(Event.id))
    out = []
    for e in rows:
        if not staff and e.kind in STAFF_ONLY_KINDS:
            continue
        role = "Pemohon" if e.actor_role == "pemohon" else ROLES.get(e.actor_role, e.actor_role)
        out.append({
            "when": e.created_at, "kind": e.kind, "message": e.message, "role": role,
            # Applicants see the role that acted, not the officer's name.
            "who": (MASKED_IDENTITY if mask_applicant and e.actor_id == application.applicant_id
                    else e.actor.name if staff or e.actor_role == "pemohon" else role),
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
