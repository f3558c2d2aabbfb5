# The core tables as of commit 92f3001 (the schema landed before versioned migrations), verbatim from
# `git show 92f3001:pintu/models.py` except its two imports of the core, which point to where those modules
# live today: tests/test_migrations.py creates these tables and upgrades them with init-db.
"""Tables of the core: people, units, applications, their files, events and notifications."""

from __future__ import annotations

import datetime as dt
import json

from peewee import (
    JOIN, AutoField, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
    Model, TextField,
)

from pintu.data.db import database
from pintu.contract.services import APPLICANT_CATEGORIES, ROLES, STATUSES


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class BaseModel(Model):
    """Base for every PINTU table, the plugins' included."""

    class Meta:
        database = database
        legacy_table_names = False


class JSONField(TextField):
    """A dict stored as JSON text (portable between SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class Unit(BaseModel):
    key = CharField(unique=True, max_length=40)
    name = CharField(max_length=120)

    def __str__(self):
        return self.name


class User(BaseModel):
    email = CharField(unique=True, max_length=254)
    name = CharField(max_length=120)
    phone = CharField(max_length=30, default="")
    category = CharField(max_length=20, default="masyarakat")
    id_number = CharField(max_length=20, default="")  # NIP (18 digits) or NIK (16 digits)
    password_hash = CharField(max_length=255)
    # Rotated on logout and password change: sessions carrying an old value end.
    session_token = CharField(max_length=64)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    # flask-login protocol -------------------------------------------------------
    is_authenticated = True
    is_anonymous = False

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    # roles ------------------------------------------------------------------------
    def memberships(self):
        if not hasattr(self, "_memberships"):
            self._memberships = list(Membership.select(Membership, Unit).join(Unit, JOIN.LEFT_OUTER)
                                     .where(Membership.user == self))
        return self._memberships

    def has_role(self, role: str, unit: str | None = None) -> bool:
        for m in self.memberships():
            if m.role == role and (unit is None or (m.unit is not None and m.unit.key == unit)):
                return True
        return False

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships()}

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & {"petugas", "verifikator", "pimpinan"})

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def category_label(self) -> str:
        return APPLICANT_CATEGORIES.get(self.category, self.category)

    def __str__(self):
        return self.name


class Membership(BaseModel):
    """A role held by a user, optionally within a unit (verifikator Kepegawaian)."""

    user = ForeignKeyField(User, backref="membership_rows", on_delete="CASCADE")
    role = CharField(max_length=20, choices=list(ROLES.items()))
    unit = ForeignKeyField(Unit, null=True, on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "role", "unit"), True),)

    @property
    def label(self):
        text = ROLES.get(self.role, self.role)
        return f"{text} ({self.unit.name})" if self.unit_id else text


class Application(BaseModel):
    id = AutoField()
    reference = CharField(unique=True, max_length=20, null=True)  # given at first submission
    tracking_code = CharField(max_length=10, default="")
    service = CharField(max_length=60, index=True)
    applicant = ForeignKeyField(User, backref="applications", on_delete="CASCADE")
    status = CharField(max_length=20, default="draft", index=True)
    step = CharField(max_length=40, null=True)
    data = JSONField(default=dict)
    assignee = ForeignKeyField(User, null=True, on_delete="SET NULL")
    # Optimistic lock: each change bumps it; a stale write loses.
    version = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    submitted_at = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow, index=True)
    clock_started_at = DateTimeField(null=True)
    due_date = DateField(null=True)
    closed_at = DateTimeField(null=True)
    refusal_reason = TextField(default="")

    class Meta:
        # The staff inbox counts its tabs (unassigned, mine, overdue) over open applications of its
        # (service, step) pairs, leaving out the user's own: every column those counts read is in
        # the first index, so they never touch the table rows.
        indexes = ((("status", "service", "step", "assignee", "due_date", "applicant"), False),
                   (("applicant", "updated_at"), False))

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)


class Upload(BaseModel):
    application = ForeignKeyField(Application, backref="uploads", on_delete="CASCADE")
    requirement = CharField(max_length=60)  # Requirement.key, or "message" for thread attachments
    stored_name = CharField(max_length=80, unique=True)
    original_name = CharField(max_length=200)
    mime_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(User, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    # A replaced file stays for the history but is no longer the current one.
    superseded = BooleanField(default=False)


class Event(BaseModel):
    """Append-only history of an application (never updated, never deleted)."""

    application = ForeignKeyField(Application, backref="events", on_delete="CASCADE")
    actor = ForeignKeyField(User, on_delete="CASCADE")
    actor_role = CharField(max_length=20)  # "pemohon" or a staff role
    kind = CharField(max_length=20)  # submitted, resubmitted, forward, return, refuse, finish, dispose, answer, cancel, claim
    action = CharField(max_length=40, default="")
    message = CharField(max_length=255, default="")
    from_status = CharField(max_length=20, default="")
    from_step = CharField(max_length=40, default="")
    to_status = CharField(max_length=20, default="")
    to_step = CharField(max_length=40, default="")
    note = TextField(default="")  # meant for the applicant
    internal_note = TextField(default="")  # staff only
    created_at = DateTimeField(default=utcnow, index=True)


class Disposition(BaseModel):
    """A unit that must answer an application routed to it by a ``dispose`` action."""

    application = ForeignKeyField(Application, backref="dispositions", on_delete="CASCADE")
    step = CharField(max_length=40)
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    instruction = TextField(default="")
    answer = TextField(default="")
    answered_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    answered_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


class Message(BaseModel):
    """A message in an application's thread (applicant <-> staff), optionally with one attachment.

    ``internal`` messages are between staff only and never reach the applicant.
    """

    application = ForeignKeyField(Application, backref="messages", on_delete="CASCADE")
    author = ForeignKeyField(User, on_delete="CASCADE")
    body = TextField()
    internal = BooleanField(default=False)
    attachment = ForeignKeyField(Upload, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow, index=True)


class Notification(BaseModel):
    user = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    application = ForeignKeyField(Application, null=True, on_delete="CASCADE")
    message = CharField(max_length=255)
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False),)


class OutgoingMail(BaseModel):
    """Every e-mail PINTU sends, with its delivery state (sent by a job, retried)."""

    to = CharField(max_length=254)
    subject = CharField(max_length=255)
    body = TextField()
    application = ForeignKeyField(Application, null=True, on_delete="SET NULL")
    status = CharField(max_length=10, default="pending")  # pending, sent, failed
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)


class LoginAttempt(BaseModel):
    email = CharField(max_length=254, index=True)
    ip = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow, index=True)


class PasswordResetToken(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)


class Counter(BaseModel):
    """Per-year counters for reference numbers."""

    name = CharField(primary_key=True, max_length=40)
    value = IntegerField(default=0)


ALL_MODELS = [Unit, User, Membership, Application, Upload, Event, Disposition, Message, Notification,
              OutgoingMail, LoginAttempt, PasswordResetToken, Counter]
