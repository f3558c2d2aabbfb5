"""Database connection: one peewee database per process, chosen by ``DATABASE_URL``.

SQLite (the default, in ``instance/``) and PostgreSQL are supported through
``playhouse.db_url``.  Models bind to :data:`database`, a proxy initialised
by :func:`init_database` when the app is created.
"""

from __future__ import annotations

from contextlib import contextmanager

from peewee import DatabaseProxy
from playhouse.db_url import connect

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
        db = connect(url, **kwargs)
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
