"""Standard no. 23 of Dinas Pendidikan Ponorogo through HTTP: the izin baru and the perpanjangan
lists of persyaratan are two lists in one standard, chosen by the applicant's answer (required_if)."""

from __future__ import annotations

import pytest

from pintu.testing import app_id_of, count_rows, field_error, get_application, login, pdf, png

SLUG = "pnr-izin-pnf"
pytestmark = pytest.mark.config(INSTITUTION_KEY="disdikponorogo")

BARU = ["baru_permohonan", "baru_keterangan_kades", "baru_akta_notaris", "baru_ktp_ijazah_pimpinan",
        "baru_daftar_pengajar", "baru_modul", "baru_manajemen", "baru_evaluasi", "baru_pembiayaan", "baru_sarpras",
        "baru_peta", "baru_status_gedung", "baru_foto"]
PERPANJANGAN = ["perpanjangan_permohonan", "perpanjangan_profil", "perpanjangan_foto", "perpanjangan_izin_lama",
                "perpanjangan_ijazah_baru"]


def files(keys):
    return {f"file_{k}": (png(f"{k}.png") if k.endswith("foto") else pdf(f"{k}.pdf")) for k in keys}


def submit(client, jenis, keys, **extra):
    data = {"jenis": jenis, "nama_lembaga": "LKP Cendekia", "alamat_lembaga": "Jl. Soekarno Hatta 1, Ponorogo",
            "submit": "1", **files(keys), **extra}
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


@pytest.fixture
def lembaga(app, client, make_user):
    make_user("lkp@test.id", category="instansi")
    login(client, "lkp@test.id")
    return client


def test_the_page_publishes_both_lists_with_their_condition(app, lembaga):
    page = lembaga.get(f"/layanan/{SLUG}/ajukan").get_data(as_text=True)
    assert "Wajib jika Jenis permohonan: Izin operasional baru (pendirian)" in page
    assert "Wajib jika Jenis permohonan: Perpanjangan izin operasional" in page
    assert "Profil lembaga" in page and "Peta Lokasi Tempat" in page


def test_perpanjangan_needs_only_its_own_list(app, lembaga):
    r = submit(lembaga, "perpanjangan", PERPANJANGAN)
    application = get_application(app, app_id_of(r))
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.data["jenis"] == "perpanjangan"


def test_izin_baru_with_the_perpanjangan_list_is_refused_and_names_what_is_missing(app, lembaga):
    r = submit(lembaga, "baru", PERPANJANGAN)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for key in BARU:
        assert field_error(page, f"file_{key}"), key
    assert field_error(page, "file_perpanjangan_profil") is None
    assert count_rows(app) == 0


def test_a_change_of_name_place_or_head_asks_for_the_extra_attachments(app, lembaga):
    r = submit(lembaga, "perpanjangan", PERPANJANGAN, perubahan="y")
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_perpanjangan_lampiran_perubahan")
    assert count_rows(app) == 0
    r = submit(lembaga, "perpanjangan", PERPANJANGAN + ["perpanjangan_lampiran_perubahan"], perubahan="y")
    assert get_application(app, app_id_of(r)).data["perubahan"] is True


def test_izin_baru_with_its_list_is_accepted(app, lembaga):
    r = submit(lembaga, "baru", BARU)
    assert get_application(app, app_id_of(r)).step == "kelengkapan"
