"""Database connection: one peewee database per process, chosen by ``DATABASE_URL``.

SQLite (the default, in ``instance/``) and PostgreSQL are supported through
``playhouse.db_url``.  Models bind to :data:`database`, a proxy initialised
by :func:`init_database` when the app is created.
"""

from __future__ import annotations

from peewee import DatabaseProxy
from playhouse.db_url import connect

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
}


def init_database(url: str):
    """Connect :data:`database` to ``url`` (``sqlite:///path`` or ``postgresql://...``)."""
    if url.startswith("sqlite"):
        db = connect(url, pragmas=SQLITE_PRAGMAS)
    else:
        db = connect(url, autorollback=True)
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    return database.obj is not None and database.obj.__class__.__name__.startswith("Sqlite")


def create_tables(extra_models=()):
    """Create every core table and the plugins' ``extra_models`` if missing."""
    from . import models

    with database.connection_context():
        database.create_tables(models.ALL_MODELS + list(extra_models), safe=True)
