"""What each workflow event tells whom: the applicant (in-app and by e-mail, with the receipt or
the issued documents attached, and the survey invitation when the service is done) and the staff
of the step the application enters (in-app).

:func:`on_event` is called by the workflow engine inside the transaction of each change and
returns the ids of the mails it queued, which the engine dispatches after the commit.
"""

from __future__ import annotations

from flask import render_template

from pintu.contract.services import FINAL_STATUSES, Service
from pintu.data.db import create
from pintu.data.models import Application, IssuedDocument, Notification
from pintu.engine import timeline
from pintu.notify import mail
from pintu.notify.notifications import absolute_url, notify_staff, queue_mail
from pintu.people.accounts import has_email
from pintu.standards import survey

#: Event kinds the applicant is told about (in-app and by e-mail).
APPLICANT_EVENTS = {"submitted", "resubmitted", "forward", "return", "refuse", "finish", "dispose", "cancel",
                    "message"}


def on_event(application: Application, service: Service, event) -> list[int]:
    """Notify the people concerned by ``event``; return the ids of mails to send."""
    mails = []
    # Finished: invite the applicant to the Survei Kepuasan Masyarakat (pintu.standards.survey), in-app and in
    # the e-mail about the event.
    survey_link = None
    if application.status == "done" and event.to_status == "done" and event.from_status != "done":
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
        if has_email(applicant):  # an account made at the counter without e-mail gets none (pintu.oversight.loket)
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
    if event.kind in ("submitted", "resubmitted"):
        return [mail.receipt_attachment(application.id)]
    if not service.documents:  # a service that issues no documents: no query in the write transaction
        return []
    query = IssuedDocument.select(IssuedDocument.id).where(IssuedDocument.application == application.id,
                                                          IssuedDocument.superseded_by.is_null())
    if not (application.status == "ready" and event.to_step != event.from_step):
        # Otherwise only the documents this very action issued (an answer letter that ends the service).
        query = query.where(IssuedDocument.issued_at >= event.created_at)
    return [mail.document_attachment(d.id) for d in query.order_by(IssuedDocument.id)]
