"""The message thread of an application: applicant and staff talk about operational details
(coverage arrangements, a booking, a complaint) with attachments; staff can add internal notes.
"""

from __future__ import annotations

from pintu.data import pagedata, uploads
from pintu.engine import formtokens
from pintu.notify import notifications
from pintu.engine.unit_of_work import unit_of_work
from pintu.data.models import Application, Message, Notification, User
from pintu.contract.plugins import get_service
from pintu.contract.services import FINAL_STATUSES, Requirement

#: What a message attachment may be.
ATTACHMENT = Requirement("message", "Lampiran pesan", required=False, types=("pdf", "jpg", "png"), max_mb=5)


class MessageError(ValueError):
    pass


def thread(application: Application, viewer_is_staff: bool) -> list[Message]:
    """The messages ``application``'s viewer may read (applicants: not the internal notes), oldest first."""
    return [m for m in pagedata.messages_of(application) if viewer_is_staff or not m.internal]


def post(application: Application, author: User, body: str, *, internal: bool = False, attachment=None,
         token: str | None = None) -> Message:
    """Add a message (``attachment``: a checked upload or None) and notify the other side.

    ``token``: the form's one-time token; a repeat raises :class:`~pintu.engine.formtokens.Replayed`."""
    body = (body or "").strip()
    if not body:
        raise MessageError("Isi pesan wajib diisi.")
    if len(body) > 4000:
        raise MessageError("Pesan terlalu panjang (maksimal 4000 karakter).")
    is_applicant = application.applicant_id == author.id
    if internal and is_applicant:
        raise MessageError("Catatan internal hanya untuk petugas.")
    if application.status in FINAL_STATUSES and not internal:
        raise MessageError("Permohonan ini sudah selesai; percakapan ditutup.")
    with unit_of_work() as work:
        formtokens.claim(token, author, application)
        upload = None
        if attachment is not None:
            upload = uploads.save(attachment, application, "message", author, work.files)
        message = Message.create(application=application, author=author, body=body, internal=internal,
                                 attachment=upload)
        service = get_service(application.service)
        if is_applicant:
            _notify_handlers(application, service, f"Pesan baru dari pemohon {application.reference}")
        elif not internal:
            Notification.create(user=application.applicant_id, application=application,
                                message=f"{application.reference}: pesan baru dari petugas"[:255])
            body_text = (f"Yth. {application.applicant.name},\n\nAda pesan baru dari petugas untuk permohonan "
                         f"{application.reference} ({service.title}):\n\n{body}\n\n"
                         f"Balas melalui halaman permohonan:\n  "
                         f"{notifications.absolute_url('applications.detail', app_id=application.id)}\n")
            work.mails.append(notifications.queue_mail(application.applicant.email,
                                                       f"[PINTU] {application.reference} - Pesan baru", body_text,
                                                       application))
    return message


def _notify_handlers(application: Application, service, text: str) -> None:
    """Tell whoever handles the application now: the assignee, else everyone at its step."""
    if application.assignee_id:
        Notification.create(user=application.assignee_id, application=application, message=text[:255])
        return
    step = service.step(application.step)
    if step is not None:
        notifications.notify_staff(application, step.role, step.unit_key(application.data), text)
