"""Kartu Pegawai Hilang through HTTP: the police report rule, the loss data, every role of the workflow."""

from __future__ import annotations

import datetime as dt
import html

import pytest

import pintu_karpeg_hilang
from pintu.testing import (act, app_id_of, count_rows as count, events_of as events, field_error,
                           get_application as get, login, mails_to, outbox, pdf, png)
from pintu.testing import attached_files as stored_files  # files attached to applications

SLUG = "kartu-pegawai-hilang"
APPLICANT = "pegawai@test.id"
UMUM = "umum@test.id"
NIP = "197001011995031001"
TODAY = dt.date(2026, 11, 23)
VALID = {"unit_kerja": "Bagian Umum dan Keuangan", "nomor_karpeg": "", "tanggal_kehilangan": "2026-10-30",
         "tempat_kehilangan": "Pasar Tanjung, Jember",
         "nomor_laporan_polisi": "SKTLK/123/X/2026/SPKT/POLRES JEMBER", "tanggal_laporan_polisi": "2026-10-31",
         "kronologi": "Dompet berisi Karpeg hilang saat berbelanja."}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def files(**replace):
    out = {f"file_{r.key}": pdf(f"{r.key}.pdf") for r in pintu_karpeg_hilang.REQUIREMENTS if r.types == ("pdf",)}
    out["file_pas_foto"] = png("pas_foto.png")
    out.update({f"file_{k}": v for k, v in replace.items()})
    return {k: v for k, v in out.items() if v is not None}


def apply(client, submit=True, with_files=True, **fields):
    data = dict(VALID, **fields)
    if with_files:
        data.update(files())
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def set_nip(app, email, nip):
    from pintu.data.models import User

    with app.app_context():
        User.update(id_number=nip).where(User.email == email).execute()


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(pintu_karpeg_hilang, "today", lambda: TODAY)


@pytest.fixture
def applicant(app, make_user):
    user = make_user(APPLICANT, category="pegawai", name="Ahmad Pegawai")
    set_nip(app, APPLICANT, NIP)
    return user


@pytest.fixture
def umum(make_user):
    return make_user(UMUM, "verifikator", "umum_keuangan")


def submitted(client, app):
    login(client, APPLICANT)
    return app_id_of(apply(client))


PATH = [("kelengkapan", "petugas@test.id", "lengkap"), ("verifikasi", UMUM, "memenuhi_syarat"),
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

def test_standard_page(client):
    page = html.unescape(client.get(f"/layanan/{SLUG}").get_data(as_text=True))
    assert "Kartu Pegawai Hilang" in page
    for r in pintu_karpeg_hilang.REQUIREMENTS:
        assert r.label in page
    assert "Surat pengantar penggantian Kartu Pegawai (Karpeg) ke Badan Kepegawaian Negara (BKN)" in page
    assert "terutama Surat Keterangan kehilangan dari kepolisian" in page


def test_form_asks_date_place_and_police_report_number(client, applicant):
    login(client, APPLICANT)
    page = client.get(f"/layanan/{SLUG}/ajukan").get_data(as_text=True)
    for name in ("tanggal_kehilangan", "tempat_kehilangan", "nomor_laporan_polisi", "tanggal_laporan_polisi",
                 "file_surat_kehilangan_polisi", "file_pas_foto"):
        assert f'name="{name}"' in page
    assert 'accept=".jpg,.jpeg,.png"' in page


# ---------------------------------------------------------------------------
# The police loss report is mandatory, with its own message
# ---------------------------------------------------------------------------

def test_missing_police_report_has_its_own_message_and_nothing_is_saved(app, client, applicant):
    login(client, APPLICANT)
    data = dict(VALID, submit="1", **files(surat_kehilangan_polisi=None))
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    message = field_error(page, "file_surat_kehilangan_polisi")
    assert message == pintu_karpeg_hilang.POLICE_REPORT_MISSING
    assert message.startswith("Surat Keterangan kehilangan dari kepolisian wajib dilampirkan.")
    assert "wajib diunggah" not in message  # not the generic message
    # the other documents were fine and the typed data is kept in the form
    assert field_error(page, "file_pas_foto") is None
    assert 'value="SKTLK/123/X/2026/SPKT/POLRES JEMBER"' in page
    assert count(app) == 0 and count(app, "Upload") == 0 and count(app, "Event") == 0
    assert stored_files(app) == []


def test_police_report_cannot_be_removed_by_resubmitting_without_it(app, client, staff, applicant, umum):
    """On resubmission the report already uploaded counts; a draft without it cannot be submitted."""
    login(client, APPLICANT)
    app_id = app_id_of(client.post(f"/layanan/{SLUG}/ajukan", content_type="multipart/form-data",
                                   data=dict(VALID, draft="1", **files(surat_kehilangan_polisi=None))))
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data", data=dict(VALID, submit="1"))
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_surat_kehilangan_polisi") == \
        pintu_karpeg_hilang.POLICE_REPORT_MISSING
    assert get(app, app_id).status == "draft"
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, submit="1", file_surat_kehilangan_polisi=pdf("sktlk.pdf")))
    assert app_id_of(r) == app_id and get(app, app_id).status == "in_process"


def test_pas_foto_must_be_an_image(app, client, applicant):
    login(client, APPLICANT)
    r = client.post(f"/layanan/{SLUG}/ajukan", content_type="multipart/form-data",
                    data=dict(VALID, submit="1", **files(pas_foto=pdf("foto.pdf"))))
    assert r.status_code == 422
    assert "JPG, PNG" in field_error(r.get_data(as_text=True), "file_pas_foto")
    assert count(app) == 0


# ---------------------------------------------------------------------------
# Loss data
# ---------------------------------------------------------------------------

def test_loss_data_is_required(app, client, applicant):
    login(client, APPLICANT)
    r = apply(client, tanggal_kehilangan="", tempat_kehilangan="", nomor_laporan_polisi="")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for name in ("tanggal_kehilangan", "tempat_kehilangan", "nomor_laporan_polisi"):
        assert field_error(page, name) == "Wajib diisi."
    assert count(app) == 0


@pytest.mark.parametrize("lost, report, field, message", [
    ("2026-11-24", "2026-11-24", "tanggal_kehilangan", "Tanggal kehilangan tidak boleh melewati tanggal hari ini."),
    ("2026-10-30", "2026-10-29", "tanggal_laporan_polisi",
     "Tanggal surat keterangan (29-10-2026) tidak boleh sebelum tanggal kehilangan (30-10-2026)."),
    ("2026-10-30", "2026-12-01", "tanggal_laporan_polisi",
     "Tanggal surat keterangan tidak boleh melewati tanggal hari ini."),
])
def test_impossible_dates(app, client, applicant, lost, report, field, message):
    login(client, APPLICANT)
    r = apply(client, tanggal_kehilangan=lost, tanggal_laporan_polisi=report)
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), field) == message
    assert count(app) == 0


def test_indonesian_date_typing_and_same_day_report(app, client, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client, tanggal_kehilangan="23-11-2026", tanggal_laporan_polisi="23/11/2026"))
    assert get(app, app_id).data["tanggal_kehilangan"] == "2026-11-23"


def test_nip_must_be_in_the_profile(app, client, applicant):
    set_nip(app, APPLICANT, "")
    login(client, APPLICANT)
    r = apply(client)
    assert r.status_code == 422
    assert pintu_karpeg_hilang.NIP_MISSING in html.unescape(r.get_data(as_text=True))
    assert count(app) == 0 and stored_files(app) == []


# ---------------------------------------------------------------------------
# Workflow
# ---------------------------------------------------------------------------

def test_full_approval_path_to_done(app, client, staff, applicant, umum):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client))
    application = get(app, app_id)
    assert application.reference.startswith("KPH-")
    assert application.data["nomor_laporan_polisi"] == "SKTLK/123/X/2026/SPKT/POLRES JEMBER"
    assert count(app, "Upload") == 4

    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).step == "verifikasi"

    # Only the Bagian Umum dan Keuangan verifies: not the kepegawaian verifier.
    login(client, "kepeg@test.id")
    assert client.get(f"/permohonan/{app_id}").status_code == 404
    assert act(client, app, app_id, "memenuhi_syarat").status_code == 404
    login(client, UMUM)
    page = client.get("/petugas/").get_data(as_text=True)
    assert application.reference in page
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Pasar Tanjung, Jember" in page and "30-10-2026" in page
    assert act(client, app, app_id, "memenuhi_syarat").status_code == 200

    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "setujui").status_code == 200
    assert (get(app, app_id).status, get(app, app_id).step) == ("ready", "pengambilan")
    login(client, APPLICANT)
    assert "Surat pengantar penggantian Karpeg ke BKN siap diambil di ULT" in \
        client.get(f"/permohonan/{app_id}").get_data(as_text=True)

    login(client, "petugas@test.id")
    assert act(client, app, app_id, "taken").status_code == 200
    assert get(app, app_id).status == "done"
    assert [(k, a, role) for k, a, role, _ in events(app, app_id)] == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"),
        ("forward", "memenuhi_syarat", "verifikator"), ("forward", "setujui", "pimpinan"),
        ("finish", "taken", "petugas")]
    mails = mails_to(app, APPLICANT)
    assert len(mails) == 5
    assert "Dokumen dinyatakan lengkap dan sah oleh Bagian Umum dan Keuangan" in mails[2]


def test_refusal_with_reason(app, client, staff, applicant, umum):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    login(client, UMUM)
    r = act(client, app, app_id, "refuse")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    reason = "Surat dari kepolisian menyatakan kehilangan KTP, bukan Kartu Pegawai."
    assert act(client, app, app_id, "refuse", note=reason).status_code == 200
    assert get(app, app_id).status == "refused"

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]


def test_leadership_refusal_with_reason(app, client, staff, applicant, umum):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "persetujuan")
    login(client, "pimpinan@test.id")
    reason = "Pemohon sudah mengajukan penggantian Karpeg untuk kehilangan yang sama."
    assert act(client, app, app_id, "refuse", note=reason).status_code == 200
    login(client, APPLICANT)
    assert reason in client.get(f"/permohonan/{app_id}").get_data(as_text=True)


def test_return_fix_and_resubmit(app, client, staff, applicant, umum):
    from pintu.data.models import Upload

    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    login(client, UMUM)
    note = "Surat keterangan kehilangan tidak terbaca. Unggah ulang hasil scan yang jelas."
    assert act(client, app, app_id, "return", note=note).status_code == 200
    assert get(app, app_id).status == "returned"

    login(client, APPLICANT)
    assert note in client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, nomor_laporan_polisi="SKTLK/124/X/2026/SPKT/POLRES JEMBER", submit="1",
                              file_surat_kehilangan_polisi=pdf("sktlk_jelas.pdf")))
    assert app_id_of(r) == app_id
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.data["nomor_laporan_polisi"] == "SKTLK/124/X/2026/SPKT/POLRES JEMBER"
    with app.app_context():
        names = [u.original_name for u in Upload.select().where(
            Upload.application == app_id, Upload.requirement == "surat_kehilangan_polisi", ~Upload.superseded)]
    assert names == ["sktlk_jelas.pdf"]
    assert [k for k, *_ in events(app, app_id)] == ["submitted", "forward", "return", "resubmitted"]
    for _, email, action in PATH:
        login(client, email)
        assert act(client, app, app_id, action).status_code == 200
    assert get(app, app_id).status == "ready"


def test_demo_data_covers_every_state(app, make_user):
    from pintu.data.models import Application, User

    cast = {"petugas": make_user("petugas@test.id", "petugas"), "pimpinan": make_user("pimpinan@test.id", "pimpinan"),
            "verifikator:umum_keuangan": make_user(UMUM, "verifikator", "umum_keuangan")}
    applicants = {"pegawai": make_user("pegawai@test.id", category="pegawai"),
                  "dosen": make_user("dosen@test.id", category="dosen")}
    set_nip(app, "pegawai@test.id", NIP)
    set_nip(app, "dosen@test.id", "198005052005012002")
    with app.app_context():
        pintu_karpeg_hilang.pintu_demo_data(applicants={k: User.get_by_id(u.id) for k, u in applicants.items()},
                                            staff={k: User.get_by_id(u.id) for k, u in cast.items()})
        statuses = sorted(a.status for a in Application.select().where(Application.service == SLUG))
    assert statuses == ["done", "draft", "in_process", "in_process", "in_process", "ready", "refused", "returned"]
