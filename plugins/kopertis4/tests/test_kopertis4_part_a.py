"""Kopertis Wilayah IV pack, standards no. 1-8 and 29, through HTTP: the beasiswa lists and age
limits (no. 4), the PAK's conditional documents and promotion rule (no. 2), and the disposition
chain of Validasi Ijazah (no. 1) walked to its end."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

import pintu_kopertis4
from pintu.testing import act, app_id_of, count_rows, field_error, get_application, login, pdf

TODAY = dt.date(2026, 11, 24)  # a Tuesday; 10:00 WIB
pytestmark = pytest.mark.config(INSTITUTION_KEY="kopertis4", CLOCK_NOW="2026-11-24T03:00:00")

DOSEN = "dosen@test.id"
BEASISWA = "k4-rekomendasi-beasiswa-dosen"


def service(attribute):
    return pintu_kopertis4.PACK.plugins[attribute].entry.service


def beasiswa_files(program):
    """Every document required for ``program`` ("budi_dn"/"budi_ln") and none of the other list's."""
    data = {"program": program}
    return {f"file_{r.key}": pdf(f"{r.key}.pdf") for r in service("rekomendasi_beasiswa_dosen").requirements
            if r.required_for(data)}


def apply_beasiswa(client, program, born, files, jenjang="s2"):
    data = {"program": program, "jenjang": jenjang, "tanggal_lahir": born.isoformat(), "nidn": "0415068501",
            "nama_pts": "Universitas Contoh", "perguruan_tinggi_tujuan": "Universitas Tujuan",
            "nama_pimpinan_pts": "Rektor Contoh", "email_pimpinan_pts": "rektor@univ-contoh.ac.id", "submit": "1", **files}
    return client.post(f"/layanan/{BEASISWA}/ajukan", data=data, content_type="multipart/form-data")


@pytest.fixture
def dosen(client, make_user):
    make_user(DOSEN, category="dosen", name="Dosen Pelamar")
    login(client, DOSEN)
    return client


def test_budi_ln_asks_the_ln_documents_and_not_the_dn_ones(app, dosen):
    young = TODAY - relativedelta(years=35)
    ln_only = {"kartu_pendaftaran_ln", "ktp_ln", "kesanggupan_pulang_ln", "tidak_menerima_beasiswa_ln",
               "formulir_ptln_ln"}
    dn_only = {"kartu_pendaftaran_dn", "ktp_dn", "perjanjian_mengabdi_dn", "pernyataan_pelamar_dn",
               "formulir_ptn_dn"}

    # BUDI-LN with the DN list's documents: every LN-only document is missing, no DN one is asked for.
    r = apply_beasiswa(dosen, "budi_ln", young, beasiswa_files("budi_dn"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for key in ln_only:
        assert field_error(page, f"file_{key}"), f"{key} not asked for BUDI-LN"
    for key in dn_only:
        assert field_error(page, f"file_{key}") is None, f"{key} asked for BUDI-LN"
    assert count_rows(app) == 0

    # With the LN list it goes to the Pimpinan PTS, who submits it to the Koordinator.
    app_id = app_id_of(apply_beasiswa(dosen, "budi_ln", young, beasiswa_files("budi_ln")))
    application = get_application(app, app_id)
    assert application.step == "pimpinan_pts" and application.data["program"] == "budi_ln"


def test_budi_dn_asks_the_dn_documents(app, dosen):
    r = apply_beasiswa(dosen, "budi_dn", TODAY - relativedelta(years=35), beasiswa_files("budi_ln"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert field_error(page, "file_perjanjian_mengabdi_dn") and field_error(page, "file_ktp_dn")
    assert field_error(page, "file_kesanggupan_pulang_ln") is None


def test_budi_age_limits(app, dosen):
    today = TODAY
    # LN: not more than 47 years old when applying.
    r = apply_beasiswa(dosen, "budi_ln", today - relativedelta(years=48), beasiswa_files("budi_ln"))
    assert r.status_code == 422
    assert "tidak melebihi 47 tahun" in field_error(r.get_data(as_text=True), "tanggal_lahir")
    # DN S2: 45 years counted at December of this year; S3: 50.
    turns_46 = dt.date(today.year - 46, 12, 31)
    r = apply_beasiswa(dosen, "budi_dn", turns_46, beasiswa_files("budi_dn"), jenjang="s2")
    assert r.status_code == 422
    assert f"per Desember {today.year}" in field_error(r.get_data(as_text=True), "tanggal_lahir")
    assert count_rows(app) == 0
    app_id_of(apply_beasiswa(dosen, "budi_dn", turns_46, beasiswa_files("budi_dn"), jenjang="s3"))


PAK = "k4-pak-asisten-ahli-lektor"
PNS_DPK_ONLY = ("penetapan_nip_baru", "spmj_spmt")


def apply_pak(client, files, **fields):
    data = {"nidn": "0401018101", "nama_pts": "Universitas Contoh", "status_kepegawaian": "tetap_yayasan",
            "jenis_usulan": "pengangkatan_pertama", "jabatan_usulan": "asisten_ahli", "studi_lanjut": "tidak",
            "nama_pimpinan_pts": "Rektor Contoh", "email_pimpinan_pts": "rektor@univ-contoh.ac.id", "submit": "1",
            **fields, **files}
    return client.post(f"/layanan/{PAK}/ajukan", data=data, content_type="multipart/form-data")


def pak_files(leave_out=()):
    return {f"file_{r.key}": pdf(f"{r.key}.pdf") for r in service("pak_asisten_ahli_lektor").requirements
            if r.key not in leave_out}


def test_pak_asks_pns_dpk_documents_only_of_pns_dpk_lecturers(app, dosen):
    r = apply_pak(dosen, pak_files(leave_out=PNS_DPK_ONLY), status_kepegawaian="pns_dpk")
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert all(field_error(page, f"file_{key}") for key in PNS_DPK_ONLY)
    assert count_rows(app) == 0
    app_id = app_id_of(apply_pak(dosen, pak_files(leave_out=PNS_DPK_ONLY), status_kepegawaian="tetap_yayasan"))
    assert get_application(app, app_id).step == "pimpinan_pts"


def test_pak_promotion_is_from_asisten_ahli_to_lektor(app, dosen):
    r = apply_pak(dosen, pak_files(), jenis_usulan="kenaikan_jabatan", jabatan_usulan="asisten_ahli")
    assert r.status_code == 422
    assert "dari Asisten Ahli ke Lektor" in field_error(r.get_data(as_text=True), "jabatan_usulan")
    # a promotion also needs the last PAK (requirement 9, "bila sudah memiliki Jabatan Fungsional")
    r = apply_pak(dosen, pak_files(leave_out=("pak_terakhir",)), jenis_usulan="kenaikan_jabatan",
                  jabatan_usulan="lektor")
    assert r.status_code == 422 and field_error(r.get_data(as_text=True), "file_pak_terakhir")
    app_id_of(apply_pak(dosen, pak_files(), jenis_usulan="kenaikan_jabatan", jabatan_usulan="lektor"))


def test_validasi_ijazah_follows_the_disposition_chain_to_the_applicant(app, client, make_user):
    make_user("alumni@test.id", category="mahasiswa")
    chain = [("disposisi_koordinator", make_user("koordinator@test.id", "pimpinan", "k4-koordinator"), "dispose"),
             ("disposisi_sekretaris", make_user("sekretaris@test.id", "pimpinan", "k4-sekretaris"), "dispose"),
             ("disposisi_bidang", make_user("kabid@test.id", "pimpinan", "k4-bidang-akk"), "assign"),
             ("proses", make_user("akademik@test.id", "verifikator", "k4-akademik"), "processed"),
             ("penyampaian", make_user("akademik@test.id", "verifikator", "k4-akademik"), "delivered")]
    login(client, "alumni@test.id")
    files = {f"file_{r.key}": pdf(f"{r.key}.pdf") for r in service("validasi_ijazah").requirements}
    app_id = app_id_of(client.post("/layanan/k4-validasi-ijazah/ajukan", data={
        "nama_pts": "Akademik Tutup", "program_studi": "Akuntansi", "nomor_ijazah": "01/AK/1998",
        "tahun_lulus": "1998", "keperluan": "Melamar kerja", "submit": "1", **files},
        content_type="multipart/form-data"))
    assert get_application(app, app_id).step == "disposisi_koordinator"

    # The Sekretaris cannot act before the Koordinator's disposition.
    login(client, "sekretaris@test.id")
    assert act(client, app, app_id, "dispose").status_code in (403, 404, 409, 422)
    assert get_application(app, app_id).step == "disposisi_koordinator"

    for step, user, action in chain:
        assert get_application(app, app_id).step == step
        login(client, user.email)
        extra = {"file_surat_validasi": pdf("surat.pdf")} if step == "proses" else {}
        r = act(client, app, app_id, action, **extra)
        assert r.status_code in (200, 302), r.get_data(as_text=True)[:2000]
        if step == "disposisi_koordinator":
            assert get_application(app, app_id).clock_started_at is not None  # the 15 hari kerja start here
        if step == "proses":
            assert get_application(app, app_id).status == "ready"
    assert get_application(app, app_id).status == "done"
