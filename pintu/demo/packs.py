"""Demo data for data-declared services: each service applied for and walked to its end.

Used by :class:`pintu.contract.catalog.ServicePlugin`'s ``pintu_demo_data``: for every service file it
files one application with sample answers and documents and plays the first forward action of
every step (staff of the step's role and unit, created when the demo has none), so that a new
deployment shows each service finished, plus one application waiting at the front office.
An external party's step is left waiting (the party acts through the e-mailed link).
"""

from __future__ import annotations

import datetime as dt

from pintu.demo import support
from pintu.engine import clock
from pintu.people import accounts
from pintu.demo import demo_user
from pintu.data.models import User
from pintu.contract.services import EXTERNAL, FINISH, FORWARD

def sample_value(spec) -> object:
    """A plausible answer for a ``[[fields]]`` entry (its ``demo`` value when it declares one)."""
    if "demo" in spec:
        return spec["demo"]
    kind = spec.get("type", "text")
    if kind == "group":
        return [{sub["key"]: sample_value(sub) for sub in spec["fields"]}]
    if kind in ("select", "radio"):
        return str(spec["choices"][0][0])
    if kind == "integer":
        return int(spec.get("min") or 1)
    if kind == "date":
        return (clock.today() - dt.timedelta(days=30)).isoformat()
    if kind == "checkbox":
        return True
    if kind == "email":
        return "pihak.terkait@pintu.test"
    if kind == "nip":
        return "198001012005011001"
    if kind == "nik":
        return "3509010101800001"
    return f"Contoh {spec['label'][:60]}"


def _staff(staff: dict, role: str, unit: str | None, domain: str) -> User:
    key = f"{role}:{unit}" if unit else role
    if key not in staff:
        email = f"{role}.{unit}@{domain}" if unit else f"{role}@{domain}"
        user = demo_user(email, f"{role.capitalize()} {unit or ''}".strip())
        accounts.grant(user, role, unit)
        staff[key] = user
    return staff[key]


def _applicant(service, applicants: dict) -> User:
    for category in service.applicant_categories or ("pegawai",):
        if category in applicants:
            return applicants[category]
    return next(iter(applicants.values()))


def _forward_action(step):
    return next((a for a in step.actions if a.kind in (FORWARD, FINISH)), None)


def walk_service(entry, applicants: dict, staff: dict, domain: str) -> None:
    service = entry.service
    data = {spec["key"]: sample_value(spec) for spec in entry.fields}
    applicant = _applicant(service, applicants)
    files = {r.key: support.sample_pdf(f"{r.key}.pdf") for r in service.requirements}
    support.application(service, applicant, data, files, [])  # waits at the front office
    if service.external_steps:  # one left waiting for the outside party (its link shown to staff)
        _advance(support.application(service, applicant, data, files, []), service, applicant, staff,
                 domain, stop_at_party=True)
    _advance(support.application(service, applicant, data, files, []), service, applicant, staff, domain)


def _advance(app, service, applicant, staff, domain, stop_at_party=False):
    """Play the first forward action of every step until the end (or an outside party's step)."""
    from pintu.data import uploads
    from pintu.engine import workflow
    from pintu.data.models import Application

    for _ in range(len(service.steps) + 1):
        step = service.step(app.step)
        if step is None or app.status in ("done", "refused", "cancelled"):
            break
        if step.role == EXTERNAL:
            if stop_at_party or not _as_party(app, step, service):
                break
            app = Application.get_by_id(app.id)
            continue
        action = _forward_action(step)
        if action is None:
            break
        actor = applicant if step.for_applicant else _staff(staff, step.role, step.unit_key(app.data), domain)
        step_files = {req.key: uploads.check(support.sample_pdf(f"{req.key}.pdf"), req)
                      for req in step.requirements}
        workflow.perform(app, actor, action.key, note="", files=step_files)
        app = Application.get_by_id(app.id)
    return app


def _as_party(app, step, service) -> bool:
    """Play the outside party's forward action through the link the engine issued (False: no link)."""
    from pintu.data import uploads
    from pintu.engine import external, workflow

    link = external.open_link(app)
    action = _forward_action(step)
    if link is None or action is None:
        return False
    party = external.PartyActor(link.id, step.party.label, f"Contoh {step.party.label}", link.email,
                                step.party.label)
    files = {r.key: uploads.check(support.sample_pdf(f"{r.key}.pdf"), r) for r in step.requirements}
    workflow.perform_external(app, party, action.key, note="", files=files)
    return True
