"""0001: the schema as of November 2026 (every table the core had then), created if missing.

A database made by an earlier release (``create_tables`` at app start) gets the tables and the
columns it lacks; rows are kept.  The table definitions below are a frozen copy of
``pintu.data.models`` as of this step, not an import of it: later changes to the models come as later
steps, so this one creates the same tables forever.  (``JSONField`` columns are TEXT.)
"""

import datetime as dt

from peewee import (
    AutoField, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model, TextField,
)

from pintu.data.db import database, is_sqlite


def utcnow():
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Unit(BaseModel):
    key = CharField(unique=True, max_length=40)
    name = CharField(max_length=120)


class User(BaseModel):
    email = CharField(unique=True, max_length=254)
    name = CharField(max_length=120)
    phone = CharField(max_length=30, default="")
    category = CharField(max_length=20, default="masyarakat")
    id_number = CharField(max_length=20, default="")
    password_hash = CharField(max_length=255)
    session_token = CharField(max_length=64)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)


class Membership(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    role = CharField(max_length=20)
    unit = ForeignKeyField(Unit, null=True, on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "role", "unit"), True),)


class Application(BaseModel):
    id = AutoField()
    reference = CharField(unique=True, max_length=20, null=True)
    tracking_code = CharField(max_length=10, default="")
    service = CharField(max_length=60, index=True)
    applicant = ForeignKeyField(User, on_delete="CASCADE")
    status = CharField(max_length=20, default="draft", index=True)
    step = CharField(max_length=40, null=True)
    data = TextField(default="{}")
    assignee = ForeignKeyField(User, null=True, on_delete="SET NULL")
    version = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    submitted_at = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow, index=True)
    clock_started_at = DateTimeField(null=True)
    due_date = DateField(null=True)
    closed_at = DateTimeField(null=True)
    refusal_reason = TextField(default="")

    class Meta:
        indexes = ((("status", "service", "step", "assignee", "due_date", "applicant"), False),
                   (("applicant", "updated_at"), False))


class Upload(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    requirement = CharField(max_length=60)
    stored_name = CharField(max_length=80, unique=True)
    original_name = CharField(max_length=200)
    mime_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(User, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    superseded = BooleanField(default=False)
    purged_at = DateTimeField(null=True)


class Event(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    actor = ForeignKeyField(User, on_delete="CASCADE")
    actor_role = CharField(max_length=20)
    kind = CharField(max_length=20)
    action = CharField(max_length=40, default="")
    message = CharField(max_length=255, default="")
    from_status = CharField(max_length=20, default="")
    from_step = CharField(max_length=40, default="")
    to_status = CharField(max_length=20, default="")
    to_step = CharField(max_length=40, default="")
    note = TextField(default="")
    internal_note = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)


class Disposition(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    step = CharField(max_length=40)
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    instruction = TextField(default="")
    answer = TextField(default="")
    answered_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    answered_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class Message(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    author = ForeignKeyField(User, on_delete="CASCADE")
    body = TextField()
    internal = BooleanField(default=False)
    attachment = ForeignKeyField(Upload, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow, index=True)


class Notification(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    application = ForeignKeyField(Application, null=True, on_delete="CASCADE")
    message = CharField(max_length=255)
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False),)


class OutgoingMail(BaseModel):
    to = CharField(max_length=254)
    subject = CharField(max_length=255)
    body = TextField()
    application = ForeignKeyField(Application, null=True, on_delete="SET NULL")
    status = CharField(max_length=10, default="pending")
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    next_attempt_at = DateTimeField(null=True, index=True)
    version = IntegerField(default=0)


class PasswordResetToken(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)


class Counter(BaseModel):
    name = CharField(primary_key=True, max_length=40)
    value = IntegerField(default=0)


class MailSecret(BaseModel):
    mail = ForeignKeyField(OutgoingMail, unique=True, on_delete="CASCADE")
    sealed = TextField(null=True)
    digest = CharField(max_length=64, index=True)
    expires_at = DateTimeField(index=True)


class RateLimitHit(BaseModel):
    scope = CharField(max_length=30)
    key = CharField(max_length=254)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("scope", "key", "created_at"), False),)


class EmailVerification(BaseModel):
    token_hash = CharField(max_length=64, unique=True)
    email = CharField(max_length=254, index=True)
    name = CharField(max_length=120)
    phone = CharField(max_length=30, default="")
    category = CharField(max_length=20, default="masyarakat")
    id_number = CharField(max_length=20, default="")
    password_hash = CharField(max_length=255)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField(index=True)


class AuditEntry(BaseModel):
    id = AutoField()
    created_at = DateTimeField(default=utcnow)
    actor_id = IntegerField(null=True)
    actor_email = CharField(max_length=254, default="")
    action = CharField(max_length=60)
    object_type = CharField(max_length=40, default="")
    object_id = CharField(max_length=40, default="")
    object_label = CharField(max_length=200, default="")
    details = TextField(default="{}")
    ip = CharField(max_length=64, default="")
    user_agent = CharField(max_length=255, default="")

    class Meta:
        indexes = ((("action", "id"), False), (("actor_id", "id"), False),
                   (("object_type", "object_id", "id"), False))


class DeletionRequest(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    reason = TextField(default="")
    status = CharField(max_length=12, default="pending", index=True)
    created_at = DateTimeField(default=utcnow)
    executed_at = DateTimeField(null=True)
    executed_by = IntegerField(null=True)


class FormToken(BaseModel):
    token = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, on_delete="CASCADE")
    application = ForeignKeyField(Application, null=True, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow, index=True)


class StagedUpload(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    requirement = CharField(max_length=60)
    stored_name = CharField(max_length=80, unique=True)
    original_name = CharField(max_length=200)
    mime_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow, index=True)


class Task(BaseModel):
    application = ForeignKeyField(Application, on_delete="CASCADE")
    queue = CharField(max_length=160)
    applicant = IntegerField()
    assignee = IntegerField(default=0)
    since = DateTimeField()
    due_key = DateField()

    class Meta:
        indexes = ((("queue", "since", "application", "applicant"), False),
                   (("queue", "assignee", "since", "application", "applicant"), False),
                   (("queue", "due_key", "application", "applicant"), False),
                   (("queue", "assignee", "due_key", "application", "applicant"), False))


MODELS = [Unit, User, Membership, Application, Upload, Event, Disposition, Message, Notification,
          OutgoingMail, PasswordResetToken, Counter, MailSecret, RateLimitHit, EmailVerification,
          AuditEntry, DeletionRequest, FormToken, StagedUpload, Task]


def upgrade(step):
    step.create_missing(MODELS)  # tables if missing, and the columns an older database lacks
    _audit_guards(step.database)


def _audit_guards(db):
    """Triggers that refuse UPDATE and DELETE on the audit table (as ``pintu.data.audit`` installed them)."""
    if is_sqlite():
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_{op.lower()} BEFORE {op} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;")
        return
    db.execute_sql("""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'pintu_audit_append_only') THEN
            CREATE FUNCTION pintu_audit_append_only() RETURNS trigger AS $f$
            BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $f$ LANGUAGE plpgsql;
          END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_entry_append_only') THEN
            CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
              FOR EACH ROW EXECUTE FUNCTION pintu_audit_append_only();
          END IF;
        END $$;""")

