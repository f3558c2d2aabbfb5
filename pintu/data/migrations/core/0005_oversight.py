"""0005: SLA reminders, internal targets, the unit head, the digest preference, the dashboard's
daily rollup, and the indexes of the staff search and the dashboard.

Tables and columns are a frozen copy of the models as of this step (see 0001 for the style).
"""

import datetime as dt

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model

from pintu.data.db import database, is_sqlite


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):  # a stand-in for the foreign keys: only the table name and id matter
    class Meta:
        table_name = "user"


class Application(BaseModel):
    class Meta:
        table_name = "application"


class ServiceTarget(BaseModel):
    service = CharField(max_length=60, unique=True)
    days = IntegerField()
    updated_at = DateTimeField(default=utcnow)


class Reminder(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    kind = CharField(max_length=20)
    day = DateField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("application", "kind", "day"), True),)


class DigestItem(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    reminder = ForeignKeyField(Reminder, on_delete="CASCADE")
    digest_day = DateField(null=True)

    class Meta:
        indexes = ((("user", "digest_day"), False),)


class DigestSent(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    day = DateField()

    class Meta:
        indexes = ((("user", "day"), True),)


class DailyCount(BaseModel):
    day = DateField()
    service = CharField(max_length=60)
    metric = CharField(max_length=20)
    value = IntegerField(default=0)

    class Meta:
        indexes = ((("day", "service", "metric"), True),)


INDEXES = [  # (table, columns)
    ("application", ("tracking_code",)),
    ("application", ("submitted_at", "service", "status")),
    ("application", ("status", "due_date")),
    ("user", ("id_number",)),
]


def upgrade(step):
    db, migrator = step.database, step.migrator
    columns = {t: {c.name for c in db.get_columns(t)} for t in ("unit", "user")}
    operations = []
    if "head_id" not in columns["unit"]:
        operations.append(migrator.add_column("unit", "head_id", IntegerField(null=True)))
    if "reminder_digest" not in columns["user"]:
        # Plain SQL: peewee's SQLite migrator adds a NOT NULL column by copying the table, and
        # dropping the old "user" would cascade to every table that refers to it.
        kind, false = ("INTEGER", "0") if is_sqlite() else ("BOOLEAN", "false")
        db.execute_sql(f'ALTER TABLE "user" ADD COLUMN reminder_digest {kind} NOT NULL DEFAULT {false}')
    existing = {t: {tuple(i.columns) for i in db.get_indexes(t)} for t in ("application", "user")}
    for table, cols in INDEXES:
        if cols not in existing[table]:
            operations.append(migrator.add_index(table, cols, False))
    step.migrate(*operations)
    step.create_missing([ServiceTarget, Reminder, DigestItem, DigestSent, DailyCount])
