"""Accounts: registration, passwords, login throttling, sessions and password reset."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from peewee import JOIN, fn

from pintu.people import ratelimit
from pintu.data.db import database
from pintu.data.models import Membership, Notification, PasswordResetToken, Unit, User, utcnow

LOGIN_EMAIL_SCOPE = "login-email"  # failed logins per e-mail
LOGIN_UNKNOWN_SCOPE = "login-unknown"  # failed logins for unknown e-mails per client address

# A hash to compare against when the account does not exist, so both paths cost the same.
_DUMMY_HASH: dict[str, str] = {}

NIP_RE = re.compile(r"^\d{18}$")
NIK_RE = re.compile(r"^\d{16}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{8,20}$")


def id_number_error(value: str) -> str | None:
    """Message for an invalid NIP/NIK, or None.  NIP: 18 digits; NIK: 16 digits."""
    value = clean_id_number(value)
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


def clean_id_number(value: str | None) -> str:
    return (value or "").replace(" ", "")


def id_number_taken(id_number: str, except_user: User | None = None) -> bool:
    """Whether another account already holds this NIP/NIK (one account per person)."""
    id_number = clean_id_number(id_number)
    if not id_number:
        return False
    query = User.select().where(User.id_number == id_number)
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return query.exists()


ID_NUMBER_TAKEN = ("NIP/NIK ini sudah terdaftar pada akun lain. Satu NIP/NIK hanya untuk satu akun; jika ini "
                   "NIP/NIK Anda, masuk dengan akun lama Anda atau hubungi petugas ULT.")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


#: Domain of the placeholder address of an account made at the counter without an e-mail
#: (:mod:`pintu.oversight.loket`; ``.invalid`` is reserved by RFC 2606, so it never reaches anyone).
NO_EMAIL_DOMAIN = "tanpa-email.invalid"


def has_email(user: User) -> bool:
    """False for an account made at the counter without an e-mail: nothing is mailed to it."""
    return not (user.email or "").endswith("@" + NO_EMAIL_DOMAIN)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def create_user(email: str, name: str, password: str, *, phone: str = "", category: str = "masyarakat",
                id_number: str = "") -> User:
    return User.create(email=normalise_email(email), name=name.strip(), phone=phone.strip(), category=category,
                       id_number=clean_id_number(id_number), password_hash=hash_password(password),
                       session_token=secrets.token_hex(16))


def grant(user: User, role: str, unit_key: str | None = None) -> Membership:
    unit = Unit.get(Unit.key == unit_key) if unit_key else None
    membership, _ = Membership.get_or_create(user=user, role=role, unit=unit)
    user.__dict__.pop("_memberships", None)
    return membership


_LOAD_USER_SQL: dict[tuple, str] = {}


def _load_user_sql() -> str:
    """The statement of :func:`load_user` (one parameter: the user id), built once per backend:
    peewee took ten times longer to build it than the database to run it, on every request."""
    key = (database.param, database.quote)
    if key not in _LOAD_USER_SQL:
        unread = (Notification.select(fn.COUNT(Notification.id))
                  .where(Notification.user == User.id, Notification.read_at.is_null()))
        sql, params = (User.select(User, Membership.id, Membership.role, Unit.id, Unit.key, Unit.name,
                                   unread.alias("unread_count"))
                       .join(Membership, JOIN.LEFT_OUTER, on=(Membership.user == User.id))
                       .join(Unit, JOIN.LEFT_OUTER, on=(Membership.unit == Unit.id))
                       .where(User.id == 0).sql())
        assert params == [0], params  # the user id is the only parameter
        _LOAD_USER_SQL[key] = sql
    return _LOAD_USER_SQL[key]


def load_user(user_id: str) -> User | None:
    """flask-login loader: the id carries the session token, so rotated tokens end old sessions.

    Every page needs the user, their roles (menus, access checks) and the unread badge: one query
    fetches all three (the user LEFT JOINed to their memberships and units, the unread count as a
    scalar subquery), so they cost one round trip per request instead of three.
    """
    try:
        uid, token = user_id.split(":", 1)
        uid = int(uid)
    except (ValueError, TypeError):
        return None
    rows = database.execute_sql(_load_user_sql(), [uid]).fetchall()
    if not rows:
        return None
    n_user = len(User._meta.sorted_fields)
    user = User(**dict(zip([f.name for f in User._meta.sorted_fields], rows[0][:n_user])))
    user._dirty.clear()
    if not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    memberships = []
    for row in rows:
        membership_id, role, unit_id, unit_key, unit_name, _unread = row[n_user:]
        if membership_id is None:
            continue
        unit = Unit(id=unit_id, key=unit_key, name=unit_name) if unit_id is not None else None
        memberships.append(Membership(id=membership_id, user=user, role=role, unit=unit))
    user._memberships = memberships
    user._unread_count = rows[0][-1] or 0
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
    ratelimit.clear(LOGIN_EMAIL_SCOPE, user.email)  # the owner got back in: no more waiting



@dataclass
class LoginResult:
    """What :func:`authenticate` decided: ``user`` on success; otherwise ``wait`` seconds > 0 when the
    attempt was refused without checking the password (``by_address``: the client address is limited)."""

    user: User | None = None
    wait: int = 0
    by_address: bool = False


def login_backoff(failures: int) -> int:
    """Seconds to wait after the last of ``failures`` failed logins for one e-mail (0: none).

    ``LOGIN_MAX_FAILURES`` failures are free; then ``LOGIN_BACKOFF_SECONDS``, doubling with each
    further failure, up to ``LOGIN_BACKOFF_MAX_SECONDS``.
    """
    cfg = current_app.config
    over = failures - int(cfg["LOGIN_MAX_FAILURES"])
    if over < 0:
        return 0
    return int(min(int(cfg["LOGIN_BACKOFF_SECONDS"]) * 2 ** min(over, 30), int(cfg["LOGIN_BACKOFF_MAX_SECONDS"])))


def authenticate(email: str, password: str, ip: str) -> LoginResult:
    """Check the credentials unless the e-mail or the address must wait.

    Per e-mail (known or not, so the answer says nothing about which accounts exist), failures make
    the owner wait a growing delay instead of locking the account; a successful login or password reset
    clears them.  Per client address only failures for unknown e-mails are counted (password spraying
    and credential stuffing), so people behind one address who mistype their own password never block
    each other.
    """
    email = normalise_email(email)
    cfg = current_app.config
    window = ratelimit.Limit(int(cfg["LOGIN_MAX_UNKNOWN_PER_ADDRESS"]), int(cfg["LOGIN_WINDOW_MINUTES"]))
    wait = ratelimit.retry_after(LOGIN_UNKNOWN_SCOPE, ip, window)
    if wait:
        return LoginResult(wait=wait, by_address=True)
    failures = ratelimit.recent(LOGIN_EMAIL_SCOPE, email, window.window)
    if failures:
        wait_until = failures[-1] + dt.timedelta(seconds=login_backoff(len(failures)))
        wait = math.ceil((wait_until - utcnow()).total_seconds())
        if wait > 0:
            return LoginResult(wait=wait)
    user = User.get_or_none(User.email == email)
    method = cfg["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH[method], password or "")
    if user is None or not ok or not user.is_active:
        ratelimit.hit(LOGIN_EMAIL_SCOPE, email)
        if user is None:
            ratelimit.hit(LOGIN_UNKNOWN_SCOPE, ip)
        return LoginResult()
    ratelimit.clear(LOGIN_EMAIL_SCOPE, email)
    return LoginResult(user=user)


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
