"""Documents the services produce: issued, numbered, rendered, verified, re-issued.

Life of a document declared with :class:`pintu.Document`:

1. **Issue** (:func:`issue_for`, called by the engine inside the transaction of every action):
   when the declared step's action is taken, an :class:`~pintu.data.models.IssuedDocument` row gets the
   next number (:mod:`pintu.output.numbering`), a random verification code, the signer and the holder's
   masked name.  A rolled-back action issues nothing and uses no number.
2. **Render** (:func:`render`, after the commit: an RQ job with ``REDIS_URL``, at once otherwise;
   the sweep renders any left behind): the PDF (:mod:`pintu.output.letters`) is written under a
   temporary ``.part`` name, renamed into place, and only then recorded on the row with its
   SHA-256.  Nobody can download or verify a half-written file: until the row is updated the
   document reads "sedang disiapkan".
3. **Verify**: ``/verifikasi/<code>`` shows genuine or not, number, date, service, unit, masked
   holder, SHA-256 and whether it was superseded, never the application.
4. **Re-issue** (:func:`reissue`): a corrected document with a new number supersedes the old one.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import current_app

from pintu.engine import clock
from pintu.output import letters, numbering, signing
from pintu.data.db import connection, write_transaction
from pintu.data.models import Application, IssuedDocument, Notification, Unit, User, utcnow
from pintu.contract.plugins import all_services, find_service
from pintu.notify.notifications import absolute_url, base_url_for, dispatch as send, queue_mail
from pintu.standards.institution import letterhead
from pintu.contract.services import MASKED_IDENTITY
from pintu.notify.mail import document_attachment
from pintu import jobs

log = logging.getLogger(__name__)


class DocumentError(Exception):
    """An operation on a document that is not allowed; ``str(err)`` is the Indonesian message."""


# ---------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------

def mask_name(name: str) -> str:
    """``Sinta Rahmawati`` -> ``Si*** Ra*******``: the first two letters of each word."""
    return " ".join(w[:2] + "*" * max(0, len(w) - 2) for w in (name or "").split())


def folder() -> Path:
    path = Path(current_app.config["DOCUMENT_FOLDER"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(doc: IssuedDocument) -> Path | None:
    """Where the rendered PDF is, or None while it is not in place yet."""
    return folder() / doc.stored_name if doc.stored_name and doc.rendered_at else None


def verification_url(code: str) -> str:
    """The public, stable address printed in the QR code (always on ``BASE_URL``)."""
    return base_url_for("documents.verify", code=code)


def file_name(doc: IssuedDocument) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in doc.number).strip("-")
    return f"{doc.document}-{safe}.pdf"


# ---------------------------------------------------------------------------
# Issuing (inside the action's transaction)
# ---------------------------------------------------------------------------

def issue_for(application: Application, service, step, action, actor: User) -> list[int]:
    """Issue the documents ``service`` declares for ``action`` at ``step`` (engine hook, inside the
    action's transaction, after the application changed).  Returns the new documents' ids, to be
    handed to :func:`dispatch` after the commit."""
    if step is None or action is None or not service.documents:
        return []
    data = application.data or {}
    return [_issue(application, service, d, actor).id for d in service.documents
            if d.issued_by(step.key, action, data)]


def _unit_name(service, document) -> str:
    step = service.step(document.steps[0])
    unit_key = step.unit_key({}) if step is not None and step.unit_for is None else None
    if unit_key:
        unit = Unit.get_or_none(Unit.key == unit_key)
        if unit is not None:
            return unit.name

    return letterhead()["name"]


def _holder(application, service) -> str:
    """The holder as the public verification page shows it: masked, or not at all for a service
    that keeps the applicant's identity confidential (a complaint)."""
    return MASKED_IDENTITY if service.confidential_identity else mask_name(application.applicant.name)


def _issue(application, service, document, actor, *, signer: dict | None = None, reason: str = "") -> IssuedDocument:
    on = clock.today()
    seq = numbering.next_seq(service.slug, document.key, on.year)
    number = numbering.format_number(numbering.scheme_for(service, document), seq, on, service.code)
    signer = signer or letters.signer_for(document, actor, application)
    return IssuedDocument.create(
        application=application, service=service.slug, document=document.key, title=document.title[:200],
        number=number[:120], year=on.year, seq=seq, code=secrets.token_urlsafe(18), issued_at=utcnow(),
        issued_by=actor, signer_name=signer["name"][:120], signer_position=signer["position"][:120],
        signer_id_number=(signer.get("id_number") or "")[:20],
        unit_name=_unit_name(service, document)[:200], holder=_holder(application, service)[:200],
        reason=reason)


def reissue(doc: IssuedDocument, actor: User, reason: str) -> IssuedDocument:
    """Issue a corrected copy of ``doc`` under a new number; ``doc`` becomes superseded ("diganti")."""
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError("Alasan penerbitan ulang wajib diisi.")
    service = find_service(doc.service)
    document = service.document(doc.document) if service is not None else None
    if document is None:
        raise DocumentError("Jenis dokumen ini tidak lagi dikenal oleh layanannya.")
    with write_transaction():
        # Guarded: of two re-issues of the same document, one wins.
        current = IssuedDocument.get_by_id(doc.id)
        if current.superseded_by_id is not None:
            raise DocumentError("Dokumen ini sudah diganti oleh dokumen lain.")
        application = Application.select(Application, User).join(User, on=(Application.applicant == User.id)) \
            .where(Application.id == doc.application_id).get()
        new = _issue(application, service, document, actor, reason=reason[:2000],
                     signer={"name": doc.signer_name, "position": doc.signer_position,
                             "id_number": doc.signer_id_number})
        taken = (IssuedDocument.update(superseded_by=new.id, superseded_at=utcnow())
                 .where(IssuedDocument.id == doc.id, IssuedDocument.superseded_by.is_null()).execute())
        if not taken:
            raise DocumentError("Dokumen ini sudah diganti oleh dokumen lain.")
        mails = [_tell_applicant(application, doc, new)]
    dispatch([new.id])

    send(mails)
    return new


def _tell_applicant(application, old: IssuedDocument, new: IssuedDocument) -> int:
    """Notify the applicant of a re-issue (in-app and by e-mail, the new document attached)."""
    text = f"{application.reference}: {new.title} diterbitkan ulang dengan nomor {new.number}"
    Notification.create(user=application.applicant_id, application=application, message=text[:255])
    body = (f"Yth. {application.applicant.name},\n\n{new.title} untuk permohonan {application.reference} "
            f"diterbitkan ulang dengan nomor {new.number} dan menggantikan dokumen nomor {old.number}, yang "
            f"tidak berlaku lagi.\n\nAlasan: {new.reason}\n\nDokumen baru terlampir dan dapat diunduh di "
            f"{absolute_url('applications.detail', app_id=application.id)}\n\nPINTU")
    return queue_mail(application.applicant.email, f"[PINTU] {application.reference} - {new.title} diterbitkan ulang",
                      body, application, attachments=[document_attachment(new.id)])


# ---------------------------------------------------------------------------
# Rendering (after the commit)
# ---------------------------------------------------------------------------

def dispatch(ids: list[int]) -> None:
    """Render newly issued documents: as RQ jobs with ``REDIS_URL``, at once otherwise.  Never
    raises: what fails here is rendered by the next sweep."""
    for doc_id in ids:
        if current_app.config.get("REDIS_URL"):
            jobs.enqueue(render, doc_id)
            continue
        try:
            render(doc_id)
        except Exception:  # noqa: BLE001 - the sweep tries again; the action itself is done
            log.exception("document %s not rendered", doc_id)


def _publish(tmp: Path, final: Path) -> None:
    """Put a completely written file in place (atomic rename on the same file system)."""
    os.replace(tmp, final)


def _pdf_of(doc: IssuedDocument) -> bytes:
    application = (Application.select(Application, User).join(User, on=(Application.applicant == User.id))
                   .where(Application.id == doc.application_id).get())
    service = find_service(doc.service)
    document = service.document(doc.document) if service is not None else None
    if document is None:
        raise DocumentError(f"document {doc.id}: {doc.service}/{doc.document} is not declared any more")
    on = clock.local_date(doc.issued_at)
    signer = {"name": doc.signer_name, "position": doc.signer_position, "id_number": doc.signer_id_number}
    ctx = letters.context(application, service, document, number=doc.number, on=on, signer=signer)
    content = letters.build_pdf(document, ctx, verify_url=verification_url(doc.code), created=doc.issued_at)

    if signing.configured():  # PAdES: any PDF reader shows the signature and that nothing changed since

        content = signing.sign(content, reason=f"{doc.title} nomor {doc.number}", location=letterhead()["city"])
    return content


def render(doc_id: int) -> bool:
    """Render document ``doc_id`` if it is not in place yet (job function; idempotent).  Returns
    whether this call put it in place."""
    import hashlib

    with connection():
        doc = IssuedDocument.get_or_none(IssuedDocument.id == doc_id)
        if doc is None or doc.rendered_at is not None:
            return False
        content = _pdf_of(doc)
        name = f"{secrets.token_hex(16)}.pdf"
        final = folder() / name
        tmp = final.with_name(name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        _publish(tmp, final)
        done = (IssuedDocument.update(stored_name=name, sha256=hashlib.sha256(content).hexdigest(),
                                      size=len(content), rendered_at=utcnow())
                .where(IssuedDocument.id == doc_id, IssuedDocument.rendered_at.is_null()).execute())
        if not done:  # another process rendered it meanwhile: keep theirs
            final.unlink(missing_ok=True)
        return bool(done)


def replace_with_scan(doc: IssuedDocument, checked, actor: User) -> IssuedDocument:
    """Put the scan of the wet-ink signed letter (a checked PDF upload) in place of the generated PDF.

    The scan carries the printed QR code, so the verification page stays the same and shows the
    scan's SHA-256 from now on.  Written to a ``.part`` name, renamed, then recorded (guarded: the
    row must still hold the file this call replaces)."""
    import hashlib

    if doc.superseded_by_id is not None:
        raise DocumentError("Dokumen ini sudah diganti; unggah pindaian pada dokumen penggantinya.")
    if doc.rendered_at is None:
        raise DocumentError("Dokumen ini masih disiapkan; coba lagi sebentar lagi.")
    name = f"{secrets.token_hex(16)}.pdf"
    final = folder() / name
    tmp = final.with_name(name + ".part")
    tmp.write_bytes(checked.content)
    _publish(tmp, final)
    with write_transaction():
        done = (IssuedDocument.update(stored_name=name, sha256=hashlib.sha256(checked.content).hexdigest(),
                                      size=len(checked.content), scanned_at=utcnow())
                .where(IssuedDocument.id == doc.id, IssuedDocument.stored_name == doc.stored_name,
                       IssuedDocument.superseded_by.is_null()).execute())
    if not done:
        final.unlink(missing_ok=True)
        raise DocumentError("Dokumen ini baru saja diubah oleh petugas lain. Muat ulang halaman.")
    old = path_of(doc)
    if old is not None:
        old.unlink(missing_ok=True)
    return IssuedDocument.get_by_id(doc.id)


def render_pending(grace_seconds: float = 0, limit: int = 100) -> int:
    """Render the documents not in place yet (left by a crash, a lost job), older than
    ``grace_seconds``.  Returns how many were rendered (their stale ``.part`` files are swept by
    :func:`pintu.housekeeping.sweep`)."""
    import datetime as dt

    with connection():
        ids = [d.id for d in IssuedDocument.select(IssuedDocument.id)
               .where(IssuedDocument.rendered_at.is_null(),
                      IssuedDocument.issued_at <= utcnow() - dt.timedelta(seconds=grace_seconds))
               .order_by(IssuedDocument.id).limit(limit)]
    done = 0
    for doc_id in ids:
        try:
            done += render(doc_id)
        except Exception:  # noqa: BLE001 - one broken document must not stop the others
            log.exception("document %s not rendered", doc_id)
    return done


def content_of(doc: IssuedDocument) -> bytes:
    """The PDF's bytes, rendering it first when it is not in place yet."""
    if doc.rendered_at is None:
        render(doc.id)
        doc = IssuedDocument.get_by_id(doc.id)
    return path_of(doc).read_bytes()


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

def of_application(application_id: int, current_only: bool = False) -> list[IssuedDocument]:
    query = IssuedDocument.select().where(IssuedDocument.application == application_id)
    if current_only:
        query = query.where(IssuedDocument.superseded_by.is_null())
    return list(query.order_by(IssuedDocument.id))


def preview(application: Application, document, actor: User) -> bytes:
    """A draft of ``document`` for ``application`` as it would be issued now (no number, no QR)."""
    service = find_service(application.service)
    on = clock.today()
    ctx = letters.context(application, service, document, number="(nomor diberikan saat diterbitkan)", on=on,
                          signer=letters.signer_for(document, actor if actor.has_role(document.signer) else None,
                                                    application))
    return letters.build_pdf(document, ctx, verify_url=None, created=None, draft=True)


def by_code(code: str) -> IssuedDocument | None:
    """The document with verification ``code`` (None for unknown or malformed codes)."""
    code = (code or "").strip()
    if not code or len(code) > 64:
        return None
    return IssuedDocument.get_or_none(IssuedDocument.code == code)


def service_title(slug: str) -> str:
    service = find_service(slug)
    return service.title if service is not None else slug


def register(q: str = "", limit: int = 200, before: int | None = None) -> list[IssuedDocument]:
    """Issued documents, newest first (agenda surat keluar), matching ``q`` in number, title,
    holder or service."""
    query = IssuedDocument.select()
    q = (q or "").strip()
    if q:
        slugs = [s for s in _service_slugs_matching(q)]
        cond = (IssuedDocument.number.contains(q) | IssuedDocument.title.contains(q)
                | IssuedDocument.holder.contains(q))
        if slugs:
            cond = cond | IssuedDocument.service.in_(slugs)
        query = query.where(cond)
    if before:
        query = query.where(IssuedDocument.id < before)
    return list(query.order_by(IssuedDocument.id.desc()).limit(limit))


def _service_slugs_matching(q: str) -> list[str]:
    q = q.lower()
    return [s.slug for s in all_services() if q in s.title.lower()]


def register_row(doc: IssuedDocument) -> dict:
    """One line of the register: what may be shown to any administrator (holder masked)."""
    return {"number": doc.number, "date": clock.local_date(doc.issued_at).isoformat(),
            "title": doc.title, "service": service_title(doc.service), "holder": doc.holder,
            "status": "berlaku" if doc.current else "diganti", "url": verification_url(doc.code)}
