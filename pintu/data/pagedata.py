"""The application page's data in one query, whatever the application's history.

The page shows the application, its applicant and assignee, the units' names, and six lists: files, events (with
who acted), messages (with their authors), dispositions (with their units), issued documents and
the links sent to parties outside the office.  Read one query each, that was seven statements
per view, and peewee rebuilt every wide SELECT on each request (a third of the page's time).

:func:`load` reads it all with ONE statement: each list comes back as a JSON array that the
database builds in a column of the application's row (SQLite's ``json_group_array``,
PostgreSQL's ``json_agg``), and the SQL text is written once per process and database kind.
The lists are remembered on the application object (``_uploads``, ``_events``, ...); the
accessors below (:func:`uploads_of`, :func:`events_of`, ...) return them, or query the one list
when the object was read some other way, so every caller works with either.

peewee's ``prefetch()`` would cost one query per list, and joining the lists in one SELECT
would multiply their rows; hence this small hand-written loader.
"""

from __future__ import annotations

import datetime as dt
import json

from peewee import (AutoField, BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from pintu.data.db import database, is_sqlite
from pintu.data.models import (Application, Disposition, Event, ExternalLink, IssuedDocument, Message, SurveyResponse,
                               Unit, Upload, User)

#: (attribute on the application, model, joined model or None, the joined model's fields, FK to it)
LISTS = (
    ("_uploads", Upload, None, (), None),
    ("_events", Event, User, ("id", "name"), "actor"),
    ("_messages", Message, User, ("id", "name"), "author"),
    ("_dispositions", Disposition, Unit, ("id", "key", "name", "head_id"), "unit"),
    ("_documents", IssuedDocument, None, (), None),
    ("_external_links", ExternalLink, None, (), None),
)
ATTRS = tuple(name for name, *_ in LISTS)

_SQL: dict[tuple[str, bool], str] = {}  # (database kind, with the lists) -> statement


def _q(name: str) -> str:
    return f'"{name}"'


def _columns(model) -> list:
    return model._meta.sorted_fields  # the model's own list (read, never changed): instance() knows it by identity


def _sql(lists: bool) -> str:
    """The statement (parameter: the application id), written once per process and database kind;
    without ``lists``: the application and its applicant only."""
    sqlite = is_sqlite()
    kind = "sqlite" if sqlite else "postgresql"
    sql = _SQL.get((kind, lists))
    if sql is not None:
        return sql
    agg, arr = ("json_group_array", "json_array") if sqlite else ("json_agg", "json_build_array")
    app_t = _q(Application._meta.table_name)
    user_t = _q(User._meta.table_name)
    select = [f"a.{_q(f.column_name)}" for f in _columns(Application)]
    select += [f"p.{_q(f.column_name)}" for f in _columns(User)]
    select += [f"s.{_q('name')}"] if lists else []
    for _, model, joined, joined_fields, fk in (LISTS if lists else ()):
        table = _q(model._meta.table_name)
        cols = [f"c.{_q(f.column_name)}" for f in _columns(model)]
        join = ""
        if joined is not None:
            cols += [f"j.{_q(joined._meta.fields[n].column_name)}" for n in joined_fields]
            join = (f" LEFT JOIN {_q(joined._meta.table_name)} AS j"
                    f" ON j.{_q('id')} = c.{_q(model._meta.fields[fk].column_name)}")
        select.append(f"(SELECT {agg}({arr}({', '.join(cols)})) FROM {table} AS c{join}"
                      f" WHERE c.{_q('application_id')} = a.{_q('id')})")
    if lists:
        unit_t = _q(Unit._meta.table_name)
        select.append(f"(SELECT {agg}({arr}(u.{_q('key')}, u.{_q('name')})) FROM {unit_t} AS u)")  # a few dozen
        select.append(f"(SELECT COUNT(*) FROM {_q(SurveyResponse._meta.table_name)} AS r"
                      f" WHERE r.{_q('application_id')} = a.{_q('id')})")
    sql = (f"SELECT {', '.join(select)} FROM {app_t} AS a JOIN {user_t} AS p ON p.{_q('id')} = a.{_q('applicant_id')}"
           + (f" LEFT JOIN {user_t} AS s ON s.{_q('id')} = a.{_q('assignee_id')}" if lists else "")
           + f" WHERE a.{_q('id')} = {database.param}")
    _SQL[(kind, lists)] = sql
    return sql


def _converter(field):
    """How a column's value from the row or from JSON becomes its Python value (None: as it is).
    PostgreSQL's JSON writes timestamps with a "T"; SQLite keeps booleans as 0/1.  Stored
    timestamps and dates are ISO text: read by ``fromisoformat`` (C) first, as peewee itself
    does, without its layers of calls (a page reads dozens); anything else goes to peewee."""
    if isinstance(field, DateTimeField):
        def datetime_value(v):
            if isinstance(v, str):
                try:
                    return dt.datetime.fromisoformat(v)  # "2026-11-23 07:30:00.123456" or with a "T"
                except ValueError:
                    return field.python_value(v.replace("T", " "))
            return field.python_value(v)
        return datetime_value
    if isinstance(field, DateField):
        def date_value(v):
            if isinstance(v, str):
                try:
                    return dt.date.fromisoformat(v[:10])
                except ValueError:
                    return field.python_value(v[:10])
            return field.python_value(v)
        return date_value
    if isinstance(field, BooleanField):
        return bool
    if isinstance(field, (CharField, IntegerField, AutoField)) or type(field) is TextField or (
            isinstance(field, ForeignKeyField) and isinstance(field.rel_field, (IntegerField, AutoField))):
        return None  # str and int arrive as they are (not JSONField, a TextField that decodes)
    return field.python_value


_CONVERTERS: dict = {}


def instance(model, fields, values):
    """A model object as peewee builds one from a row of ``fields`` (or their JSON): no defaults,
    nothing dirty."""
    # Every column of the model (``_meta.sorted_fields`` itself) is known by the model alone: hashing
    # a tuple of fields calls peewee's Field.__hash__ for each (a tenth of the page's data reading).
    key = model if fields is model._meta.sorted_fields else (model, *fields)
    found = _CONVERTERS.get(key)
    if found is None:
        converters = [(f.name, convert) for f in fields if (convert := _converter(f)) is not None]
        found = _CONVERTERS[key] = ([f.name for f in fields], converters)
    names, converters = found
    data = dict(zip(names, values))  # built in C; then only the few columns that need converting
    for name, convert in converters:
        value = data.get(name)
        if value is not None:
            data[name] = convert(value)
    obj = model(__no_default__=True)
    obj.__data__ = data
    obj._dirty = set()
    return obj


def load(app_id: int, lists: bool = True) -> Application | None:
    """The application with its applicant, assignee (id and name) and every list of its page: one
    query.  Without ``lists``: the application and its applicant (what every view showing an
    application needs; the lists are then read when asked for)."""
    row = database.execute_sql(_sql(lists), (app_id,)).fetchone()
    if row is None:
        return None
    app_fields, user_fields = _columns(Application), _columns(User)
    application = instance(Application, app_fields, row[:len(app_fields)])
    at = len(app_fields)
    applicant = instance(User, user_fields, row[at:at + len(user_fields)])
    at += len(user_fields)
    application.__rel__["applicant"] = applicant
    if not lists:
        return application
    if application.assignee_id is not None:
        application.__rel__["assignee"] = User(id=application.assignee_id, name=row[at])
        application.assignee._dirty = set()
    at += 1
    for (attr, model, joined, joined_fields, fk), raw in zip(LISTS, row[at:at + len(LISTS)]):
        items = json.loads(raw) if isinstance(raw, str) else (raw or [])
        fields = _columns(model)
        rel_fields = _joined_fields(joined, joined_fields) if joined is not None else ()
        objects = []
        for values in items:
            obj = instance(model, fields, values[:len(fields)])
            if joined is not None:
                rel = values[len(fields):]
                if rel[0] is not None:
                    obj.__rel__[fk] = instance(joined, rel_fields, rel)
            obj.__rel__["application"] = application
            objects.append(obj)
        objects.sort(key=lambda o: o.id)
        setattr(application, attr, objects)
    at += len(LISTS)
    units = row[at]
    application._unit_names = dict(json.loads(units) if isinstance(units, str) else (units or []))
    application._survey_answered = bool(row[at + 1])
    uploads = {u.id: u for u in application._uploads}
    for message in application._messages:  # a message's attachment is one of the application's files
        if message.attachment_id in uploads:
            message.__rel__["attachment"] = uploads[message.attachment_id]
    return application


_JOINED: dict[tuple, tuple] = {}


def _joined_fields(model, names) -> tuple:
    """The fields ``names`` of ``model``, the same tuple every time."""
    key = (model, names)
    fields = _JOINED.get(key)
    if fields is None:
        fields = _JOINED[key] = tuple(model._meta.fields[n] for n in names)
    return fields


def loaded(application: Application) -> bool:
    return all(hasattr(application, attr) for attr in ATTRS)


# ---------------------------------------------------------------------------
# The lists, prefetched or read now
# ---------------------------------------------------------------------------

def uploads_of(application: Application) -> list[Upload]:
    """Every file of ``application`` (superseded and message attachments included), oldest first."""
    cached = getattr(application, "_uploads", None)
    return cached if cached is not None else list(application.uploads.order_by(Upload.id))


def events_of(application: Application) -> list[Event]:
    """Every event with its actor (``event.actor``: id and name at least), oldest first."""
    cached = getattr(application, "_events", None)
    if cached is None:
        cached = list(Event.select(Event, User).join(User).where(Event.application == application.id)
                      .order_by(Event.id))
    return cached


def messages_of(application: Application) -> list[Message]:
    """Every message with its author, oldest first (internal notes included)."""
    cached = getattr(application, "_messages", None)
    if cached is None:
        cached = list(Message.select(Message, User).join(User, on=(Message.author == User.id))
                      .where(Message.application == application.id).order_by(Message.id))
    return cached


def documents_of(application: Application) -> list[IssuedDocument] | None:
    """The issued documents, oldest first, when prefetched; else None (the caller queries)."""
    return getattr(application, "_documents", None)


def external_links_of(application: Application) -> list[ExternalLink] | None:
    """The links to parties outside the office, oldest first, when prefetched; else None."""
    return getattr(application, "_external_links", None)


def survey_answered(application: Application) -> bool | None:
    """Whether the applicant answered the satisfaction survey, when prefetched; else None."""
    return getattr(application, "_survey_answered", None)


def unit_names(application: Application) -> dict[str, str] | None:
    """Unit key -> name of every unit, when prefetched; else None."""
    return getattr(application, "_unit_names", None)


def latest(events, kind: str):
    """The latest of ``events`` of ``kind``, or None."""
    return next((e for e in reversed(events) if e.kind == kind), None)


__all__ = ["load", "instance", "loaded", "uploads_of", "events_of", "messages_of", "documents_of", "external_links_of",
           "survey_answered", "unit_names", "latest"]
