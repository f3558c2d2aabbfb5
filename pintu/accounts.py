"""Accounts: registration, passwords, login throttling, sessions and password reset."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from .models import LoginAttempt, Membership, PasswordResetToken, Unit, User, utcnow

# A hash to compare against when the account does not exist, so both paths cost the same.
_DUMMY_HASH: dict[str, str] = {}

NIP_RE = re.compile(r"^\d{18}$")
NIK_RE = re.compile(r"^\d{16}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{8,20}$")


def id_number_error(value: str) -> str | None:
    """Message for an invalid NIP/NIK, or None.  NIP: 18 digits; NIK: 16 digits."""
    value = (value or "").replace(" ", "")
    if not value:
        return None
    if not value.isdigit():
        return "NIP/NIK hanya boleh berisi angka."
    if NIP_RE.match(value):
        year, month = int(value[0:4]), int(value[4:6])
        if not (1940 <= year <= dt.date.today().year and 1 <= month <= 12):
            return "NIP tidak valid: 8 digit pertama harus tanggal lahir (TTTTBBHH)."
        return None
    if NIK_RE.match(value):
        day = int(value[6:8])
        day = day - 40 if day > 40 else day  # women: day of birth + 40
        if not (1 <= day <= 31 and 1 <= int(value[8:10]) <= 12):
            return "NIK tidak valid: digit ke-7 sampai ke-12 harus tanggal lahir (HHBBTT)."
        return None
    return "NIP harus 18 digit atau NIK 16 digit."


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(email: str, name: str, password: str, *, phone: str = "", category: str = "masyarakat",
                id_number: str = "") -> User:
    return User.create(email=normalise_email(email), name=name.strip(), phone=phone.strip(), category=category,
                       id_number=id_number.replace(" ", ""), password_hash=hash_password(password),
                       session_token=secrets.token_hex(16))


def grant(user: User, role: str, unit_key: str | None = None) -> Membership:
    unit = Unit.get(Unit.key == unit_key) if unit_key else None
    membership, _ = Membership.get_or_create(user=user, role=role, unit=unit)
    user.__dict__.pop("_memberships", None)
    return membership


def load_user(user_id: str) -> User | None:
    """flask-login loader: the id carries the session token, so rotated tokens end old sessions."""
    try:
        uid, token = user_id.split(":", 1)
        user = User.get_or_none(User.id == int(uid))
    except (ValueError, TypeError):
        return None
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_other_sessions(user: User) -> None:
    user.session_token = secrets.token_hex(16)
    User.update(session_token=user.session_token).where(User.id == user.id).execute()


def set_password(user: User, password: str) -> None:
    """New password: other sessions end and every outstanding reset link stops working."""
    user.password_hash = hash_password(password)
    user.session_token = secrets.token_hex(16)
    user.save()
    (PasswordResetToken.update(used_at=utcnow())
     .where(PasswordResetToken.user == user, PasswordResetToken.used_at.is_null()).execute())



def authenticate(email: str, password: str, ip: str) -> User | None:
    """The user if the credentials are right and the login is not throttled, else None.

    Throttling counts failures per e-mail and per address; the caller shows
    the same message for every failure, whether the account exists or not.
    """
    email = normalise_email(email)
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    # Counting per address too would let one office's NAT lock out a campus; count per e-mail
    # always, per address only at 4x the limit.
    since = utcnow() - dt.timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    by_email = LoginAttempt.select().where(LoginAttempt.email == email, LoginAttempt.created_at > since).count()
    by_ip = LoginAttempt.select().where(LoginAttempt.ip == ip, LoginAttempt.created_at > since).count()
    if by_email >= limit or by_ip >= 4 * limit:
        return None
    user = User.get_or_none(User.email == email)
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH[method], password or "")
    if user is None or not ok or not user.is_active:
        LoginAttempt.create(email=email, ip=ip)
        return None
    LoginAttempt.delete().where(LoginAttempt.email == email).execute()
    return user


def create_reset_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    PasswordResetToken.create(user=user, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                              expires_at=utcnow() + dt.timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"]))
    return token


def use_reset_token(token: str) -> User | None:
    """The user of a valid, unused, unexpired token (marking it used), else None."""
    row = PasswordResetToken.get_or_none(PasswordResetToken.token_hash == hashlib.sha256(token.encode()).hexdigest())
    if row is None or row.used_at or row.expires_at < utcnow():
        return None
    return row.user


def consume_reset_token(token: str) -> None:
    (PasswordResetToken.update(used_at=utcnow())
     .where(PasswordResetToken.token_hash == hashlib.sha256(token.encode()).hexdigest()).execute())
