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
the user's queues, never on the number of applications. The tab counts add up
:class:`~pintu.data.models.TaskTally` rows (tasks per queue, assignee and due key), which
:func:`sync` and :func:`rebuild` keep with the tasks.

The engine calls :func:`sync` inside the transaction of every change, after the plugins'
``pintu_after_transition`` hooks (so a due date a hook sets is seen). Code that changes an
application's status, step, assignee, due date or dispositions outside the engine must call
:func:`sync` too; ``flask --app pintu init-db`` rebuilds every task (:func:`rebuild`), which
also re-files open applications after a plugin moved a step to another role or unit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from peewee import Case, Value, fn

from pintu.engine import clock
from pintu.data import pagedata
from pintu.data.db import create, database, is_sqlite, prepared, write_transaction
from pintu.data.models import Application, Disposition, Task, TaskTally, Unit, User
from pintu.contract.plugins import all_services, find_service
from pintu.contract.services import STATUSES

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
    p = database.param
    delta: Counter = Counter()
    # The tasks filed until now leave their tallies (read as they are deleted: one statement).
    for queue, assignee, due_key in database.execute_sql(
            f"DELETE FROM task WHERE application_id = {p} RETURNING queue, assignee, due_key", [app_id]):
        delta[(queue, assignee, _date(due_key))] -= 1
    for task in _tasks_of(app_id):
        delta[(task["queue"], task["assignee"], task["due_key"])] += 1
    _tally(delta)


#: What filing an application reads of it (:func:`_tasks_of`).
_FILED = (Application.id, Application.service, Application.applicant, Application.status, Application.step,
          Application.data, Application.assignee, Application.updated_at, Application.due_date,
          Application.paused_since)


def _tasks_of(app_id: int) -> list[dict]:
    """Insert the open work of one application as tasks and return them (none when closed or at a
    step of the applicant or of a party outside the office).

    Runs inside the write transaction of every change: its statements' SQL is written once per
    process (:func:`~pintu.data.db.prepared`), which was most of the refiling's time."""
    row = prepared("queues.filed", lambda i: Application.select(*_FILED).where(Application.id == i).tuples(),
                   app_id).fetchone()
    app = pagedata.instance(Application, _FILED, row) if row else None
    if app is None or app.status not in OPEN_STATUSES:
        return []
    service = find_service(app.service)
    step = service.step(app.step) if service else None
    if step is None:
        return []
    # Applicant and external steps wait on nobody in the office; a routed step on its unit for this data.
    keys = [] if step.for_applicant or step.external else [
        queue_key(service.slug, step.role, step.unit_key(app.data))]
    pending = prepared("queues.pending_units", lambda a, s: Disposition.select(Unit.key).join(Unit).where(
        Disposition.application == a, Disposition.step == s, Disposition.answered_at.is_null()).tuples(),
        app_id, app.step)
    keys += [queue_key(service.slug, "verifikator", unit) for (unit,) in pending]
    base = {"application": app_id, "applicant": app.applicant_id, "assignee": app.assignee_id or 0,
            "since": app.updated_at, "due_key": due_key_of(app)}
    tasks = [dict(base, queue=k) for k in dict.fromkeys(keys)]
    for task in tasks:
        create(Task, **task)
    return tasks


def _date(value) -> dt.date | None:
    """A date column's value as a date (SQLite returns the stored ISO text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _tally(delta: Counter) -> None:
    """Add ``delta`` ((queue, assignee, due key) -> change) to the tallies in one upsert.

    The rows are changed in key order: two transactions refiling applications of the same queues
    (each moving one from a tally row to another) then lock the rows they share in the same order
    on PostgreSQL, so one waits for the other instead of deadlocking. A tally that reaches zero is
    deleted (only rows this transaction already holds), so the table keeps a row per queue,
    assignee and due date that still has work, never the history of every date.
    """
    changes = sorted((key, n) for key, n in delta.items() if n)
    if not changes:
        return
    p = database.param
    rows = database.execute_sql(
        f"INSERT INTO task_tally (queue, assignee, due_key, n) VALUES "
        f"{', '.join([f'({p}, {p}, {p}, {p})'] * len(changes))} "
        f"ON CONFLICT (queue, assignee, due_key) DO UPDATE SET n = task_tally.n + excluded.n RETURNING id, n",
        [x for (queue, assignee, due_key), n in changes for x in (queue, assignee, _value(due_key), n)]).fetchall()
    empty = [row_id for row_id, n in rows if n <= 0]
    if empty:
        TaskTally.delete().where(TaskTally.id.in_(empty)).execute()


def _retally() -> None:
    """Count every queue's tasks again into the tallies (after :func:`rebuild`, or a repair)."""
    database.execute_sql("DELETE FROM task_tally")
    database.execute_sql("INSERT INTO task_tally (queue, assignee, due_key, n) "
                         "SELECT queue, assignee, due_key, COUNT(*) FROM task GROUP BY queue, assignee, due_key")


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
            # One task per application and queue (a unique index): a disposition to the unit whose
            # queue the step already is, or two to one unit, file nothing more.
            Task.insert_from(query, columns).on_conflict_ignore().execute()
        _retally()
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


class InboxRow:
    """One listed application: the few columns the inbox shows, read as a tuple (no model built,
    no JSON decoded unless the service hides its applicants' identity). It answers the attributes
    :func:`pintu.people.access.identity_visible`, :func:`pintu.engine.timeline.status_text` and
    :func:`pintu.engine.workflow.working_days_left` read, like an :class:`~pintu.data.models.Application`."""

    __slots__ = ("id", "reference", "service", "status", "step", "due_date", "paused_since", "applicant_id",
                 "applicant_name", "assignee_id", "assignee_name", "_data")

    def __init__(self, row):
        (self.id, self.reference, self.service, self.status, self.step, due, paused, self.applicant_id,
         self.applicant_name, self.assignee_id, self.assignee_name, self._data) = row
        self.due_date = _date(due)
        self.paused_since = paused  # only ever tested for None here

    @property
    def data(self) -> dict:
        if isinstance(self._data, str):
            self._data = json.loads(self._data)
        return self._data or {}

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass
class InboxPage:
    rows: list[InboxRow]
    counts: dict[str, int]  # per tab, capped at COUNT_CAP
    next_cursor: str | None  # pass back as ``setelah`` for the next page


# The inbox's reads are written as SQL text rather than built with peewee: they run on the page
# staff keep open all day, their shape is fixed, and building them through peewee's query
# compiler (one sub-select per queue) cost more than executing them.  The limits (the page size,
# the count cap) are integers of the code written into the text, not parameters: PostgreSQL then
# knows them when it plans a prepared statement once for every request (psycopg 3 prepares a
# statement a connection runs often); with a parameter as limit its generic plan read whole queues
# (18 ms instead of under 1 ms at 10,000 applications, 75% open), and was planned anew per request.

def _tab_filter(tab: str, user: User, today: dt.date, param: str, due: str = "due_key") -> tuple[str, list]:
    """(SQL condition on ``task``, its parameters) of a tab; empty for "all tasks"."""
    return {
        "tugas": ("", []),
        "baru": (" AND assignee = 0", []),
        "saya": (f" AND assignee = {param}", [user.id]),
        "terlambat": (f" AND {due} < {param}", [_value(today)]),
    }[tab]


def _value(v):
    """A date or datetime parameter as the column stores it (SQLite keeps ISO text)."""
    if is_sqlite() and isinstance(v, (dt.date, dt.datetime)):
        return str(v)  # "2026-11-25" / "2026-11-25 04:12:00.123456", as peewee writes them
    return v


def _may_overlap(keys: list[str]) -> bool:
    """Whether one application can be in two of ``keys``. It has one task per queue: its step's,
    and one in the verifier queue of each unit a pending disposition waits on; so only two queues
    of one service, one of them a unit's verifier queue, can share an application."""
    by_service: dict[str, list[str]] = {}
    for key in keys:
        by_service.setdefault(key.split("/", 1)[0], []).append(key)
    return any(len(ks) > 1 and any(_is_unit_verifier_queue(k) for k in ks) for ks in by_service.values())


def _is_unit_verifier_queue(key: str) -> bool:
    """``"<service>/verifikator/<unit>"``: the queue a pending disposition files into (:func:`queue_key`)."""
    parts = key.split("/")
    return len(parts) == 3 and parts[1] == "verifikator"


def counts(user: User, keys: list[str], today: dt.date) -> dict[str, int]:
    """All tab counts in one query, each capped at COUNT_CAP.

    They add up the tallies of the user's queues (:class:`~pintu.data.models.TaskTally`: a row
    per assignee and due date, whatever the number of tasks) less the user's own open
    applications, read through ``task (applicant, queue, ...)``. When one application can sit in two
    of the user's queues (a step and a disposition of one service), tallies would count it twice:
    such users' counts walk the tasks instead (:func:`_walked_counts`), each walk stopped at the cap.
    """
    if not keys:
        return {t: 0 for t in TABS}
    if _may_overlap(keys):
        return _walked_counts(user, keys, today)
    p = database.param
    queue_in = f"queue IN ({', '.join([p] * len(keys))})"
    sql = (f"SELECT COALESCE(SUM(n), 0), COALESCE(SUM(CASE WHEN assignee = 0 THEN n END), 0), "
           f"COALESCE(SUM(CASE WHEN assignee = {p} THEN n END), 0), "
           f"COALESCE(SUM(CASE WHEN due_key < {p} THEN n END), 0) "
           f"FROM (SELECT assignee, due_key, n FROM task_tally WHERE {queue_in} UNION ALL "
           f"SELECT assignee, due_key, -1 FROM task WHERE applicant = {p} AND {queue_in}) AS t")
    values = database.execute_sql(sql, [user.id, _value(today), *keys, user.id, *keys]).fetchone()
    return {tab: max(0, min(int(v), COUNT_CAP)) for tab, v in zip(TABS, values)}


def _walked_counts(user: User, keys: list[str], today: dt.date) -> dict[str, int]:
    """All tab counts in one query, each an index scan of the tasks stopped at COUNT_CAP, an
    application in two of the user's queues counted once.

    The other tabs are parts of "all tasks": when one of them reaches the cap, so does "all",
    and its scan is skipped (the CASE evaluates its subquery only otherwise)."""
    p = database.param
    queue_in = f"queue IN ({', '.join([p] * len(keys))})"
    distinct = "DISTINCT application_id"  # an application in two of the user's queues counts once
    sub = {}
    for tab in TABS:
        cond, cond_params = _tab_filter(tab, user, today, p)
        sub[tab] = (f"(SELECT COUNT(*) FROM (SELECT {distinct} FROM task WHERE {queue_in} "
                    f"AND applicant <> {p}{cond} LIMIT {COUNT_CAP:d}) AS c_{tab})", [*keys, user.id, *cond_params])
    parts = [t for t in TABS if t != "tugas"]
    # MATERIALIZED: both planners otherwise fold the parts into the outer SELECT and run each
    # part's scan twice, once in the CASE and once as its column (PostgreSQL's EXPLAIN showed
    # the "baru" count's 1,000-entry scan executed twice).
    sql = (f"WITH parts AS MATERIALIZED (SELECT {', '.join(f'{sub[t][0]} AS {t}' for t in parts)}) "
           f"SELECT CASE WHEN {' OR '.join(f'{t} >= {COUNT_CAP:d}' for t in parts)} THEN {COUNT_CAP:d} "
           f"ELSE {sub['tugas'][0]} END, {', '.join(parts)} FROM parts")
    params = [*(x for t in parts for x in sub[t][1]), *sub["tugas"][1]]
    return dict(zip(["tugas", *parts], database.execute_sql(sql, params).fetchone()))


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


def _confidential() -> tuple[str, ...]:
    """Slugs of the services that hide their applicants' identity: only their rows need ``data``."""
    return tuple(s.slug for s in all_services() if s.confidential_identity)


def inbox(user: User, tab: str = "tugas", service: str | None = None, sort: str = "lama",
          after: str | None = None, per_page: int | None = None) -> InboxPage:
    """One page of the user's tasks and the tab counts, in two queries.

    The counts first (:func:`counts`); then the page: the ids through the queue indexes (per
    queue an index range scan stopped at a page, keyset after ``after``, merged), joined to
    their applications, applicants and assignees, as tuples.

    The overdue tab sorted by waiting time filters on the due key but orders by ``since``: with
    fewer overdue tasks than the count cap it reads them through the due-key index and sorts
    them (fewer than COUNT_CAP rows); with more, overdue work is common and walking the
    ``since`` index (which carries the due key) finds a page after a few pages' worth of
    entries. SQLite, which has no statistics (PINTU never runs ANALYZE), is told which with a
    unary ``+`` on the column whose index it must not use; PostgreSQL's planner has statistics.
    """
    keys = user_queues(user, service)
    today = clock.today()  # due dates are counted in local days
    if not keys:
        return InboxPage([], {t: 0 for t in TABS}, None)
    per_page = per_page or PER_PAGE
    tab_counts = counts(user, keys, today)
    _label, column, desc = SORTS.get(sort, SORTS["lama"])
    cursor = _decode(after, column)
    p = database.param
    due, order = "due_key", column
    if tab == "terlambat" and column != "due_key" and is_sqlite():
        if tab_counts["terlambat"] >= COUNT_CAP:
            due = "+due_key"  # many overdue: walk the sort's index
        else:
            order = f"+{column}"  # few: read them through the due-key index, then sort
    cond, cond_params = _tab_filter(tab, user, today, p, due)
    direction = "DESC" if desc else "ASC"
    keyset, keyset_params = "", []
    if cursor is not None:
        keyset = f" AND ({column}, application_id) {'<' if desc else '>'} ({p}, {p})"
        keyset_params = [_value(v) for v in cursor]
    # Per queue an index range scan stopped at a page; UNION ALL merges them, DISTINCT lists an
    # application in two of the user's queues once (its tasks share since and due key).
    distinct = "DISTINCT " if _may_overlap(keys) else ""
    member = (f"SELECT * FROM (SELECT application_id, {column} AS k FROM task WHERE queue = {p} "
              f"AND applicant <> {p}{cond}{keyset} ORDER BY {order} {direction}, application_id {direction} "
              f"LIMIT {per_page + 1:d}) AS q")
    parts, params = [], []
    for i, key in enumerate(keys):
        parts.append(f"{member}{i}")
        params += [key, user.id, *cond_params, *keyset_params]
    confidential = _confidential()
    data = (f"CASE WHEN a.service IN ({', '.join([p] * len(confidential))}) THEN a.data END"
            if confidential else "NULL")
    q = database.quote[0] + User._meta.table_name + database.quote[1]
    sql = (f"SELECT a.id, a.reference, a.service, a.status, a.step, a.due_date, a.paused_since, a.applicant_id, "
           f"p.name, a.assignee_id, s.name, {data}, u.k "
           f"FROM (SELECT {distinct}application_id, k FROM ({' UNION ALL '.join(parts)}) AS m "
           f"ORDER BY k {direction}, application_id {direction} LIMIT {per_page + 1:d}) AS u "
           f"JOIN application a ON a.id = u.application_id JOIN {q} p ON p.id = a.applicant_id "
           f"LEFT JOIN {q} s ON s.id = a.assignee_id ORDER BY u.k {direction}, u.application_id {direction}")
    fetched = database.execute_sql(sql, [*confidential, *params]).fetchall()
    rows = [InboxRow(r[:-1]) for r in fetched[:per_page]]
    next_cursor = None
    if len(fetched) > per_page:
        last_k = fetched[per_page - 1][-1]
        if isinstance(last_k, str):  # SQLite returns the raw column text
            last_k = (dt.date.fromisoformat(last_k) if column == "due_key"
                      else dt.datetime.fromisoformat(last_k))
        next_cursor = _encode(last_k, rows[-1].id)
    return InboxPage(rows, tab_counts, next_cursor)
