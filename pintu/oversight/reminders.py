"""SLA reminders: work due on the next working day, and escalation of overdue work.

:func:`run` (``flask --app pintu sla-check`` from cron, or the daily job the worker / the
background thread queues, see :func:`run_if_due`) reads the open staff work from the queues
(:class:`~pintu.data.models.Task`) and, on working days only:

* ``due_soon``: work due after today up to the next working day (on Friday: up to Monday) is
  e-mailed to the staff of its queue (the assignee alone once someone claimed it);
* ``overdue``: work past its due date is e-mailed to the same staff and escalated to the head of
  the unit of the queue (``Unit.head_id``, set with ``flask --app pintu unit-head``; without one,
  the pimpinan of that unit, else every verifikator of the unit) and to the institution's
  pimpinan (the role held without a unit).  It repeats each working day while late.

Exactly once: each (application, kind, local day) is a :class:`~pintu.data.models.Reminder` row with a
unique index, inserted (insert-or-skip) first thing in the transaction that stores its mails.  A
second run, or a second worker at the same moment, inserts nothing and sends nothing.

Staff who chose "ringkasan harian" on their profile (``User.reminder_digest``) get no mail per item:
their items wait as :class:`~pintu.data.models.DigestItem` rows and the same run sends one digest per
person and day (a :class:`~pintu.data.models.DigestSent` row, unique per user and day, guards it the same
way).  Items that arrive after that day's digest went out (a run late in the day) are carried by
the next day's digest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app, render_template
from peewee import chunked

from pintu.engine import clock, workingdays
from pintu.data.db import write_transaction
from pintu.data.models import Application, DigestItem, DigestSent, Reminder, Setting, Task, Unit, User, utcnow
from pintu.notify import notifications
from pintu.contract.plugins import find_service
from pintu.notify.notifications import absolute_url, queue_mail, staff_for
from pintu import jobs

log = logging.getLogger(__name__)

KINDS = {"due_soon": "Jatuh tempo hari kerja berikutnya", "overdue": "Lewat batas waktu"}


@dataclass
class Result:
    day: dt.date
    working_day: bool = True
    reminders: int = 0  # (application, kind) reminders made by this run
    skipped: int = 0  # already made today (by an earlier or a concurrent run)
    mails: list[int] = field(default_factory=list)
    digests: int = 0


def _extra():
    return current_app.config.get("EXTRA_HOLIDAYS") or ()


def _insert_once(model, **row) -> bool:
    """Insert ``row`` unless its unique key exists; True when this call inserted it."""
    return bool(model.insert(**row).on_conflict_ignore().as_rowcount().execute())


class _People:
    """Recipients, read once per (role, unit) per run."""

    def __init__(self):
        self._staff_for = staff_for
        self._cache: dict = {}
        self._heads = {u.key: u.head_id for u in Unit.select(Unit.key, Unit.head_id)}

    def staff(self, role: str, unit: str | None) -> list[User]:
        key = (role, unit)
        if key not in self._cache:
            self._cache[key] = list(self._staff_for(role, unit))
        return self._cache[key]

    def user(self, user_id: int) -> User | None:
        key = ("id", user_id)
        if key not in self._cache:
            self._cache[key] = [u for u in [User.get_or_none(User.id == user_id, User.is_active == True)] if u]  # noqa: E712
        return (self._cache[key] or [None])[0]

    def head(self, unit: str) -> list[User]:
        """The unit's head: ``Unit.head_id``; else its pimpinan (the role held in the unit); else
        every verifikator of the unit."""
        head = self._heads.get(unit)
        found = self.user(head) if head else None
        if found is not None:
            return [found]
        return self.staff("pimpinan", unit) or self.staff("verifikator", unit)


def _queue_parts(queue: str) -> tuple[str, str, str | None]:
    parts = queue.split("/")
    return parts[0], parts[1], (parts[2] if len(parts) > 2 else None)


def _recipients(kind: str, tasks: list[Task], people: _People, applicant_id: int) -> list[tuple[User, bool]]:
    """``(user, escalated)`` for each person to remind: the staff of the application's queues, and
    for overdue work also the unit heads and the pimpinan (``escalated`` unless they work the step)."""
    staff: dict[int, User] = {}
    above: dict[int, User] = {}
    for task in tasks:
        _service, role, unit = _queue_parts(task.queue)
        for user in [people.user(task.assignee)] if task.assignee else people.staff(role, unit):
            if user is not None:
                staff[user.id] = user
        if kind == "overdue":
            for user in [*(people.head(unit) if unit else []), *people.staff("pimpinan", None)]:
                above[user.id] = user
    found = [(u, False) for u in staff.values()] + [(u, True) for i, u in above.items() if i not in staff]
    return [(u, escalated) for u, escalated in found if u.id != applicant_id]  # never of one's own application


def _candidates(today: dt.date, until: dt.date) -> dict[tuple[int, str], list[Task]]:
    """(application id, kind) -> its open tasks, for work due after today up to ``until`` and
    work already late."""
    rows = Task.select().where(((Task.due_key > today) & (Task.due_key <= until)) | (Task.due_key < today))
    found: dict[tuple[int, str], list[Task]] = defaultdict(list)
    for task in rows:
        kind = "overdue" if task.due_key < today else "due_soon"
        found[(task.application_id, kind)].append(task)
    return found


def run(today: dt.date | None = None) -> Result:
    """Send today's reminders and digests (idempotent per application, kind and day)."""
    today = today or clock.today()
    result = Result(today)
    if not workingdays.is_working_day(today, _extra()):
        result.working_day = False
        return result
    until = workingdays.add_working_days(today, 1, _extra())
    candidates = _candidates(today, until)
    apps = {}
    for ids in chunked(sorted({i for i, _ in candidates}), 500):  # IN lists of a bounded size
        apps.update({a.id: a for a in Application.select(Application, User)
                     .join(User, on=(Application.applicant == User.id)).where(Application.id.in_(ids))})
    people = _People()
    for (app_id, kind), tasks in sorted(candidates.items()):
        application = apps.get(app_id)
        if application is None:
            continue
        service = find_service(application.service)
        recipients = _recipients(kind, tasks, people, application.applicant_id)
        with write_transaction():
            # The insert first (on SQLite a transaction that has read cannot wait for the write lock).
            if not _insert_once(Reminder, application=app_id, kind=kind, day=today, created_at=utcnow()):
                result.skipped += 1
                continue
            reminder_id = Reminder.get(Reminder.application == app_id, Reminder.kind == kind,
                                       Reminder.day == today).id
            result.reminders += 1
            for user, escalated in recipients:
                if user.reminder_digest:
                    DigestItem.create(user=user.id, reminder=reminder_id)
                else:
                    result.mails.append(_item_mail(user, application, service, kind, escalated))
    result.digests, digest_mails = _send_digests(today)
    result.mails += digest_mails
    notifications.dispatch(result.mails)
    return result


def _link(application: Application) -> str:
    return absolute_url("applications.detail", app_id=application.id)


def _item_mail(user: User, application: Application, service, kind: str, escalated: bool) -> int:
    title = service.title if service else application.service
    body = render_template("email/reminder.txt", user=user, application=application, title=title, kind=kind,
                           kinds=KINDS, link=_link(application), escalated=escalated)
    what = "lewat batas waktu" if kind == "overdue" else "jatuh tempo"
    subject = f"[PINTU] Pengingat: {application.reference} {what} {application.due_date.strftime('%d-%m-%Y')}"
    return queue_mail(user.email, subject, body, application)


def _send_digests(today: dt.date) -> tuple[int, list[int]]:
    """One digest per staff member with items waiting; returns (digests, mail ids)."""
    users = [r.user_id for r in DigestItem.select(DigestItem.user).where(DigestItem.digest_day.is_null()).distinct()]
    sent, mails = 0, []
    for user_id in users:
        with write_transaction():
            if not _insert_once(DigestSent, user=user_id, day=today):
                continue  # today's digest went out already: these items wait for tomorrow's
            items = list(DigestItem.select(DigestItem, Reminder, Application)
                         .join(Reminder).join(Application)
                         .where(DigestItem.user == user_id, DigestItem.digest_day.is_null())
                         .order_by(Reminder.kind.desc(), Application.due_date, Application.id))
            if not items:
                continue
            DigestItem.update(digest_day=today).where(DigestItem.id.in_([i.id for i in items])).execute()
            user = User.get_by_id(user_id)
            lines = []
            for item in items:
                application = item.reminder.application
                service = find_service(application.service)
                lines.append({"kind": item.reminder.kind, "application": application,
                              "title": service.title if service else application.service, "link": _link(application)})
            body = render_template("email/digest.txt", user=user, lines=lines, kinds=KINDS, day=today)
            mails.append(queue_mail(user.email, f"[PINTU] Ringkasan harian {today.strftime('%d-%m-%Y')}: "
                                                f"{len(lines)} permohonan perlu perhatian", body))
            sent += 1
    return sent, mails


# ---------------------------------------------------------------------------
# Scheduling: once a day from the periodic sweep (worker or background thread)
# ---------------------------------------------------------------------------

def run_job() -> None:
    """The job form of :func:`run` (for RQ: a plain function without arguments)."""
    result = run()
    log.info("sla-check %s: %d reminders, %d already sent, %d digests", result.day, result.reminders,
             result.skipped, result.digests)


def run_if_due(app) -> bool:
    """Queue today's check once per deployment and day, at or after ``SLA_CHECK_AT`` (local "HH:MM";
    empty: never, leave it to cron), from the second sweep of the process on.  Several processes
    may reach this point; the first of the day claims it in the database (:func:`claim_day`)."""
    import time

    at = app.config.get("SLA_CHECK_AT")
    if not at:
        return False
    # Not at the sweep that runs as the process starts (while init-db or demo data may be writing):
    # from the next one on, SWEEP_SECONDS later.
    first_seen = app.extensions.setdefault("pintu_sla_since", time.monotonic())
    if time.monotonic() - first_seen < float(app.config["SWEEP_SECONDS"]):
        return False
    with app.app_context():
        now = clock.now()
        hour, minute = (int(x) for x in at.split(":"))
        if (now.hour, now.minute) < (hour, minute) or app.extensions.get("pintu_sla_day") == now.date():
            return False
        app.extensions["pintu_sla_day"] = now.date()
        if not claim_day(now.date()):
            return False  # another process of this deployment queued today's check
        jobs.enqueue(run_job)
    return True


#: The :class:`~pintu.data.models.Setting` row naming the day whose automatic check was taken.
SLA_DAY_KEY = "sla_check_day"


def claim_day(day: dt.date) -> bool:
    """Take ``day``'s automatic check for this process: True for the first of all the deployment's
    processes (they share the database), False for every other.  At a million open files a check
    that finds nothing new still reads for ~30 s, so the others must not repeat it.
    ``flask --app pintu sla-check`` (cron, by hand) runs regardless."""
    wanted = {"day": day.isoformat()}
    with write_transaction():
        Setting.insert(key=SLA_DAY_KEY, value={}).on_conflict_ignore().execute()
        return bool(Setting.update(value=wanted, updated_at=utcnow())
                    .where(Setting.key == SLA_DAY_KEY, Setting.value != wanted).execute())
