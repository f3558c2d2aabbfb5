"""LLDIKTI Wilayah VI pack: the rules its standards state, through HTTP.

The catalog against the seed, every page and the demo walk are covered for every pack by
``tests/test_packs.py``; here are the rules that matter to applicants: the inpassing proposal
needs the Pimpinan PTS's e-mail (the endorsement goes there), requirements that the standard
makes conditional ("bagi dosen yang sedang tugas belajar", "Pindah Homebase Eksternal") are
enforced only when their condition holds, the graduation report is refused less than 14
days before the graduation (no. 7), and a SINTA verifier request takes the path its letter's addressee
calls for (no. 4).
"""

from __future__ import annotations

import datetime as dt

import pytest

from pintu.testing import act, app_id_of, count_rows, field_error, get_application, login, pdf

pytestmark = pytest.mark.config(INSTITUTION_KEY="lldikti6")

DOSEN = "dosen@pts.test"
PTS = "operator@pts.test"
TODAY = dt.date(2026, 11, 25)

INPASSING_IV = "ll6-inpassing-golongan-iv"
IV_FIELDS = {"nidn": "0601018001", "nama_pts": "Universitas Contoh Semarang", "jabatan_akademik": "lektor_kepala",
             "pangkat_diusulkan": "IV/a", "status_tugas_belajar": "tidak", "nama_pimpinan_pts": "Prof. Rektor",
             "email_pimpinan_pts": "rektor@untag-contoh.ac.id"}
IV_FILES = ["sk_jabatan_awal", "sk_jabatan_akhir", "ijazah_transkrip", "skp", "sertifikat_pendidik",
            "sk_inpassing_sebelumnya"]


def post(client, slug, fields, files):
    data = dict(fields, submit="1")
    data.update({f"file_{key}": pdf(f"{key}.pdf") for key in files})
    return client.post(f"/layanan/{slug}/ajukan", data=data, content_type="multipart/form-data")


@pytest.fixture
def dosen(make_user, client):
    make_user(DOSEN, category="dosen", name="Dewi Dosen")
    login(client, DOSEN)


@pytest.fixture
def operator(make_user, client):
    make_user(PTS, category="instansi", name="Universitas Contoh")
    login(client, PTS)


def nothing_saved(app):
    assert count_rows(app) == 0
    assert count_rows(app, "Upload") == 0


def test_inpassing_without_the_pimpinan_email_is_refused_and_nothing_is_saved(app, client, dosen):
    fields = dict(IV_FIELDS, email_pimpinan_pts="")
    r = post(client, INPASSING_IV, fields, IV_FILES)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "email_pimpinan_pts") == "Wajib diisi."
    assert 'value="Prof. Rektor"' in page  # what was typed is kept
    nothing_saved(app)


def test_inpassing_with_a_malformed_pimpinan_email_is_refused(app, client, dosen):
    r = post(client, INPASSING_IV, dict(IV_FIELDS, email_pimpinan_pts="rektor-pts"), IV_FILES)
    assert field_error(r.get_data(as_text=True), "email_pimpinan_pts") == "Alamat e-mail tidak valid."
    nothing_saved(app)


def test_inpassing_goes_first_to_the_pimpinan_pts(app, client, dosen):
    app_id = app_id_of(post(client, INPASSING_IV, IV_FIELDS, IV_FILES))
    application = get_application(app, app_id)
    assert application.step == "pimpinan_pts"
    assert application.data["email_pimpinan_pts"] == "rektor@untag-contoh.ac.id"


def test_study_leave_document_is_required_only_while_on_study_leave(app, client, dosen):
    form = client.get(f"/layanan/{INPASSING_IV}/ajukan").get_data(as_text=True)
    assert "Wajib jika Status tugas belajar: Sedang tugas belajar" in form  # the condition is published
    r = post(client, INPASSING_IV, dict(IV_FIELDS, status_tugas_belajar="sedang"), IV_FILES)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Surat Keputusan Tugas Belajar (bagi dosen yang sedang tugas belajar) wajib diunggah." in page
    nothing_saved(app)
    # the reactivation decree belongs to those who finished: not asked of one still studying
    assert "Surat Keputusan Pengaktifan Kembali (bagi dosen yang sudah selesai tugas belajar) wajib diunggah." not in page

    app_id_of(post(client, INPASSING_IV, dict(IV_FIELDS, status_tugas_belajar="sedang"),
                   IV_FILES + ["sk_tugas_belajar"]))
    app_id_of(post(client, INPASSING_IV, IV_FIELDS, IV_FILES))  # not on study leave: neither decree
    assert count_rows(app) == 2


HOMEBASE = "ll6-pindah-homebase"
HB_FIELDS = {"nama_pt": "Universitas Contoh Semarang", "nidn": "0601018001"}
EXTERNAL_DOCS = ["sk_lolos_butuh", "sk_dosen_tetap_baru", "surat_pernyataan", "rekomendasi_lldikti", "ktp"]


def test_internal_homebase_move_needs_only_its_decree(app, client, operator):
    r = post(client, HOMEBASE, dict(HB_FIELDS, jenis_pindah="internal"), [])
    assert "Scan Asli Surat Keputusan perpindahan homepage dosen wajib diunggah." in r.get_data(as_text=True)
    nothing_saved(app)
    app_id = app_id_of(post(client, HOMEBASE, dict(HB_FIELDS, jenis_pindah="internal"), ["sk_perpindahan"]))
    assert get_application(app, app_id).step == "validasi"


def test_external_homebase_move_needs_the_five_external_documents(app, client, operator):
    r = post(client, HOMEBASE, dict(HB_FIELDS, jenis_pindah="eksternal"), ["sk_perpindahan"])
    page = r.get_data(as_text=True)
    assert "Scan Asli KTP wajib diunggah." in page
    assert "SK Dosen Tetap PT Baru yang memuat hak dan kewajiban antara calon dosen dengan yayasan wajib diunggah." in page
    nothing_saved(app)
    app_id_of(post(client, HOMEBASE, dict(HB_FIELDS, jenis_pindah="eksternal"), EXTERNAL_DOCS))
    assert count_rows(app) == 1


WISUDA = "ll6-pelaporan-wisuda"
WISUDA_FILES = ["surat_pelaporan", "sk_kelulusan"]


@pytest.fixture
def pinned_today(app):
    # The documented way to pin "now" (pintu.engine.clock): the setting CLOCK_NOW, read by every
    # caller of today(), the pack's own `from pintu import today` included. 05:00 UTC is 12:00 WIB.
    app.config["CLOCK_NOW"] = f"{TODAY.isoformat()}T05:00:00"


def wisuda_fields(days_ahead):
    return {"nama_pt": "Universitas Contoh Semarang", "jumlah_wisudawan": "150",
            "tanggal_wisuda": (TODAY + dt.timedelta(days=days_ahead)).isoformat()}


def test_graduation_report_less_than_14_days_ahead_is_refused(app, client, operator, pinned_today):
    r = post(client, WISUDA, wisuda_fields(13), WISUDA_FILES)
    assert field_error(r.get_data(as_text=True), "tanggal_wisuda") == (
        "Pelaporan wisuda diunggah paling lambat 14 hari sebelum penyelenggaraan wisuda: tanggal wisuda paling "
        "cepat 09-12-2026.")
    nothing_saved(app)


def test_graduation_report_14_days_ahead_is_accepted(app, client, operator, pinned_today):
    app_id = app_id_of(post(client, WISUDA, wisuda_fields(14), WISUDA_FILES))
    assert get_application(app, app_id).step == "disposisi"


SINTA = "ll6-akun-verifikator-sinta"
SINTA_FIELDS = {"nama_pt": "Universitas Contoh Semarang", "nama_verifikator": "Budi", "email_verifikator": "budi@untag-contoh.ac.id"}
PIC = "pic.akademik@lldikti6.test"


@pytest.mark.parametrize("addressee, step, letter", [("direktur", "teruskan", "surat_balasan"),
                                                     ("kepala", "pengantar", "surat_pengantar")])
def test_sinta_verifier_request_follows_the_letters_addressee(app, client, make_user, operator, addressee, step, letter):
    app_id = app_id_of(post(client, SINTA, dict(SINTA_FIELDS, tujuan_surat=addressee), ["surat_permohonan", "surat_tugas"]))
    assert get_application(app, app_id).step == "verifikasi"  # online: no ULT intake, the PIC checks first
    make_user(PIC, "verifikator", "ll6-akademik")
    login(client, PIC)
    assert act(client, app, app_id, "lengkap").status_code == 200
    application = get_application(app, app_id)
    assert application.step == step
    assert application.due_date is not None  # "lengkap dan benar" starts the 5 working days

    r = act(client, app, app_id, "sent")  # the reply letter is this step's product
    assert r.status_code == 422 and get_application(app, app_id).step == step
    assert act(client, app, app_id, "sent", **{f"file_{letter}": pdf(f"{letter}.pdf")}).status_code == 200
    assert get_application(app, app_id).status == "done"
