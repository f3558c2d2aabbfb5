"""0003: documents the services produce (numbered letters, their counters and schemes, the
hand-over record) and attachments of queued e-mails.

Frozen copies of the tables as of this step (not imports of ``pintu.data.models``).
"""

import datetime as dt

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField

from pintu.data.db import database


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):
    class Meta:
        table_name = "user"


class Application(BaseModel):
    class Meta:
        table_name = "application"


class Upload(BaseModel):
    class Meta:
        table_name = "upload"


class Event(BaseModel):
    class Meta:
        table_name = "event"


class DocumentCounter(BaseModel):
    service = CharField(max_length=60)
    document = CharField(max_length=40)
    year = IntegerField()
    seq = IntegerField(default=0)

    class Meta:
        indexes = ((("service", "document", "year"), True),)


class DocumentScheme(BaseModel):
    service = CharField(max_length=60)
    document = CharField(max_length=40)
    scheme = CharField(max_length=120)
    updated_at = DateTimeField(default=utcnow)
    updated_by = IntegerField(null=True)

    class Meta:
        indexes = ((("service", "document"), True),)


class IssuedDocument(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    service = CharField(max_length=60)
    document = CharField(max_length=40)
    title = CharField(max_length=200)
    number = CharField(max_length=120)
    year = IntegerField()
    seq = IntegerField()
    code = CharField(max_length=64, unique=True)
    issued_at = DateTimeField(default=utcnow, index=True)
    issued_by = ForeignKeyField(User, on_delete="CASCADE")
    signer_name = CharField(max_length=120, default="")
    signer_position = CharField(max_length=120, default="")
    signer_id_number = CharField(max_length=20, default="")
    unit_name = CharField(max_length=200, default="")
    holder = CharField(max_length=200, default="")
    stored_name = CharField(max_length=80, null=True)
    sha256 = CharField(max_length=64, default="")
    size = IntegerField(default=0)
    rendered_at = DateTimeField(null=True)
    scanned_at = DateTimeField(null=True)  # the generated PDF was replaced by the scan of the wet-ink signed letter
    superseded_by = ForeignKeyField("self", null=True, on_delete="SET NULL")
    superseded_at = DateTimeField(null=True)
    reason = TextField(default="")

    class Meta:
        indexes = ((("service", "document", "year", "seq"), True),)


class Handover(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    event = ForeignKeyField(Event, on_delete="CASCADE")
    collector = CharField(max_length=10)
    name = CharField(max_length=120)
    id_number = CharField(max_length=20, default="")
    attorney = ForeignKeyField(Upload, null=True, on_delete="SET NULL")
    officer = ForeignKeyField(User, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)


MODELS = [DocumentCounter, DocumentScheme, IssuedDocument, Handover]


def upgrade(step):
    step.create_missing(MODELS)
    columns = {c.name for c in step.database.get_columns("outgoing_mail")}
    if "attachments" not in columns:
        step.migrate(step.migrator.add_column("outgoing_mail", "attachments", TextField(default="[]")))
