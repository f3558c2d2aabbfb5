"""Reference numbers and tracking codes people can read out over the phone.

Reference: ``<SERVICE CODE>-<YEAR>-<5-digit counter>`` (``LGS-2026-00042``),
from a per-year counter incremented inside the submitting transaction.
Tracking code: 6 characters of Crockford's base32 alphabet (no I, L, O, U),
so it survives being read aloud; compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import secrets

from pintu.engine import clock
from pintu.data.db import database, is_sqlite
from pintu.data.models import Application, Counter, Event
from pintu.data.pagedata import instance
from pintu.people import ratelimit

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def next_reference(service_code: str, today: dt.date | None = None) -> str:
    year = (today or clock.today()).year
    name = f"ref-{year}"
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + 1).where(Counter.name == name).execute()
    value = Counter.get_by_id(name).value
    return f"{service_code}-{year}-{value:05d}"


def new_tracking_code() -> str:
    return "".join(secrets.choice(CROCKFORD) for _ in range(6))


_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_code(code: str) -> str:
    """Accept what people type: lower case, spaces, O for 0, I/L for 1."""
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    return code.translate(_READ_AS)


def _code_matches(app: Application | None, code: str) -> bool:
    """Whether ``code`` is ``app``'s tracking code, compared in constant time; compared with a
    stand-in when there is no application, so both answers take the same time."""
    expected = app.tracking_code if app else "X" * 6
    ok = hmac.compare_digest(normalise_code(code).encode(), expected.encode())
    return bool(app and ok)


_LOOKUP_SQL: dict[str, str] = {}  # database kind -> statement


def _lookup_sql() -> str:
    """The statement of :func:`lookup`, written once per process and database kind.  A SELECT
    without FROM always answers one row: the rate limit's subquery, then the application (if the
    reference exists) as a JSON array of its columns followed by the steps its events left from."""
    kind = "sqlite" if is_sqlite() else "postgresql"
    sql = _LOOKUP_SQL.get(kind)
    if sql is None:
        agg, arr = ("json_group_array", "json_array") if kind == "sqlite" else ("json_agg", "json_build_array")
        param = database.param
        cols = ", ".join(f'a."{f.column_name}"' for f in Application._meta.sorted_fields)
        visited = (f'(SELECT {agg}(DISTINCT e."from_step") FROM "{Event._meta.table_name}" AS e'
                   f' WHERE e."application_id" = a."id")')
        if kind == "sqlite":  # a subquery's value loses its JSON type: json() keeps it an array, not a string in the array
            visited = f"json({visited})"
        sql = _LOOKUP_SQL[kind] = (
            f"SELECT {ratelimit.keeping_sql(param)}, (SELECT {arr}({cols}, {visited})"
            f' FROM "{Application._meta.table_name}" AS a WHERE a."reference" = {param})')
    return sql


def lookup(reference: str, code: str, scope: str, key: str,
           limit: ratelimit.Limit) -> tuple[int, Application | None, set[str]]:
    """The public lookup in ONE statement (it was three: the rate limit, the application, its
    steps): ``(wait, application, visited)``.

    ``wait``: seconds until ``key`` may look up again under ``limit`` of ``scope``
    (:func:`pintu.people.ratelimit.retry_after`); when it is not 0 the application is never
    returned, even for the right code.  ``application``: the application with this reference
    whose tracking code matches (None for an unknown reference and for a wrong code alike);
    ``visited``: the steps its events left from (:func:`pintu.engine.timeline.step_overview`)."""
    reference = (reference or "").strip().upper()  # references are generated in upper case (unique index)
    keeping, row = database.execute_sql(
        _lookup_sql(), (*ratelimit.keeping_params(scope, key, limit), reference)).fetchone()
    wait = ratelimit.wait_for(ratelimit.keeping_value(keeping), limit)
    app, visited = None, set()
    if row is not None:
        values = json.loads(row) if isinstance(row, str) else row  # PostgreSQL's driver parses JSON
        app = instance(Application, Application._meta.sorted_fields, values[:-1])
        visited = set(values[-1] or ())  # PostgreSQL: NULL without events
    matched = _code_matches(app, code)
    if wait or not matched:
        return wait, None, set()
    return wait, app, visited
