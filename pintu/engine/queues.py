"""The staff inbox: which applications wait on a user's roles and units.

Every piece of open staff work is a :class:`~pintu.data.models.Task` row in a *queue*. A queue key
names a service and who acts there: ``"legalisir/petugas"`` (any petugas), or
``"legalisir/verifikator/akademik"`` (verifiers of Bagian Akademik). An application at a
staff step has one task in that step's queue (a step routed by data, ``Step.unit_for``, in the
queue of the unit it chooses for that application's data; applicant steps and steps of parties
outside the office have none); each disposition still waiting on a unit adds a
task in that unit's verifier queue of the service. A user's queues follow from their
memberships alone, so the inbox reads ``WHERE queue = :key ORDER BY ... LIMIT`` through an
index whatever the size of the history: its cost depends on the page size and the number of
the user's queues, never on the number of applications.

The engine calls :func:`sync` inside the transaction of every change, after the plugins'
``pintu_after_transition`` hooks (so a due date a hook sets is seen). Code that changes an
application's status, step, assignee, due date or dispositions outside the engine must call
:func:`sync` too; ``flask --app pintu init-db`` rebuilds every task (:func:`rebuild`), which
also re-files open applications after a plugin moved a step to another role or unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case, Value, fn

from pintu.engine import clock
from pintu.data.db import database, is_sqlite, write_transaction
from pintu.data.models import Application, Disposition, Task, Unit, User
from pintu.contract.plugins import all_services, find_service

TABS = {
    "tugas": "Semua tugas",
    "baru": "Belum ditangani",
    "saya": "Ditangani saya",
    "terlambat": "Lewat batas waktu",
}

#: sort key -> (label, Task column, descending?)
SORTS = {
    "lama": ("Terlama menunggu", "since", False),
    "tenggat": ("Batas waktu terdekat", "due_key", False),
    "baru": ("Terbaru", "since", True),
}

#: Tab counts stop counting here and show "999+": a count is a bounded index scan.
COUNT_CAP = 1000
PER_PAGE = 50
OPEN_STATUSES = ("in_process", "ready")
#: ``Task.due_key`` of work without a due date, so that it sorts last and is never overdue.
NO_DUE = dt.date(9999, 12, 31)


def queue_key(service: str, role: str, unit: str | None = None) -> str:
    return f"{service}/{role}/{unit}" if unit else f"{service}/{role}"


def user_queues(user: User, service: str | None = None) -> list[str]:
    """Every queue ``user`` works, optionally of one service only.

    A step without a unit is open to those holding its role without a unit; a step with a unit
    only to that unit's members (the rule of ``User.takes_step``).
    """
    keys: set[str] = set()
    for s in all_services():
        if service and s.slug != service:
            continue
        for m in user.memberships():
            keys.add(queue_key(s.slug, m.role, m.unit.key if m.unit_id else None))
    return sorted(keys)


# ---------------------------------------------------------------------------
# Keeping the tasks
# ---------------------------------------------------------------------------

def due_key_of(app: Application) -> dt.date:
    """The task's due key: the due date, or :data:`NO_DUE` without one or while the clock is paused."""
    return NO_DUE if app.paused_since else (app.due_date or NO_DUE)


def sync(application: Application | int) -> None:
    """Refile the open work of one application (call inside the transaction of the change)."""
    app_id = application if isinstance(application, int) else application.id
    Task.delete().where(Task.application == app_id).execute()
    app = Application.get_or_none(Application.id == app_id)
    if app is None or app.status not in OPEN_STATUSES:
        return
    service = find_service(app.service)
    step = service.step(app.step) if service else None
    if step is None:
        return
    # Applicant and external steps wait on nobody in the office; a routed step on its unit for this data.
    keys = [] if step.for_applicant or step.external else [
        queue_key(service.slug, step.role, step.unit_key(app.data))]
    pending = (Disposition.select(Unit.key).join(Unit)
               .where(Disposition.application == app_id, Disposition.step == app.step,
                      Disposition.answered_at.is_null()).tuples())
    keys += [queue_key(service.slug, "verifikator", unit) for (unit,) in pending]
    base = {"application": app_id, "applicant": app.applicant_id, "assignee": app.assignee_id or 0,
            "since": app.updated_at, "due_key": due_key_of(app)}
    if keys:
        Task.insert_many([dict(base, queue=k) for k in dict.fromkeys(keys)]).execute()


def rebuild() -> int:
    """Refile every open application from scratch (``init-db``); returns the number of tasks.

    Bulk INSERT ... SELECT per (service, step) and per pending disposition, so it runs in
    seconds on a million applications.  A step routed by data (``Step.unit_for``) is filed from
    Python, in batches, since its queue depends on each application's data.
    """
    columns = [Task.application, Task.queue, Task.applicant, Task.assignee, Task.since, Task.due_key]
    # No due key while the clock is paused (Step.pauses_clock): never counted late.
    due_key = Case(None, [(Application.paused_since.is_null(False), NO_DUE)],
                   fn.COALESCE(Application.due_date, NO_DUE))
    with write_transaction():
        Task.delete().execute()
        for service in all_services():
            for step in service.steps:
                if step.for_applicant or step.external:
                    continue
                where = (Application.status.in_(OPEN_STATUSES), Application.service == service.slug,
                         Application.step == step.key)
                if step.unit_for is not None:
                    _refile_routed(service.slug, step, where)
                    continue
                query = (Application.select(Application.id, Value(queue_key(service.slug, step.role, step.unit)),
                                            Application.applicant, fn.COALESCE(Application.assignee, 0),
                                            Application.updated_at, due_key)
                         .where(*where))
                Task.insert_from(query, columns).execute()
            query = (Disposition.select(Application.id, Value(f"{service.slug}/verifikator/").concat(Unit.key),
                                        Application.applicant, fn.COALESCE(Application.assignee, 0),
                                        Application.updated_at, due_key)
                     .join(Application, on=(Disposition.application == Application.id))
                     .switch(Disposition).join(Unit, on=(Disposition.unit == Unit.id))
                     .where(Application.status.in_(OPEN_STATUSES), Application.service == service.slug,
                            Disposition.step == Application.step, Disposition.answered_at.is_null()))
            Task.insert_from(query, columns).execute()
    return Task.select().count()


def _refile_routed(service: str, step, where, batch: int = 1000) -> None:
    """File the applications waiting at a step routed by data, ``batch`` rows at a time."""
    query = (Application.select(Application.id, Application.data, Application.applicant, Application.assignee,
                                Application.updated_at, Application.due_date, Application.paused_since)
             .where(*where).order_by(Application.id))
    rows = []
    for app in query.iterator():
        rows.append({"application": app.id, "queue": queue_key(service, step.role, step.unit_key(app.data)),
                     "applicant": app.applicant_id, "assignee": app.assignee_id or 0, "since": app.updated_at,
                     "due_key": due_key_of(app)})
        if len(rows) >= batch:
            Task.insert_many(rows).execute()
            rows = []
    if rows:
        Task.insert_many(rows).execute()


# ---------------------------------------------------------------------------
# Reading the inbox
# ---------------------------------------------------------------------------

@dataclass
class InboxPage:
    rows: list  # Application rows with .applicant and .assignee joined
    counts: dict[str, int]  # per tab, capped at COUNT_CAP
    next_cursor: str | None  # pass back as ``setelah`` for the next page


# The inbox's two reads are written as SQL text rather than built with peewee: they run on the
# page staff keep open all day, their shape is fixed, and building them through peewee's query
# compiler (one sub-select per queue) cost more than executing them.

def _tab_filter(tab: str, user: User, today: dt.date, param: str) -> tuple[str, list]:
    """(SQL condition on ``task``, its parameters) of a tab; empty for "all tasks"."""
    return {
        "tugas": ("", []),
        "baru": (" AND assignee = 0", []),
        "saya": (f" AND assignee = {param}", [user.id]),
        "terlambat": (f" AND due_key < {param}", [_value(today)]),
    }[tab]


def _value(v):
    """A date or datetime parameter as the column stores it (SQLite keeps ISO text)."""
    if is_sqlite() and isinstance(v, (dt.date, dt.datetime)):
        return str(v)  # "2026-11-25" / "2026-11-25 04:12:00.123456", as peewee writes them
    return v


def counts(user: User, keys: list[str], today: dt.date) -> dict[str, int]:
    """All tab counts in one query: four subqueries, each an index scan stopped at COUNT_CAP."""
    if not keys:
        return {t: 0 for t in TABS}
    p = database.param
    queue_in = f"queue IN ({', '.join([p] * len(keys))})"
    parts, params = [], []
    for i, tab in enumerate(TABS):
        cond, cond_params = _tab_filter(tab, user, today, p)
        # DISTINCT: an application in two of the user's queues (a step and a disposition) counts once.
        parts.append(f"(SELECT COUNT(*) FROM (SELECT DISTINCT application_id FROM task WHERE {queue_in} "
                     f"AND applicant <> {p}{cond} LIMIT {p}) AS c{i})")
        params += [*keys, user.id, *cond_params, COUNT_CAP]
    return dict(zip(TABS, database.execute_sql("SELECT " + ", ".join(parts), params).fetchone()))


def _encode(value, app_id: int) -> str:
    return f"{value.isoformat()}~{app_id}"


def _decode(cursor: str | None, column: str):
    if not cursor or "~" not in cursor:
        return None
    value, _, app_id = cursor.rpartition("~")
    try:
        parsed = dt.date.fromisoformat(value) if column == "due_key" else dt.datetime.fromisoformat(value)
        return parsed, int(app_id)
    except ValueError:
        return None


def inbox(user: User, tab: str = "tugas", service: str | None = None, sort: str = "lama",
          after: str | None = None, per_page: int = PER_PAGE) -> InboxPage:
    """One page of the user's tasks: ids through the queue indexes (keyset after ``after``),
    then the applications of that page with their applicant and assignee; plus the counts."""
    keys = user_queues(user, service)
    today = clock.today()  # due dates are counted in local days
    if not keys:
        return InboxPage([], {t: 0 for t in TABS}, None)
    _label, column, desc = SORTS.get(sort, SORTS["lama"])
    cursor = _decode(after, column)
    p = database.param
    cond, cond_params = _tab_filter(tab, user, today, p)
    direction = "DESC" if desc else "ASC"
    keyset, keyset_params = "", []
    if cursor is not None:
        keyset = f" AND ({column}, application_id) {'<' if desc else '>'} ({p}, {p})"
        keyset_params = [_value(v) for v in cursor]
    # One query: a UNION ALL of per-queue index range scans, each stopped at a page, merged.
    member = (f"SELECT * FROM (SELECT application_id, {column} AS k FROM task WHERE queue = {p} "
              f"AND applicant <> {p}{cond}{keyset} ORDER BY {column} {direction}, application_id {direction} "
              f"LIMIT {p}) AS q")
    parts, params = [], []
    for i, key in enumerate(keys):
        parts.append(f"{member}{i}")
        params += [key, user.id, *cond_params, *keyset_params, per_page + 1]
    sql = (f"SELECT application_id, k FROM ({' UNION ALL '.join(parts)}) AS u "
           f"ORDER BY k {direction}, application_id {direction} LIMIT {3 * (per_page + 1)}")
    picked: list[tuple[int, object]] = []
    seen = set()
    for app_id, k in database.execute_sql(sql, params).fetchall():
        if app_id not in seen:  # in two of the user's queues: listed once
            seen.add(app_id)
            picked.append((app_id, k))
    has_more = len(picked) > per_page
    picked = picked[:per_page]
    rows = []
    if picked:
        assignee = User.alias()
        by_id = {a.id: a for a in (Application.select(Application, User, assignee)
                                   .join(User, on=(Application.applicant == User.id))
                                   .switch(Application)
                                   .join(assignee, JOIN.LEFT_OUTER, on=(Application.assignee == assignee.id),
                                         attr="assignee")
                                   .where(Application.id.in_([i for i, _ in picked])))}
        rows = [by_id[i] for i, _ in picked if i in by_id]
    next_cursor = None
    if has_more:
        last_id, last_k = picked[-1]
        if isinstance(last_k, str):  # SQLite returns the raw column text
            last_k = (dt.date.fromisoformat(last_k) if column == "due_key"
                      else dt.datetime.fromisoformat(last_k))
        next_cursor = _encode(last_k, last_id)
    return InboxPage(rows, counts(user, keys, today), next_cursor)
