"""Versioned schema migrations: numbered steps, one history per distribution, run by ``init-db``.

Each distribution that owns tables keeps its steps in a package of modules named
``NNNN_what.py`` (``pintu/data/migrations/core/0001_initial.py``), each with a function
``upgrade(step)``; ``step`` offers ``database``, ``migrator`` (peewee's
``playhouse.migrate`` schema migrator for the backend), ``migrate(*operations)`` and
``create_missing(models)``.  The core's history is ``pintu``; a plugin declares its own with the
``pintu_migrations`` hook (see :mod:`pintu.hookspecs`).  The table ``schema_migration`` records
which step of which history ran, and when; :func:`upgrade` runs the steps not recorded yet, in
number order, each in its own transaction together with its record, so a step never runs twice
and a failed one leaves nothing behind.

Run by ``flask --app pintu init-db`` only (and by the test fixture): never at app start
(``AUTO_CREATE_TABLES`` is off by default).

Why not peewee-migrate: it keeps every migration of a database in one global history model
whose table name is mutated per router (so one history per distribution means fighting it),
replays every past migration with ``peewee.Database.execute_sql`` mocked on each run, and needs
Python 3.11; the part PINTU needs (ordered steps, a record, peewee's schema operations) is the
few lines below on top of ``playhouse.migrate``, which does the real work.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import pkgutil
import re
from dataclasses import dataclass

from peewee import CharField, DateTimeField, Model
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from pintu.data.db import database, is_sqlite

CORE_HISTORY = ("pintu", "pintu.data.migrations.core")
STEP_NAME = re.compile(r"^(\d{4})_\w+$")


class SchemaMigration(Model):
    """One step of one history that has run."""

    history = CharField(max_length=100)
    step = CharField(max_length=100)
    applied_at = DateTimeField()

    class Meta:
        database = database
        table_name = "schema_migration"
        indexes = ((("history", "step"), True),)


@dataclass
class Step:
    """What a step's ``upgrade(step)`` works with."""

    history: str
    name: str
    database: object
    migrator: object

    def migrate(self, *operations) -> None:
        migrate(*operations)

    def create_missing(self, models) -> list[str]:
        return create_missing(models, self.migrator)


def steps_of(package: str) -> list[str]:
    """The step module names of ``package`` in number order."""
    module = importlib.import_module(package)
    names = sorted(name for _, name, is_pkg in pkgutil.iter_modules(module.__path__)
                   if not is_pkg and STEP_NAME.match(name))
    numbers = [STEP_NAME.match(n).group(1) for n in names]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"{package}: two migration steps share a number: {names}")
    return names


def create_missing(models, migrator=None) -> list[str]:
    """Create the tables of ``models`` that are missing and add the columns a table lacks
    (what ``create_tables`` did at every app start before versioned migrations).  Returns the
    ``table.column`` names added."""
    migrator = migrator or _migrator()
    tables = set(database.get_tables())
    added, operations = [], []
    for model in models:
        table = model._meta.table_name
        if table not in tables:
            continue
        existing = {c.name for c in database.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name not in existing:
                plain = copy.copy(field)  # the column only: its index comes with the others below
                plain.index = plain.unique = False
                operations.append(migrator.add_column(table, field.column_name, plain))
                added.append(f"{table}.{field.column_name}")
    if operations:
        migrate(*operations)
    database.create_tables(models, safe=True)  # missing tables, and missing indexes (IF NOT EXISTS)
    return added


def _migrator():
    return SqliteMigrator(database) if is_sqlite() else PostgresqlMigrator(database)


def histories(registry=None) -> list[tuple[str, str]]:
    """``(history, package)`` of the core and of every plugin that declares migrations."""
    found = [CORE_HISTORY]
    if registry is not None:
        for name, package in registry.collect("pintu_migrations"):
            if name in {h for h, _ in found}:
                raise RuntimeError(f"migration history {name!r} is declared twice")
            found.append((name, package))
    return found


def applied() -> set[tuple[str, str]]:
    return {(r.history, r.step) for r in SchemaMigration.select()}


def upgrade(registry=None) -> list[str]:
    """Run every step not recorded yet (core first, then the plugins), and create the tables of
    plugins that return models from ``pintu_models`` but declare no migrations (created if
    missing, columns added).  Returns ``"history:step"`` of each step run."""
    ran = []
    with database.connection_context():
        database.create_tables([SchemaMigration], safe=True)
        migrator = _migrator()
        for history, package in histories(registry):
            for name in steps_of(package):
                with database.atomic():
                    if not is_sqlite():  # one init-db at a time per history (SQLite: one writer anyway)
                        database.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"pintu:{history}",))
                    if SchemaMigration.select().where((SchemaMigration.history == history)
                                                      & (SchemaMigration.step == name)).exists():
                        continue
                    module = importlib.import_module(f"{package}.{name}")
                    module.upgrade(Step(history, name, database, migrator))
                    SchemaMigration.create(history=history, step=name,
                                           applied_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
                ran.append(f"{history}:{name}")
        if registry is not None:
            legacy = _models_without_migrations(registry)
            if legacy:
                create_missing(legacy, migrator)
    return ran


def _models_without_migrations(registry) -> list:
    declaring = {impl.plugin_name for impl in registry.pm.hook.pintu_migrations.get_hookimpls()}
    models = []
    for impl in registry.pm.hook.pintu_models.get_hookimpls():
        if impl.plugin_name not in declaring:
            models.extend(impl.function() or ())
    return models
