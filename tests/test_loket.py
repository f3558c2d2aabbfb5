"""Walk-in intake at the counter (pintu.oversight.loket): the petugas finds or creates the applicant's account
(without e-mail too), files the service form with documents, prints the receipt; the application
follows the usual workflow, is tracked with the receipt's reference and code, its timeline says it
was filed at the counter and by whom, and an e-mail-less account can be claimed later."""

from __future__ import annotations

import re

import pytest

from pintu.testing import count_rows, events_of, get_application, link_in_mail, login, mails_to, outbox, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
NIK = "3509010101800001"


@pytest.fixture
def counter(app, staff, make_user):
    make_user("sari@test.id", "petugas", name="Sari Petugas")
    client = app.test_client()
    login(client, "sari@test.id")
    return client


def new_account(counter, **fields):
    data = {"name": "Pak Darto", "phone": "081234567890", "category": "mahasiswa", "id_number": NIK, "email": "",
            **fields}
    return counter.post("/loket/", data=data)


def form_token(page: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def file_for(counter, user_id, token=None, **extra):
    url = f"/loket/pemohon/{user_id}/layanan/legalisir"
    token = token or form_token(counter.get(url).get_data(as_text=True))
    return counter.post(url, data={**FIELDS, "form_token": token, "file_ijazah": pdf("ijazah.pdf"),
                                   "file_transkrip": pdf("transkrip.pdf"), **extra},
                        content_type="multipart/form-data")


def test_walk_in_without_email_is_filed_tracked_and_claimed_later(app, counter):
    r = new_account(counter)
    assert r.status_code == 302
    user_id = int(r.location.rstrip("/").split("/")[-1])
    assert "Pak Darto" in counter.get("/loket/", query_string={"q": NIK}).get_data(as_text=True)
    page = counter.get(f"/loket/pemohon/{user_id}").get_data(as_text=True)
    assert "belum ada (akun dibuat di loket)" in page and "Legalisir" in page

    r = file_for(counter, user_id)
    assert r.status_code == 302 and "/loket/tanda-terima/" in r.location
    app_id = int(r.location.rstrip("/").split("/")[-1])
    receipt = counter.get(r.location).get_data(as_text=True)
    application = get_application(app, app_id)
    assert application.reference in receipt and application.tracking_code in receipt
    assert application.status == "in_process" and application.step == "kelengkapan"
    assert count_rows(app, "Upload") == 2
    assert [e[0] for e in events_of(app, app_id)] == ["submitted", "loket"]

    # The applicant tracks it with the receipt's reference and code, and sees who filed it.
    public = app.test_client().get("/lacak", query_string={"reference": application.reference,
                                                           "code": application.tracking_code})
    assert public.status_code == 200 and application.reference in public.get_data(as_text=True)
    staff_view = counter.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Diajukan di loket oleh Sari Petugas" in staff_view
    assert not [m for m in outbox(app) if "tanpa-email.invalid" in m]  # nothing mailed to the placeholder

    # Claimed later: the e-mail gets a link to set a password; then the applicant logs in and sees it.
    r = counter.post(f"/loket/pemohon/{user_id}", data={"email": "darto@test.id"})
    assert r.status_code == 302
    link = link_in_mail(app, "darto@test.id", "/atur-sandi/")
    applicant = app.test_client()
    assert applicant.post(link, data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"}).status_code == 302
    login(applicant, "darto@test.id", "sandi-baru-123")
    mine = applicant.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert application.reference in mine and "Diajukan di loket oleh Sari Petugas" in mine


def test_existing_applicant_is_found_by_email_and_a_double_click_files_once(app, counter, make_user):
    make_user("rina@test.id", category="mahasiswa", name="Rina Alumni")
    page = counter.get("/loket/", query_string={"q": "RINA@test.id"}).get_data(as_text=True)
    user_id = int(re.search(r'href="/loket/pemohon/(\d+)"', page).group(1))
    token = form_token(counter.get(f"/loket/pemohon/{user_id}/layanan/legalisir").get_data(as_text=True))
    first, second = file_for(counter, user_id, token), file_for(counter, user_id, token)
    assert first.location == second.location
    assert count_rows(app, "Application") == 1
    assert any("Permohonan diajukan" in m for m in mails_to(app, "rina@test.id"))  # an account with e-mail is told


def test_bad_input_keeps_what_was_entered(app, counter):
    r = new_account(counter, id_number="", email="")
    assert r.status_code == 422 and "NIK/NIP wajib diisi" in r.get_data(as_text=True)
    user_id = int(new_account(counter).location.rstrip("/").split("/")[-1])
    r = new_account(counter, name="Orang Lain")
    assert r.status_code == 422 and "sudah terdaftar" in r.get_data(as_text=True)
    url = f"/loket/pemohon/{user_id}/layanan/legalisir"
    token = form_token(counter.get(url).get_data(as_text=True))
    r = counter.post(url, data={**FIELDS, "nim": "", "form_token": token, "file_ijazah": pdf("ijazah.pdf")},
                     content_type="multipart/form-data")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Sudah diunggah: ijazah.pdf" in page and 'value="Teknik Informatika"' in page
    assert count_rows(app, "Application") == 0
    staged = re.search(r'name="staged_ijazah" value="(\d+)"', page).group(1)
    r = counter.post(url, data={**FIELDS, "form_token": token, "staged_ijazah": staged,
                                "file_transkrip": pdf("transkrip.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302 and count_rows(app, "Upload") == 2


def test_only_petugas_work_the_counter(app, counter, staff):
    for email in ("akademik@test.id", "admin@test.id"):
        other = app.test_client()
        login(other, email)
        assert other.get("/loket/").status_code == 403
    staff_id = staff["akademik"].id
    assert counter.get(f"/loket/pemohon/{staff_id}").status_code == 404
