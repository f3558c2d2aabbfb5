"""Internal completion targets for services whose standard names no completion time.

PermenPAN-RB 15/2014 asks every service to keep to a completion time; some standards leave it
open (pengaduan, gedung, peliputan, wisata).  For those the admin sets an internal target in
working days at ``/admin/target-layanan`` (table :class:`~pintu.data.models.ServiceTarget`), so no
application is "never late".  The engine's clock (:func:`pintu.engine.clock.due_date`) gives such
services no due date; the core's ``pintu_after_transition`` (:mod:`pintu.oversight.corehooks`) sets it, like
a standard's "maksimal N hari kerja", right after the change that started the clock, inside the
same transaction and after its write (on SQLite a transaction that read first could not then
write while another process writes).  Without an admin-set value the default is ``INTERNAL_TARGET_DAYS``
(5 working days: the completion time of seed 004's standard for Pengaduan Pelayanan Publik,
"Maksimal 5 hari kerja, dihitung sejak persyaratan dinyatakan lengkap dan benar").
"""

from __future__ import annotations

from flask import current_app

from pintu.data.models import Application, ServiceTarget, utcnow
from pintu.contract.plugins import all_services
from pintu.engine import clock, workingdays

#: Seed 004, Standar Pelayanan Pengaduan Pelayanan Publik, component 3 (jangka waktu penyelesaian).
COMPLAINT_STANDARD_DAYS = 5


def has_standard_time(service) -> bool:
    """Whether the service's own standard gives a completion time."""
    return service.completion_time is not None or service.completion_days is not None


def default_days() -> int:
    return int(current_app.config.get("INTERNAL_TARGET_DAYS") or COMPLAINT_STANDARD_DAYS)


def target_days(service) -> int:
    """The internal target (working days) of a service without a standard time (one query)."""
    row = ServiceTarget.get_or_none(ServiceTarget.service == service.slug)
    return row.days if row is not None else default_days()


def untimed_services() -> list:
    return sorted((s for s in all_services() if not has_standard_time(s)), key=lambda s: s.title)


def all_targets() -> dict[str, int]:
    """service slug -> internal target days, for every service without a standard time."""
    stored = {r.service: r.days for r in ServiceTarget.select()}
    return {s.slug: stored.get(s.slug, default_days()) for s in untimed_services()}


def set_target(service_slug: str, days: int) -> None:
    """Store the admin's target (insert or update)."""
    (ServiceTarget.insert(service=service_slug, days=days, updated_at=utcnow())
     .on_conflict(conflict_target=[ServiceTarget.service],
                  update={ServiceTarget.days: days, ServiceTarget.updated_at: utcnow()}).execute())


def set_internal_due_date(application, service, event) -> None:
    """The due date of a service without a standard time, once its clock has started (called by
    the core's ``pintu_after_transition``, :mod:`pintu.oversight.corehooks`)."""
    if (service is None or has_standard_time(service) or application.clock_started_at is None
            or application.due_date is not None or application.status not in ("in_process", "ready")):
        return

    # Counted from today when this change started the clock (as pintu.engine.clock.due_date counts), else
    # from the day it started (an application whose clock started before a target existed).
    started_now = application.clock_started_at == getattr(event, "created_at", None)
    start = clock.today() if started_now else clock.local_date(application.clock_started_at)
    due = workingdays.add_working_days(start, target_days(service), current_app.config.get("EXTRA_HOLIDAYS") or ())
    Application.update(due_date=due).where(Application.id == application.id).execute()
    application.due_date = due
