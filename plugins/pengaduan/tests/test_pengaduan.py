"""Pengaduan Masyarakat through HTTP: public registration, verification, routing to units, official reply."""

from __future__ import annotations

import html

import pytest

from pintu.testing import (app_id_of, events_of as events, field_error, get_application as get, login, mails_to, pdf,
                           png, register)

SLUG = "pengaduan-masyarakat"
APPLICANT = "warga@test.id"
UNIT_KEU = "keu@test.id"
UNIT_HUMAS = "humas@test.id"
URAIAN = ("Lampu penerangan di area parkir Gedung Serba Guna padam sejak dua minggu lalu sehingga rawan bagi "
          "pengunjung pada malam hari.")
VALID = {"tanggal_pengaduan": "2026-01-05", "bidang": "keuangan_sarana", "uraian": URAIAN,
         "lokasi_waktu": "Area parkir GSG, malam hari"}

ANSWER_KEU = "Teknisi BMN mengganti sepuluh lampu pada hari Senin (catatan unit keuangan)."
ANSWER_HUMAS = "Humas mencatat keluhan untuk evaluasi layanan bulanan (catatan unit humas)."
INSTRUCTION = "Mohon cek lokasi dan laporkan tindak lanjutnya (instruksi narahubung)."
DRAFT = "Rancangan: terima kasih, lampu sudah diganti (rancangan internal narahubung)."
REPLY = ("Terima kasih atas pengaduan Saudara. Sepuluh lampu penerangan di area parkir Gedung Serba Guna telah "
         "diganti dan pemeriksaan rutin dilakukan setiap bulan.")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def apply(client, submit=True, **overrides):
    data = dict(VALID, file_surat_pengaduan=pdf("surat_pengaduan.pdf"))
    data.update(overrides)
    data["submit" if submit else "draft"] = "1"
    return client.post(f"/layanan/{SLUG}/ajukan", data=data, content_type="multipart/form-data")


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


@pytest.fixture
def units(make_user):
    return {"umum_keuangan": make_user(UNIT_KEU, "verifikator", "umum_keuangan"),
            "humas": make_user(UNIT_HUMAS, "verifikator", "humas")}


@pytest.fixture
def applicant(make_user):
    return make_user(APPLICANT, category="masyarakat", name="Budi Warga")


def submitted(client):
    login(client, APPLICANT)
    return app_id_of(apply(client))


def routed_and_answered(client, app, app_id):
    """lengkap -> disposition to Umum dan Keuangan + Humas -> both answer."""
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert act(client, app, app_id, "dispose", note=INSTRUCTION, units=["umum_keuangan", "humas"]).status_code == 200
    login(client, UNIT_KEU)
    assert answer(client, app, app_id, "umum_keuangan", ANSWER_KEU).status_code == 200
    login(client, UNIT_HUMAS)
    assert answer(client, app, app_id, "humas", ANSWER_HUMAS).status_code == 200


# ---------------------------------------------------------------------------
# A member of the public registers and complains
# ---------------------------------------------------------------------------

def test_public_user_registers_via_daftar_without_nip_and_files_a_complaint(app, client, staff):
    from pintu.data.models import User

    # /daftar, then the confirmation link mailed to the address (pintu.testing.register does both).
    r = register(client, app, "siti@contoh.id", "rahasia-123", name="Siti Masyarakat", category="masyarakat")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with app.app_context():
        user = User.get(User.email == "siti@contoh.id")
        assert (user.category, user.id_number, user.is_staff) == ("masyarakat", "", False)

    # Logged in by the confirmation link; the service is open to the public.
    service_page = client.get(f"/layanan/{SLUG}").get_data(as_text=True)
    assert "Ajukan permohonan" in service_page and "Layanan ini hanya untuk" not in service_page
    form = client.get(f"/layanan/{SLUG}/ajukan")
    assert form.status_code == 200
    with app.app_context():
        from pintu.engine.clock import today

        assert f'value="{today().isoformat()}"' in form.get_data(as_text=True)  # tanggal pengaduan defaults to today

    app_id = app_id_of(apply(client, file_bukti_pendukung=png("lampu_padam.png")))
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "verifikasi")
    assert application.reference.startswith("PGM-")
    assert application.data["bidang"] == "keuangan_sarana" and application.data["uraian"] == URAIAN

    page = page_of(client, app_id)
    assert "Keuangan / sarana dan prasarana" in page and "lampu_padam.png" in page
    mails = [m for m in mails_to(app, "siti@contoh.id") if "Konfirmasi alamat e-mail" not in m]
    assert len(mails) == 1 and "Permohonan diajukan" in mails[0] and application.reference in mails[0]

    # The narahubung sees it in the inbox.
    login(client, "petugas@test.id")
    assert application.reference in client.get("/petugas/").get_data(as_text=True)


def test_form_rules(app, client, applicant):
    from pintu.data.models import Application

    login(client, APPLICANT)
    r = apply(client, uraian="Lampu mati.", file_surat_pengaduan=None)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert field_error(page, "uraian") == "Uraian pengaduan minimal 30 karakter agar dapat ditindaklanjuti."

    r = client.post(f"/layanan/{SLUG}/ajukan", data=dict(VALID, submit="1"), content_type="multipart/form-data")
    assert r.status_code == 422
    assert "Surat pengaduan resmi kepada Direktur wajib diunggah." in html.unescape(r.get_data(as_text=True))

    r = apply(client, tanggal_pengaduan="2999-01-01")
    assert r.status_code == 422
    assert field_error(r.get_data(as_text=True), "tanggal_pengaduan") == \
        "Tanggal pengaduan tidak boleh melewati hari ini."

    # Evidence may be an image, but not an image posing as a PDF letter.
    r = apply(client, file_surat_pengaduan=png("surat.pdf"))
    assert r.status_code == 422
    with app.app_context():
        assert Application.select().count() == 0
    assert app_id_of(apply(client, lokasi_waktu="", file_bukti_pendukung=png("bukti.png")))


# ---------------------------------------------------------------------------
# Full path: routing to units, the leadership's official reply
# ---------------------------------------------------------------------------

def test_full_path_units_answer_and_the_official_reply_reaches_the_applicant(app, client, staff, units, applicant):
    app_id = submitted(client)

    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    application = get(app, app_id)
    assert application.step == "koordinasi" and application.clock_started_at is not None
    page = page_of(client, app_id)
    assert "Bidang pengaduan menunjuk ke <strong>Bagian Umum dan Keuangan</strong>" in page  # the staff panel

    # Routing needs at least one unit.
    r = act(client, app, app_id, "dispose")
    assert r.status_code == 422 and "Pilih sekurang-kurangnya satu unit tujuan disposisi." in r.get_data(as_text=True)
    assert act(client, app, app_id, "dispose", note=INSTRUCTION, units=["umum_keuangan", "humas"]).status_code == 200
    assert set(pending(app, app_id)) == {"umum_keuangan", "humas"}
    assert get(app, app_id).step == "koordinasi"
    # While units work, the narahubung cannot move it on.
    assert act(client, app, app_id, "tanpa_disposisi").status_code == 422
    # ... nor answer for a unit.
    r = answer(client, app, app_id, "humas", "jawaban palsu")
    assert r.status_code == 422 and "Disposisi ini tidak menunggu jawaban unit Anda." in r.get_data(as_text=True)

    login(client, UNIT_KEU)
    r = answer(client, app, app_id, "umum_keuangan", "  ")
    assert r.status_code == 422 and "Jawaban / tindak lanjut unit wajib diisi." in r.get_data(as_text=True)
    assert answer(client, app, app_id, "umum_keuangan", ANSWER_KEU).status_code == 200
    assert get(app, app_id).step == "koordinasi" and set(pending(app, app_id)) == {"humas"}
    login(client, UNIT_HUMAS)
    assert answer(client, app, app_id, "humas", ANSWER_HUMAS).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("in_process", "penyusunan") and not pending(app, app_id)

    login(client, "petugas@test.id")
    page = page_of(client, app_id)
    assert ANSWER_KEU in page and ANSWER_HUMAS in page  # the narahubung reads the units' answers
    assert act(client, app, app_id, "ajukan_jawaban", internal_note=DRAFT).status_code == 200
    assert get(app, app_id).step == "persetujuan"

    login(client, "pimpinan@test.id")
    page = page_of(client, app_id)
    assert "Rancangan jawaban dari narahubung" in page and DRAFT in page
    r = act(client, app, app_id, "kirim_jawaban")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"
    assert act(client, app, app_id, "kirim_jawaban", note=REPLY).status_code == 200
    application = get(app, app_id)
    assert (application.status, application.step) == ("done", None) and application.closed_at is not None

    assert [(k, a, role) for k, a, role, _ in events(app, app_id)] == [
        ("submitted", "", "pemohon"), ("forward", "lengkap", "petugas"), ("dispose", "dispose", "petugas"),
        ("answer", "answer", "verifikator"), ("answer", "answer", "verifikator"),
        ("forward", "all_answered", "verifikator"), ("forward", "ajukan_jawaban", "petugas"),
        ("finish", "kirim_jawaban", "pimpinan")]

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Jawaban resmi atas pengaduan" in page and REPLY in page
    assert "Jawaban resmi atas pengaduan telah disampaikan" in page
    for secret in (ANSWER_KEU, ANSWER_HUMAS, INSTRUCTION, DRAFT):
        assert secret not in page

    mails = mails_to(app, APPLICANT)
    last = mails[-1]
    assert "Jawaban resmi atas pengaduan telah disampaikan" in last and REPLY in last
    assert "Status saat ini: Selesai" in last
    for secret in (ANSWER_KEU, ANSWER_HUMAS, INSTRUCTION, DRAFT):
        assert all(secret not in m for m in mails)


def test_unit_answers_and_internal_notes_stay_with_staff_before_delivery(app, client, staff, units, applicant):
    app_id = submitted(client)
    routed_and_answered(client, app, app_id)
    login(client, "petugas@test.id")
    r = client.post(f"/permohonan/{app_id}/pesan", data={"body": "Catatan internal: pelapor pernah mengadu hal "
                                                                 "serupa.", "internal": "1"})
    assert r.status_code == 200

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Semua unit terkait telah menindaklanjuti" in page  # progress is visible ...
    for secret in (ANSWER_KEU, ANSWER_HUMAS, INSTRUCTION, "pelapor pernah mengadu"):
        assert secret not in page  # ... what the units said is not
    assert "Jawaban resmi atas pengaduan" not in page
    assert all(s not in m for m in mails_to(app, APPLICANT) for s in (ANSWER_KEU, ANSWER_HUMAS, INSTRUCTION))
    # Public tracking shows no content either.
    application = get(app, app_id)
    r = client.get("/lacak", query_string={"reference": application.reference, "code": application.tracking_code})
    assert r.status_code == 200 and ANSWER_KEU not in r.get_data(as_text=True)


def test_leadership_sends_draft_back_and_signed_letter_travels_with_the_reply(app, client, staff, units, applicant):
    from pintu.data.models import Upload

    app_id = submitted(client)
    routed_and_answered(client, app, app_id)
    login(client, "petugas@test.id")
    act(client, app, app_id, "ajukan_jawaban", internal_note=DRAFT)

    login(client, "pimpinan@test.id")
    page = page_of(client, app_id)
    assert 'name="file_surat_balasan"' in page  # the letter is uploaded with the approval
    # A letter sent with a request for revision would reach the applicant early: refused, nothing stored.
    r = act(client, app, app_id, "revisi", internal_note="Sebutkan tanggal penggantian lampu.",
            file_surat_balasan=pdf("surat_balasan_draf.pdf"))
    assert r.status_code == 422 and "Surat balasan hanya diunggah bersama persetujuan" in r.get_data(as_text=True)
    assert get(app, app_id).step == "persetujuan"
    with app.app_context():
        assert not Upload.select().where(Upload.application == app_id, Upload.requirement == "surat_balasan").exists()
    assert act(client, app, app_id, "revisi", internal_note="Sebutkan tanggal penggantian lampu.").status_code == 200
    assert get(app, app_id).step == "penyusunan"
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "ajukan_jawaban", internal_note=DRAFT + " Diganti Senin.").status_code == 200

    login(client, APPLICANT)
    assert "surat_balasan" not in page_of(client, app_id)
    # The leadership's request for revision is staff business: no e-mail, no timeline entry for the complainant.
    assert "Rancangan jawaban sedang diperbaiki" not in page_of(client, app_id)
    assert all("Rancangan jawaban sedang diperbaiki" not in m for m in mails_to(app, APPLICANT))

    login(client, "pimpinan@test.id")
    # Only PDF for the letter.
    from pintu.testing import png as png_file
    r = act(client, app, app_id, "kirim_jawaban", note=REPLY, file_surat_balasan=png_file("surat.png"))
    assert r.status_code == 422 and get(app, app_id).status == "in_process"
    assert act(client, app, app_id, "kirim_jawaban", note=REPLY,
               file_surat_balasan=pdf("surat_balasan_resmi.pdf")).status_code == 200
    assert get(app, app_id).status == "done"

    login(client, APPLICANT)
    page = page_of(client, app_id)
    reply_panel = page[page.index("Jawaban resmi atas pengaduan</h2>"):]
    assert REPLY in reply_panel and "surat_balasan_resmi.pdf" in reply_panel
    assert "Sebutkan tanggal penggantian lampu." not in page
    with app.app_context():
        letter = Upload.get(Upload.application == app_id, Upload.requirement == "surat_balasan")
    r = client.get(f"/berkas/{letter.id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")


# ---------------------------------------------------------------------------
# Refusal, return
# ---------------------------------------------------------------------------

def test_refused_as_not_a_valid_complaint_with_reason(app, client, staff, applicant):
    app_id = submitted(client)
    login(client, "petugas@test.id")
    r = act(client, app, app_id, "refuse", note="  ")
    assert r.status_code == 422 and "Alasan wajib diisi." in r.get_data(as_text=True)
    assert get(app, app_id).status == "in_process"

    reason = "Isi surat bukan pengaduan atas layanan Politeknik Negeri Jember (surat promosi produk)."
    assert act(client, app, app_id, "refuse", note=reason).status_code == 200
    application = get(app, app_id)
    assert application.status == "refused" and application.refusal_reason == reason

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert "Alasan penolakan:" in page and reason in page
    assert "SP4N-LAPOR!" in page  # the national channel stays one click away
    assert reason in mails_to(app, APPLICANT)[-1]
    assert "Perbaiki dan ajukan kembali" not in page


def test_return_fix_and_resubmit(app, client, staff, applicant):
    from pintu.data.models import Upload

    app_id = submitted(client)
    reference = get(app, app_id).reference
    login(client, "petugas@test.id")
    r = act(client, app, app_id, "return")
    assert r.status_code == 422 and "Catatan untuk pemohon wajib diisi." in r.get_data(as_text=True)
    note = "Surat pengaduan belum ditandatangani. Unggah ulang surat yang telah ditandatangani."
    assert act(client, app, app_id, "return", note=note).status_code == 200
    assert get(app, app_id).status == "returned"

    login(client, APPLICANT)
    page = page_of(client, app_id)
    assert note in page and "Perbaiki dan ajukan kembali" in page
    assert note in mails_to(app, APPLICANT)[-1]
    form = client.get(f"/permohonan/{app_id}/ubah").get_data(as_text=True)
    assert "Sudah diunggah: surat_pengaduan.pdf" in form

    better = URAIAN + " Sudah dilaporkan ke satpam tetapi belum ada perbaikan."
    r = client.post(f"/permohonan/{app_id}/ubah", content_type="multipart/form-data",
                    data=dict(VALID, uraian=better, submit="1",
                              file_surat_pengaduan=pdf("surat_pengaduan_ttd.pdf")))
    assert app_id_of(r) == app_id
    application = get(app, app_id)
    assert (application.status, application.step, application.reference) == ("in_process", "verifikasi", reference)
    assert application.data["uraian"] == better
    with app.app_context():
        current = [u.original_name for u in Upload.select().where(Upload.application == app_id,
                                                                  Upload.superseded == False)]  # noqa: E712
    assert current == ["surat_pengaduan_ttd.pdf"]
    assert [(k, a) for k, a, _, _ in events(app, app_id)] == [("submitted", ""), ("return", "return"),
                                                              ("resubmitted", "")]
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert get(app, app_id).step == "koordinasi"


# ---------------------------------------------------------------------------
# Roles, the SP4N-LAPOR! link (and the core's template_service slot)
# ---------------------------------------------------------------------------

def test_only_the_right_role_acts(app, client, staff, units, applicant):
    app_id = submitted(client)
    # The leadership sees it (it has a step) but the verification is the narahubung's.
    login(client, "pimpinan@test.id")
    r = act(client, app, app_id, "lengkap")
    assert r.status_code == 422 and "Anda tidak berwenang" in r.get_data(as_text=True)
    # A unit that was not routed to does not even see it.
    login(client, UNIT_KEU)
    assert act(client, app, app_id, "lengkap").status_code == 404
    login(client, "petugas@test.id")
    act(client, app, app_id, "lengkap")
    act(client, app, app_id, "tanpa_disposisi")
    act(client, app, app_id, "ajukan_jawaban")
    # The narahubung cannot approve the official reply in the leadership's place.
    r = act(client, app, app_id, "kirim_jawaban", note=REPLY)
    assert r.status_code == 422 and get(app, app_id).step == "persetujuan"


@pytest.mark.config(LAPOR_URL="https://lapor.contoh.test/aduan")
def test_sp4n_lapor_link_on_service_and_application_page(app, client, applicant):
    page = client.get(f"/layanan/{SLUG}").get_data(as_text=True)
    box = page[page.index('id="kanal-lapor"'):page.index("<h2>Standar Pelayanan")]  # above the standard
    assert 'href="https://lapor.contoh.test/aduan"' in box and "SP4N-LAPOR!" in box
    # Other services do not get the box (the slot is per service).
    other = client.get("/layanan/data-informasi")
    if other.status_code == 200:
        assert 'id="kanal-lapor"' not in other.get_data(as_text=True)

    app_id = submitted(client)
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Kanal pengaduan nasional SP4N-LAPOR!" in page and 'href="https://lapor.contoh.test/aduan"' in page
    assert get(app, app_id).reference in page
