"""Dispositions: a step's work routed to one or more units, each answering in turn.

The engine (:mod:`pintu.engine.workflow`) creates them when staff dispose (``Action(kind=DISPOSE)``)
and moves the step on when the last unit answered; this module holds the records: which
dispositions an application has, which still wait, which a user may answer, and closing the ones
whose work became moot.  The staff queues (:mod:`pintu.engine.queues`) file a pending disposition in
its unit's queue.
"""

from __future__ import annotations

from pintu.data import pagedata
from pintu.data.db import prepared
from pintu.data.models import Application, Disposition, Unit, User


def of(application: Application) -> list[Disposition]:
    """Every disposition of ``application`` with its unit, oldest first: one query, remembered on
    this application object (a change re-reads the application, so a new object reads them anew)."""
    cached = getattr(application, "_dispositions", None)
    if cached is None:  # read on every staff view and action: SQL written once per process
        fields, unit_fields = Disposition._meta.sorted_fields, Unit._meta.sorted_fields
        cached = []
        for row in prepared("dispositions.of", lambda a: Disposition.select(*fields, *unit_fields).join(Unit)
                            .where(Disposition.application == a).order_by(Disposition.id).tuples(), application.id):
            disposition = pagedata.instance(Disposition, fields, row[:len(fields)])
            disposition.__rel__["unit"] = pagedata.instance(Unit, unit_fields, row[len(fields):])
            cached.append(disposition)
        application._dispositions = cached
    return cached


def pending(application: Application) -> list[Disposition]:
    """Dispositions of the current step still waiting for their unit's answer."""
    return [d for d in of(application)
            if d.step == (application.step or "") and d.answered_at is None]


_CLOSED_BECAUSE = {"returned": "dikembalikan kepada pemohon", "refused": "ditolak", "cancelled": "dibatalkan pemohon",
                   "done": "diselesaikan"}


def may_wait(application: Application, expected_version: int) -> bool:
    """Whether a disposition may still wait at the application's step: False only when its
    dispositions were read with this very version (:func:`of`) and none waits, which spares the
    write transaction an UPDATE."""
    known = getattr(application, "_dispositions", None)
    if known is None or application.version != expected_version:
        return True
    return bool(pending(application))  # from the dispositions already read, no query


def close_pending(application: Application, to_status: str, now) -> None:
    """Close dispositions still pending at the step the application leaves (returned, refused,
    cancelled, moved on without them): their work is moot, and a resubmitted application gets a
    fresh disposition instead of waiting for the old one."""
    why = _CLOSED_BECAUSE.get(to_status, "dipindahkan ke tahap lain")
    (Disposition.update(answer=f"Disposisi ditutup tanpa tindak lanjut: permohonan {why} sebelum unit menjawab.",
                        answered_at=now)
     .where(Disposition.application == application.id, Disposition.step == application.step,
            Disposition.answered_at.is_null())
     .execute())


def answerable(application: Application, user: User) -> list[Disposition]:
    """Pending dispositions of ``application`` that ``user`` may answer (a verifikator of its unit)."""
    if application.applicant_id == user.id:
        return []  # a unit's staff member does not answer for their own application
    return [d for d in pending(application) if user.has_role("verifikator", d.unit.key)]
