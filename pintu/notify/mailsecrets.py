"""Secret parts of e-mails (one-time links) that no stored copy and no admin page may show.

A mail carrying a secret is stored with :data:`REDACTED` where the secret goes
(``queue_mail(..., secret=link)`` in :mod:`pintu.notify.notifications`).  The secret
itself is kept in :class:`~pintu.data.models.MailSecret`, encrypted with Fernet
(``cryptography``) under a key derived from ``SECRET_KEY``, so a database dump
or backup is useless without the key, while any process of the deployment (an
RQ worker too) can still put it back at delivery.  It is erased as soon as the
mail is sent and when it expires; what stays is a keyed hash (:func:`redact`
uses it to hide the secret in a delivered copy shown to an administrator).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from pintu.data.db import prepared
from pintu.data.models import MailSecret, OutgoingMail, utcnow
from pintu.data.pagedata import instance

#: What stored bodies and admin pages show instead of a secret.
REDACTED = "[tautan rahasia disembunyikan]"


class SecretUnavailable(Exception):
    """The secret of a mail has expired or was erased: the mail can no longer be delivered."""


def _derive(purpose: bytes) -> bytes:
    secret_key = current_app.config["SECRET_KEY"]
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pintu " + purpose).derive(secret_key)


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"mail-secret-encryption")))


def digest(secret: str, key: bytes | None = None) -> str:
    return hmac.new(key or _derive(b"mail-secret-digest"), secret.encode(), hashlib.sha256).hexdigest()


def check_body(body: str, secret: str) -> None:
    """A secret must be one word (no spaces) and the body must hold :data:`REDACTED` as a word of its own,
    so that the secret, once put back, can be recognised and hidden again by :func:`redact`."""
    if not secret or re.search(r"\s", secret):
        raise ValueError("a mail secret must be a non-empty word without spaces")
    if not _PLACEHOLDER.search(body):
        raise ValueError("the body of a mail with a secret must contain mailsecrets.REDACTED on its own")


#: The placeholder standing alone (between spaces or line ends), where the secret is put back.
_PLACEHOLDER = re.compile(r"(?<!\S)" + re.escape(REDACTED) + r"(?!\S)")


def attach(mail_id: int, secret: str, hours: float) -> None:
    """Keep ``secret`` for the stored mail ``mail_id`` (whose body holds :data:`REDACTED`) for ``hours``."""
    MailSecret.create(mail=mail_id, sealed=_fernet().encrypt(secret.encode()).decode(), digest=digest(secret),
                      expires_at=utcnow() + dt.timedelta(hours=hours))


def body_to_send(mail: OutgoingMail) -> str:
    """The body to deliver: the stored body with the secret put back, if the mail has one.

    Raises :class:`SecretUnavailable` when the secret has expired or was already erased.
    """
    found = prepared("mailsecrets.of_mail", lambda i: MailSecret.select().where(MailSecret.mail == i),
                     mail.id).fetchone()
    if found is None:
        return mail.body
    row = instance(MailSecret, MailSecret._meta.sorted_fields, found)
    if row.sealed is None or row.expires_at < utcnow():
        forget(mail.id)
        raise SecretUnavailable("tautan rahasia e-mail ini sudah kedaluwarsa atau dihapus; e-mail tidak dikirim")
    try:
        secret = _fernet().decrypt(row.sealed.encode()).decode()
    except InvalidToken as exc:  # SECRET_KEY changed since the mail was queued
        raise SecretUnavailable("tautan rahasia tidak dapat dibuka (SECRET_KEY berubah)") from exc
    return _PLACEHOLDER.sub(lambda m: secret, mail.body)


def forget(mail_id: int) -> None:
    """Erase the secret of ``mail_id`` (after delivery, or when it expired)."""
    prepared("mailsecrets.forget", lambda sealed, i: MailSecret.update(sealed=sealed).where(
        MailSecret.mail == i, MailSecret.sealed.is_null(False)), None, mail_id)


def purge_expired() -> int:
    """Erase every expired secret; returns how many."""
    # Run with every mail queued, inside the engine's write transaction: its SQL is written once.
    return prepared("mailsecrets.purge", lambda sealed, now: MailSecret.update(sealed=sealed).where(
        MailSecret.expires_at < now, MailSecret.sealed.is_null(False)), None, utcnow()).rowcount


def redact(text: str) -> str:
    """``text`` (a delivered copy) with every secret PINTU ever put in a mail replaced by :data:`REDACTED`.

    Each word of the text is hashed with the digest key and looked up among the stored digests.
    """
    key = _derive(b"mail-secret-digest")
    parts = re.split(r"(\s+)", text)
    digests = {i: digest(p, key) for i, p in enumerate(parts) if p and not p.isspace()}
    if not digests:
        return text
    known = {row.digest for row in MailSecret.select(MailSecret.digest)
             .where(MailSecret.digest.in_(list(set(digests.values()))))}
    return "".join(REDACTED if digests.get(i) in known else p for i, p in enumerate(parts))
