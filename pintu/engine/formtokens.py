"""One-time form tokens: every applicant write is idempotent.

Each applicant form (apply, fix, step action, cancel, message) carries a hidden field
``form_token`` with a fresh random token.  The write that carries it calls :func:`claim` as the
*first* statement of its transaction: the unique index on :class:`~pintu.data.models.FormToken` lets
only one of two requests with the same token commit.  On PostgreSQL the second insert waits for
the first transaction and then fails; on SQLite the second writer waits for the write lock and
then fails (its transaction has read nothing yet, so it may wait).  The loser's transaction rolls
back whole (no second application, event or mail) and the view answers with the winner's result,
found by :func:`used`.

Tokens are random, not signed: they protect against repeats, not against forgery (CSRF does that).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from peewee import IntegrityError

from pintu.data.db import database
from pintu.data.models import Application, FormToken, User, utcnow

FIELD = "form_token"
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class Replayed(Exception):
    """The token was used by an earlier (or concurrent, committed) write."""


def issue() -> str:
    return secrets.token_urlsafe(24)


def valid(token: str | None) -> bool:
    return bool(token) and bool(_SHAPE.match(token))


def used(token: str, user: User) -> FormToken | None:
    """The row of an earlier write with ``token`` by ``user``, or None.

    A token used by somebody else counts as used too (the caller answers with a plain error)."""
    return FormToken.get_or_none(FormToken.token == token)


def claim(token: str | None, user: User, application: Application | None = None) -> FormToken | None:
    """Record ``token`` inside the caller's transaction (call it before any other statement).

    Raises :class:`Replayed` when another write already used it.  ``None`` (callers outside
    the web forms: demo data, plugins' scripts) claims nothing."""
    if token is None:
        return None
    try:
        with database.atomic():  # a savepoint, so the error leaves the outer transaction usable
            return FormToken.create(token=token, user=user, application=application)
    except IntegrityError as exc:
        raise Replayed(token) from exc


def bind(row: FormToken | None, application: Application) -> None:
    """Point a claimed token at the application its write created."""
    if row is not None and row.application_id != application.id:
        FormToken.update(application=application).where(FormToken.id == row.id).execute()


def sweep(older_than: dt.timedelta) -> int:
    """Forget tokens older than ``older_than`` (a repeat after that is a new request)."""
    return FormToken.delete().where(FormToken.created_at < utcnow() - older_than).execute()
