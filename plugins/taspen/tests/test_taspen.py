"""Usul Kartu TASPEN through HTTP: apply, the NIP from the profile, every role of the workflow."""

from __future__ import annotations

import html

import pytest

import pintu_taspen
from pintu.testing import (act, app_id_of, count_rows as count, events_of as events, field_error,
                           get_application as get, login, mails_to, outbox, pdf, png)
from pintu.testing import attached_files as stored_files  # files attached to applications

SLUG = "kartu-taspen"
APPLICANT = "pegawai@test.id"
NIP = "197001011995031001"
VALID = {"unit_kerja": "Jurusan Teknologi Informasi", "jabatan": "Pengadministrasi Umum",
         "pangkat_golongan": "Penata Muda / III-a", "pernyataan": "y"}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def files(**replace):
    out = {f"file_{r.key}": pdf(f"{r.key}.pdf") for r in pintu_taspen.REQUIREMENTS}
    out.update({f"file_{k}": v for k, v in replace.items()})
    return out


def apply(client, submit=True, with_files=True, **fields):
    data = {k: v for k, v in dict(VALID, **fields).items() if v is not None}
    if with_files:
        data.update(files())
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def set_nip(app, email, nip):
    from pintu.data.models import User

    with app.app_context():
        User.update(id_number=nip).where(User.email == email).execute()


@pytest.fixture
def applicant(app, make_user):
    user = make_user(APPLICANT, category="pegawai", name="Ahmad Pegawai")
    set_nip(app, APPLICANT, NIP)
    return user


def submitted(client, app):
    login(client, APPLICANT)
    return app_id_of(apply(client))


PATH = [("kelengkapan", "petugas@test.id", "lengkap"), ("verifikasi", "kepeg@test.id", "memenuhi_syarat"),
        ("persetujuan", "pimpinan@test.id", "setujui")]


def to_step(client, app, app_id, step):
    for key, email, action in PATH:
        if key == step:
            return
        login(client, email)
        assert act(client, app, app_id, action).status_code == 200


# ---------------------------------------------------------------------------
# The standard
# ---------------------------------------------------------------------------

def test_standard_page_lists_the_five_documents_and_the_product(client):
    page = client.get(f"/layanan/{SLUG}").get_data(as_text=True)
    assert "Usul Kartu TASPEN" in page
    for label in ("Surat Keterangan dari atasan langsung", "Surat permohonan kepada direktur",
                  "Fotocopy Surat keterangan untuk mendapatkan tunjangan keluarga (KP4)",
                  "Fotocopy Surat perintah melaksanakan tugas (SPMT)", "Fotocopy Daftar Gaji Terbaru"):
        assert label in page
    assert len(pintu_taspen.REQUIREMENTS) == 5
    assert "Tembusan surat pengantar pengiriman berkas ke BKN" in page
    assert "Pegawai / PNS, Dosen" in page
    assert "(0331) 333533 Ext. 160/221" in page


def test_form_shows_the_nip_from_the_profile(client, applicant):
    login(client, APPLICANT)
    page = client.get(f"/layanan/{SLUG}/ajukan").get_data(as_text=True)
    assert NIP in page and "Data pegawai dari profil" in page
    assert 'name="unit_kerja"' in page and 'name="pernyataan"' in page


# ---------------------------------------------------------------------------
# Approval path
# ---------------------------------------------------------------------------

def test_full_approval_path_to_done(app, client, staff, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client))
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.reference.startswith("TSP-")
    assert application.data == {"unit_kerja": "Jurusan Teknologi Informasi", "jabatan": "Pengadministrasi Umum",
                                "pangkat_golongan": "Penata Muda / III-a", "pernyataan": True}
    assert count(app, "Upload") == 5

    login(client, "petugas@test.id")
    assert application.reference in client.get("/petugas/").get_data(as_text=True)
    assert act(client, app, app_id, "lengkap").status_code == 200
    application = get(app, app_id)
    assert application.step == "verifikasi" and application.due_date is not None

    # The kepegawaian verifier sees it in the inbox and the NIP on the page.
    login(client, "kepeg@test.id")
    assert application.reference in client.get("/petugas/").get_data(as_text=True)
    assert NIP in client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert act(client, app, app_id, "memenuhi_syarat").status_code == 200
    assert get(app, app_id).step == "persetujuan"

    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "setujui").status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Tembusan surat pengantar pengiriman berkas ke BKN siap diambil di ULT" in page
    assert "siap diambil" in mails_to(app, APPLICANT)[-1]

    login(client, "petugas@test.id")
    assert act(client, app, app_id, "taken").status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("done", None)

    assert [(k, a, role) for k, a, role, _ in events(app, app_id)] == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"),
        ("forward", "memenuhi_syarat", "verifikator"), ("forward", "setujui", "pimpinan"),
        ("finish", "taken", "petugas")]
    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    for message in ("Dokumen dinyatakan memenuhi syarat oleh Subbagian Kepegawaian",
                    "Usulan disetujui pimpinan; surat pengantar pengiriman berkas ke BKN diterbitkan",
                    "Produk layanan telah diserahkan kepada pemohon", "Selesai"):
        assert message in page
    assert len(mails_to(app, APPLICANT)) == 5


def test_dosen_may_apply_but_not_mahasiswa(app, client, make_user):
    make_user("dosen@test.id", category="dosen")
    set_nip(app, "dosen@test.id", "198005052005012002")
    login(client, "dosen@test.id")
    assert get(app, app_id_of(apply(client))).status == "in_process"

    make_user("mhs@test.id", category="mahasiswa")
    login(client, "mhs@test.id")
    r = apply(client)
    assert r.status_code == 302 and r.location.endswith(f"/layanan/{SLUG}")
    assert count(app) == 1


# ---------------------------------------------------------------------------
# Refusal
# ---------------------------------------------------------------------------

def test_leadership_refusal_with_reason_is_shown_to_the_applicant(app, client, staff, applicant):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "persetujuan")
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "refuse", note="")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"

    reason = "Kartu TASPEN atas nama pemohon sudah pernah diterbitkan."
    assert act(client, app, app_id, "refuse", note=reason).status_code == 200
    application = get(app, app_id)
    assert application.status == "refused" and application.refusal_reason == reason

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "taken").status_code == 422  # final


def test_kepegawaian_may_refuse_too(app, client, staff, applicant):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    login(client, "kepeg@test.id")
    assert act(client, app, app_id, "refuse", note="Pemohon belum berstatus PNS.").status_code == 200
    assert get(app, app_id).status == "refused"


# ---------------------------------------------------------------------------
# Return, fix, resubmit
# ---------------------------------------------------------------------------

def test_return_fix_and_resubmit(app, client, staff, applicant):
    from pintu.data.models import Upload

    app_id = submitted(client, app)
    reference = get(app, app_id).reference
    to_step(client, app, app_id, "verifikasi")

    login(client, "kepeg@test.id")
    note = "SPMT terpotong pada halaman kedua. Unggah ulang fotocopy SPMT lengkap."
    assert act(client, app, app_id, "return", note=note).status_code == 200
    assert get(app, app_id).status == "returned"

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert note in page and "Perbaiki dan ajukan kembali" in page

    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, jabatan="Analis Kepegawaian", submit="1", file_spmt=pdf("spmt_lengkap.pdf")))
    assert app_id_of(r) == app_id
    application = get(app, app_id)
    assert (application.status, application.step, application.reference) == ("in_process", "kelengkapan",
                                                                              reference)
    assert application.data["jabatan"] == "Analis Kepegawaian"
    with app.app_context():
        spmt = [(u.original_name, u.superseded) for u in Upload.select().where(
            Upload.application == app_id, Upload.requirement == "spmt").order_by(Upload.id)]
    assert spmt == [("spmt.pdf", True), ("spmt_lengkap.pdf", False)]
    assert [k for k, *_ in events(app, app_id)] == ["submitted", "forward", "return", "resubmitted"]

    # and it runs to the end again
    for _, email, action in PATH:
        login(client, email)
        assert act(client, app, app_id, action).status_code == 200
    assert get(app, app_id).status == "ready"


# ---------------------------------------------------------------------------
# Special rules: NIP from the profile, the statement, the documents
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("nip", ["", "3509010101800001"])  # none, or a NIK instead of a NIP
def test_submission_needs_a_nip_in_the_profile(app, client, applicant, nip):
    set_nip(app, APPLICANT, nip)
    login(client, APPLICANT)
    r = apply(client)
    assert r.status_code == 422
    assert pintu_taspen.NIP_MISSING in html.unescape(r.get_data(as_text=True))
    assert count(app) == 0 and stored_files(app) == []

    # a draft may be saved without it; submitting works once the profile has the NIP
    app_id = app_id_of(apply(client, submit=False))
    assert get(app, app_id).status == "draft"
    set_nip(app, APPLICANT, NIP)
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, submit="1"))
    assert app_id_of(r) == app_id and get(app, app_id).status == "in_process"


def test_statement_must_be_ticked(app, client, applicant):
    login(client, APPLICANT)
    r = apply(client, pernyataan=None)
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "pernyataan") == \
        "Centang pernyataan ini untuk mengajukan permohonan."
    assert count(app) == 0


def test_missing_document_and_photo_instead_of_pdf(app, client, applicant):
    login(client, APPLICANT)
    data = dict(VALID, submit="1", **files())
    del data["file_daftar_gaji"]
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_daftar_gaji") == "Fotocopy Daftar Gaji Terbaru wajib diunggah."

    data = dict(VALID, submit="1", **files(kp4=png("kp4.png")))
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_kp4").startswith("Isi berkas bukan PDF.")
    assert count(app) == 0 and stored_files(app) == []


def test_other_units_cannot_see_or_act(app, client, staff, applicant):
    app_id = submitted(client, app)
    login(client, "akademik@test.id")
    assert client.get(f"/permohonan/{app_id}").status_code == 404
    assert act(client, app, app_id, "lengkap").status_code == 404
    to_step(client, app, app_id, "verifikasi")
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "setujui").status_code == 422
    assert get(app, app_id).step == "verifikasi"


def demo_cast(app, make_user):
    """The users ``pintu_demo_data`` receives (applicants with a NIP in the profile)."""
    cast = {"petugas": make_user("petugas@test.id", "petugas"), "pimpinan": make_user("pimpinan@test.id", "pimpinan"),
            "verifikator:kepegawaian": make_user("kepeg@test.id", "verifikator", "kepegawaian")}
    applicants = {"pegawai": make_user("pegawai@test.id", category="pegawai"),
                  "dosen": make_user("dosen@test.id", category="dosen")}
    set_nip(app, "pegawai@test.id", NIP)
    set_nip(app, "dosen@test.id", "198005052005012002")
    return applicants, cast


def test_demo_data_covers_every_state(app, make_user):
    from pintu.data.models import Application, User

    applicants, cast = demo_cast(app, make_user)
    with app.app_context():
        pintu_taspen.pintu_demo_data(applicants={k: User.get_by_id(u.id) for k, u in applicants.items()},
                                     staff={k: User.get_by_id(u.id) for k, u in cast.items()})
        statuses = sorted(a.status for a in Application.select().where(Application.service == SLUG))
        refused = Application.get((Application.service == SLUG) & (Application.status == "refused"))
    assert statuses == ["done", "draft", "in_process", "in_process", "in_process", "ready", "refused", "returned"]
    assert "sudah pernah diterbitkan" in refused.refusal_reason
