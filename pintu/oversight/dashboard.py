"""The leadership dashboard (``/dasbor``): what came in and what went out in a period, how long
it took, what waits and what is late; per service and per unit.

Four queries whatever the number of applications:

1. the period's figures from the daily rollup (:mod:`pintu.oversight.rollup`, one row per day, service and
   metric, kept by the engine's transactions): received, still open of those, finished, refused,
   cancelled, returned, finished by the due date, and the histogram of completion times in
   working days from "lengkap" (the clock start), from which the median and 90th percentile are
   read (nearest rank).  A sum over at most days x services x metrics rows, not a scan of the
   period's applications (at a million, a year of applications took ~1 s to aggregate directly);
2. the open backlog now, per service and age bucket (calendar days since the local day of
   submission), from the rollup's ``backlog`` rows (one per submission day and service with work
   waiting on the office), so it costs the same with 20,000 or 750,000 open applications;
3. the overdue list: open applications past their due date, oldest due first, top
   :data:`OVERDUE_LIMIT` (the first of each open status read in order from the index
   ``application(status, due_date)``, then merged);
4. the units (names for the per-unit view).

A service's unit is the unit of its first staff step that names one (the unit that verifies
it); services handled by the front office and the leadership only are under "Petugas ULT".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from peewee import SQL

from pintu.engine import clock
from pintu.data.db import database, is_sqlite
from pintu.data.models import Application, Unit, User
from pintu.contract.plugins import all_services
from pintu.oversight.rollup import as_date

OVERDUE_LIMIT = 20
OPEN = ("in_process", "ready")
#: Backlog age buckets: (label, lowest age in days, highest age in days or None).
BUCKETS = [("0-2 hari", 0, 2), ("3-5 hari", 3, 5), ("6-10 hari", 6, 10), ("11-20 hari", 11, 20),
           ("> 20 hari", 21, None)]
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


def _value(v):
    if is_sqlite() and isinstance(v, (dt.date, dt.datetime)):
        return str(v)
    return v


def _rows(sql: str, params: list) -> list[tuple]:
    return database.execute_sql(sql, [_value(p) for p in params]).fetchall()


def _first_overdue(today: dt.date, limit: int) -> SQL:
    """The ids of the ``limit`` open applications due longest ago: the first ``limit`` of each open
    status, each read in order from the index ``application(status, due_date)``, then merged.  One
    ``status IN (...)`` would sort every overdue application first (all of them at a million)."""
    p = database.param
    per_status = " UNION ALL ".join(
        f"SELECT * FROM (SELECT id, due_date FROM application WHERE status = {p} AND due_date < {p} "
        f"ORDER BY due_date, id LIMIT {int(limit)}) AS s{i}" for i in range(len(OPEN)))
    params = [v for status in OPEN for v in (status, _value(today))]
    return SQL(f"(SELECT id FROM ({per_status}) AS late ORDER BY due_date, id LIMIT {int(limit)})", params)


def summarise(start: dt.date, end: dt.date, overdue_limit: int = OVERDUE_LIMIT) -> Summary:
    """The dashboard of the local days ``start`` to ``end`` (inclusive)."""
    p = database.param
    services = {s.slug: s for s in all_services()}
    rows: dict[str, Row] = {}

    def row(slug: str) -> Row:
        if slug not in rows:
            service = services.get(slug)
            rows[slug] = Row(slug, service.title if service else slug)
        return rows[slug]

    metrics = {"done": "finished", "refused": "refused", "cancelled": "cancelled", "received": "received",
                      "open": "still_open", "returned": "returned", "on_time": "on_time"}
    for slug, metric, n in _rows(f"SELECT service, metric, SUM(value) FROM daily_count WHERE day >= {p} "
                                 f"AND day <= {p} GROUP BY service, metric", [start, end]):
        n = int(n or 0)
        if metric in metrics:
            setattr(row(slug), metrics[metric], n)
        elif metric.startswith("wd") and n:
            row(slug).durations[int(metric[2:])] = n

    today = clock.today()
    for slug, day, n in _rows("SELECT service, day, SUM(value) FROM daily_count WHERE metric = 'backlog' "
                              "GROUP BY service, day", []):
        age = (today - as_date(day)).days
        bucket = next((i for i, (_label, low, high) in enumerate(BUCKETS)
                       if age >= low and (high is None or age <= high)), 0)  # a future day (clock skew): newest
        row(slug).backlog[bucket] += int(n or 0)

    overdue = list(Application.select(Application, User).join(User, on=(Application.applicant == User.id))
                   .where(Application.id.in_(_first_overdue(today, overdue_limit)))
                   .order_by(Application.due_date, Application.id))

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
