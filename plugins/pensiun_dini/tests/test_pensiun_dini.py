"""Usulan Pensiun Dini through HTTP: apply, the age/service rule, uploads, every role of the workflow."""

from __future__ import annotations

import datetime as dt
import html
import io
import os

import pytest

import pintu_pensiun_dini
from pintu.testing import (PNG, act, app_id_of, count_rows as count, events_of as events, field_error,
                           get_application as get, login, mails_to, outbox, pdf, png)
from pintu.testing import attached_files as stored_files  # files attached to applications

SLUG = "pensiun-dini"
APPLICANT = "pegawai@test.id"
PDF_KEYS = [r.key for r in pintu_pensiun_dini.REQUIREMENTS if r.types == ("pdf",)]
#: A date to pin "today" to, so that the computed age and service are exact.
TODAY = dt.date(2026, 11, 23)

VALID = {"tanggal_lahir": "1968-05-17", "tmt_cpns": "1993-03-01", "unit_kerja": "Jurusan Teknologi Informasi",
         "jabatan": "Pengadministrasi Umum", "alasan": "Merawat orang tua yang sakit."}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def files(**replace):
    out = {f"file_{key}": pdf(f"{key}.pdf") for key in PDF_KEYS}
    out["file_pas_foto"] = png("pas_foto.png")
    out.update({f"file_{k}": v for k, v in replace.items()})
    return out


def nip_for(born: str, tmt: str, serial="1001") -> str | None:
    """The NIP that agrees with the typed dates (ISO or dd-mm-yyyy / dd/mm/yyyy), None if unreadable."""
    def iso(value):
        for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except (ValueError, TypeError):
                pass
        return None
    b, t = iso(born), iso(tmt)
    return f"{b:%Y%m%d}{t:%Y%m}{serial}" if b and t else None


def set_nip(client, nip):
    """Write ``nip`` into the profile of the user logged in on ``client``."""
    from pintu.data.models import User

    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    with client.application.app_context():
        User.update(id_number=nip).where(User.id == int(str(user_id).split(":")[0])).execute()


def apply(client, submit=True, with_files=True, nip="match", **fields):
    """Apply as the logged-in user; by default their profile NIP is made to agree with the dates."""
    data = dict(VALID, **fields)
    if nip == "match":
        nip = nip_for(data["tanggal_lahir"], data["tmt_cpns"])
    if nip is not None:
        set_nip(client, nip)
    if with_files:
        data.update(files())
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


@pytest.fixture
def applicant(make_user):
    return make_user(APPLICANT, category="pegawai", name="Ahmad Pegawai")


@pytest.fixture
def pinned_today(app):
    """Pins the local date through the core clock (``CLOCK_NOW``, a UTC instant: 23-11-2026 10:00 WIB)."""
    app.config["CLOCK_NOW"] = "2026-11-23T03:00:00"
    return TODAY


def submitted(client, app):
    """A submitted application of the pegawai applicant (logged in as the applicant)."""
    login(client, APPLICANT)
    return app_id_of(apply(client))


def to_step(client, app, app_id, step):
    """Drive a fresh application up to ``step`` with the right roles."""
    path = [("kelengkapan", "petugas@test.id", "lengkap"), ("verifikasi", "kepeg@test.id", "memenuhi_syarat"),
            ("persetujuan", "pimpinan@test.id", "setujui")]
    for key, email, action in path:
        if key == step:
            return
        login(client, email)
        assert act(client, app, app_id, action).status_code == 200


# ---------------------------------------------------------------------------
# The service as declared
# ---------------------------------------------------------------------------

def test_standard_page_lists_the_13_uploads_and_the_rule(client):
    page = client.get(f"/layanan/{SLUG}").get_data(as_text=True)
    assert "Usulan Pensiun Dini" in page
    assert len(pintu_pensiun_dini.REQUIREMENTS) == 13
    for req in pintu_pensiun_dini.REQUIREMENTS:
        assert html.escape(req.label) in page
    assert "Pegawai / PNS, Dosen" in page
    assert "Maksimal 14 hari kerja" in page
    assert "Surat pengantar usulan pensiun dini (tembusan)" in page
    assert "(0331) 333533 Ext. 160/221" in page


# ---------------------------------------------------------------------------
# Full path with every role
# ---------------------------------------------------------------------------

def test_full_approval_path_to_done(app, client, staff, applicant):
    login(client, APPLICANT)
    r = apply(client)
    app_id = app_id_of(r)
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.reference.startswith("PSD-")
    assert application.data["tanggal_lahir"] == "1968-05-17"
    assert count(app, "Upload") == 13

    login(client, "petugas@test.id")
    assert application.reference in client.get("/petugas/").get_data(as_text=True)
    r = act(client, app, app_id, "lengkap")
    assert r.status_code == 200 and "Berkas dinyatakan lengkap" in r.get_data(as_text=True)
    application = get(app, app_id)
    assert application.step == "verifikasi"
    assert application.due_date is not None  # the 14 working days start at "lengkap"

    login(client, "kepeg@test.id")
    r = act(client, app, app_id, "memenuhi_syarat")
    assert r.status_code == 200
    assert get(app, app_id).step == "persetujuan"

    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "setujui")
    assert r.status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("ready", "pengambilan")

    login(client, "petugas@test.id")
    r = act(client, app, app_id, "taken")
    assert r.status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("done", None)
    assert application.closed_at is not None

    assert [(k, a, role) for k, a, role, _ in events(app, app_id)] == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"),
        ("forward", "memenuhi_syarat", "verifikator"), ("forward", "setujui", "pimpinan"),
        ("finish", "taken", "petugas")]

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    for message in ("Permohonan diajukan", "Berkas dinyatakan lengkap",
                    "Persyaratan dinyatakan memenuhi syarat oleh Subbagian Kepegawaian",
                    "Usulan disetujui; surat pengantar usulan pensiun dini siap diambil di ULT",
                    "Produk layanan telah diserahkan kepada pemohon"):
        assert message in page
    assert "Selesai" in page

    mails = mails_to(app, APPLICANT)
    assert len(mails) == 5
    assert "Permohonan diajukan" in mails[0]
    assert "Berkas dinyatakan lengkap" in mails[1]
    assert "Persyaratan dinyatakan memenuhi syarat" in mails[2]
    assert "siap diambil di ULT" in mails[3]
    assert "Produk layanan telah diserahkan kepada pemohon" in mails[4] and "Status saat ini: Selesai" in mails[4]
    assert all(application.reference in m for m in mails)


def test_dosen_may_apply_too(app, client, make_user):
    make_user("dosen@test.id", category="dosen")
    login(client, "dosen@test.id")
    application = get(app, app_id_of(apply(client)))
    assert application.status == "in_process"


def test_pickup_step_is_ready_and_applicant_told(app, client, staff, applicant):
    from pintu.data.models import Notification

    app_id = submitted(client, app)
    to_step(client, app, app_id, "pengambilan")
    application = get(app, app_id)
    assert application.status == "ready"
    assert application.step == "pengambilan"

    mail = mails_to(app, APPLICANT)[-1]
    assert "siap diambil di ULT" in mail
    assert "Status saat ini: Hasil siap diambil" in mail
    with app.app_context():
        messages = [n.message for n in Notification.select().where(Notification.user == applicant.id)]
    assert any("siap diambil" in m for m in messages)

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Surat pengantar siap diambil di ULT" in page  # the step title
    assert "Tembusan surat pengantar siap diambil di ULT" in page  # the plugin's panel
    assert "Hasil siap diambil" in page


def test_detail_panel_shows_computed_age_and_service(app, client, staff, applicant, pinned_today):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client, submit=False))  # a draft counts at "today" (pinned)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Umur dan masa kerja" in page
    assert "58 tahun 6 bulan" in page  # 17-05-1968 -> 23-11-2026
    assert "33 tahun 8 bulan" in page  # 01-03-1993 -> 23-11-2026
    assert "Terpenuhi" in page


# ---------------------------------------------------------------------------
# Refusal
# ---------------------------------------------------------------------------

def test_refusal_needs_reason_and_reason_is_shown(app, client, staff, applicant):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "verifikasi")
    before = get(app, app_id)
    events_before = events(app, app_id)

    login(client, "kepeg@test.id")
    r = act(client, app, app_id, "refuse", note="   ")
    assert r.status_code == 422
    assert "Alasan wajib diisi." in r.get_data(as_text=True)
    after = get(app, app_id)
    assert (after.status, after.step, after.version) == (before.status, before.step, before.version)
    assert events(app, app_id) == events_before

    reason = "Yang bersangkutan sedang menjalani hukuman disiplin tingkat sedang."
    r = act(client, app, app_id, "refuse", note=reason)
    assert r.status_code == 200
    after = get(app, app_id)
    assert after.status == "refused" and after.refusal_reason == reason
    assert events(app, app_id)[-1][:2] == ("refuse", "refuse")

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]

    # Final: nobody can act any more.
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "setujui")
    assert r.status_code == 422
    assert get(app, app_id).status == "refused"


def test_leadership_refusal_also_needs_reason(app, client, staff, applicant):
    app_id = submitted(client, app)
    to_step(client, app, app_id, "persetujuan")
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "refuse")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"
    assert act(client, app, app_id, "refuse", note="Formasi belum memungkinkan.").status_code == 200
    assert get(app, app_id).status == "refused"


# ---------------------------------------------------------------------------
# Return, fix, resubmit
# ---------------------------------------------------------------------------

def test_return_fix_and_resubmit_keeps_history(app, client, staff, applicant):
    from pintu.data.models import Upload

    app_id = submitted(client, app)
    reference = get(app, app_id).reference
    to_step(client, app, app_id, "verifikasi")

    login(client, "kepeg@test.id")
    r = act(client, app, app_id, "return")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"
    note = "DPCP belum ditandatangani. Unggah ulang DPCP yang telah ditandatangani."
    assert act(client, app, app_id, "return", note=note).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step, application.due_date) == ("returned", None, None)

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert note in page and "Perbaiki dan ajukan kembali" in page
    assert note in mails_to(app, APPLICANT)[-1]

    new_pdf = b"%PDF-1.4\n% DPCP ditandatangani\n" + b"1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, jabatan="Analis Kepegawaian", submit="1",
                              file_dpcp=pdf("dpcp_ttd.pdf", new_pdf)))
    assert app_id_of(r) == app_id
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.reference == reference
    assert application.data["jabatan"] == "Analis Kepegawaian"

    with app.app_context():
        dpcp = list(Upload.select().where(Upload.application == app_id, Upload.requirement == "dpcp")
                    .order_by(Upload.id))
        current = Upload.select().where(Upload.application == app_id, ~Upload.superseded).count()
    assert [(u.original_name, u.superseded) for u in dpcp] == [("dpcp.pdf", True), ("dpcp_ttd.pdf", False)]
    assert current == 13  # the other 12 files are kept

    kinds = [(k, a) for k, a, _, _ in events(app, app_id)]
    assert kinds == [("submitted", ""), ("forward", "lengkap"), ("return", "return"), ("resubmitted", "")]
    assert events(app, app_id)[2][3] == note

    login(client, "petugas@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Permohonan diajukan kembali setelah diperbaiki" in page and note in page
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).step == "verifikasi"


# ---------------------------------------------------------------------------
# Who may act
# ---------------------------------------------------------------------------

def test_wrong_role_cannot_act(app, client, staff, applicant):
    app_id = submitted(client, app)
    before = get(app, app_id)
    n_events = len(events(app, app_id))

    # Verifikator of another unit: the application is not even visible.
    login(client, "akademik@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 404
    assert client.get(f"/permohonan/{app_id}").status_code == 404

    # Kepegawaian may see it, but the ULT step is not theirs.
    login(client, "kepeg@test.id")
    r = act(client, app, app_id, "lengkap")
    assert r.status_code == 422
    assert "Anda tidak berwenang mengambil tindakan pada tahap ini." in r.get_data(as_text=True)

    # The applicant is no staff at all.
    login(client, APPLICANT)
    assert act(client, app, app_id, "lengkap").status_code == 403

    after = get(app, app_id)
    assert (after.status, after.step, after.version) == (before.status, before.step, before.version)
    assert len(events(app, app_id)) == n_events

    # At the kepegawaian step the leadership may not skip the verification.
    to_step(client, app, app_id, "verifikasi")
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "setujui")
    assert r.status_code == 422
    assert get(app, app_id).step == "verifikasi"


def test_stale_version_is_a_conflict(app, client, staff, applicant):
    app_id = submitted(client, app)
    login(client, "petugas@test.id")
    stale = get(app, app_id).version
    assert act(client, app, app_id, "lengkap").status_code == 200
    r = client.post(f"/petugas/permohonan/{app_id}/aksi", data={"action": "refuse", "version": stale,
                                                                 "note": "dobel"})
    assert r.status_code == 409
    assert get(app, app_id).status == "in_process"


def test_mahasiswa_cannot_apply(app, client, make_user):
    make_user("mhs@test.id", category="mahasiswa")
    login(client, "mhs@test.id")
    assert "Layanan ini hanya untuk Pegawai / PNS, Dosen" in client.get(f"/layanan/{SLUG}").get_data(as_text=True)
    r = apply(client)
    assert r.status_code == 302 and r.location.endswith(f"/layanan/{SLUG}")
    assert "Layanan ini hanya untuk Pegawai / PNS, Dosen" in client.get(r.location).get_data(as_text=True)
    assert count(app) == 0
    assert stored_files(app) == []


# ---------------------------------------------------------------------------
# The age and service rule
# ---------------------------------------------------------------------------

def test_too_young_is_refused_next_to_the_field(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    r = apply(client, tanggal_lahir="1978-08-20", tmt_cpns="2000-01-03", unit_kerja="Bagian Umum")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "tanggal_lahir") == \
        "Umur Anda 48 tahun 3 bulan; pensiun dini mensyaratkan umur minimal 50 tahun."
    assert field_error(page, "tmt_cpns") is None
    assert 'value="1978-08-20"' in page and 'value="Bagian Umum"' in page
    assert VALID["alasan"] in page
    assert count(app) == 0 and count(app, "Upload") == 0
    assert stored_files(app) == []


def test_too_short_service_is_refused_next_to_the_field(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    r = apply(client, tmt_cpns="2008-04-01")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "tmt_cpns") == (
        "Masa kerja Anda 18 tahun 7 bulan (sejak TMT CPNS 01-04-2008); pensiun dini mensyaratkan masa kerja "
        "keseluruhan minimal 20 tahun.")
    assert field_error(page, "tanggal_lahir") is None
    assert 'value="2008-04-01"' in page and 'value="1968-05-17"' in page
    assert count(app) == 0


def test_both_rules_reported_at_once(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    page = apply(client, tanggal_lahir="1980-01-10", tmt_cpns="2010-01-05").get_data(as_text=True)
    assert field_error(page, "tanggal_lahir").startswith("Umur Anda 46 tahun 10 bulan;")
    assert field_error(page, "tmt_cpns").startswith("Masa kerja Anda 16 tahun 10 bulan ")
    assert count(app) == 0


@pytest.mark.parametrize("born, tmt, ok", [
    ("1976-11-23", "2006-11-23", True),   # exactly 50 years old, exactly 20 years of service
    ("1976-11-24", "1999-01-01", False),  # one day short of 50
    ("1970-01-01", "2006-11-24", False),  # one day short of 20 years
])
def test_rule_boundaries(app, client, applicant, pinned_today, born, tmt, ok):
    login(client, APPLICANT)
    r = apply(client, tanggal_lahir=born, tmt_cpns=tmt)
    assert (r.status_code == 302) is ok
    assert count(app) == (1 if ok else 0)
    if not ok:
        page = r.get_data(as_text=True)
        assert "49 tahun 11 bulan" in page or "19 tahun 11 bulan" in page


@pytest.mark.parametrize("born, tmt, field, message", [
    ("2027-01-01", "1995-01-01", "tanggal_lahir", "Tanggal lahir tidak boleh melewati tanggal hari ini."),
    ("1968-05-17", "2026-12-01", "tmt_cpns", "TMT CPNS tidak boleh melewati tanggal hari ini."),
    ("1968-05-17", "1986-05-16", "tmt_cpns",
     "TMT CPNS 16-05-1986 jatuh sebelum Anda berumur 18 tahun (lahir 17-05-1968). "
     "Periksa kembali tanggal lahir dan TMT CPNS."),
])
def test_impossible_dates(app, client, applicant, pinned_today, born, tmt, field, message):
    login(client, APPLICANT)
    r = apply(client, tanggal_lahir=born, tmt_cpns=tmt)
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), field) == message
    assert count(app) == 0


def test_cpns_at_exactly_18_is_fine(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    assert apply(client, tanggal_lahir="1968-05-17", tmt_cpns="1986-05-17").status_code == 302


def test_missing_and_malformed_dates(app, client, applicant):
    login(client, APPLICANT)
    page = apply(client, tanggal_lahir="", tmt_cpns="31-02-1990").get_data(as_text=True)
    assert field_error(page, "tanggal_lahir") == "Wajib diisi."
    assert field_error(page, "tmt_cpns").startswith("Tanggal tidak valid.")
    assert count(app) == 0


def test_indonesian_date_typing_is_accepted(app, client, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client, tanggal_lahir="17-05-1968", tmt_cpns="01/03/1993"))
    assert get(app, app_id).data["tmt_cpns"] == "1993-03-01"


def test_draft_skips_the_rule_until_submit(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client, submit=False, with_files=False, tanggal_lahir="1980-01-10"))
    assert get(app, app_id).status == "draft"
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, tanggal_lahir="1980-01-10", submit="1", **files()))
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "tanggal_lahir").startswith("Umur Anda 46 tahun 10 bulan;")
    assert get(app, app_id).status == "draft"
    assert count(app, "Upload") == 0


# ---------------------------------------------------------------------------
# Uploads
# ---------------------------------------------------------------------------

def test_photo_for_a_pdf_requirement_is_refused(app, client, applicant):
    login(client, APPLICANT)
    data = dict(VALID, submit="1", **files(kartu_pegawai=png("kartu_pegawai.png")))
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "file_kartu_pegawai") == \
        "Isi berkas bukan PDF. Unggah berkas PDF yang asli (hasil scan, foto tidak diperkenankan)."
    # The other, valid files are kept and shown as uploaded: nothing to choose again.
    assert "Sudah diunggah: dpcp.pdf" in html.unescape(page)
    assert count(app) == 0 and stored_files(app) == []


def test_png_renamed_to_pdf_is_refused(app, client, applicant):
    login(client, APPLICANT)
    data = dict(VALID, submit="1", **files(dpcp=(io.BytesIO(PNG), "dpcp.pdf")))
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_dpcp").startswith("Isi berkas bukan PDF.")
    assert count(app) == 0 and stored_files(app) == []


def test_pas_foto_accepts_png_but_not_pdf(app, client, applicant):
    login(client, APPLICANT)
    data = dict(VALID, submit="1", **files(pas_foto=pdf("pas_foto.pdf")))
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    assert "JPG, PNG" in field_error(r.get_data(as_text=True), "file_pas_foto")
    assert count(app) == 0


def test_missing_document_is_named_but_akta_anak_is_optional(app, client, applicant):
    login(client, APPLICANT)
    data = dict(VALID, submit="1", **files())
    del data["file_kp4"], data["file_akta_anak"]
    r = client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "file_kp4") == \
        "Surat keterangan mendapatkan tunjangan keluarga (KP4) wajib diunggah."
    assert field_error(page, "file_akta_anak") is None
    assert count(app) == 0


def test_one_wrong_date_keeps_all_files_for_the_fixed_submit(app, client, applicant):
    """The walk-through's case: every file chosen, one date wrong. The files are kept (shown as
    uploaded) and the corrected submit uses them without choosing them again."""
    from pintu.testing import hidden_fields

    login(client, APPLICANT)
    # The profile's NIP agrees with the valid dates; only the typed birth date is wrong.
    r = apply(client, tanggal_lahir="31-02-1968", nip=nip_for(VALID["tanggal_lahir"], VALID["tmt_cpns"]))
    assert r.status_code == 422
    page = html.unescape(r.get_data(as_text=True))
    assert field_error(page, "tanggal_lahir")
    expected = sorted([f"{k}.pdf" for k in PDF_KEYS] + ["pas_foto.png"])
    assert sorted(n for n in expected if f"Sudah diunggah: {n}" in page) == expected
    assert count(app) == 0 and stored_files(app) == []
    kept = hidden_fields(r.get_data(as_text=True))
    r = client.post(f"/layanan/{SLUG}/ajukan", data=dict(VALID, submit="1", **kept),
                    content_type="multipart/form-data")
    app_id = app_id_of(r)
    with app.app_context():
        from pintu.data.models import Upload

        names = sorted(u.original_name for u in Upload.select().where(Upload.application == app_id))
    assert names == expected
# ---------------------------------------------------------------------------
# NIP: required, and the dates must agree with it (hardening item 14)
# ---------------------------------------------------------------------------

def test_submitting_needs_a_nip_in_the_profile(app, client, applicant):
    login(client, APPLICANT)
    r = apply(client, nip="")
    assert r.status_code == 422
    assert "NIP belum tercatat di profil Anda. Usulan pensiun dini memerlukan NIP 18 digit" in \
        html.unescape(r.get_data(as_text=True))
    assert count(app) == 0
    # a draft can still be saved without it
    assert apply(client, submit=False, nip="").status_code == 302


def test_birth_date_must_agree_with_the_nip(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    r = apply(client, nip="196805181993031001")  # NIP born 18-05-1968, typed 17-05-1968
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "tanggal_lahir") == (
        "Tanggal lahir 17-05-1968 tidak sesuai dengan NIP Anda (196805181993031001): digit ke-1 sampai ke-8 NIP "
        "menunjukkan tanggal lahir 18-05-1968. Periksa kembali tanggal lahir, atau perbaiki NIP di halaman Profil "
        "bila NIP yang salah.")
    assert field_error(page, "tmt_cpns") is None
    assert count(app) == 0


def test_tmt_cpns_must_agree_with_the_nip(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    r = apply(client, nip="196805171994031001")  # NIP TMT March 1994, typed 01-03-1993
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "tmt_cpns") == (
        "TMT CPNS 01-03-1993 tidak sesuai dengan NIP Anda (196805171994031001): digit ke-9 sampai ke-14 NIP "
        "menunjukkan TMT CPNS Maret 1994. Periksa kembali TMT CPNS sesuai SK CPNS, atau perbaiki NIP di halaman "
        "Profil bila NIP yang salah.")
    assert field_error(page, "tanggal_lahir") is None


def test_a_wrongly_typed_birth_date_is_named_as_a_mismatch_not_as_too_young(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    r = apply(client, tanggal_lahir="1988-05-17", nip="196805171993031001")
    assert field_error(r.get_data(as_text=True), "tanggal_lahir").startswith(
        "Tanggal lahir 17-05-1988 tidak sesuai dengan NIP Anda")


def test_any_day_of_the_nip_month_is_accepted_as_tmt(app, client, applicant, pinned_today):
    login(client, APPLICANT)
    assert apply(client, tmt_cpns="1993-03-15", nip="196805171993031001").status_code == 302


def test_the_50_20_rule_is_published_on_the_service_page(client):
    page = html.unescape(client.get(f"/layanan/{SLUG}").get_data(as_text=True))
    assert "Ketentuan pemohon:" in page
    assert ("Berumur minimal 50 tahun dan memiliki masa kerja keseluruhan minimal 20 tahun (sejak TMT CPNS), "
            "dihitung pada tanggal pengajuan.") in page
    assert "NIP 18 digit tercatat di profil akun" in page


@pytest.mark.config(CLOCK_NOW="2020-06-30T17:30:00")  # 30-06 in UTC, already 01-07-2020 00:30 in WIB
def test_age_is_counted_on_the_wib_date(app, client, applicant):
    """Born 01-07-1970: at 00:30 WIB on 01-07-2020 (still 30-06 in UTC) the applicant is exactly 50,
    whatever the server's zone; the draft's panel counts on "today" in WIB."""
    import time

    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        login(client, APPLICANT)
        app_id = app_id_of(apply(client, submit=False, tanggal_lahir="1970-07-01", tmt_cpns="1995-01-02"))
        page = " ".join(html.unescape(client.get(f"/permohonan/{app_id}").get_data(as_text=True)).split())
    finally:
        os.environ.pop("TZ", None)
        time.tzset()
    assert "Umur per 1 Jul 2020</dt><dd>50 tahun</dd>" in page
    assert "Terpenuhi (umur minimal 50 tahun" in page
