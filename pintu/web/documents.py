"""Issued documents and receipts: public verification, downloads, draft preview, re-issue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from pintu.data import audit, uploads
from pintu.output import documents, letters, receipts
from pintu.people import ratelimit
from pintu.people.access import (application_or_404, can_download_document, can_reissue, identity_visible,
                                 staff_required)
from pintu.data.models import IssuedDocument
from pintu.contract.plugins import get_service
from pintu.contract.services import Requirement
from pintu.web.auth import too_many

bp = Blueprint("documents", __name__)

VERIFY_SCOPE = "verify-miss"  # verification lookups of unknown codes, per client address
VERIFY_LIMITED = ("Terlalu banyak pemeriksaan dengan kode yang tidak dikenal dari alamat jaringan Anda. "
                  "Coba lagi dalam {wait}.")


def _pdf(content: bytes, name: str, inline: bool = False):
    import io

    # Cache-Control: no-store comes with every response (pintu.web.headers).
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=not inline, download_name=name)


@bp.route("/verifikasi/<code>")
def verify(code):
    """Public: is this document genuine?  Unknown and forged codes get the same answer."""
    limit, address = ratelimit.Limit.from_config("RATE_LIMIT_VERIFY"), ratelimit.client_address()
    wait = ratelimit.retry_after(VERIFY_SCOPE, address, limit)
    if wait:
        return too_many("documents/verify.html", VERIFY_LIMITED, wait, doc=None)
    doc = documents.by_code(code)
    if doc is None:
        ratelimit.hit(VERIFY_SCOPE, address)
        return render_template("documents/verify.html", doc=None), 404
    successor = IssuedDocument.get_by_id(doc.superseded_by_id) if doc.superseded_by_id else None
    return render_template("documents/verify.html", doc=doc, successor=successor,
                           service_title=documents.service_title(doc.service))


@bp.route("/dokumen/<int:doc_id>")
@login_required
def download(doc_id):
    doc = IssuedDocument.get_or_none(IssuedDocument.id == doc_id)
    if doc is None or not can_download_document(current_user, doc):
        abort(404)
    path = documents.path_of(doc)
    if path is None or not path.exists():
        abort(404)
    audit.record("document.download", doc.application, document=doc.number)
    return send_file(path, mimetype="application/pdf", as_attachment=True, download_name=documents.file_name(doc))


@bp.route("/permohonan/<int:app_id>/draf/<key>.pdf")
@staff_required
def preview(app_id, key):
    """Staff: the draft of a declared document as it would be issued now (no number, no QR)."""
    application = application_or_404(app_id)
    document = get_service(application.service).document(key)
    # The draft names the applicant: only staff who may see the identity (Service.confidential_identity).
    if document is None or application.applicant_id == current_user.id or not identity_visible(current_user,
                                                                                               application):
        abort(404)
    try:
        content = documents.preview(application, document, current_user)
    except letters.LetterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("applications.detail", app_id=app_id))
    return _pdf(content, f"draf-{key}-{application.reference}.pdf", inline=True)


def _managed(doc_id: int):
    """The issued document and its application, if the current user may manage it (re-issue, signed
    scan: :func:`pintu.people.access.can_reissue`); else 404."""
    doc = IssuedDocument.get_or_none(IssuedDocument.id == doc_id) or abort(404)
    application = application_or_404(doc.application_id)
    document = get_service(application.service).document(doc.document)
    if document is None or not can_reissue(current_user, application, document):
        abort(404)
    return doc, application


@bp.route("/petugas/dokumen/<int:doc_id>/terbitkan-ulang", methods=["POST"])
@staff_required
def reissue(doc_id):
    doc, application = _managed(doc_id)
    try:
        new = documents.reissue(doc, current_user._get_current_object(), request.form.get("reason", ""))
    except documents.DocumentError as exc:
        flash(str(exc), "error")
    else:
        audit.record("document.reissue", application, old=doc.number, new=new.number)
        flash(f"{new.title} diterbitkan ulang dengan nomor {new.number}; nomor {doc.number} dinyatakan diganti.",
              "success")
    return redirect(url_for("applications.detail", app_id=application.id))


@bp.route("/permohonan/<int:app_id>/tanda-terima.pdf")
@login_required
def receipt(app_id):
    application = application_or_404(app_id)
    if not application.reference or application.status == "draft":
        abort(404)
    content = receipts.render(application, get_service(application.service))
    return _pdf(content, receipts.file_name(application))


#: The scan of a letter signed in wet ink (replaces the generated PDF of an issued document).
SIGNED_SCAN = Requirement("pindaian", "Pindaian surat bertanda tangan basah", types=("pdf",), max_mb=10)


@bp.route("/petugas/dokumen/<int:doc_id>/pindaian", methods=["POST"])
@staff_required
def signed_scan(doc_id):
    """For wet-ink signatures: the signed letter's scan replaces the generated PDF."""
    doc, application = _managed(doc_id)
    storage = request.files.get("file_pindaian")
    try:
        if storage is None or not storage.filename:
            raise uploads.UploadError("Pilih berkas PDF pindaian surat yang telah ditandatangani.")
        documents.replace_with_scan(doc, uploads.check(storage, SIGNED_SCAN), current_user._get_current_object())
    except (uploads.UploadError, documents.DocumentError) as exc:
        flash(f"{SIGNED_SCAN.label}: {exc}", "error")
    else:
        audit.record("document.signed_scan", application, document=doc.number)
        flash(f"Pindaian {doc.title} nomor {doc.number} menggantikan draf cetak; halaman verifikasinya kini "
              "menunjukkan sidik jari pindaian.", "success")
    return redirect(url_for("applications.detail", app_id=application.id))
