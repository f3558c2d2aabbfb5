"""Sending e-mail: SMTP when ``SMTP_HOST`` is set, ``instance/outbox/*.eml`` otherwise.

Every message is first stored as an :class:`~pintu.data.models.OutgoingMail` row
(inside the transaction of the change that caused it).  No request ever talks
to the mail server: after the commit the row's id is handed to the job runner
(:mod:`pintu.jobs`: an RQ worker, or a background thread of the app process)
which calls :func:`deliver`.

The row is the job.  :func:`deliver` first *claims* it with one guarded UPDATE
(status due, version unchanged), so two processes (app threads, RQ workers, the
sweeper) never send the same mail twice.  A failed attempt is recorded on the row
(``attempts``, ``last_error``) and scheduled again after ``MAIL_RETRY_DELAYS``
(``status="retry"``, ``next_attempt_at``); after the last delay it is ``failed``
(``flask --app pintu retry-mail`` schedules it again).  Rows left ``pending`` by a
crash or a lost Redis queue, due retries, and rows whose sender died mid-send
(``sending`` past its lease) are picked up by :func:`deliver_due`, which the worker
and the background thread run every ``SWEEP_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

from pintu.notify import mailsecrets
from pintu.engine.clock import zone
from pintu.data.db import connection, prepared
from pintu.data.models import OutgoingMail, utcnow
from pintu.data.pagedata import instance

log = logging.getLogger(__name__)

#: Statuses a row can be delivered from (``sending`` only once its lease has run out).
OPEN = ("pending", "retry", "sending")


def outbox_folder() -> Path:
    folder = Path(current_app.config["MAIL_OUTBOX"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def mail_domain() -> str:
    """The domain of Message-IDs: ``MAIL_DOMAIN``, else the domain of ``MAIL_FROM``."""
    configured = current_app.config.get("MAIL_DOMAIN")
    if configured:
        return configured
    address = parseaddr(current_app.config["MAIL_FROM"])[1]
    return address.rpartition("@")[2] or "localhost"


def build_message(mail: OutgoingMail) -> EmailMessage:
    """The message for ``mail``, built from its row just before it is sent (the only place a
    message is made, so anything that must enter it at the last moment goes here)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(dt.datetime.now(zone()))  # WIB, e.g. "+0700"
    msg["Message-ID"] = make_msgid(idstring=f"pintu.{mail.id}", domain=mail_domain())
    msg.set_content(mailsecrets.body_to_send(mail), cte="8bit")  # secret links put back here only
    if mail.attachments:
        # Made or read now (a receipt, an issued letter) by the function the app gave init_app.
        current_app.extensions["pintu_mail_attachments"](msg, mail.attachments)
    return msg


def receipt_attachment(application_id: int) -> dict:
    """The reference, stored with a queued mail, to the receipt of an application."""
    return {"kind": "receipt", "id": application_id}


def document_attachment(doc_id: int) -> dict:
    """The reference, stored with a queued mail, to an issued document."""
    return {"kind": "document", "id": doc_id}


def init_app(app, attach) -> None:
    """Give ``app``'s mail its attachments: ``attach(msg, specs)`` turns the references stored with
    a queued mail into files when the message is built (the app factory passes
    :func:`pintu.output.attachments.add_to`; the mail queue stores references and knows no documents)."""
    app.extensions["pintu_mail_attachments"] = attach


def transmit(msg: EmailMessage, mail: OutgoingMail) -> None:
    """Hand ``msg`` to the SMTP server (with ``MAIL_TIMEOUT`` on the connect and every answer), or
    write it to the outbox folder when no server is configured."""
    cfg = current_app.config
    if cfg.get("SMTP_HOST"):
        cls = smtplib.SMTP_SSL if cfg.get("SMTP_SSL") else smtplib.SMTP
        with cls(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=float(cfg["MAIL_TIMEOUT"])) as smtp:
            if cfg.get("SMTP_STARTTLS"):
                smtp.starttls()
            if cfg.get("SMTP_USER"):
                smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
            smtp.send_message(msg)
    else:
        name = f"{utcnow():%Y%m%d-%H%M%S}-{mail.id:06d}.eml"
        # The development stand-in for the recipient's mailbox: readable by the app's user only.
        fd = os.open(outbox_folder() / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(msg))


def retry_delays() -> list[int]:
    return [int(d) for d in current_app.config["MAIL_RETRY_DELAYS"]]


def lease() -> dt.timedelta:
    """How long a claimed row belongs to its sender: a whole SMTP conversation at the timeout."""
    return dt.timedelta(seconds=max(300, 10 * float(current_app.config["MAIL_TIMEOUT"])))


def _due(now: dt.datetime, grace_seconds: float = 0):
    """Rows that may be sent now.  Fresh ``pending`` rows (never tried, no schedule) only once
    ``grace_seconds`` old, so that a periodic sweep leaves them to the job that was queued for them."""
    return _due_at(now, now - dt.timedelta(seconds=grace_seconds))


def _due_at(now: dt.datetime, fresh_before: dt.datetime, statuses=OPEN):
    fresh = ((OutgoingMail.status == "pending") & OutgoingMail.next_attempt_at.is_null()
             & (OutgoingMail.created_at <= fresh_before))
    scheduled = OutgoingMail.status.in_(statuses) & (OutgoingMail.next_attempt_at <= now)
    return fresh | scheduled


def _due_params(now: dt.datetime, grace_seconds: float) -> list:
    """The parameters of :func:`_due_at` in the order of its SQL."""
    return ["pending", now - dt.timedelta(seconds=grace_seconds), *OPEN, now]


def _row(cursor) -> OutgoingMail | None:
    row = cursor.fetchone()
    return instance(OutgoingMail, OutgoingMail._meta.sorted_fields, row) if row is not None else None


def _by_id(mail_id: int) -> OutgoingMail | None:
    return _row(prepared("mail.by_id", lambda i: OutgoingMail.select().where(OutgoingMail.id == i), mail_id))


def claim(mail_id: int, grace_seconds: float = 0) -> OutgoingMail | None:
    """Take ``mail_id`` for sending if it is due; ``None`` if it is not, or another process took it."""
    # Every staff action queues a mail and its worker sends it at once: the statements below have
    # their SQL written once per process (pintu.data.db.prepared).
    now = utcnow()
    due = _due_params(now, grace_seconds)
    row = _row(prepared("mail.claim.read", lambda i, p, before, *rest: OutgoingMail.select().where(
        (OutgoingMail.id == i) & _due_at(rest[-1], before, tuple(rest[:-1]))), mail_id, *due))
    if row is None:
        return None
    taken = prepared("mail.claim", lambda s, one, until, one_, i, v, p, before, *rest: OutgoingMail.update(
        status=s, attempts=OutgoingMail.attempts + one, version=OutgoingMail.version + one_, next_attempt_at=until)
        .where((OutgoingMail.id == i) & (OutgoingMail.version == v) & _due_at(rest[-1], before, tuple(rest[:-1]))),
        "sending", 1, now + lease(), 1, mail_id, row.version, *due).rowcount
    return _by_id(mail_id) if taken == 1 else None


def mark_sent(mail: OutgoingMail) -> None:
    prepared("mail.sent", lambda s, e, at, n, i: OutgoingMail.update(
        status=s, last_error=e, sent_at=at, next_attempt_at=n).where(OutgoingMail.id == i),
        "sent", "", utcnow(), None, mail.id)
    mailsecrets.forget(mail.id)  # a secret link lives only until its mail is sent


def mark_failed(mail: OutgoingMail, exc: Exception) -> None:
    """Record a failed attempt: schedule the next one after its back-off, or give up after the last."""
    delays = retry_delays()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if mail.attempts <= len(delays):
        values = {"status": "retry", "next_attempt_at": utcnow() + dt.timedelta(seconds=delays[mail.attempts - 1])}
    else:
        values = {"status": "failed", "next_attempt_at": None}
    OutgoingMail.update(last_error=error, **values).where(
        (OutgoingMail.id == mail.id) & (OutgoingMail.version == mail.version)).execute()


def deliver(mail_id: int, grace_seconds: float = 0) -> bool:
    """Send one stored mail if it is due (job function).  Returns whether it was sent; a failure is
    recorded on the row and never raised (the row's schedule, not the job runner, retries it)."""
    with connection():
        mail = claim(mail_id, grace_seconds)
        if mail is None:
            return False
        try:
            transmit(build_message(mail), mail)
        except mailsecrets.SecretUnavailable as exc:  # its one-time link expired: never worth a retry
            OutgoingMail.update(status="failed", next_attempt_at=None, last_error=str(exc)[:2000]).where(
                OutgoingMail.id == mail.id).execute()
            return False
        except Exception as exc:  # noqa: BLE001 - any failure of the server or the network
            log.warning("mail %s not sent (attempt %d): %s", mail_id, mail.attempts, exc)
            mark_failed(mail, exc)
            return False
        mark_sent(mail)
        return True


def deliver_due(grace_seconds: float = 0, limit: int = 200) -> tuple[int, int]:
    """Send the mails that are due (the sweep); returns ``(sent, not_sent)``."""
    with connection():
        ids = [m.id for m in OutgoingMail.select(OutgoingMail.id).where(_due(utcnow(), grace_seconds))
               .order_by(OutgoingMail.id).limit(limit)]
    sent = sum(deliver(mail_id, grace_seconds) for mail_id in ids)
    return sent, len(ids) - sent


def reschedule_unsent() -> list[int]:
    """Make every unsent mail due now (``retry-mail``), except rows being sent right now."""
    now = utcnow()
    with connection():
        busy = (OutgoingMail.status == "sending") & (OutgoingMail.next_attempt_at > now)
        query = OutgoingMail.select(OutgoingMail.id).where((OutgoingMail.status != "sent") & ~busy)
        ids = [m.id for m in query]
        if ids:
            OutgoingMail.update(status="pending", next_attempt_at=now).where(OutgoingMail.id.in_(ids)).execute()
    return ids


def outbox_files(limit: int = 100) -> list[Path]:
    return sorted(outbox_folder().glob("*.eml"), reverse=True)[:limit]
