"""Sending e-mail: SMTP when ``SMTP_HOST`` is set, ``instance/outbox/*.eml`` otherwise.

Every message is first stored as an :class:`~pintu.models.OutgoingMail` row
(inside the transaction of the change that caused it) and delivered later by
:func:`deliver`, run as a job.  A failed delivery is recorded and raised so
the job runner retries it; it never touches the application.
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

from . import mailsecrets
from .db import database
from .models import OutgoingMail, utcnow


def outbox_folder() -> Path:
    folder = Path(current_app.config["MAIL_OUTBOX"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_message(mail: OutgoingMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain="pintu.local")
    msg.set_content(mailsecrets.body_to_send(mail), cte="8bit")  # secret links put back here only
    return msg


def deliver(mail_id: int) -> None:
    """Send one stored mail (job function)."""
    with database.connection_context():
        mail = OutgoingMail.get_or_none(OutgoingMail.id == mail_id)
        if mail is None or mail.status == "sent":
            return
        mail.attempts += 1
        try:
            msg = build_message(mail)
            cfg = current_app.config
            if cfg.get("SMTP_HOST"):
                cls = smtplib.SMTP_SSL if cfg.get("SMTP_SSL") else smtplib.SMTP
                with cls(cfg["SMTP_HOST"], int(cfg.get("SMTP_PORT") or 25), timeout=30) as smtp:
                    if cfg.get("SMTP_STARTTLS"):
                        smtp.starttls()
                    if cfg.get("SMTP_USER"):
                        smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD", ""))
                    smtp.send_message(msg)
            else:
                name = f"{utcnow():%Y%m%d-%H%M%S}-{mail.id:06d}.eml"
                # The development stand-in for the recipient's mailbox: readable by the app's user only.
                fd = os.open(outbox_folder() / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(bytes(msg))
        except Exception as exc:
            mail.status = "failed"
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.save()
            raise
        mail.status = "sent"
        mail.sent_at = utcnow()
        mail.last_error = ""
        mail.save()
        mailsecrets.forget(mail.id)


def outbox_files(limit: int = 100) -> list[Path]:
    return sorted(outbox_folder().glob("*.eml"), reverse=True)[:limit]
