"""The leadership dashboard (``/dasbor``): what came in and what went out in a period, how long
it took, what waits and what is late; per service and per unit.

Everything is aggregated in the database (GROUP BY), in a fixed number of queries whatever the
number of applications:

1. received in the period, and how many of those are still open, per service
   (index-only: ``application(submitted_at, service, status)``);
2. returned to the applicant in the period: ``return`` events per service
   (``event(kind, created_at, application_id)``);
3. the open backlog now, per service and age bucket (calendar days since submission);
4. closed in the period (finished, refused, cancelled), how many finished by their due date, and
   the completion time of the finished ones in working days from "lengkap" (the clock start) to
   the close (index-only: ``application(closed_at, service, status, clock_started_at, due_date)``):
   counted per service, status, local start day and local close day in SQL (stored UTC times
   turned into local days there), each group turned into working days here from the holiday
   calendar, giving a histogram per service; the median and 90th percentile are read off it
   (nearest rank);
5. the overdue list: open applications past their due date, oldest due first (index
   ``application(status, due_date)``), top :data:`OVERDUE_LIMIT`;
6. the units (names for the per-unit view).

A service's unit is the unit of its first staff step that names one (the unit that verifies
it); services handled by the front office and the leadership only are under "Petugas ULT".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from flask import current_app

from . import clock, workingdays
from .db import database, is_sqlite
from .models import Application, Unit, User
from .plugins import all_services

OVERDUE_LIMIT = 20
OPEN = ("in_process", "ready")
STILL_OPEN = ("in_process", "ready", "returned")
#: Backlog age buckets: (label, lowest age in days, highest age in days or None).
BUCKETS = [("0-2 hari", 0, 2), ("3-5 hari", 3, 5), ("6-10 hari", 6, 10), ("11-20 hari", 11, 20),
           ("> 20 hari", 21, None)]
#: How far before the period a finished application's clock may have started and still be timed.
CLOCK_LOOKBACK_DAYS = 730
NO_UNIT = ("ult", "Petugas ULT")


@dataclass
class Row:
    key: str
    label: str
    received: int = 0
    still_open: int = 0  # of those received in the period, not closed yet
    finished: int = 0
    refused: int = 0
    cancelled: int = 0
    returned: int = 0
    on_time: int = 0  # finished by the due date
    backlog: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    durations: dict[int, int] = field(default_factory=dict)  # working days -> applications

    @property
    def in_progress(self) -> int:
        return sum(self.backlog)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.finished if self.finished else None

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile of the completion time (working days)."""
        total = sum(self.durations.values())
        if not total:
            return None
        rank = max(1, math.ceil(round(p * total, 9)))  # round: 0.9 * 10 is 9.000000000000002
        seen = 0
        for days in sorted(self.durations):
            seen += self.durations[days]
            if seen >= rank:
                return days
        return None

    @property
    def median(self) -> int | None:
        return self.percentile(0.5)

    @property
    def p90(self) -> int | None:
        return self.percentile(0.9)

    def add(self, other: "Row") -> None:
        for name in ("received", "still_open", "finished", "refused", "cancelled", "returned", "on_time"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.backlog = [a + b for a, b in zip(self.backlog, other.backlog)]
        for days, n in other.durations.items():
            self.durations[days] = self.durations.get(days, 0) + n


@dataclass
class Summary:
    start: dt.date
    end: dt.date
    by_service: list[Row]
    by_unit: list[Row]
    total: Row
    overdue: list


def default_period() -> tuple[dt.date, dt.date]:
    today = clock.today()
    return today.replace(day=1), today


def _utc(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` as stored (naive UTC)."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=clock.zone())
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _offset_hours() -> int:
    """The zone's offset from UTC in whole hours (WIB +7, WITA +8, WIT +9: no daylight saving)."""
    return int(clock.now().utcoffset().total_seconds() // 3600)


def _local_date_sql(column: str) -> str:
    hours = _offset_hours()
    if is_sqlite():
        return f"date({column}, '{hours:+d} hours')"
    return f"CAST({column} + INTERVAL '{hours} hours' AS DATE)"


def _value(v):
    if is_sqlite() and isinstance(v, (dt.date, dt.datetime)):
        return str(v)
    return v


def _rows(sql: str, params: list) -> list[tuple]:
    return database.execute_sql(sql, [_value(p) for p in params]).fetchall()


def _working_day_ordinals(first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """The working-day ordinal of every day from ``first`` to ``last``: the working days between two
    days (after the first, up to and including the second) are the difference of their ordinals."""
    extra = current_app.config.get("EXTRA_HOLIDAYS") or ()
    found, ordinal, day = {}, 0, first
    while day <= last:
        if workingdays.is_working_day(day, extra):
            ordinal += 1
        found[day] = ordinal
        day += dt.timedelta(days=1)
    return found


def _as_date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def summarise(start: dt.date, end: dt.date, overdue_limit: int = OVERDUE_LIMIT) -> Summary:
    """The dashboard of the local days ``start`` to ``end`` (inclusive)."""
    lo, hi = _utc(start), _utc(end + dt.timedelta(days=1))
    p = database.param
    services = {s.slug: s for s in all_services()}
    rows: dict[str, Row] = {}

    def row(slug: str) -> Row:
        if slug not in rows:
            service = services.get(slug)
            rows[slug] = Row(slug, service.title if service else slug)
        return rows[slug]

    still_open = ", ".join(f"'{s}'" for s in STILL_OPEN)
    for slug, received, open_ in _rows(
            f"SELECT service, COUNT(*), SUM(CASE WHEN status IN ({still_open}) THEN 1 ELSE 0 END) "
            f"FROM application WHERE submitted_at >= {p} AND submitted_at < {p} GROUP BY service", [lo, hi]):
        row(slug).received, row(slug).still_open = received, int(open_ or 0)

    for slug, n in _rows(
            f"SELECT a.service, COUNT(*) FROM event e JOIN application a ON a.id = e.application_id "
            f"WHERE e.kind = 'return' AND e.created_at >= {p} AND e.created_at < {p} GROUP BY a.service", [lo, hi]):
        row(slug).returned = n

    now = clock.now().astimezone(dt.timezone.utc).replace(tzinfo=None)
    cases, params = [], []
    for _label, low, high in BUCKETS:
        cond = [f"submitted_at <= {p}"]
        params.append(now - dt.timedelta(days=low))
        if high is not None:
            cond.append(f"submitted_at > {p}")
            params.append(now - dt.timedelta(days=high + 1))
        cases.append(f"SUM(CASE WHEN {' AND '.join(cond)} THEN 1 ELSE 0 END)")
    open_in = ", ".join(f"'{s}'" for s in OPEN)
    for slug, *counts in _rows(f"SELECT service, {', '.join(cases)} FROM application "
                               f"WHERE status IN ({open_in}) GROUP BY service", params):
        row(slug).backlog = [int(c or 0) for c in counts]

    # What closed in the period, with completion times: one index-only range scan of
    # application(closed_at, service, status, clock_started_at, due_date), grouped per service,
    # status, local start day and local close day; each group is turned into working days here (a
    # few hundred groups per service and month, whatever the number of rows).
    hours = _offset_hours()
    due_end = (f"datetime(due_date, '{24 - hours:+d} hours')" if is_sqlite()
               else f"(due_date + INTERVAL '{24 - hours} hours')")
    ordinal = _working_day_ordinals(start - dt.timedelta(days=CLOCK_LOOKBACK_DAYS), end + dt.timedelta(days=1))
    for slug, status, began, closed, n, on_time in _rows(
            f"SELECT service, status, {_local_date_sql('clock_started_at')}, {_local_date_sql('closed_at')}, "
            f"COUNT(*), SUM(CASE WHEN due_date IS NOT NULL AND closed_at < {due_end} THEN 1 ELSE 0 END) "
            f"FROM application WHERE closed_at >= {p} AND closed_at < {p} GROUP BY 1, 2, 3, 4", [lo, hi]):
        r = row(slug)
        if status == "refused":
            r.refused += n
        elif status == "cancelled":
            r.cancelled += n
        elif status == "done":
            r.finished += n
            r.on_time += int(on_time or 0)
            began, closed = _as_date(began), _as_date(closed)
            if began in ordinal and closed in ordinal:
                days = ordinal[closed] - ordinal[began]
                r.durations[days] = r.durations.get(days, 0) + n

    overdue = list(Application.select(Application, User).join(User, on=(Application.applicant == User.id))
                   .where(Application.status.in_(OPEN), Application.due_date < clock.today())
                   .order_by(Application.due_date, Application.id).limit(overdue_limit))

    by_service = sorted(rows.values(), key=lambda r: r.label)
    units = {u.key: u.name for u in Unit.select(Unit.key, Unit.name)}
    by_unit: dict[str, Row] = {}
    total = Row("total", "Semua layanan")
    for r in by_service:
        key = unit_of(services.get(r.key))
        label = units.get(key, NO_UNIT[1] if key == NO_UNIT[0] else key)
        by_unit.setdefault(key, Row(key, label)).add(r)
        total.add(r)
    return Summary(start, end, by_service, sorted(by_unit.values(), key=lambda r: r.label), total, overdue)


def unit_of(service) -> str:
    """The unit a service is counted under: its first staff step with a unit, else the ULT."""
    if service is not None:
        for step in service.steps:
            if step.unit and not step.for_applicant:
                return step.unit
    return NO_UNIT[0]
