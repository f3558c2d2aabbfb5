"""Database connection: one peewee database per process, chosen by ``DATABASE_URL``.

SQLite (the default, in ``instance/``) and PostgreSQL are supported through
``playhouse.db_url``.  Models bind to :data:`database`, a proxy initialised
by :func:`init_database` when the app is created.
"""

from __future__ import annotations

from contextlib import contextmanager

import time

from peewee import DatabaseProxy
from playhouse.db_url import connect, parse
from playhouse.pool import PooledPostgresqlDatabase

database = DatabaseProxy()

# Set on every new connection: cheap, connection-local settings.
SQLITE_PRAGMAS = {
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
}
# WAL is a property of the database file: set once when the database is opened by the app
# (asking for it on every connection cost a third of a small page's time).
SQLITE_FILE_PRAGMAS = {"journal_mode": "wal"}


class PooledPostgres(PooledPostgresqlDatabase):
    """peewee's PostgreSQL pool, minus a round trip on every checkout.

    peewee checks a pooled connection before handing it out with ``SELECT 1`` to the server: one
    more round trip per request. Here a connection given back less than :attr:`CHECK_AFTER`
    seconds ago is checked locally only (closed, or lost by the driver); one that sat idle longer
    is checked by the server as before, so a restarted server is still noticed before a page uses
    a dead connection. HikariCP, the Java pool, skips its check the same way for connections used
    within the last 500 ms (``aliveBypassWindowMs``).
    """

    CHECK_AFTER = 1.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned: dict[int, float] = {}  # connection key -> when it came back to the pool

    def _is_closed(self, conn) -> bool:
        # Taken out at checkout: the map holds only connections waiting in the pool, so one the
        # pool drops here (closed, or stale) leaves nothing behind.
        returned = self._returned.pop(self.conn_key(conn), None)
        if returned is not None and time.monotonic() - returned < self.CHECK_AFTER:
            return bool(conn.closed) or self._adapter.txn_status(conn) == self._adapter.txn_unknown
        return super()._is_closed(conn)

    def _close(self, conn, close_conn=False):
        self._returned[self.conn_key(conn)] = time.monotonic()  # removed again if closed for good (_close_raw)
        super()._close(conn, close_conn)

    def _close_raw(self, conn):
        self._returned.pop(self.conn_key(conn), None)
        super()._close_raw(conn)


def init_database(url: str, pool_size: int = 0):
    """Connect :data:`database` to ``url`` (``sqlite:///path`` or ``postgresql://...``).

    With ``pool_size`` > 0 a PostgreSQL URL is served by peewee's connection pool
    (``postgresql+pool://``): a request takes a connection at its start and gives it back at its
    end instead of opening a new one, so a busy app process holds at most ``pool_size`` open
    connections and never pays the connect cost per request. SQLite is pooled the same way.
    """
    if url.startswith("sqlite"):
        if pool_size:
            # Pooled too: closing the last connection of a WAL database checkpoints it (most
            # of a small page's time); a kept connection also keeps its pragmas.
            scheme, rest = url.split("://", 1)
            url = f"sqlite+pool://{rest}" if "+pool" not in scheme else url
            db = connect(url, pragmas=SQLITE_PRAGMAS, max_connections=pool_size, stale_timeout=300,
                         check_same_thread=False)
        else:
            db = connect(url, pragmas=SQLITE_PRAGMAS)
        with db.connection_context():
            for name, value in SQLITE_FILE_PRAGMAS.items():
                db.pragma(name, value)
        if hasattr(db, "close_all"):  # no pooled connection survives into a forked server worker
            db.close_all()
    else:
        if pool_size and "+pool" not in url.split("://", 1)[0]:
            scheme, rest = url.split("://", 1)
            url = f"{scheme}+pool://{rest}"
        kwargs = {"max_connections": pool_size, "stale_timeout": 300} if "+pool" in url else {}
        # psycopg 3 when installed (the `postgres` extra): it prepares a statement on the server once
        # a connection has run it `prepare_threshold` times (5), so the hot statements of a page
        # (the user, the inbox's counts and page, the application page) are planned once per pooled
        # connection instead of on every request, which was most of their cost on PostgreSQL.
        # psycopg2 still works (peewee picks it when psycopg 3 is missing), unprepared.
        if "+pool" in url:
            db = PooledPostgres(**{**parse(url), **kwargs, "prefer_psycopg3": True})
        else:
            db = connect(url, prefer_psycopg3=True)
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    from peewee import SqliteDatabase

    return isinstance(database.obj, SqliteDatabase)  # pooled or not


def write_transaction():
    """A transaction for work that writes: ``BEGIN IMMEDIATE`` on SQLite, an ordinary one elsewhere.

    SQLite cannot turn a transaction that has already read into a writing one while another
    connection writes: the upgrade fails at once with "database is locked", whatever the busy
    timeout (a deferred transaction that reads a setting, then updates, lost that race under
    load).  Taking the write lock first makes it wait its turn instead.  Nested inside another
    transaction it is a savepoint, as ``atomic()`` is.
    """
    return database.atomic(lock_type="IMMEDIATE") if is_sqlite() else database.atomic()


@contextmanager
def connection():
    """A database connection for this thread (a job, the sweep), closed afterwards only if opened here."""
    opened = database.is_closed()
    if opened:
        database.connect()
    try:
        yield
    finally:
        if opened and not database.is_closed():
            database.close()


_PREPARED: dict[tuple[str, str], str] = {}


def prepared(key: str, build, *params):
    """Run a query whose SQL text is written once per process: the cursor of ``build(*params)``.

    peewee writes a query's SQL anew on every execution, which costs more than SQLite takes to
    run a small indexed lookup (a third of a small page's time).  ``build`` makes the peewee
    query from ``params``; the first call per database kind writes its SQL and checks that
    ``params`` are exactly the query's parameters, in order (so pass them as the database gets
    them: ``str``/``int``/``datetime``); later calls send the kept SQL with the new ``params``.
    ``key`` names the query's shape: one key, one SQL text.
    """
    kind = "sqlite" if is_sqlite() else "other"
    sql = _PREPARED.get((kind, key))
    if sql is None:
        sql, built = build(*params).sql()
        if list(built) != list(params):
            raise ValueError(f"prepared query {key!r}: its parameters are {built!r}, not {list(params)!r}")
        _PREPARED[(kind, key)] = sql
    return database.execute_sql(sql, params)


def create(model, **values):
    """``model.create(**values)`` (the same object: defaults applied, id set, nothing dirty) with the
    INSERT's SQL written once per process and set of columns (:func:`prepared`): the engine writes
    an event, a notification and a mail inside the write transaction of every action."""
    from peewee import AutoField, Value

    obj = model(**values)
    pk = model._meta.primary_key
    auto = isinstance(pk, AutoField)
    fields = [f for f in model._meta.sorted_fields if f.name in obj.__data__ and not (auto and f is pk)]
    params = [f.db_value(obj.__data__[f.name]) for f in fields]
    key = f"create:{model._meta.table_name}:{','.join(f.name for f in fields)}"
    cursor = prepared(key, lambda *v: model.insert({f: Value(x, unpack=False) for f, x in zip(fields, v)}), *params)
    if auto:
        row = cursor.fetchone() if cursor.description else None  # PostgreSQL answers RETURNING "id"
        setattr(obj, pk.name, row[0] if row else cursor.lastrowid)
    obj._dirty.clear()
    return obj
