"""Parties outside the office: the single-purpose links of ``Step(role=EXTERNAL, party=Party(...))``.

When an application enters a step of a party outside the office (the Pimpinan PTS, a bank, a
ministry bureau), the engine (:mod:`pintu.engine.workflow`) calls :func:`issue` inside the transaction of
the move: the open links of the application are revoked and a new :class:`~pintu.data.models.ExternalLink`
for (application, step) is e-mailed to the address in ``application.data[party.email_field]``.

The token is signed with ``SECRET_KEY`` (itsdangerous: a forged or mangled token is refused without
touching the database) and carries the link's id and a random nonce; only its SHA-256 is stored and
it is compared in constant time.  The link expires after ``party.link_days`` (counted on
:func:`pintu.engine.clock.now`), works only while the application waits at its step and is spent by the
action taken through it (:func:`spend`, in the engine's transaction).  The mail carries it as a
secret (:mod:`pintu.notify.mailsecrets`): stored redacted, erased once sent.

The party acts through the same engine path as staff (:func:`pintu.engine.workflow.perform_external`); the
event's ``actor`` is the inactive placeholder account :func:`placeholder_account` and the event
records the name, e-mail and capacity the party gave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask import current_app, render_template
from itsdangerous import BadData, URLSafeSerializer

from pintu.data.db import write_transaction
from pintu.data import audit
from pintu.engine import clock
from pintu.notify import notifications
from pintu.notify.mailsecrets import REDACTED
from pintu.data.models import Application, ExternalLink, User
from pintu.contract.services import EXTERNAL, Service, Step
from pintu.contract.plugins import find_service

#: The inactive account that events and uploads of parties outside the office belong to.
PLACEHOLDER_EMAIL = "pihak-luar@pintu.invalid"
PLACEHOLDER_NAME = "Pihak luar"
SALT = "pintu-external-link"
#: What the engine answers when the link was spent in the meantime (a second tab, a revocation).
SPENT = "Tautan ini sudah digunakan, dicabut, atau kedaluwarsa."
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PartyActor:
    """A party outside the office acting through the link ``link_id``: who they said they are."""

    link_id: int
    label: str
    name: str
    email: str
    capacity: str


def placeholder_account() -> User:
    """The inactive account that actions and uploads of parties outside the office belong to."""
    user = User.get_or_none(User.email == PLACEHOLDER_EMAIL)
    if user is None:
        user = User.create(email=PLACEHOLDER_EMAIL, name=PLACEHOLDER_NAME, category="instansi", password_hash="!",
                           session_token=secrets.token_hex(16), is_active=False)
    return user


def now_utc() -> dt.datetime:
    """Now as stored (naive UTC), on the institution's clock (tests pin it with ``CLOCK_NOW``)."""
    return clock.now().astimezone(dt.timezone.utc).replace(tzinfo=None)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def address_of(application: Application, step: Step) -> str:
    """The party's e-mail address from the application data ("" when missing or malformed)."""
    party = step.party
    if party.email_field:
        value = (application.data or {}).get(party.email_field)
    else:  # an institution's own partner (the bank): the address is a setting
        value = current_app.config.get(party.email_setting) if party.email_setting else ""
    value = str(value or "").strip().lower()
    return value if _EMAIL.match(value) else ""


def revoke_open(application_id: int, when: dt.datetime | None = None) -> int:
    """Revoke every link of the application not used or revoked yet; returns how many."""
    return (ExternalLink.update(revoked_at=when or now_utc())
            .where(ExternalLink.application == application_id, ExternalLink.used_at.is_null(),
                   ExternalLink.revoked_at.is_null()).execute())


def issue(application: Application, service: Service, step: Step, sent_by: User | None = None) -> list[int]:
    """Revoke the application's open links and e-mail a new one for ``step`` (inside the caller's
    transaction); returns the ids of the mails to dispatch after the commit (none without an address)."""
    now = now_utc()
    revoke_open(application.id, now)
    email = address_of(application, step)
    if not email:
        return []
    party = step.party
    link = ExternalLink.create(application=application, step=step.key, email=email, token_hash="", created_at=now,
                               expires_at=now + dt.timedelta(days=party.link_days),
                               sent_by=sent_by.id if sent_by is not None else None)
    token = _serializer().dumps([link.id, secrets.token_urlsafe(24)])
    ExternalLink.update(token_hash=_hash(token)).where(ExternalLink.id == link.id).execute()
    url = notifications.base_url_for("external.page", token=token)
    name = str((application.data or {}).get(party.name_field) or "").strip() if party.name_field else ""
    body = render_template("email/external_link.txt", application=application, service=service, step=step,
                           party=party, name=name, link=REDACTED, expires_at=link.expires_at,
                           instructions=step.instructions_for(application))
    subject = f"[PINTU] {application.reference} - {step.title}"
    return [notifications.queue_mail(email, subject, body, application, secret=url,
                                     secret_hours=party.link_days * 24)]


def find(token: str) -> ExternalLink | None:
    """The link behind ``token`` (whatever its state), or None for a forged or unknown token."""
    try:
        link_id, _nonce = _serializer().loads(token)
        link_id = int(link_id)
    except (BadData, TypeError, ValueError):
        return None
    link = ExternalLink.get_or_none(ExternalLink.id == link_id)
    if link is None or not hmac.compare_digest(link.token_hash, _hash(token)):
        return None
    return link


def resolve(token: str):
    """``(link, application, service, step)`` behind ``token`` whatever the link's state (the
    application with its applicant), or None for a forged or unknown token or a step no longer
    declared as a party's."""
    link = find(token)
    if link is None:
        return None
    application = (Application.select(Application, User).join(User, on=(Application.applicant == User.id))
                   .where(Application.id == link.application_id).first())
    service = find_service(application.service) if application is not None else None
    step = service.step(link.step) if service is not None else None
    if step is None or step.role != EXTERNAL:
        return None
    return link, application, service, step


def state(link: ExternalLink, application: Application) -> str:
    """``open``, ``used``, ``revoked``, ``expired`` or ``moved`` (the application left the step)."""
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now_utc():
        return "expired"
    if application.step != link.step or application.status not in ("in_process", "ready"):
        return "moved"
    return "open"


STATE_LABELS = {"open": "berlaku", "used": "sudah digunakan", "revoked": "dicabut", "expired": "kedaluwarsa",
                "moved": "tidak berlaku lagi (permohonan sudah berpindah tahap)"}


def spend(link_id: int) -> bool:
    """Mark the link used (inside the engine's transaction); False when it was used, revoked or expired."""
    return bool(ExternalLink.update(used_at=now_utc())
                .where(ExternalLink.id == link_id, ExternalLink.used_at.is_null(),
                       ExternalLink.revoked_at.is_null(), ExternalLink.expires_at > now_utc()).execute())


def open_link(application: Application) -> ExternalLink | None:
    """The application's link that can be used now, or None."""
    return next((link for link in links_of(application) if state(link, application) == "open"), None)


def links_of(application: Application) -> list[ExternalLink]:
    """The application's links, newest first (one query)."""
    return list(ExternalLink.select().where(ExternalLink.application == application.id)
                .order_by(ExternalLink.id.desc()))


def current_step(application: Application, service: Service) -> Step | None:
    """The external step the application waits at, or None."""
    step = service.step(application.step) if application.status in ("in_process", "ready") else None
    return step if step is not None and step.role == EXTERNAL else None


def may_manage(user: User) -> bool:
    """Front office and administrators revoke and re-send links (on applications they may see)."""
    return user.has_role("petugas") or user.is_admin


def revoke(application: Application, actor: User) -> int:
    """Revoke the open links of ``application`` (staff); audited."""
    count = revoke_open(application.id)
    audit.record("external_link.revoke", application, links=count)
    return count


def resend(application: Application, service: Service, actor: User) -> bool:
    """Issue a new link for the external step the application waits at (the old ones are revoked)
    and send it; audited.  False when it waits at no external step or the data hold no address."""

    step = current_step(application, service)
    if step is None:
        return False
    with write_transaction():
        mails = issue(application, service, step, sent_by=actor)
    notifications.dispatch(mails)
    audit.record("external_link.resend", application, step=step.key, sent=bool(mails))
    return bool(mails)


def purge_link_rows(application_id: int) -> None:
    """Forget the addresses of an anonymised application's links (retention, account deletion)."""
    ExternalLink.update(email="", token_hash="").where(ExternalLink.application == application_id).execute()

