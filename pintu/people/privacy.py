"""Personal data (UU PDP 27/2022): export, account deletion and the retention period.

* :func:`export_zip` - everything held about an applicant, as a ZIP streamed file by file
  (profile, applications with their data, the files they may download, the events and messages
  they may see, their notifications).
* :func:`request_deletion` / :func:`execute_deletion` - the applicant asks, an admin executes:
  the account is anonymised, its closed applications anonymised, its drafts deleted.
* :func:`purge_expired` - closed applications older than ``RETENTION_DAYS`` are anonymised
  (``flask --app pintu purge-expired``).  Idempotent: an anonymised application belongs to the
  anonymous placeholder account and is never selected again.

Anonymising an application blanks every data field except ``Service.retained_fields``, moves it,
its events and the applicant's messages to the placeholder account "Pemohon anonim", replaces the
applicant's message texts, deletes its files from disk and marks their rows (``Upload.purged_at``).
Events keep their kind, steps and times (the service's statistics) but not who the applicant was.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.security import generate_password_hash

from pintu.data import audit, uploads
from pintu.engine import external
from pintu.output import documents
from pintu.people.access import can_download, can_download_document
from pintu.data.db import write_transaction
from pintu.engine.messages import thread
from pintu.data.models import (Application, DeletionRequest, EmailVerification, Event, Handover, Membership, Message,
                               Notification, OutgoingMail, PasswordResetToken, RateLimitHit, SurveyResponse, Upload,
                               User, utcnow)
from pintu.contract.plugins import find_service
from pintu.contract.services import FINAL_STATUSES, STATUSES
from pintu.engine.timeline import timeline
from pintu.standards.survey import COLUMNS, ELEMENTS

#: The placeholder account anonymised applications belong to.
ANONYMOUS_EMAIL = "pemohon-anonim@pintu.invalid"
ANONYMOUS_NAME = "Pemohon anonim"
REMOVED_MESSAGE = "(pesan dihapus untuk melindungi data pribadi)"


class PrivacyError(ValueError):
    """A request that cannot be done; ``str(err)`` is the Indonesian message."""


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------

def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def export_zip(user: User):
    """A :class:`zipstream.ZipStream` with everything held about ``user`` (iterate it to stream).

    Files are added by path and read only while the ZIP is streamed.  Only what ``user`` may see
    goes in: no internal notes, staff-only events, internal attachments or unreleased products.
    """
    from zipstream import ZIP_DEFLATED, ZipStream

    zs = ZipStream(compress_type=ZIP_DEFLATED, sized=False)
    zs.add(_json({
        "nama": user.name, "email": user.email, "telepon": user.phone, "kategori": user.category_label,
        "nip_nik": user.id_number, "terdaftar": user.created_at,
        "diekspor": utcnow(), "catatan": "Data pribadi Anda yang disimpan PINTU (UU 27/2022 tentang "
                                         "Pelindungan Data Pribadi). Waktu dalam UTC.",
    }), "profil.json")
    applications = list(Application.select().where(Application.applicant == user.id).order_by(Application.id))
    for application in applications:
        service = find_service(application.service)
        folder = f"permohonan/{application.reference or 'draf-' + str(application.id)}"
        zs.add(_json({
            "nomor": application.reference, "layanan": service.title if service else application.service,
            "status": STATUSES.get(application.status, application.status), "tahap": application.step,
            "dibuat": application.created_at, "diajukan": application.submitted_at,
            "selesai": application.closed_at, "batas_waktu": application.due_date,
            "alasan_penolakan": application.refusal_reason, "data": application.data,
            "riwayat": [{k: e[k] for k in ("when", "message", "who", "note")}
                        for e in timeline(application, staff=False)],
            "pesan": [{"waktu": m.created_at, "dari": "Anda" if m.author_id == user.id else "Petugas",
                       "isi": m.body, "lampiran": m.attachment.original_name if m.attachment_id else None}
                      for m in thread(application, viewer_is_staff=False)],
            "survei": _survey_answer(application),
        }), f"{folder}/permohonan.json")
        for upload in Upload.select().where(Upload.application == application.id).order_by(Upload.id):
            if not can_download(user, upload):
                continue
            path = uploads.path_of(upload.stored_name)
            if path.exists():
                zs.add_path(str(path), f"{folder}/berkas/{upload.id}-{upload.original_name}")
        for doc in documents.of_application(application.id, current_only=True):  # letters issued to them
            path = documents.path_of(doc) if can_download_document(user, doc) else None
            if path is not None and path.exists():
                zs.add_path(str(path), f"{folder}/dokumen-hasil/{documents.file_name(doc)}")
    notes = Notification.select().where(Notification.user == user.id).order_by(Notification.id)
    zs.add(_json([{"waktu": n.created_at, "pesan": n.message, "dibaca": n.read_at} for n in notes]),
           "notifikasi.json")
    return zs


def _survey_answer(application: Application) -> dict | None:
    row = SurveyResponse.get_or_none(SurveyResponse.application == application.id)
    if row is None:
        return None
    return {"waktu": row.created_at, "saran": row.suggestion, "jenis_kelamin": row.gender, "umur": row.age,
            "pendidikan": row.education, "pekerjaan": row.occupation,
            "nilai": {label: getattr(row, c) for c, (_, label, _) in zip(COLUMNS, ELEMENTS)}}


# ---------------------------------------------------------------------------
# Account deletion
# ---------------------------------------------------------------------------

def open_applications(user: User) -> list[Application]:
    """Submitted applications not yet closed (drafts are deleted with the account)."""
    return list(Application.select().where(Application.applicant == user.id,
                                           Application.status.not_in(list(FINAL_STATUSES) + ["draft"])))


def open_applications_of(user_ids: list[int]) -> dict[int, list[Application]]:
    """:func:`open_applications` for several users in one query: user id -> applications."""
    out: dict[int, list[Application]] = {}
    if user_ids:
        for a in Application.select().where(Application.applicant.in_(user_ids),
                                            Application.status.not_in(list(FINAL_STATUSES) + ["draft"])):
            out.setdefault(a.applicant_id, []).append(a)
    return out


def _open_message(apps: list[Application]) -> str:
    refs = ", ".join(a.reference or str(a.id) for a in apps[:5])
    return (f"Akun belum dapat dihapus karena masih ada permohonan yang berjalan ({refs}). "
            "Tunggu hingga permohonan selesai atau batalkan terlebih dahulu, lalu ajukan kembali.")


def pending_request(user: User) -> DeletionRequest | None:
    return DeletionRequest.get_or_none(DeletionRequest.user == user.id, DeletionRequest.status == "pending")


def request_deletion(user: User, reason: str = "") -> DeletionRequest:
    """Record the applicant's request; refused while applications are still open."""
    if user.is_staff or user.is_admin:
        raise PrivacyError("Akun petugas dan administrator dihapus melalui administrator, bukan dari profil.")
    still_open = open_applications(user)
    if still_open:
        raise PrivacyError(_open_message(still_open))
    existing = pending_request(user)
    if existing is not None:
        return existing
    req = DeletionRequest.create(user=user, reason=(reason or "").strip()[:2000])
    audit.record("account.deletion_requested", user, actor=user)
    return req


def anonymous_account() -> User:
    """The inactive placeholder account that anonymised applications belong to."""
    user = User.get_or_none(User.email == ANONYMOUS_EMAIL)
    if user is None:
        user = User.create(email=ANONYMOUS_EMAIL, name=ANONYMOUS_NAME, category="masyarakat",
                           password_hash="!", session_token=secrets.token_hex(16), is_active=False)
    return user


@dataclass
class Result:
    applications: list[str] = field(default_factory=list)
    files: int = 0


def anonymise_application(application: Application, placeholder: User, result: Result) -> list:
    """Anonymise one closed application (inside the caller's transaction); returns the file paths to delete."""
    service = find_service(application.service)
    keep = set(service.retained_fields) if service else set()
    data = {k: (v if k in keep else None) for k, v in (application.data or {}).items()}
    applicant_id = application.applicant_id
    now = utcnow()
    (Application.update(applicant=placeholder, data=data, tracking_code="",
                        refusal_reason="", version=Application.version + 1)
     .where(Application.id == application.id).execute())
    Event.update(actor=placeholder).where(Event.application == application.id, Event.actor == applicant_id).execute()
    # Who a party outside the office said they were is personal data too (pintu.engine.external).
    (Event.update(party_name="", party_email="", party_capacity="")
     .where(Event.application == application.id, Event.party_email != "").execute())
    external.purge_link_rows(application.id)
    (Message.update(author=placeholder, body=REMOVED_MESSAGE)
     .where(Message.application == application.id, Message.author == applicant_id).execute())
    Notification.delete().where(Notification.application == application.id,
                                Notification.user == applicant_id).execute()
    (OutgoingMail.update(to="", body="(dihapus untuk melindungi data pribadi)", attachments=[])
     .where(OutgoingMail.application == application.id).execute())
    # Who collected the product (the applicant or a proxy): names and ID numbers go; the record of the
    # hand-over (when, which officer) stays.  Issued letters stay: they are the institution's archive
    # and their verification pages show only a masked holder.
    Handover.update(name="(dihapus)", id_number="").where(Handover.application == application.id).execute()
    # The survey answer keeps its ratings (the IKM of the period) but not the free text or the respondent.
    (SurveyResponse.update(suggestion="", gender="", age=None, education="", occupation="")
     .where(SurveyResponse.application == application.id).execute())
    paths = []
    for upload in Upload.select().where(Upload.application == application.id, Upload.purged_at.is_null()):
        paths.append(uploads.path_of(upload.stored_name))
    purged = (Upload.update(purged_at=now, original_name="(dihapus)")
              .where(Upload.application == application.id, Upload.purged_at.is_null()).execute())
    result.files += purged
    result.applications.append(application.reference or f"#{application.id}")
    return paths


def _delete_files(paths) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def execute_deletion(request_: DeletionRequest, admin: User) -> Result:
    """Anonymise the account of ``request_`` and its closed applications, delete its drafts and files."""
    user = User.get_by_id(request_.user_id)
    if request_.status != "pending":
        raise PrivacyError("Permintaan ini sudah diproses.")
    still_open = open_applications(user)
    if still_open:
        raise PrivacyError(_open_message(still_open))
    result = Result()
    paths = []
    with write_transaction():
        placeholder = anonymous_account()
        for application in Application.select().where(Application.applicant == user.id):
            if application.status == "draft":
                paths += [uploads.path_of(u.stored_name) for u in application.uploads]
                result.files += application.uploads.count()
                application.delete_instance(recursive=True)
            else:
                paths += anonymise_application(application, placeholder, result)
        Notification.delete().where(Notification.user == user.id).execute()
        # Rate-limit rows keyed by the e-mail (failed logins, account mails) and pending registrations.
        RateLimitHit.delete().where(RateLimitHit.key == user.email).execute()
        EmailVerification.delete().where(EmailVerification.email == user.email).execute()
        PasswordResetToken.delete().where(PasswordResetToken.user == user.id).execute()
        OutgoingMail.update(to="", body="(dihapus untuk melindungi data pribadi)").where(
            OutgoingMail.to == user.email).execute()
        Membership.delete().where(Membership.user == user.id).execute()
        User.update(name="Akun dihapus", email=f"dihapus-{user.id}@pintu.invalid", phone="", id_number="",
                    password_hash=generate_password_hash(secrets.token_hex(32)),
                    session_token=secrets.token_hex(16), is_active=False).where(User.id == user.id).execute()
        (DeletionRequest.update(status="done", executed_at=utcnow(), executed_by=admin.id, reason="")
         .where(DeletionRequest.id == request_.id).execute())
    _delete_files(paths)
    audit.record("account.deleted", ("user", user.id), actor=admin, applications=len(result.applications),
                 files=result.files)
    return result


# ---------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------

def retention_days() -> int | None:
    days = current_app.config.get("RETENTION_DAYS")
    return int(days) if days else None


def purge_expired(now: dt.datetime | None = None) -> Result:
    """Anonymise closed applications closed more than ``RETENTION_DAYS`` ago (none when 0/None)."""
    result = Result()
    days = retention_days()
    if not days:
        return result
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    paths = []
    with write_transaction():
        placeholder = anonymous_account()
        expired = (Application.select().where(Application.status.in_(list(FINAL_STATUSES)),
                                              Application.closed_at < cutoff,
                                              Application.applicant != placeholder.id)
                   .order_by(Application.id))
        for application in expired:
            paths += anonymise_application(application, placeholder, result)
    _delete_files(paths)
    if result.applications:
        audit.record("retention.purge", ("application", "", f"{len(result.applications)} permohonan"),
                     applications=result.applications, files=result.files, retention_days=days)
    return result
