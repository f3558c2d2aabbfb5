"""Account access proven by a link in the mailbox: e-mail verification at registration and password reset.

Both flows answer the same whether or not an account exists for the address, and do the same work
either way (hash, token, one mail queued through :func:`pintu.notify.notifications.queue_mail`), so neither
the page nor its timing tells an outsider which addresses are registered.  What differs is only the
mail, which reaches the owner of the mailbox alone.  Every link is a secret of its mail: stored
redacted, encrypted until delivery (:mod:`pintu.notify.mailsecrets`), built on ``BASE_URL`` (never on the
request's Host header).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app, render_template
from peewee import IntegrityError

from pintu.notify import notifications
from pintu.people import accounts, ratelimit
from pintu.data.db import write_transaction
from pintu.notify.mailsecrets import REDACTED
from pintu.data.models import EmailVerification, PasswordResetToken, User, utcnow

ACCOUNT_MAIL_SCOPE = "account-mail"  # reset/registration mails per recipient address


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _mail_allowed(email: str) -> bool:
    """At most ``RATE_LIMIT_ACCOUNT_MAIL`` account mails to one address (nobody floods someone's mailbox)."""
    limit = ratelimit.Limit.from_config("RATE_LIMIT_ACCOUNT_MAIL")
    return ratelimit.take(ACCOUNT_MAIL_SCOPE, email, limit) == 0


def _send(to: str, subject: str, template: str, *, secret: str | None = None, hours: float = 24,
          **context) -> None:
    body = render_template(template, link=REDACTED, **context)
    mail_id = notifications.queue_mail(to, subject, body, secret=secret, secret_hours=hours)
    notifications.dispatch([mail_id])


def request_password_reset(email: str) -> None:
    """Mail a one-time reset link to an active account, or a "no account here" notice otherwise."""
    email = accounts.normalise_email(email)
    if not _mail_allowed(email):
        return
    user = User.get_or_none(User.email == email)
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    if user is not None and user.is_active:
        token = accounts.create_reset_token(user)
        _send(email, "[PINTU] Atur ulang kata sandi", "email/reset.txt", user=user, hours=hours,
              secret=notifications.base_url_for("auth.reset", token=token))
    else:
        # The same work as above (a token-sized write, a sealed link, one mail): the registration link
        # is handled as a secret too, so both answers cost the same and the admin outbox looks alike.
        PasswordResetToken.delete().where(PasswordResetToken.expires_at < utcnow() - dt.timedelta(days=1)).execute()
        _send(email, "[PINTU] Atur ulang kata sandi", "email/reset_no_account.txt", email=email, hours=hours,
              secret=notifications.base_url_for("auth.register"))


def send_set_password(user: User) -> None:
    """Mail ``user`` a one-time link to set a password (an account claimed at the counter, see
    :mod:`pintu.oversight.loket`); the reset link, valid ``PASSWORD_RESET_HOURS``."""
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    token = accounts.create_reset_token(user)
    _send(user.email, "[PINTU] Atur kata sandi akun Anda", "email/claim.txt", user=user, hours=hours,
          secret=notifications.base_url_for("auth.reset", token=token))


def register(*, email: str, name: str, password: str, phone: str = "", category: str = "masyarakat",
             id_number: str = "") -> None:
    """Start a registration: a verification link to a new address, a notice to a registered one.

    No account exists until the link is opened (:func:`verify`); the pending registration keeps
    its own data (password hash included), so a later registration of the same address by
    somebody else cannot change what the owner's link creates.
    """
    email = accounts.normalise_email(email)
    password_hash = accounts.hash_password(password)  # on both paths: the same cost
    if not _mail_allowed(email):
        return
    user = User.get_or_none(User.email == email)
    if user is None:
        token = secrets.token_urlsafe(32)
        hours = current_app.config["EMAIL_VERIFICATION_HOURS"]
        EmailVerification.delete().where(EmailVerification.expires_at < utcnow()).execute()
        EmailVerification.create(token_hash=_hash(token), email=email, name=name.strip(), phone=phone.strip(),
                                 category=category, id_number=accounts.clean_id_number(id_number),
                                 password_hash=password_hash, expires_at=utcnow() + dt.timedelta(hours=hours))
        _send(email, "[PINTU] Konfirmasi alamat e-mail", "email/verify.txt", name=name.strip(), hours=hours,
              secret=notifications.base_url_for("auth.verify_email", token=token))
    elif user.is_active:
        token = accounts.create_reset_token(user)
        _send(email, "[PINTU] Pendaftaran dengan alamat e-mail Anda", "email/already_registered.txt", user=user,
              hours=current_app.config["PASSWORD_RESET_HOURS"], login_link=notifications.base_url_for("auth.login"),
              secret=notifications.base_url_for("auth.reset", token=token))
    else:  # a deactivated account: no reset link, only where to turn
        _send(email, "[PINTU] Pendaftaran dengan alamat e-mail Anda", "email/already_registered_inactive.txt",
              user=user)


@dataclass
class Verified:
    user: User
    id_number_dropped: bool = False  # the NIP/NIK was taken by another account in the meantime


def verify(token: str) -> Verified | None:
    """Create the account of the pending registration behind ``token``; None if the link is not valid
    (unknown, expired, or the address got an account through another link)."""
    row = EmailVerification.get_or_none(EmailVerification.token_hash == _hash(token))
    if row is None or row.expires_at < utcnow():
        return None
    if User.get_or_none(User.email == row.email) is not None:
        EmailVerification.delete().where(EmailVerification.email == row.email).execute()
        return None
    dropped = accounts.id_number_taken(row.id_number)
    try:
        with write_transaction():
            user = User.create(email=row.email, name=row.name, phone=row.phone, category=row.category,
                               id_number="" if dropped else row.id_number, password_hash=row.password_hash,
                               session_token=secrets.token_hex(16))
    except IntegrityError:  # the same address verified by a concurrent request
        return None
    EmailVerification.delete().where(EmailVerification.email == row.email).execute()
    return Verified(user, dropped)
