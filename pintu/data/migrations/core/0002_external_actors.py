"""0002: parties outside the office (pintu.engine.external) and the paused completion-time clock.

Adds ``external_link``, the party's name, e-mail and capacity on ``event``, the party of an
``upload`` and ``application.paused_since``.  Frozen copy of the fields as of this step.
"""

import datetime as dt

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model

from pintu.data.db import database


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Application(BaseModel):
    class Meta:
        table_name = "application"


class ExternalLink(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    step = CharField(max_length=40)
    email = CharField(max_length=254)
    token_hash = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    sent_by = IntegerField(null=True)

    class Meta:
        indexes = ((("application", "step"), False),)


#: (table, column, length) of the text columns added: NOT NULL with the default '' in one ALTER TABLE, since
#: peewee's add_column adds them nullable and then rebuilds the table on SQLite to set NOT NULL, which
#: would fire the ON DELETE actions of the rows that refer to it (a message's attachment).
TEXT_COLUMNS = [
    ("upload", "party", 120),
    ("event", "party_name", 120),
    ("event", "party_email", 254),
    ("event", "party_capacity", 120),
]


def upgrade(step):
    db = step.database
    for table, column, length in TEXT_COLUMNS:
        if column not in {c.name for c in db.get_columns(table)}:
            db.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" VARCHAR({length}) NOT NULL DEFAULT \'\'')
    if "paused_since" not in {c.name for c in db.get_columns("application")}:
        step.migrate(step.migrator.add_column("application", "paused_since", DateTimeField(null=True)))
    db.create_tables([ExternalLink], safe=True)
