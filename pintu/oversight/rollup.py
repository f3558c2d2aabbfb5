"""The dashboard's daily rollup (:class:`~pintu.data.models.DailyCount`): per local day, service and
metric, how many applications

* ``received``: were submitted for the first time that day (a resubmission is not a new one);
* ``open``: were submitted that day and are not closed yet (one less when one of them closes);
* ``backlog``: were submitted that day and wait on the office now (in process or ready: one less
  while one of them is returned to the applicant, one more when it comes back, one less when it
  closes); the dashboard's backlog by age;
* ``done``, ``refused``, ``cancelled``: were closed that day with that status;
* ``on_time``: were finished that day by their due date;
* ``wd<N>``: were finished that day N working days after "lengkap" (the clock start), the
  histogram of completion times;
* ``returned``: were returned to the applicant that day.

:func:`on_event` keeps it, called by the core's ``pintu_after_transition``
(:mod:`pintu.oversight.corehooks`) inside the transaction of each change, with upserts that add to the
row (``value = value + n``), so concurrent changes of one day add up.  :func:`rebuild` computes
it from the applications and events (``init-db``, and after rows were written behind the
engine's back, as the benchmark's seeding does).  Days are local (``TIMEZONE``).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from peewee import EXCLUDED

from pintu.engine import clock, workingdays
from pintu.data.db import database, is_sqlite, write_transaction
from pintu.data.models import DailyCount

FINAL = ("done", "refused", "cancelled")
OPEN = ("in_process", "ready", "returned")
#: Waiting on the office (not on the applicant): the dashboard's backlog.
WAITING = ("in_process", "ready")
#: How far back a finished application's clock may have started and still be timed.
CLOCK_LOOKBACK_DAYS = 730


def _extra():
    return current_app.config.get("EXTRA_HOLIDAYS") or ()


def add(rows: list[tuple[dt.date, str, str, int]]) -> None:
    """Add ``(day, service, metric, n)`` to the rollup (upsert; rows for one key are merged first)."""
    merged: dict[tuple, int] = {}
    for day, service, metric, n in rows:
        merged[(day, service, metric)] = merged.get((day, service, metric), 0) + n
    for (day, service, metric), n in merged.items():
        if n:
            (DailyCount.insert(day=day, service=service, metric=metric, value=n)
             .on_conflict(conflict_target=[DailyCount.day, DailyCount.service, DailyCount.metric],
                          update={DailyCount.value: DailyCount.value + EXCLUDED.value}).execute())


def working_days(start: dt.date, end: dt.date) -> int:
    return workingdays.working_days_between(start, end, _extra())


def on_event(application, service_slug: str, event) -> None:
    """Count what ``event`` did to ``application`` (freshly read, after the change)."""
    rows = []
    if event.kind == "submitted" and application.submitted_at is not None:
        day = clock.local_date(application.submitted_at)
        rows += [(day, service_slug, "received", 1), (day, service_slug, "open", 1)]
    if event.kind == "return":
        rows.append((clock.local_date(event.created_at), service_slug, "returned", 1))
    waits_before, waits_now = event.from_status in WAITING, event.to_status in WAITING
    if waits_before != waits_now and application.submitted_at is not None:
        rows.append((clock.local_date(application.submitted_at), service_slug, "backlog", 1 if waits_now else -1))
    closing = event.to_status in FINAL and event.from_status not in FINAL
    if closing and application.submitted_at is not None and application.closed_at is not None:
        closed = clock.local_date(application.closed_at)
        rows += [(closed, service_slug, event.to_status, 1),
                 (clock.local_date(application.submitted_at), service_slug, "open", -1)]
        if event.to_status == "done":
            if application.due_date is not None and closed <= application.due_date:
                rows.append((closed, service_slug, "on_time", 1))
            if application.clock_started_at is not None:
                days = working_days(clock.local_date(application.clock_started_at), closed)
                rows.append((closed, service_slug, f"wd{days}", 1))
    add(rows)


# ---------------------------------------------------------------------------
# Rebuilding from the applications (init-db)
# ---------------------------------------------------------------------------

def offset_hours() -> int:
    """The zone's offset from UTC in whole hours (WIB +7, WITA +8, WIT +9: no daylight saving)."""
    return int(clock.now().utcoffset().total_seconds() // 3600)


def local_date_sql(column: str) -> str:
    """SQL for the local date of a stored (naive UTC) timestamp column."""
    hours = offset_hours()
    if is_sqlite():
        return f"date({column}, '{hours:+d} hours')"
    return f"CAST({column} + INTERVAL '{hours} hours' AS DATE)"


def as_date(value) -> dt.date:
    """A day read from the rollup (SQLite returns text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def rebuild() -> int:
    """Compute the whole rollup again from the applications and events; returns its row count."""
    day_sub, day_close = local_date_sql("submitted_at"), local_date_sql("closed_at")
    final = ", ".join(f"'{s}'" for s in FINAL)
    still_open = ", ".join(f"'{s}'" for s in OPEN)
    waiting = ", ".join(f"'{s}'" for s in WAITING)
    hours = offset_hours()
    due_end = (f"datetime(due_date, '{24 - hours:+d} hours')" if is_sqlite()
               else f"(due_date + INTERVAL '{24 - hours} hours')")
    rows: list[tuple] = []

    def collect(sql: str, metric=None):
        for day, service, *rest in database.execute_sql(sql).fetchall():
            name, n = (metric, rest[0]) if metric else (rest[0], rest[1])
            rows.append((as_date(day), service, name, int(n or 0)))

    with write_transaction():
        DailyCount.delete().execute()
        collect(f"SELECT {day_sub}, service, COUNT(*) FROM application WHERE submitted_at IS NOT NULL "
                f"GROUP BY 1, 2", "received")
        collect(f"SELECT {day_sub}, service, COUNT(*) FROM application WHERE submitted_at IS NOT NULL "
                f"AND status IN ({still_open}) GROUP BY 1, 2", "open")
        collect(f"SELECT {day_sub}, service, COUNT(*) FROM application WHERE submitted_at IS NOT NULL "
                f"AND status IN ({waiting}) GROUP BY 1, 2", "backlog")
        collect(f"SELECT {day_close}, service, status, COUNT(*) FROM application WHERE closed_at IS NOT NULL "
                f"AND submitted_at IS NOT NULL AND status IN ({final}) GROUP BY 1, 2, 3")
        collect(f"SELECT {day_close}, service, COUNT(*) FROM application WHERE status = 'done' "
                f"AND submitted_at IS NOT NULL AND due_date IS NOT NULL AND closed_at < {due_end} GROUP BY 1, 2",
                "on_time")
        collect(f"SELECT {local_date_sql('e.created_at')}, a.service, COUNT(*) FROM event e "
                f"JOIN application a ON a.id = e.application_id WHERE e.kind = 'return' GROUP BY 1, 2", "returned")
        # Completion times: counted per (close day, service, start day) in SQL, turned into working days here.
        for closed, service, started, n in database.execute_sql(
                f"SELECT {day_close}, service, {local_date_sql('clock_started_at')}, COUNT(*) FROM application "
                f"WHERE status = 'done' AND submitted_at IS NOT NULL AND closed_at IS NOT NULL "
                f"AND clock_started_at IS NOT NULL GROUP BY 1, 2, 3").fetchall():
            closed, started = as_date(closed), as_date(started)
            rows.append((closed, service, f"wd{working_days(started, closed)}", int(n)))
        merged: dict[tuple, int] = {}
        for day, service, metric, n in rows:
            merged[(day, service, metric)] = merged.get((day, service, metric), 0) + n
        batch = [{"day": d, "service": s, "metric": m, "value": n} for (d, s, m), n in merged.items() if n]
        for start in range(0, len(batch), 500):
            DailyCount.insert_many(batch[start:start + 500]).execute()
    return len(batch)
