"""Files attached to queued e-mails, resolved when the message is built (:func:`pintu.notify.mail.build_message`).

A mail stores only references (``OutgoingMail.attachments``: ``[{"kind": "receipt", "id": 12}]``, made by
:func:`pintu.notify.mail.receipt_attachment` and :func:`~pintu.notify.mail.document_attachment`);
the bytes are made or read at delivery.  Attachments over ``MAIL_ATTACHMENT_MAX_MB`` in total are
left out and replaced by a download link in the body (the link asks the recipient to log in).
"""

from __future__ import annotations

from flask import current_app

from pintu.data.models import Application, IssuedDocument
from pintu.output import documents, receipts
from pintu.notify.notifications import absolute_url
from pintu.contract.plugins import find_service


def resolve(spec: dict) -> tuple[str, bytes, str] | None:
    """``(file name, content, download link)`` of one attachment, or None when it is gone."""
    if spec.get("kind") == "receipt":
        application = Application.get_or_none(Application.id == spec.get("id"))
        service = find_service(application.service) if application is not None else None
        if service is None or not application.reference:
            return None
        return (receipts.file_name(application), receipts.render(application, service),
                absolute_url("documents.receipt", app_id=application.id))
    if spec.get("kind") == "document":
        doc = IssuedDocument.get_or_none(IssuedDocument.id == spec.get("id"))
        if doc is None or doc.superseded_by_id is not None:
            return None
        return (documents.file_name(doc), documents.content_of(doc),
                absolute_url("documents.download", doc_id=doc.id))
    return None


def add_to(msg, specs: list[dict]) -> None:
    """Attach the files of ``specs`` to ``msg``; past the size cap, add their links to the body instead."""
    files = [found for found in (resolve(s) for s in specs or ()) if found is not None]
    if not files:
        return
    cap = float(current_app.config.get("MAIL_ATTACHMENT_MAX_MB") or 0) * 1024 * 1024
    if sum(len(content) for _, content, _ in files) <= cap:
        for name, content, _ in files:
            msg.add_attachment(content, maintype="application", subtype="pdf", filename=name)
        return
    body = msg.get_body(("plain",)).get_content()
    links = "\n".join(f"- {name}: {link}" for name, _, link in files)
    msg.get_body(("plain",)).set_content(
        f"{body}\n\nLampiran terlalu besar untuk dikirim melalui e-mail; unduh setelah masuk ke PINTU:\n{links}\n",
        cte="8bit")
