"""Legalisir Ijazah dan Transkrip Akademik through HTTP: apply, uploads, every role of the workflow."""

from __future__ import annotations

import io
import re

import pytest

from pintu.testing import (PNG, act, app_id_of, count_rows as count, events_of as events, field_error,
                           get_application as get, login, mails_to, outbox, pdf, png)
from pintu.testing import attached_files as stored_files  # files attached to applications

SLUG = "legalisir"
APPLICANT = "alumni@test.id"
VALID = {"nim": "E31170001", "program_studi": "Teknik Informatika", "tahun_lulus": "2021", "jumlah_ijazah": "3",
         "jumlah_transkrip": "2", "keperluan": "melamar_kerja"}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def apply(client, submit=True, **overrides):
    data = dict(VALID, file_ijazah=pdf("ijazah.pdf"), file_transkrip=pdf("transkrip.pdf"))
    data.update(overrides)
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


@pytest.fixture
def applicant(make_user):
    return make_user(APPLICANT, category="mahasiswa", name="Rina Alumni")


def submitted(client):
    login(client, APPLICANT)
    return app_id_of(apply(client))


def to_verification(client, app, app_id):
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200


def to_pickup(client, app, app_id):
    to_verification(client, app, app_id)
    login(client, "akademik@test.id")
    assert act(client, app, app_id, "legalised").status_code == 200


# ---------------------------------------------------------------------------
# Full path
# ---------------------------------------------------------------------------

def test_full_approval_path_to_done(app, client, staff, applicant):
    app_id = submitted(client)
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.reference.startswith("LGS-")
    assert application.data["jumlah_transkrip"] == 2

    login(client, "petugas@test.id")
    assert application.reference in client.get("/petugas/").get_data(as_text=True)
    r = act(client, app, app_id, "lengkap")
    assert r.status_code == 200 and "Berkas dinyatakan lengkap" in r.get_data(as_text=True)
    application = get(app, app_id)
    assert application.step == "verifikasi" and application.due_date is not None

    login(client, "akademik@test.id")
    assert act(client, app, app_id, "legalised").status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")

    login(client, "petugas@test.id")
    assert act(client, app, app_id, "taken").status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("done", None)
    assert application.closed_at is not None

    assert [(k, a, role) for k, a, role, _ in events(app, app_id)] == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"), ("forward", "legalised", "verifikator"),
        ("finish", "taken", "petugas")]

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    for message in ("Permohonan diajukan", "Berkas dinyatakan lengkap", "Legalisir selesai dan diserahkan ke ULT",
                    "Produk layanan telah diserahkan kepada pemohon"):
        assert message in page
    assert "3 lembar ijazah, 2 lembar transkrip" in page  # the plugin's detail template

    mails = mails_to(app, APPLICANT)
    assert len(mails) == 4
    assert "Permohonan diajukan" in mails[0]
    assert "Berkas dinyatakan lengkap" in mails[1]
    assert "Legalisir selesai dan diserahkan ke ULT" in mails[2]
    assert "Produk layanan telah diserahkan kepada pemohon" in mails[3] and "Status saat ini: Selesai" in mails[3]
    assert all(application.reference in m and application.tracking_code in m for m in mails)


def test_pickup_step_is_ready_and_applicant_told(app, client, staff, applicant):
    from pintu.data.models import Notification

    app_id = submitted(client)
    to_pickup(client, app, app_id)
    application = get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")

    mail = mails_to(app, APPLICANT)[-1]
    assert "Legalisir selesai dan diserahkan ke ULT" in mail
    assert "Status saat ini: Hasil siap diambil" in mail
    with app.app_context():
        messages = [n.message for n in Notification.select().where(Notification.user == applicant.id)]
    assert f"{application.reference}: Legalisir selesai dan diserahkan ke ULT" in messages

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Legalisir siap diambil di ULT" in page  # the step title
    assert "Silakan ambil di ULT" in page  # the detail template's pickup hint
    assert "Hasil siap diambil" in page


# ---------------------------------------------------------------------------
# Refusal
# ---------------------------------------------------------------------------

def test_refusal_needs_reason_and_reason_is_shown(app, client, staff, applicant):
    app_id = submitted(client)
    to_verification(client, app, app_id)
    before = get(app, app_id)
    events_before = events(app, app_id)

    login(client, "akademik@test.id")
    r = act(client, app, app_id, "refuse")
    assert r.status_code == 422
    assert "Alasan wajib diisi." in r.get_data(as_text=True)
    after = get(app, app_id)
    assert (after.status, after.step, after.version) == (before.status, before.step, before.version)
    assert events(app, app_id) == events_before

    reason = "NIM E31170001 tidak tercatat sebagai lulusan Program Studi Teknik Informatika."
    assert act(client, app, app_id, "refuse", note=reason).status_code == 200
    after = get(app, app_id)
    assert after.status == "refused" and after.refusal_reason == reason

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]
    assert "Perbaiki dan ajukan kembali" not in page


def test_ult_may_refuse_at_completeness_with_reason(app, client, staff, applicant):
    app_id = submitted(client)
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "refuse", note="  ").status_code == 422
    assert get(app, app_id).status == "in_process"
    assert act(client, app, app_id, "refuse", note="Berkas bukan ijazah Polije.").status_code == 200
    assert get(app, app_id).refusal_reason == "Berkas bukan ijazah Polije."


# ---------------------------------------------------------------------------
# Return, fix, resubmit
# ---------------------------------------------------------------------------

def test_return_fix_and_resubmit_keeps_history(app, client, staff, applicant):
    from pintu.data.models import Upload

    app_id = submitted(client)
    reference = get(app, app_id).reference

    login(client, "petugas@test.id")
    r = act(client, app, app_id, "return")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"
    note = "Scan ijazah buram, mohon unggah ulang hasil scan."
    assert act(client, app, app_id, "return", note=note).status_code == 200
    assert get(app, app_id).status == "returned"

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert note in page and "Perbaiki dan ajukan kembali" in page
    assert note in mails_to(app, APPLICANT)[-1]
    form = client.get(f"/permohonan/{app_id}/ubah").get_data(as_text=True)
    assert 'value="E31170001"' in form and "Sudah diunggah: ijazah.pdf" in form

    sharp = b"%PDF-1.4\n% ijazah scan tajam\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, submit="1", file_ijazah=pdf("ijazah_tajam.pdf", sharp)))
    assert app_id_of(r) == app_id
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.reference == reference

    with app.app_context():
        rows = [(u.requirement, u.original_name, u.superseded)
                for u in Upload.select().where(Upload.application == app_id).order_by(Upload.id)]
    assert rows == [("ijazah", "ijazah.pdf", True), ("transkrip", "transkrip.pdf", False),
                    ("ijazah", "ijazah_tajam.pdf", False)]

    assert [(k, a) for k, a, _, _ in events(app, app_id)] == [
        ("submitted", ""), ("return", "return"), ("resubmitted", "")]
    assert events(app, app_id)[1][3] == note

    login(client, "petugas@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Permohonan diajukan kembali setelah diperbaiki" in page and note in page
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).step == "verifikasi"


# ---------------------------------------------------------------------------
# Who may act
# ---------------------------------------------------------------------------

def test_wrong_role_cannot_act(app, client, staff, applicant):
    app_id = submitted(client)
    before = get(app, app_id)
    n_events = len(events(app, app_id))

    # Neither kepegawaian nor the leadership has a step in this service: not even visible.
    for email in ("kepeg@test.id", "pimpinan@test.id"):
        login(client, email)
        assert act(client, app, app_id, "lengkap").status_code == 404

    # Akademik sees it, but the ULT completeness check is not theirs.
    login(client, "akademik@test.id")
    r = act(client, app, app_id, "lengkap")
    assert r.status_code == 422
    assert "Anda tidak berwenang mengambil tindakan pada tahap ini." in r.get_data(as_text=True)

    login(client, APPLICANT)
    assert act(client, app, app_id, "lengkap").status_code == 403

    after = get(app, app_id)
    assert (after.status, after.step, after.version) == (before.status, before.step, before.version)
    assert len(events(app, app_id)) == n_events

    # At akademik's step the ULT may not legalise in their place.
    to_verification(client, app, app_id)
    r = act(client, app, app_id, "legalised")
    assert r.status_code == 422
    assert get(app, app_id).step == "verifikasi"


def test_action_of_another_step_is_not_available(app, client, staff, applicant):
    app_id = submitted(client)
    login(client, "petugas@test.id")
    r = act(client, app, app_id, "taken")  # the pickup action, while still at completeness
    assert r.status_code == 422 and "Tindakan tidak tersedia pada tahap ini." in r.get_data(as_text=True)
    assert get(app, app_id).step == "kelengkapan"


# ---------------------------------------------------------------------------
# Uploads and form rules
# ---------------------------------------------------------------------------

def test_png_renamed_to_pdf_is_refused_and_nothing_stored(app, client, applicant):
    login(client, APPLICANT)
    r = apply(client, file_ijazah=(io.BytesIO(PNG), "ijazah.pdf"))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "file_ijazah") == \
        "Isi berkas bukan PDF. Unggah berkas PDF yang asli (hasil scan, foto tidak diperkenankan)."
    assert field_error(page, "file_transkrip") is None
    assert 'value="E31170001"' in page  # typed values survive
    assert count(app) == 0 and count(app, "Upload") == 0
    assert stored_files(app) == []


def test_png_as_draft_is_refused_too(app, client, applicant):
    login(client, APPLICANT)
    r = apply(client, submit=False, file_transkrip=png("transkrip.png"))
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_transkrip").startswith("Isi berkas bukan PDF.")
    assert count(app) == 0 and stored_files(app) == []


def test_accepted_upload_is_stored_under_a_generated_name(app, client, applicant):
    app_id = submitted(client)
    files = stored_files(app)
    assert len(files) == 2 and all(re.fullmatch(r"[0-9a-f]{32}\.pdf", f) for f in files)
    assert get(app, app_id).status == "in_process"


def test_at_least_one_copy_required(app, client, applicant):
    login(client, APPLICANT)
    r = apply(client, jumlah_ijazah="0", jumlah_transkrip="0")
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "jumlah_ijazah") == \
        "Isi sekurang-kurangnya satu lembar legalisir ijazah atau transkrip."
    assert count(app) == 0


def test_instansi_cannot_apply(app, client, make_user):
    make_user("smk@test.id", category="instansi")
    login(client, "smk@test.id")
    r = apply(client)
    assert r.status_code == 302 and r.location.endswith(f"/layanan/{SLUG}")
    assert count(app) == 0 and stored_files(app) == []
