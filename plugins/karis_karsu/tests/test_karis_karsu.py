"""Usul Kartu Istri/Suami through HTTP: both ways of the LPP, the generated PDF and who may fetch it,
Karis vs Karsu, every role of the workflow, and the core's conditional requirement it relies on."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zlib

import pytest

import pintu_karis_karsu
from pintu import Requirement, Service, Step, approve, hookimpl, standard_steps
from pintu.testing import (act, app_id_of, count_rows as count, events_of as events, field_error,
                           get_application as get, login, mails_to, outbox, pdf, png)
from pintu.testing import attached_files as stored_files  # files attached to applications

SLUG = "kartu-istri-suami"
APPLICANT = "pegawai@test.id"
OTHER = "lain@test.id"
NIP = "197001011995031001"
TODAY = dt.date(2026, 11, 23)

BASE = {"pasangan": "istri", "unit_kerja": "Jurusan Teknologi Informasi", "pangkat_golongan": "Penata Muda / III-a",
        "jabatan": "Pengadministrasi Umum", "nama_pasangan": "Siti Aminah"}
LPP = {"tempat_lahir_pegawai": "Jember", "tanggal_lahir_pegawai": "1990-01-01",
       "alamat": "Jl. Mastrip No. 164, Sumbersari, Jember", "tempat_lahir_pasangan": "Bondowoso",
       "tanggal_lahir_pasangan": "1992-04-12", "pekerjaan_pasangan": "Guru SD Negeri 2 Sumbersari",
       "tanggal_perkawinan": "2020-06-20", "tempat_perkawinan": "KUA Kecamatan Sumbersari, Jember",
       "nomor_akta_nikah": "245/17/VI/2020"}
FILLED = dict(BASE, cara_lpp="isi", **LPP)
UPLOADED = dict(BASE, cara_lpp="unggah")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def files(lpp=False, **replace):
    out = {f"file_{r.key}": pdf(f"{r.key}.pdf") for r in pintu_karis_karsu.REQUIREMENTS
           if r.types == ("pdf",) and r.key != "lpp"}
    out["file_pas_foto"] = png("pas_foto.png")
    if lpp:
        out["file_lpp"] = pdf("lpp_ttd.pdf")
    out.update({f"file_{k}": v for k, v in replace.items()})
    return {k: v for k, v in out.items() if v is not None}


def post(client, data, url=f"/layanan/{SLUG}/ajukan", submit=True, **file_args):
    body = dict(data, **files(**file_args))
    body["submit" if submit else "draft"] = "1"
    return client.post(url, data=body, content_type="multipart/form-data")


def summary(page: str) -> str:
    m = re.search(r'<div class="errors-summary".*?</div>', page, re.S)
    return html.unescape(m.group(0)) if m else ""


def set_nip(app, email, nip):
    from pintu.data.models import User

    with app.app_context():
        User.update(id_number=nip).where(User.email == email).execute()


def lpp_url(app_id):
    return f"/karis-karsu/permohonan/{app_id}/lpp.pdf"


def pdf_text(content: bytes) -> str:
    """The text shown by the PDF: the strings of its (Flate-compressed) content streams' ``Tj`` operators,
    unescaped and joined by spaces, so that wrapped lines read as one text."""
    strings = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        raw = m.group(1)
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            pass
        for s in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", raw):
            strings.append(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1"))
    return " ".join(" ".join(strings).split())


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr(pintu_karis_karsu, "today", lambda: TODAY)


@pytest.fixture
def applicant(app, make_user):
    user = make_user(APPLICANT, category="pegawai", name="Ahmad Pegawai")
    set_nip(app, APPLICANT, NIP)
    return user


PATH = [("kelengkapan", "petugas@test.id", "lengkap"), ("verifikasi", "kepeg@test.id", "memenuhi_syarat"),
        ("persetujuan", "pimpinan@test.id", "setujui")]


def to_step(client, app, app_id, step):
    for key, email, action in PATH:
        if key == step:
            return
        login(client, email)
        assert act(client, app, app_id, action).status_code == 200


# ---------------------------------------------------------------------------
# The standard and the form
# ---------------------------------------------------------------------------

def test_standard_page(client):
    page = html.unescape(client.get(f"/layanan/{SLUG}").get_data(as_text=True))
    for r in pintu_karis_karsu.REQUIREMENTS:
        assert r.label in page
    assert "Surat pengantar usulan Kartu Istri/Suami" in page
    assert "Pegawai / PNS, Dosen" in page


def test_form_offers_both_ways_of_the_lpp(client, applicant):
    login(client, APPLICANT)
    page = client.get(f"/layanan/{SLUG}/ajukan").get_data(as_text=True)
    assert 'value="isi"' in page and 'value="unggah"' in page
    for name in ("pasangan", "nama_pasangan", "tanggal_perkawinan", "tempat_perkawinan", "nomor_akta_nikah",
                 "pekerjaan_pasangan", "file_lpp", "file_akta_nikah", "file_pas_foto"):
        assert f'name="{name}"' in page


# ---------------------------------------------------------------------------
# LPP: uploaded
# ---------------------------------------------------------------------------

def test_uploaded_lpp_way(app, client, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, UPLOADED, lpp=True))
    application = get(app, app_id)
    assert application.status == "in_process" and application.reference.startswith("KIS-")
    assert count(app, "Upload") == 5
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Diunggah oleh pemohon" in page and "lpp_ttd.pdf" in page
    assert lpp_url(app_id) not in page
    assert client.get(lpp_url(app_id)).status_code == 404  # nothing to generate on this path


def test_upload_way_without_the_file_is_refused_with_a_clear_message(app, client, applicant):
    login(client, APPLICANT)
    r = post(client, UPLOADED)
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "file_lpp") == pintu_karis_karsu.LPP_UPLOAD_MISSING
    assert count(app) == 0 and stored_files(app) == []


# ---------------------------------------------------------------------------
# LPP: filled in and generated
# ---------------------------------------------------------------------------

def test_filled_lpp_way_generates_a_pdf(app, client, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, FILLED))  # no LPP upload needed
    application = get(app, app_id)
    assert application.status == "in_process"
    assert application.data["nomor_akta_nikah"] == "245/17/VI/2020"
    assert application.data["tanggal_perkawinan"] == "2020-06-20"
    assert count(app, "Upload") == 4

    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Usul Kartu Istri (Karis)" in page
    assert lpp_url(app_id) in page and "Unduh LPP (PDF)" in page

    r = client.get(lpp_url(app_id))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.data.startswith(b"%PDF")
    assert f"LPP-{application.reference}.pdf" in r.headers["Content-Disposition"]
    text = pdf_text(r.data)
    for expected in ("LAPORAN PERKAWINAN PERTAMA", "Ahmad Pegawai", f"NIP {NIP}", "Siti Aminah", "245/17/VI/2020",
                     "pada tanggal 20 Juni 2020 di KUA Kecamatan Sumbersari, Jember", "dengan seorang wanita:",
                     "Bondowoso, 12 April 1992", "Guru SD Negeri 2 Sumbersari", "Penata Muda / III-a",
                     "Kartu Istri (Karis)", "Pas foto istri", application.reference):
        assert expected in text, expected


def test_generated_pdf_is_only_for_those_who_may_see_the_application(app, client, staff, applicant, make_user):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, FILLED))
    make_user(OTHER, category="pegawai")
    login(client, OTHER)
    assert client.get(lpp_url(app_id)).status_code == 404
    login(client, "akademik@test.id")  # staff of a unit without a step in this service
    assert client.get(lpp_url(app_id)).status_code == 404
    client.post("/keluar")
    r = client.get(lpp_url(app_id))
    assert r.status_code == 302 and "/masuk" in r.location
    # staff of the service may download it
    for email in ("petugas@test.id", "kepeg@test.id", "pimpinan@test.id"):
        login(client, email)
        r = client.get(lpp_url(app_id))
        assert r.status_code == 200 and r.data.startswith(b"%PDF"), email
        assert r.headers["Cache-Control"] == "no-store"
    assert client.get(lpp_url(999999)).status_code == 404
    # Every download of the generated LPP is in the audit trail; refused ones are not.
    from pintu.data.models import AuditEntry

    with app.app_context():
        who = [e.actor_email for e in AuditEntry.select().where(AuditEntry.action == "document.download",
                                                                AuditEntry.object_id == str(app_id))]
    assert who == ["petugas@test.id", "kepeg@test.id", "pimpinan@test.id"]


def test_draft_lpp_can_be_previewed_by_its_applicant_only(app, client, staff, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, FILLED, submit=False))
    r = client.get(lpp_url(app_id))
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert f"LPP-draf-{app_id}.pdf" in r.headers["Content-Disposition"]
    login(client, "kepeg@test.id")
    assert client.get(lpp_url(app_id)).status_code == 404


def test_karsu_is_chosen_from_the_spouse_field(app, client, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, dict(FILLED, pasangan="suami", nama_pasangan="Bambang Wijaya")))
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Usul Kartu Suami (Karsu)" in page and "Kartu Istri (Karis)" not in page
    text = pdf_text(client.get(lpp_url(app_id)).data)
    assert "seorang pria:" in text and "Kartu Suami (Karsu)" in text and "Bambang Wijaya" in text
    assert "wanita" not in text and "Karis" not in text
    assert pintu_karis_karsu.kartu({"pasangan": "suami"}) == ("Karsu", "Kartu Suami")
    assert pintu_karis_karsu.kartu({"pasangan": "istri"}) == ("Karis", "Kartu Istri")


def test_spouse_kind_must_be_chosen(app, client, applicant):
    login(client, APPLICANT)
    r = post(client, dict(FILLED, pasangan=""))
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "pasangan") == "Pilih Karis (untuk istri) atau Karsu (untuk suami)."
    assert count(app) == 0


def test_neither_way_chosen(app, client, applicant):
    login(client, APPLICANT)
    r = post(client, BASE)
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "cara_lpp").startswith("Pilih cara melengkapi LPP")
    r = post(client, dict(BASE, cara_lpp="lainnya"))
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "cara_lpp").startswith("Pilih cara melengkapi LPP")
    assert count(app) == 0


def test_fill_way_with_missing_fields_names_each_and_saves_nothing(app, client, applicant):
    login(client, APPLICANT)
    data = dict(FILLED, nomor_akta_nikah="", tempat_perkawinan=" ", tanggal_lahir_pasangan="")
    r = post(client, data)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for name in ("nomor_akta_nikah", "tempat_perkawinan", "tanggal_lahir_pasangan"):
        assert field_error(page, name) == pintu_karis_karsu.LPP_REQUIRED
    assert field_error(page, "pekerjaan_pasangan") is None
    assert pintu_karis_karsu.LPP_FIELDS_MISSING in summary(page)
    assert field_error(page, "file_lpp") is None  # the upload is not asked on this path
    assert count(app) == 0 and stored_files(app) == []


def test_empty_fill_way_is_refused(app, client, applicant):
    login(client, APPLICANT)
    r = post(client, dict(BASE, cara_lpp="isi"))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert all(field_error(page, name) == pintu_karis_karsu.LPP_REQUIRED for name in pintu_karis_karsu.LPP_FIELDS)
    assert count(app) == 0


@pytest.mark.parametrize("changes, field, message", [
    ({"tanggal_perkawinan": "2026-12-01"}, "tanggal_perkawinan",
     "Tanggal perkawinan tidak boleh melewati tanggal hari ini."),
    ({"tanggal_lahir_pasangan": "2021-01-01"}, "tanggal_lahir_pasangan",
     "Tanggal lahir suami/istri harus sebelum tanggal perkawinan (20-06-2020)."),
    ({"tanggal_lahir_pegawai": "2027-01-01"}, "tanggal_lahir_pegawai",
     "Tanggal lahir tidak boleh melewati tanggal hari ini."),
])
def test_impossible_dates(app, client, applicant, changes, field, message):
    login(client, APPLICANT)
    r = post(client, dict(FILLED, **changes))
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), field) == message
    assert count(app) == 0


def test_nip_must_be_in_the_profile(app, client, applicant):
    set_nip(app, APPLICANT, "")
    login(client, APPLICANT)
    r = post(client, FILLED)
    assert r.status_code == 422
    assert pintu_karis_karsu.NIP_MISSING in html.unescape(r.get_data(as_text=True))
    assert count(app) == 0


def test_non_latin1_text_still_makes_a_pdf(app, client, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, dict(FILLED, alamat="Jl. “Mawar” – Blok Ø 7, 東京")))
    r = client.get(lpp_url(app_id))
    assert r.status_code == 200 and r.data.startswith(b"%PDF")


# ---------------------------------------------------------------------------
# Workflow
# ---------------------------------------------------------------------------

def test_full_approval_path_to_done(app, client, staff, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, FILLED))
    reference = get(app, app_id).reference
    login(client, "petugas@test.id")
    assert reference in client.get("/petugas/").get_data(as_text=True)
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).due_date is not None
    login(client, "kepeg@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Usul Kartu Istri (Karis)" in page and lpp_url(app_id) in page
    assert act(client, app, app_id, "memenuhi_syarat").status_code == 200
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "setujui").status_code == 200
    assert (get(app, app_id).status, get(app, app_id).step) == ("ready", "pengambilan")
    login(client, APPLICANT)
    assert "Surat pengantar usulan Kartu Istri/Suami siap diambil di ULT" in \
        client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "taken").status_code == 200
    assert get(app, app_id).status == "done"
    assert [(k, a, role) for k, a, role, _ in events(app, app_id)] == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"),
        ("forward", "memenuhi_syarat", "verifikator"), ("forward", "setujui", "pimpinan"),
        ("finish", "taken", "petugas")]
    mails = mails_to(app, APPLICANT)
    assert len(mails) == 5 and "surat pengantar usulan Kartu Istri/Suami diterbitkan" in mails[3]
    login(client, APPLICANT)
    assert client.get(lpp_url(app_id)).status_code == 200  # still downloadable when done


def test_refusal_with_reason(app, client, staff, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, UPLOADED, lpp=True))
    to_step(client, app, app_id, "persetujuan")
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "refuse")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    reason = "Perkawinan ini bukan perkawinan pertama; gunakan laporan perkawinan janda/duda."
    assert act(client, app, app_id, "refuse", note=reason).status_code == 200
    application = get(app, app_id)
    assert application.status == "refused" and application.refusal_reason == reason
    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]


def test_return_fix_switch_to_filled_lpp_and_resubmit(app, client, staff, applicant):
    """Returned because the uploaded LPP was unsigned; the applicant fills the LPP in instead."""
    login(client, APPLICANT)
    app_id = app_id_of(post(client, UPLOADED, lpp=True))
    to_step(client, app, app_id, "verifikasi")
    login(client, "kepeg@test.id")
    note = "LPP yang diunggah belum ditandatangani. Isi LPP di formulir atau unggah LPP bertanda tangan."
    assert act(client, app, app_id, "return", note=note).status_code == 200
    assert get(app, app_id).status == "returned"

    login(client, APPLICANT)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert note in page and "Perbaiki dan ajukan kembali" in page
    assert client.get(lpp_url(app_id)).status_code == 404
    # Switching to the fill-in way with the fields still empty is refused
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(BASE, cara_lpp="isi", submit="1"))
    assert r.status_code == 422 and get(app, app_id).status == "returned"
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(FILLED, submit="1"))
    assert app_id_of(r) == app_id
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.data["cara_lpp"] == "isi"
    assert client.get(lpp_url(app_id)).data.startswith(b"%PDF")
    assert [k for k, *_ in events(app, app_id)] == ["submitted", "forward", "return", "resubmitted"]
    for _, email, action in PATH:
        login(client, email)
        assert act(client, app, app_id, action).status_code == 200
    assert get(app, app_id).status == "ready"


def test_return_and_resubmit_keeps_the_uploaded_lpp(app, client, staff, applicant):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, UPLOADED, lpp=True))
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "return", note="Pas foto buram, unggah ulang.").status_code == 200
    login(client, APPLICANT)
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(UPLOADED, submit="1", file_pas_foto=png("foto_baru.png")))
    assert app_id_of(r) == app_id  # the LPP uploaded before still counts
    assert get(app, app_id).status == "in_process"


def test_wrong_unit_cannot_act(app, client, staff, applicant, make_user):
    login(client, APPLICANT)
    app_id = app_id_of(post(client, FILLED))
    to_step(client, app, app_id, "verifikasi")
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "setujui").status_code == 422
    make_user("umum@test.id", "verifikator", "umum_keuangan")
    login(client, "umum@test.id")
    assert act(client, app, app_id, "memenuhi_syarat").status_code == 404
    assert get(app, app_id).step == "verifikasi"


def test_demo_data_covers_every_state(app, make_user):
    from pintu.data.models import Application, User

    cast = {"petugas": make_user("petugas@test.id", "petugas"), "pimpinan": make_user("pimpinan@test.id", "pimpinan"),
            "verifikator:kepegawaian": make_user("kepeg@test.id", "verifikator", "kepegawaian")}
    applicants = {"pegawai": make_user("pegawai@test.id", category="pegawai"),
                  "dosen": make_user("dosen@test.id", category="dosen")}
    set_nip(app, "pegawai@test.id", NIP)
    set_nip(app, "dosen@test.id", "198005052005012002")
    with app.app_context():
        pintu_karis_karsu.pintu_demo_data(applicants={k: User.get_by_id(u.id) for k, u in applicants.items()},
                                          staff={k: User.get_by_id(u.id) for k, u in cast.items()})
        rows = list(Application.select().where(Application.service == SLUG))
    assert sorted(a.status for a in rows) == ["done", "draft", "in_process", "in_process", "in_process", "ready",
                                              "refused", "returned"]
    assert {a.data["cara_lpp"] for a in rows} == {"isi", "unggah"}


# ---------------------------------------------------------------------------
# The core feature this plugin relies on: Requirement.condition
# ---------------------------------------------------------------------------

def test_requirement_condition_unit():
    req = Requirement("x", "X", condition=lambda d: d.get("a") == 1)
    assert req.required_for({"a": 1}) and not req.required_for({"a": 2}) and not req.required_for({})
    assert Requirement("y", "Y").required_for({})
    assert not Requirement("z", "Z", required=False, condition=lambda d: True).required_for({})


class ConditionalStepPlugin:
    """An applicant step whose upload is required only for one kind of request."""

    @hookimpl
    def pintu_services(self):
        from flask_wtf import FlaskForm
        from wtforms import SelectField

        class Form(FlaskForm):
            jenis = SelectField("Jenis", choices=[("a", "A"), ("b", "B")])

        return [Service(slug="syarat-bersyarat", title="Uji", category="Uji", summary="Uji", form=Form,
                        steps=standard_steps(Step("bukti", "Unggah bukti", role="pemohon", requirements=[
                            Requirement("bukti", "Bukti", condition=lambda d: d.get("jenis") == "b",
                                        missing_message="Bukti wajib untuk jenis B.")],
                            actions=[approve("Kirim", "kirim")])))]


@pytest.mark.plugins(ConditionalStepPlugin())
def test_requirement_condition_on_an_applicant_step(app, client, staff, make_user):
    make_user("p@test.id", category="pegawai")
    ids = {}
    for jenis in ("a", "b"):
        login(client, "p@test.id")
        ids[jenis] = app_id_of(client.post("/layanan/syarat-bersyarat/ajukan", data={"jenis": jenis, "submit": "1"}))
        login(client, "petugas@test.id")
        assert act(client, app, ids[jenis], "lengkap").status_code == 200
    login(client, "p@test.id")
    r = client.post(f"/permohonan/{ids['a']}/tindakan", data={"action": "kirim", "version": get(app, ids["a"]).version})
    assert r.status_code == 302 and get(app, ids["a"]).step == "pengambilan"
    r = client.post(f"/permohonan/{ids['b']}/tindakan", data={"action": "kirim", "version": get(app, ids["b"]).version})
    assert r.status_code == 422 and "Bukti wajib untuk jenis B." in r.get_data(as_text=True)
    assert get(app, ids["b"]).step == "bukti"
