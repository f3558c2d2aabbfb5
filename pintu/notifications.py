"""In-app notifications and e-mail for workflow events.

:func:`on_event` is called by the workflow engine inside the transaction of
each change; it writes :class:`~pintu.models.Notification` rows and stores
e-mails as :class:`~pintu.models.OutgoingMail`.  :func:`dispatch` is called
after the commit and hands the mails to the job runner, so a slow or broken
mail server never blocks or undoes an application.
"""

from __future__ import annotations

from flask import render_template, url_for

from . import jobs, mail, mailsecrets
from .db import create, prepared
from .accounts import has_email
from .models import Application, Membership, Notification, OutgoingMail, Unit, User
from .services import FINAL_STATUSES, Service

#: Event kinds the applicant is told about (in-app and by e-mail).
APPLICANT_EVENTS = {"submitted", "resubmitted", "forward", "return", "refuse", "finish", "dispose", "cancel",
                    "message"}


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

    A mail with a one-time link passes it as ``secret`` and writes :data:`pintu.mailsecrets.REDACTED`
    in ``body`` where it goes: the stored body and the admin pages only ever show the placeholder; the
    link is put back at delivery and erased once the mail is sent or ``secret_hours`` have passed.
    ``attachments`` are references resolved when the message is built (see :mod:`pintu.attachments`).
    """
    if secret is not None:
        mailsecrets.check_body(body, secret)
    mail_id = create(OutgoingMail, to=to, subject=subject[:255], body=body, application=application,
                     attachments=attachments or []).id
    if secret is not None:
        mailsecrets.attach(mail_id, secret, secret_hours)
    mailsecrets.purge_expired()  # erase secrets whose time is up (one indexed UPDATE)
    return mail_id


def on_event(application: Application, service: Service, event) -> list[int]:
    """Notify the people concerned by ``event``; return the ids of mails to send."""
    from . import timeline

    mails = []
    # Finished: invite the applicant to the Survei Kepuasan Masyarakat (pintu.survey), in-app and in
    # the e-mail about the event.
    survey_link = None
    if application.status == "done" and event.to_status == "done" and event.from_status != "done":
        from . import survey

        survey_link = survey.invite(application)
    if event.kind in APPLICANT_EVENTS and not timeline.staff_only(event, service):
        applicant = application.applicant
        text = f"{application.reference}: {event.message}"
        create(Notification, user=applicant, application=application, message=text[:255])
        link = absolute_url("applications.detail", app_id=application.id)
        # Entering an applicant step: tell the applicant what to do there (pay, upload a proof).
        step = service.step(application.step) if application.status == "in_process" else None
        todo = step if step is not None and step.for_applicant and event.to_step != event.from_step else None
        body = render_template("email/event.txt", application=application, service=service, event=event,
                               applicant=applicant, link=link, track_link=absolute_url("track.track"),
                               status=timeline.status_text(application, True, service),
                               note_label=timeline.note_label(event, service),
                               todo=todo, instructions=todo.instructions_for(application) if todo else "",
                               final=application.status in FINAL_STATUSES, survey_link=survey_link)
        subject = f"[PINTU] {application.reference} - {event.message}"
        if has_email(applicant):  # an account made at the counter without e-mail gets none (pintu.loket)
            mails.append(queue_mail(applicant.email, subject, body, application,
                                    attachments=_attachments(application, event, service)))
    if application.status in ("in_process", "ready") and event.to_step and event.kind != "claim":
        step = service.step(application.step)
        if step is not None and (event.from_step != event.to_step or event.kind in ("submitted", "resubmitted")):
            notify_staff(application, step.role, step.unit_key(application.data),
                         f"Permohonan masuk {application.reference}: {service.title} - {step.title}")
    return mails


def _attachments(application: Application, event, service: Service) -> list[dict]:
    """The receipt with the confirmation of a submission; the current issued documents with the
    "hasil siap" mail (entering a ready step); with any other mail, the documents its action issued."""
    from . import attachments
    from .models import IssuedDocument

    if event.kind in ("submitted", "resubmitted"):
        return [attachments.receipt(application.id)]
    if not service.documents:  # a service that issues no documents: no query in the write transaction
        return []
    query = IssuedDocument.select(IssuedDocument.id).where(IssuedDocument.application == application.id,
                                                          IssuedDocument.superseded_by.is_null())
    if not (application.status == "ready" and event.to_step != event.from_step):
        # Otherwise only the documents this very action issued (an answer letter that ends the service).
        query = query.where(IssuedDocument.issued_at >= event.created_at)
    return [attachments.document(d.id) for d in query.order_by(IssuedDocument.id)]


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
