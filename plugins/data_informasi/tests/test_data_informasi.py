"""Permohonan Data dan Informasi through HTTP: the direct path, the Direktur's disposition path, refusal, return."""

from __future__ import annotations

import html

import pytest

from pintu.testing import app_id_of, get_application as get, login, mails_to, pdf

SLUG = "data-informasi"
APPLICANT = "peneliti@test.id"
HUMAS = "humas@test.id"
VALID = {"data_diminta": "Jumlah lulusan per program studi tahun 2021-2025.",
         "tujuan": "Kajian kebutuhan tenaga kerja vokasi di Kabupaten Jember.", "cara_menerima": "email"}
DIRECT_ANSWER = "Data jumlah lulusan tersedia terbuka di https://www.polije.ac.id/statistik (tabel 3)."
ANSWER_AKADEMIK = "Rekap lulusan 2021-2025 sudah disiapkan Bagian Akademik (catatan unit akademik)."
ANSWER_KEPEG = "Tidak ada data kepegawaian terkait (catatan unit kepegawaian)."
INSTRUCTION = "Siapkan data lulusan (instruksi Direktur)."
DELIVERED = "Terlampir rekap jumlah lulusan per program studi 2021-2025 dari Bagian Akademik."


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def apply(client, **overrides):
    data = dict(VALID, file_surat_permohonan=pdf("surat_permohonan.pdf"), submit="1")
    data.update(overrides)
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


def events(app, app_id):
    from pintu.data.models import Event

    with app.app_context():
        return [(e.kind, e.action, e.actor_role)
                for e in Event.select().where(Event.application == app_id).order_by(Event.id)]


def act(client, app, app_id, action, note="", internal_note="", units=(), **files):
    data = {"action": action, "version": get(app, app_id).version, "note": note, "internal_note": internal_note}
    if units:
        data["units"] = list(units)
    data.update(files)
    return client.post(f"/petugas/permohonan/{app_id}/aksi", data=data,
                       content_type="multipart/form-data" if files else None)


def pending(app, app_id):
    from pintu.data.models import Disposition, Unit

    with app.app_context():
        return {d.unit.key: d.id for d in Disposition.select(Disposition, Unit).join(Unit)
                .where(Disposition.application == app_id, Disposition.answered_at.is_null())}


def answer(client, app, app_id, unit_key, text):
    return client.post(f"/petugas/permohonan/{app_id}/jawab",
                       data={"disposition": pending(app, app_id)[unit_key], "version": get(app, app_id).version,
                             "answer": text})


def page_of(client, app_id) -> str:
    r = client.get(f"/permohonan/{app_id}")
    assert r.status_code == 200
    return html.unescape(r.get_data(as_text=True))


def working_days_after(app, start, days):
    from pintu.engine import workingdays

    with app.app_context():
        return workingdays.add_working_days(start, days, app.config["EXTRA_HOLIDAYS"])


def today(app):
    from pintu.engine import clock

    with app.app_context():
        return clock.today()


@pytest.fixture
def people(staff, make_user):
    return dict(staff, humas=make_user(HUMAS, "verifikator", "humas"),
                applicant=make_user(APPLICANT, category="instansi", name="Dinas Tenaga Kerja"))


def at_officer(client, app):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client))
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    return app_id


# ---------------------------------------------------------------------------
# Path 1: open and available information, answered at once
# ---------------------------------------------------------------------------

def test_direct_answer_path(app, client, people):
    service_page = html.unescape(client.get(f"/layanan/{SLUG}").get_data(as_text=True))
    assert "maksimal 5 (lima) menit" in service_page and "maksimal 3 (tiga) hari kerja" in service_page
    assert "Tidak dipungut biaya" in service_page

    app_id = at_officer(client, app)
    application = get(app, app_id)
    assert application.reference.startswith("PDI-")
    assert (application.status, application.step) == ("in_process", "telaah")
    assert application.due_date == today(app)  # the 5-minute standard: due the same day

    login(client, HUMAS)
    assert application.reference in client.get("/petugas/").get_data(as_text=True)
    r = act(client, app, app_id, "jawab_langsung")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"
    assert act(client, app, app_id, "jawab_langsung", note=DIRECT_ANSWER,
               file_berkas_data=pdf("statistik_lulusan.pdf")).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("done", None)
    assert application.data["jalur"] == "langsung" and application.due_date == today(app)
    assert events(app, app_id) == [("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"),
                                   ("finish", "jawab_langsung", "verifikator")]

    login(client, APPLICANT)
    page = page_of(client, app_id)
    panel = page[page.index("Jawaban permohonan data dan informasi</h2>"):]
    assert DIRECT_ANSWER in panel and "juga telah dikirim ke e-mail peneliti@test.id" in panel
    assert "statistik_lulusan.pdf" in panel
    # The file is declared on both officer steps but listed once among the products (core output_requirements).
    products = page[page.index("Dokumen hasil layanan"):]
    products = products[:products.index("</ul>")]
    assert products.count("Berkas data dan informasi") == 1 and "statistik_lulusan.pdf" in products
    last = mails_to(app, APPLICANT)[-1]
    assert "Data dan informasi telah disampaikan" in last and DIRECT_ANSWER in last
    assert "Status saat ini: Selesai" in last


# ---------------------------------------------------------------------------
# Path 2: through the Direktur's disposition to two units
# ---------------------------------------------------------------------------

def test_disposition_path_two_units_must_both_answer(app, client, people):
    app_id = at_officer(client, app)
    started = today(app)

    login(client, HUMAS)
    # A file sent with the forwarding would reach the applicant before the answer: refused, nothing stored.
    r = act(client, app, app_id, "teruskan", file_berkas_data=pdf("data_awal.pdf"))
    assert r.status_code == 422 and "hanya dilampirkan saat menyampaikan jawaban" in r.get_data(as_text=True)
    assert get(app, app_id).step == "telaah"
    assert act(client, app, app_id, "teruskan").status_code == 200
    application = get(app, app_id)
    assert application.step == "disposisi" and application.data["jalur"] == "disposisi"
    due = working_days_after(app, started, 3)
    assert application.due_date == due  # the 3-working-day standard, counted from completeness
    assert f"Batas waktu penyelesaian: {due.strftime('%d-%m-%Y')}" in mails_to(app, APPLICANT)[-1]
    # The path key is not shown as a form field, and resubmission is impossible here.
    assert "Jalur" not in page_of(client, app_id)

    # Only the Direktur disposes; units are required.
    r = act(client, app, app_id, "dispose", units=["akademik"])
    assert r.status_code == 422 and "Anda tidak berwenang" in r.get_data(as_text=True)
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "dispose")
    assert r.status_code == 422 and "Pilih sekurang-kurangnya satu unit tujuan disposisi." in r.get_data(as_text=True)
    assert act(client, app, app_id, "dispose", note=INSTRUCTION, units=["akademik", "kepegawaian"]).status_code == 200
    assert set(pending(app, app_id)) == {"akademik", "kepegawaian"}

    login(client, "akademik@test.id")
    assert answer(client, app, app_id, "akademik", ANSWER_AKADEMIK).status_code == 200
    application = get(app, app_id)
    assert application.step == "disposisi" and set(pending(app, app_id)) == {"kepegawaian"}  # still waiting
    r = client.post(f"/petugas/permohonan/{app_id}/jawab",
                    data={"disposition": pending(app, app_id)["kepegawaian"], "version": application.version,
                          "answer": "bukan unit saya"})
    assert r.status_code == 422 and get(app, app_id).step == "disposisi"
    # While units work, the Direktur's step does not move on.
    login(client, "pimpinan@test.id")
    assert act(client, app, app_id, "dispose", units=["humas"]).status_code == 422

    login(client, "kepeg@test.id")
    assert answer(client, app, app_id, "kepegawaian", ANSWER_KEPEG).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "penyampaian")
    assert application.due_date == due

    # Before delivery the applicant sees progress, not the units' answers.
    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Semua unit terkait telah menindaklanjuti" in page
    for secret in (ANSWER_AKADEMIK, ANSWER_KEPEG, INSTRUCTION):
        assert secret not in page
    assert "Jawaban permohonan data dan informasi" not in page and "rekap_lulusan.pdf" not in page

    login(client, HUMAS)
    page = page_of(client, app_id)
    assert ANSWER_AKADEMIK in page and ANSWER_KEPEG in page  # the officer reads them
    r = client.post(f"/permohonan/{app_id}/pesan", content_type="multipart/form-data",
                    data={"body": "Peta sebaran lulusan terlampir.", "attachment": pdf("peta_sebaran.pdf")})
    assert r.status_code == 200
    client.post(f"/permohonan/{app_id}/pesan", data={"body": "Internal: angka 2025 masih sementara.",
                                                     "internal": "1"})
    r = act(client, app, app_id, "sampaikan")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    assert act(client, app, app_id, "sampaikan", note=DELIVERED,
               file_berkas_data=pdf("rekap_lulusan.pdf")).status_code == 200
    assert get(app, app_id).status == "done"
    assert events(app, app_id) == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"), ("forward", "teruskan", "verifikator"),
        ("dispose", "dispose", "pimpinan"), ("answer", "answer", "verifikator"), ("answer", "answer", "verifikator"),
        ("forward", "all_answered", "verifikator"), ("finish", "sampaikan", "verifikator")]

    login(client, APPLICANT)
    page = page_of(client, app_id)
    panel = page[page.index("Jawaban permohonan data dan informasi</h2>"):]
    assert DELIVERED in panel and "rekap_lulusan.pdf" in panel and "peta_sebaran.pdf" in panel
    assert "data_awal.pdf" not in page
    for secret in (ANSWER_AKADEMIK, ANSWER_KEPEG, INSTRUCTION, "angka 2025 masih sementara"):
        assert secret not in page
    mails = mails_to(app, APPLICANT)
    assert DELIVERED in mails[-1] and "Data dan informasi telah disampaikan" in mails[-1]
    assert all(s not in m for m in mails for s in (ANSWER_AKADEMIK, ANSWER_KEPEG, INSTRUCTION))


# ---------------------------------------------------------------------------
# Refusal, return, roles
# ---------------------------------------------------------------------------

def test_refusal_with_reason_is_shown_to_the_applicant(app, client, people):
    app_id = at_officer(client, app)
    login(client, HUMAS)
    assert act(client, app, app_id, "refuse").status_code == 422
    reason = "Data pribadi alumni termasuk informasi yang dikecualikan sehingga tidak dapat diberikan."
    assert act(client, app, app_id, "refuse", note=reason).status_code == 200
    application = get(app, app_id)
    assert application.status == "refused" and application.refusal_reason == reason
    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Alasan penolakan:" in page and reason in page
    assert reason in mails_to(app, APPLICANT)[-1]


def test_return_fix_and_resubmit(app, client, people):
    login(client, APPLICANT)
    app_id = app_id_of(apply(client))
    login(client, "petugas@test.id")
    note = "Surat permohonan belum ditujukan kepada Direktur."
    assert act(client, app, app_id, "return", note=note).status_code == 200
    application = get(app, app_id)
    assert application.status == "returned" and application.due_date is None

    login(client, APPLICANT)
    assert note in page_of(client, app_id)
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, submit="1", tujuan="Kajian pasar kerja vokasi 2026.",
                              file_surat_permohonan=pdf("surat_kepada_direktur.pdf")))
    assert app_id_of(r) == app_id
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "kelengkapan")
    assert application.data["tujuan"] == "Kajian pasar kerja vokasi 2026."
    assert [k for k, _, _ in events(app, app_id)] == ["submitted", "return", "resubmitted"]
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).step == "telaah"


def test_form_rules_and_roles(app, client, people):
    from pintu.data.models import Application

    login(client, APPLICANT)
    r = apply(client, data_diminta="data", file_surat_permohonan=None)
    assert r.status_code == 422
    body = html.unescape(r.get_data(as_text=True))
    assert "Uraikan data/informasi yang diminta (minimal 10 karakter)." in body
    r = client.post(f"/layanan/{SLUG}/ajukan", data=dict(VALID, submit="1"), content_type="multipart/form-data")
    assert r.status_code == 422
    assert "Surat permohonan tertulis kepada Direktur wajib diunggah." in html.unescape(r.get_data(as_text=True))
    with app.app_context():
        assert Application.select().count() == 0

    app_id = at_officer(client, app)
    # The ULT cannot answer in the information officer's place; a unit not routed to does not even see it.
    for email, status in (("petugas@test.id", 422), ("akademik@test.id", 404)):
        login(client, email)
        assert act(client, app, app_id, "jawab_langsung", note=DIRECT_ANSWER).status_code == status
    assert get(app, app_id).step == "telaah"


def test_public_member_may_ask_too(app, client, people, make_user):
    make_user("umum@test.id", category="masyarakat")
    login(client, "umum@test.id")
    app_id = app_id_of(apply(client, cara_menerima="aplikasi"))
    assert get(app, app_id).data["cara_menerima"] == "aplikasi"
    assert "Melalui aplikasi PINTU" in page_of(client, app_id)
