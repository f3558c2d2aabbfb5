"""Kopertis IV Sub Bagian Kepegawaian chain through HTTP, on Kenaikan Pangkat/Golongan Dosen PNS Dpk (seed 003
no. 27): Koordinator and Sekretaris Pelaksana dispositions, verification, the Koordinator's signature (and
his internal send-back), the signed proposal uploaded when it is sent to Setjen, the wait on Biro SDM."""

from __future__ import annotations

import html

import pytest

from pintu.testing import act, app_id_of, count_rows, get_application, login, pdf

pytestmark = pytest.mark.config(INSTITUTION_KEY="kopertis4")

SLUG = "k4-kenaikan-pangkat-dpk"
DOSEN = "dosen.dpk@kopertis4.test"
KOORDINATOR = "koordinator@kopertis4.test"
SEKRETARIS = "sekretaris@kopertis4.test"
KEPEGAWAIAN = "kepegawaian@kopertis4.test"
DOCUMENTS = ["surat_permohonan", "sk_jabatan_pak", "ppk", "sk_golongan", "ijazah_transkrip"]
VALID = {"nip": "198001012005011001", "nidn": "0401018001", "nama_pts": "Universitas Contoh Bandung",
         "golongan_sekarang": "Penata, III/c"}


@pytest.fixture
def cast(make_user):
    make_user(DOSEN, category="dosen")
    make_user(KOORDINATOR, "pimpinan", "k4-koordinator")
    make_user(SEKRETARIS, "pimpinan", "k4-sekretaris")
    make_user(KEPEGAWAIAN, "verifikator", "k4-kepegawaian")


def apply(client, **overrides):
    data = dict(VALID, submit="1", **{f"file_{k}": pdf(f"{k}.pdf") for k in DOCUMENTS})
    data.update(overrides)
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def step_of(app, app_id):
    application = get_application(app, app_id)
    return application.status, application.step


def as_(client, email):
    login(client, email)
    return client


def test_the_proposal_goes_through_the_dispositions_signature_and_setjen(app, client, cast):
    as_(client, DOSEN)
    app_id = app_id_of(apply(client))
    assert step_of(app, app_id) == ("in_process", "disposisi_koordinator")

    assert act(as_(client, KOORDINATOR), app, app_id, "disposisi").status_code == 200
    assert act(as_(client, SEKRETARIS), app, app_id, "disposisi").status_code == 200
    assert step_of(app, app_id) == ("in_process", "penyiapan")
    assert act(as_(client, KEPEGAWAIAN), app, app_id, "verified").status_code == 200

    # The Koordinator sends the draft back to the officer: staff business, a note is required.
    r = act(as_(client, KOORDINATOR), app, app_id, "revise")
    assert r.status_code == 422 and step_of(app, app_id)[1] == "penandatanganan"
    act(client, app, app_id, "revise", note="Perbaiki masa kerja golongan pada konsep.")
    assert step_of(app, app_id)[1] == "penyiapan"
    act(as_(client, KEPEGAWAIAN), app, app_id, "verified")
    act(as_(client, KOORDINATOR), app, app_id, "approve")
    assert step_of(app, app_id) == ("in_process", "pengiriman")

    # Sending to Setjen needs the signed proposal.
    r = act(as_(client, KEPEGAWAIAN), app, app_id, "sent")
    assert r.status_code == 422
    assert "Surat usulan kenaikan pangkat/golongan (hasil pindai bertanda tangan) wajib diunggah." \
        in html.unescape(r.get_data(as_text=True))
    assert step_of(app, app_id)[1] == "pengiriman"
    assert act(client, app, app_id, "sent", file_surat_usulan=pdf("usulan.pdf")).status_code == 200
    assert step_of(app, app_id) == ("in_process", "biro_sdm")

    assert act(client, app, app_id, "answered").status_code == 200
    assert step_of(app, app_id) == ("done", None)

    page = html.unescape(as_(client, DOSEN).get(f"/permohonan/{app_id}").get_data(as_text=True))
    assert "Surat usulan kenaikan pangkat/golongan ditandatangani Koordinator" in page
    assert "Perbaiki masa kerja golongan" not in page  # the internal send-back stays with the staff
    assert "Tanggapan Sekretariat Jenderal (Biro SDM) diterima" in page


def test_penyesuaian_pangkat_needs_the_izin_or_tugas_belajar_sk(app, client, cast):
    as_(client, DOSEN)
    r = apply(client, penyesuaian="y")
    assert r.status_code == 422
    assert "Surat Keputusan Izin Belajar/Tugas Belajar Dosen PNS DPK (bagi penyesuaian pangkat) wajib diunggah." \
        in html.unescape(r.get_data(as_text=True))
    assert count_rows(app) == 0

    app_id = app_id_of(apply(client, penyesuaian="y", file_sk_izin_tugas_belajar=pdf("sk_izin.pdf")))
    assert step_of(app, app_id)[1] == "disposisi_koordinator"
