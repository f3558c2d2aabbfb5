"""The audit trail: an append-only record of who saw or changed what, when and from where.

One call for the core and plugins alike::

    from pintu import audit
    audit.record("upload.download", upload)                 # object: a model instance
    audit.record("role.grant", user, role="verifikator", unit="akademik")
    audit.record("export.csv", ("report", "bulanan"), rows=120)

The actor, the client address (``request.remote_addr``, which is the proxy-aware one when
the app runs behind a configured ProxyFix) and the user agent are taken from the request.

**Surviving a rollback.**  Inside a request, entries are kept aside and written after the
request finished (``teardown_request``), in their own transaction: an entry recorded in a
transaction that later rolls back, or in a request that ends in an error, is still written.
Outside a request (CLI, workers) the entry is written at once, in its own transaction; call
it after your own transaction committed.

**Append-only.**  The model refuses updates and deletes, and database triggers (created by the
migration step ``pintu/data/migrations/core/0001_initial.py``) refuse them for every client (SQLite
and PostgreSQL).

**Nothing secret.**  Details are masked before they are stored: values of keys that look like
passwords, tokens or secrets become ``***``; digit runs of 15 or more (NIK, NIP, account
numbers), spaced or not, keep only their last four digits.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, g, has_request_context, request

from pintu.data.db import database, prepared, write_transaction
from pintu.data.models import AuditEntry, utcnow

_SECRET_KEY = re.compile(r"pass|sandi|token|secret|rahasia|csrf|otp|key", re.I)
_SECRET_IN_TEXT = re.compile(r"((?:token|password|sandi|secret)=)[^&\s]+", re.I)
_LONG_NUMBER = re.compile(r"\d(?:[ .-]?\d){14,}")

MAX_TEXT = 500


def _mask_number(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_text(value: str) -> str:
    """``value`` with secrets in query strings and long numbers (NIK/NIP) masked."""
    value = _SECRET_IN_TEXT.sub(r"\1***", value)
    return _LONG_NUMBER.sub(_mask_number, value)[:MAX_TEXT]


def mask(value: Any, key: str = "") -> Any:
    """A copy of ``value`` (nested dicts/lists included) safe to store in the log."""
    if key and _SECRET_KEY.search(key):
        return "***"
    if isinstance(value, dict):
        return {str(k): mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [mask(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= 15:
            return mask_text(str(value))
        return value
    return mask_text(str(value))


def _describe(obj) -> tuple[str, str, str]:
    """(type, id, label) of the audited object."""
    if obj is None:
        return "", "", ""
    if isinstance(obj, tuple):
        kind, ident = obj[0], obj[1]
        label = obj[2] if len(obj) > 2 else ""
        return str(kind), str(ident), str(label)
    if isinstance(obj, str):
        return obj, "", ""
    meta = getattr(obj, "_meta", None)
    kind = meta.table_name if meta is not None else type(obj).__name__.lower()
    label = ""
    for attr in ("reference", "original_name", "email", "key", "name"):
        value = getattr(obj, attr, None)
        if value:
            label = str(value)
            break
    return kind, str(getattr(obj, "id", "") or ""), label


def _current_actor():
    try:
        from flask_login import current_user

        user = current_user._get_current_object()
    except Exception:  # noqa: BLE001 - no login manager / no request
        return None
    return user if getattr(user, "is_authenticated", False) and getattr(user, "id", None) else None


def record(action: str, obj=None, *, actor=None, **details) -> None:
    """Record ``action`` on ``obj`` (a model instance, ``(type, id[, label])``, a string or None).

    ``actor`` defaults to the logged-in user; ``details`` are stored masked (see the module doc).
    """
    kind, ident, label = _describe(obj)
    actor = actor if actor is not None else (_current_actor() if has_request_context() else None)
    row = {
        "action": action[:60], "object_type": kind[:40], "object_id": ident[:40],
        "object_label": mask_text(label)[:200], "details": mask(details),
        "actor_id": getattr(actor, "id", None), "actor_email": (getattr(actor, "email", "") or "")[:254],
        "ip": "", "user_agent": "",
    }
    if has_request_context():
        row["ip"] = (request.remote_addr or "")[:64]
        row["user_agent"] = mask_text(request.headers.get("User-Agent", ""))[:255]
        g.setdefault("_audit_pending", []).append(row)
    else:
        _write([row])


def _write(rows: list[dict]) -> None:
    from peewee import Value

    now = utcnow()
    fields = [f for f in AuditEntry._meta.sorted_fields if f.name != "id"]
    database.connect(reuse_if_open=True)
    with write_transaction():
        # One entry per staff view of an application: the INSERT's SQL is written once per process.
        for row in rows:
            row.setdefault("created_at", now)
            values = [f.db_value(row[f.name] if f.name in row else (f.default() if callable(f.default) else f.default))
                      for f in fields]
            prepared("audit.insert", lambda *v: AuditEntry.insert(
                {f: Value(x, unpack=False) for f, x in zip(fields, v)}), *values)


def flush(exc=None) -> None:
    """Write the entries kept aside during the request (``teardown_request``: runs after errors too)."""
    rows = g.pop("_audit_pending", None)
    if not rows:
        return
    try:
        if database.in_transaction():  # a transaction left open by a failed request: end it first
            database.rollback()
        _write(rows)
    except Exception:  # noqa: BLE001 - the log must never turn a response into an error
        current_app.logger.exception("audit: %d entries could not be written: %s", len(rows),
                                     [r["action"] for r in rows])


def init_app(app) -> None:
    # Registered before the database teardown (``teardown_appcontext``) closes the connection.
    app.teardown_request(flush)
