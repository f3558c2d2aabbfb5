"""In-app notifications and queued e-mail, for anyone who needs to tell somebody something.

:func:`queue_mail` stores an e-mail as :class:`~pintu.data.models.OutgoingMail` inside the
caller's transaction; :func:`dispatch` is called after the commit and hands the mails to the job
runner, so a slow or broken mail server never blocks or undoes an application.
:func:`notify_staff` and :func:`notify_unit` write in-app :class:`~pintu.data.models.Notification`
rows; :func:`absolute_url` and :func:`base_url_for` build the links that mails carry.  What each
workflow event tells whom is :mod:`pintu.notify.event_notices`.
"""

from __future__ import annotations

from flask import url_for

from pintu import jobs
from pintu.notify import mail, mailsecrets
from pintu.data.db import create, prepared
from pintu.data.models import Application, Membership, Notification, OutgoingMail, Unit, User

def absolute_url(endpoint: str, **values) -> str:
    try:
        return url_for(endpoint, _external=True, **values)
    except RuntimeError:  # outside a request (CLI, worker): build it on the configured base URL
        return base_url_for(endpoint, **values)


def base_url_for(endpoint: str, **values) -> str:
    """An absolute URL on the configured ``BASE_URL``, never on the request's Host header.

    Secret links are built with it: a forged Host would otherwise send a reset link to another site.
    """
    from urllib.parse import urlsplit

    from flask import current_app

    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def queue_mail(to: str, subject: str, body: str, application: Application | None = None, *,
               secret: str | None = None, secret_hours: float = 24, attachments: list[dict] | None = None) -> int:
    """Store a mail to send (hand the returned id to :func:`dispatch` after the commit).

    A mail with a one-time link passes it as ``secret`` and writes :data:`pintu.notify.mailsecrets.REDACTED`
    in ``body`` where it goes: the stored body and the admin pages only ever show the placeholder; the
    link is put back at delivery and erased once the mail is sent or ``secret_hours`` have passed.
    ``attachments`` are references resolved when the message is built (see :mod:`pintu.output.attachments`).
    """
    if secret is not None:
        mailsecrets.check_body(body, secret)
    mail_id = create(OutgoingMail, to=to, subject=subject[:255], body=body, application=application,
                     attachments=attachments or []).id
    if secret is not None:
        mailsecrets.attach(mail_id, secret, secret_hours)
    mailsecrets.purge_expired()  # erase secrets whose time is up (one indexed UPDATE)
    return mail_id


def staff_for(role: str, unit_key: str | None):
    query = User.select().join(Membership, on=(Membership.user == User.id)).where(
        Membership.role == role, User.is_active == True)  # noqa: E712
    if unit_key:
        query = query.switch(Membership).join(Unit).where(Unit.key == unit_key)
    else:  # a step without a unit: those holding the role without one (User.takes_step)
        query = query.where(Membership.unit.is_null())
    return query.distinct()


def notify_staff(application: Application, role: str, unit_key: str | None, message: str) -> None:
    # In the write transaction of every move: the query's SQL is written once per process.
    # Parameters: the role, True (active accounts), the unit.
    if unit_key:
        ids = prepared("notifications.staff_of_unit", lambda r, _active, u: staff_for(r, u).select(User.id).tuples(),
                       role, True, unit_key)
    else:
        ids = prepared("notifications.staff", lambda r, _active: staff_for(r, None).select(User.id).tuples(),
                       role, True)
    rows = [{"user": user_id, "application": application.id, "message": message[:255]} for (user_id,) in ids]
    if rows:
        Notification.insert_many(rows).execute()


def notify_unit(application: Application, unit: Unit, message: str) -> None:
    notify_staff(application, "verifikator", unit.key, message)


def dispatch(mail_ids: list[int]) -> None:
    for mail_id in mail_ids:
        jobs.enqueue(mail.deliver, mail_id)


def unread_count(user: User) -> int:
    """Unread notifications of ``user`` (read with the user at login-load time when available)."""
    if getattr(user, "_unread_count", None) is not None:
        return user._unread_count
    return Notification.select().where(Notification.user == user, Notification.read_at.is_null()).count()
