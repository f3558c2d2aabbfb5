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
    # The unit's head (a user id): overdue work of the unit is escalated to them (pintu.oversight.reminders);
    # unset, to its pimpinan, else to every verifikator of the unit.  Set with ``flask --app pintu unit-head``.
    head_id = IntegerField(null=True)

    def __str__(self):
        return self.name


class User(BaseModel):
    email = CharField(unique=True, max_length=254)
    name = CharField(max_length=120)
    phone = CharField(max_length=30, default="")
    category = CharField(max_length=20, default="masyarakat")
    id_number = CharField(max_length=20, default="", index=True)  # NIP (18 digits) or NIK (16 digits)
    password_hash = CharField(max_length=255)
    # Rotated on logout and password change: sessions carrying an old value end.
    session_token = CharField(max_length=64)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    # Staff preference (Profil): SLA reminders as one daily digest instead of one mail per item.
    reminder_digest = BooleanField(default=False)

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
        """True when the user holds ``role`` (in ``unit`` when given; any unit or none when not)."""
        for m in self.memberships():
            if m.role == role and (unit is None or (m.unit is not None and m.unit.key == unit)):
                return True
        return False

    def takes_step(self, role: str, unit: str | None) -> bool:
        """True when the user may take a step of ``role`` in ``unit``.

        A step with a unit is for that unit's members; a step without one for those who hold the
        role without a unit: the head of a unit (``pimpinan`` of a Bidang) is not the head of the
        institution, and a unit's officer is not the front office.
        """
        for m in self.memberships():
            if m.role == role and ((m.unit.key if m.unit_id else None) == (unit or None)):
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
    tracking_code = CharField(max_length=10, default="", index=True)  # staff search (0005)
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
    # Set while the application waits at a step declared ``pauses_clock`` (UTC, from pintu.engine.clock):
    # the working days spent there are added to ``due_date`` when it leaves.
    paused_since = DateTimeField(null=True)

    class Meta:
        # The first index served the old inbox's tab counts; the inbox now reads `Task` (see
        # pintu.engine.queues) and only `queues.rebuild` (init-db) still uses its (status, service, step)
        # prefix. Narrowing it to that prefix needs a migration step (pintu/data/migrations/core).
        indexes = ((("status", "service", "step", "assignee", "due_date", "applicant"), False),
                   (("applicant", "updated_at"), False),
                   # Staff search by date (pintu.oversight.search), the dashboard's overdue list (pintu.oversight.dashboard):
                   # migration 0005.
                   (("submitted_at", "service", "status"), False),
                   (("status", "due_date"), False))

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
    # Set when the file was deleted from disk (retention, account deletion); the row stays as a record.
    purged_at = DateTimeField(null=True)
    # The label of the party outside the office who uploaded it through their link ("Pimpinan PTS"), or "".
    party = CharField(max_length=120, default="")


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
    # A party outside the office acting through its link (actor_role "pihak_luar"): who they said they
    # are.  ``actor`` is then the inactive placeholder account of external parties (pintu.engine.external).
    party_name = CharField(max_length=120, default="")
    party_email = CharField(max_length=254, default="")
    party_capacity = CharField(max_length=120, default="")


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
    status = CharField(max_length=10, default="pending")  # pending, sending, retry, sent, failed
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    # Delivery schedule (pintu.notify.mail): when the next attempt is due (a retry's back-off, or the lease of
    # the process sending it), and a version bumped by every claim so that two processes never both send.
    next_attempt_at = DateTimeField(null=True, index=True)
    version = IntegerField(default=0)
    # Files put into the message when it is built (pintu.output.attachments): [{"kind": "receipt", "id": 5}, ...].
    attachments = JSONField(default=list)


class PasswordResetToken(BaseModel):
    user = ForeignKeyField(User, on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)


class Task(BaseModel):
    """A piece of open staff work in a queue (see :mod:`pintu.engine.queues`): kept by the engine at
    every change, read by the inbox through the indexes below, never by scanning applications."""

    application = ForeignKeyField(Application, on_delete="CASCADE")
    queue = CharField(max_length=160)  # "<service>/<role>" or "<service>/<role>/<unit>"
    applicant = IntegerField()  # user id: nobody processes their own application
    assignee = IntegerField(default=0)  # user id, 0 when unclaimed (an equality the index can use)
    since = DateTimeField()  # the application's updated_at: "waiting since"
    due_key = DateField()  # the due date, 9999-12-31 without one (sorts last, never overdue)

    class Meta:
        # One index per (tab filter, sort) the inbox reads; the applicant at the end makes
        # them covering, so skipping one's own application never touches the table (the due
        # key and since, the overdue tab sorted by waiting time: see pintu.engine.queues.inbox). One
        # task per application and queue.
        indexes = ((("queue", "since", "application", "applicant", "due_key"), False),
                   (("queue", "assignee", "since", "application", "applicant"), False),
                   (("queue", "due_key", "application", "applicant", "since"), False),
                   (("queue", "assignee", "due_key", "application", "applicant"), False),
                   (("application", "queue"), True),
                   (("applicant", "queue", "assignee", "due_key"), False))  # own work, subtracted from counts


class TaskTally(BaseModel):
    """How many tasks a queue holds per assignee and due key, kept by the engine with the tasks
    (:func:`pintu.engine.queues.sync`): the inbox's tab counts add up these rows, a few per
    (staff member, open due date) of a queue, instead of walking the queue's tasks."""

    queue = CharField(max_length=160)
    assignee = IntegerField()
    due_key = DateField()
    n = IntegerField()

    class Meta:
        table_name = "task_tally"
        indexes = ((("queue", "assignee", "due_key"), True),)


class Counter(BaseModel):
    """Per-year counters for reference numbers."""

    name = CharField(primary_key=True, max_length=40)
    value = IntegerField(default=0)


class MailSecret(BaseModel):
    """The secret part of a stored e-mail (a one-time link), kept apart from its redacted body.

    ``sealed`` is encrypted with a key derived from ``SECRET_KEY`` and emptied once the mail is sent
    or the secret expires; ``digest`` (a keyed hash) only lets the admin outbox recognise and hide
    the secret in a delivered copy.  See :mod:`pintu.notify.mailsecrets`.
    """

    mail = ForeignKeyField(OutgoingMail, unique=True, on_delete="CASCADE")
    sealed = TextField(null=True)
    digest = CharField(max_length=64, index=True)
    expires_at = DateTimeField(index=True)


class RateLimitHit(BaseModel):
    """One counted event of a rate limit (a failed login, a reset request...); see :mod:`pintu.people.ratelimit`."""

    scope = CharField(max_length=30)
    key = CharField(max_length=254)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("scope", "key", "created_at"), False),)


class EmailVerification(BaseModel):
    """A registration waiting for its e-mail address to be confirmed by a link.

    The account is created only when the link is opened, from the data of that very registration.
    """

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
    """Append-only audit trail (see :mod:`pintu.data.audit`): who did what to which object, when, from where.

    Rows are only ever inserted; the model refuses updates and deletes and the database has triggers
    that refuse them too.  ``actor_id`` is a plain integer, not a foreign key, so the log outlives
    accounts.  Details are masked before they are stored (no passwords, tokens, full NIK/NIP).
    """

    id = AutoField()
    created_at = DateTimeField(default=utcnow)
    actor_id = IntegerField(null=True)
    actor_email = CharField(max_length=254, default="")
    action = CharField(max_length=60)
    object_type = CharField(max_length=40, default="")
    object_id = CharField(max_length=40, default="")
    object_label = CharField(max_length=200, default="")
    details = JSONField(default=dict)
    ip = CharField(max_length=64, default="")
    user_agent = CharField(max_length=255, default="")

    class Meta:
        # /admin/audit pages by id (keyset) within each filter.
        indexes = ((("action", "id"), False), (("actor_id", "id"), False),
                   (("object_type", "object_id", "id"), False))

    def save(self, *args, **kwargs):
        if self.id is not None and not kwargs.get("force_insert"):
            raise PermissionError("audit entries are append-only")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


class DeletionRequest(BaseModel):
    """An applicant's request to delete their account (UU PDP); an admin executes it."""

    user = ForeignKeyField(User, backref="deletion_requests", on_delete="CASCADE")
    reason = TextField(default="")
    status = CharField(max_length=12, default="pending", index=True)  # pending, done, withdrawn
    created_at = DateTimeField(default=utcnow)
    executed_at = DateTimeField(null=True)
    executed_by = IntegerField(null=True)  # admin's user id (a plain integer: the log outlives accounts)


ALL_MODELS = [Unit, User, Membership, Application, Upload, Event, Disposition, Message, Notification,
              OutgoingMail, PasswordResetToken, Counter, MailSecret, RateLimitHit, EmailVerification,
              AuditEntry, DeletionRequest]


class FormToken(BaseModel):
    """A one-time token issued with an applicant's form (hidden field ``form_token``).

    The write that carries it inserts this row first thing in its transaction: the unique index
    lets one of two concurrent requests with the same token win, and a repeat finds the row and
    answers with the first one's result (see :mod:`pintu.engine.formtokens`)."""

    token = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, on_delete="CASCADE")
    application = ForeignKeyField(Application, null=True, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow, index=True)


class StagedUpload(BaseModel):
    """A valid file received with a form that could not be saved yet (another field was wrong).

    Stored once, owned by the user, attached to no application until the next successful save
    takes it over as an :class:`Upload` (same stored file); swept after a day (see :mod:`pintu.data.staging`)."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    requirement = CharField(max_length=60)
    stored_name = CharField(max_length=80, unique=True)
    original_name = CharField(max_length=200)
    mime_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow, index=True)




class ServiceSetting(BaseModel):
    """An administrator's overrides of one service's published settings (pintu.engine.service_settings).

    ``values`` holds only the keys that differ from the declaration; ``version`` guards against
    two administrators saving over each other.
    """

    service = CharField(max_length=60, unique=True)
    values = JSONField(default=dict)
    version = IntegerField(default=1)
    updated_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
ALL_MODELS += [ServiceSetting]


class ExternalLink(BaseModel):
    """A single-purpose link e-mailed to a party outside the office for one step of one application
    (see :mod:`pintu.engine.external`).  Only a hash of the token is stored."""

    application = ForeignKeyField(Application, on_delete="CASCADE")
    step = CharField(max_length=40)
    email = CharField(max_length=254)
    token_hash = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    sent_by = IntegerField(null=True)  # staff user id of a re-send; None when the engine sent it

    class Meta:
        indexes = ((("application", "step"), False),)


ALL_MODELS += [FormToken, StagedUpload, Task, TaskTally, ExternalLink]


class DocumentCounter(BaseModel):
    """The last number given to a declared document of a service in a year (WIB); see :mod:`pintu.output.numbering`.

    Incremented with one ``UPDATE ... RETURNING`` inside the issuing transaction: the row lock
    (PostgreSQL) or the write lock (SQLite) serialises two staff issuing at once, and a rolled-back
    issue gives its number back, so numbers have neither gaps nor duplicates."""

    service = CharField(max_length=60)
    document = CharField(max_length=40)
    year = IntegerField()
    seq = IntegerField(default=0)

    class Meta:
        indexes = ((("service", "document", "year"), True),)


class DocumentScheme(BaseModel):
    """An administrator's numbering scheme for a declared document (overrides the declaration's)."""

    service = CharField(max_length=60)
    document = CharField(max_length=40)
    scheme = CharField(max_length=120)
    updated_at = DateTimeField(default=utcnow)
    updated_by = IntegerField(null=True)

    class Meta:
        indexes = ((("service", "document"), True),)


class IssuedDocument(BaseModel):
    """A numbered document the service produced (surat pengantar, surat izin...); see :mod:`pintu.output.documents`.

    Made inside the transaction of the action that issues it; its PDF is rendered afterwards (a job)
    and recorded here once it is in place (``stored_name``, ``sha256``).  ``code`` is the random,
    unguessable key of its public verification page.  A re-issue points the old row at the new one
    (``superseded_by``).  ``holder`` is stored masked only."""

    application = ForeignKeyField(Application, backref="documents", on_delete="CASCADE")
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

    @property
    def current(self) -> bool:
        return self.superseded_by_id is None


class Handover(BaseModel):
    """Who collected an application's product at the pickup step, when, from which officer."""

    application = ForeignKeyField(Application, backref="handovers", on_delete="CASCADE")
    event = ForeignKeyField(Event, on_delete="CASCADE")
    collector = CharField(max_length=10)  # "pemohon" or "kuasa"
    name = CharField(max_length=120)
    id_number = CharField(max_length=20, default="")
    attorney = ForeignKeyField(Upload, null=True, on_delete="SET NULL")  # surat kuasa (optional)
    officer = ForeignKeyField(User, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)


ALL_MODELS += [DocumentCounter, DocumentScheme, IssuedDocument, Handover]


class Setting(BaseModel):
    """A setting the administrator edits, stored as JSON under a key (``institution``: the profile,
    ``maklumat``: the Maklumat Pelayanan).  See :mod:`pintu.standards.institution`."""

    key = CharField(unique=True, max_length=40)
    value = JSONField(default=dict)
    updated_at = DateTimeField(default=utcnow)
    updated_by = IntegerField(null=True)  # admin's user id (a plain integer: the value outlives accounts)


class SurveyResponse(BaseModel):
    """One answer to the Survei Kepuasan Masyarakat (PermenPAN-RB 14/2017) about one finished
    application: the nine elements ``u1``..``u9`` on the 1-4 scale (see :mod:`pintu.standards.survey`).

    ``service`` and ``unit`` are copied at answer time so the IKM is grouped in SQL without
    reading the applications; the unique ``application`` makes a second answer impossible."""

    application = ForeignKeyField(Application, unique=True, on_delete="CASCADE")
    service = CharField(max_length=60)
    unit = CharField(max_length=120)
    u1 = IntegerField()
    u2 = IntegerField()
    u3 = IntegerField()
    u4 = IntegerField()
    u5 = IntegerField()
    u6 = IntegerField()
    u7 = IntegerField()
    u8 = IntegerField()
    u9 = IntegerField()
    suggestion = TextField(default="")
    gender = CharField(max_length=1, default="")  # L / P, optional
    age = IntegerField(null=True)
    education = CharField(max_length=10, default="")
    occupation = CharField(max_length=20, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("created_at", "service"), False), (("created_at", "unit"), False))


ALL_MODELS += [Setting, SurveyResponse]


class ServiceTarget(BaseModel):
    """An internal completion target (working days) set by the admin for a service whose standard
    names no completion time (see :mod:`pintu.oversight.targets`), so that no application is "never late"."""

    service = CharField(max_length=60, unique=True)
    days = IntegerField()
    updated_at = DateTimeField(default=utcnow)


class Reminder(BaseModel):
    """One SLA reminder of one application, kind (``due_soon``, ``overdue``) and local day.

    The unique index is the guarantee that a reminder goes out once: :mod:`pintu.oversight.reminders`
    inserts the row (insert-or-skip) in the transaction that stores its mails, so a second run,
    or a second worker at the same moment, finds it there and sends nothing."""

    application = ForeignKeyField(Application, on_delete="CASCADE")
    kind = CharField(max_length=20)
    day = DateField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("application", "kind", "day"), True),)


class DigestItem(BaseModel):
    """A reminder waiting for the daily digest of a staff member who asked for one."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    reminder = ForeignKeyField(Reminder, on_delete="CASCADE")
    digest_day = DateField(null=True)  # the day of the digest that carried it; null: not mailed yet

    class Meta:
        indexes = ((("user", "digest_day"), False),)


class DigestSent(BaseModel):
    """The daily digest of one staff member and day (unique: sent once)."""

    user = ForeignKeyField(User, on_delete="CASCADE")
    day = DateField()

    class Meta:
        indexes = ((("user", "day"), True),)


class DailyCount(BaseModel):
    """The dashboard's rollup: how many applications of a service did ``metric`` on a local day
    (received, closed per status, returned, finished on time, finished in N working days...).

    Kept by the core's ``pintu_after_transition`` in the transaction of each change and rebuilt by
    ``init-db`` (see :mod:`pintu.oversight.rollup`), so the dashboard sums at most a row per day, service and
    metric instead of scanning the applications of the period."""

    day = DateField()
    service = CharField(max_length=60)
    metric = CharField(max_length=20)
    value = IntegerField(default=0)

    class Meta:
        indexes = ((("day", "service", "metric"), True),)


ALL_MODELS += [ServiceTarget, Reminder, DigestItem, DigestSent, DailyCount]
