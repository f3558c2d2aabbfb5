"""End to end in a real headless Chromium: an applicant applies with uploads, the front office
and Bagian Akademik act through htmx swaps, the applicant sees the timeline.

Needs Debian's chromium (``PINTU_CHROMIUM`` or /usr/bin/chromium) and the ``playwright``
Python package (its driver only; the browser is Debian's).  Skipped with a reason otherwise.
"""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from pintu import create_app
from pintu.testing import BROWSER, CHROMIUM, CHROMIUM_ARGS, PASSWORD, PDF

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = BROWSER

SHOTS = os.environ.get("PINTU_SCREENSHOTS")  # a folder to keep screenshots in, for people


@pytest.fixture
def server(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "browser", "AUTO_CREATE_TABLES": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from pintu.people import accounts
        from pintu.demo import ensure_units

        ensure_units()
        accounts.create_user("alumni@test.id", "Rina Alumni", PASSWORD, phone="0812345678", category="mahasiswa")
        accounts.grant(accounts.create_user("ult@test.id", "Sari ULT", PASSWORD), "petugas")
        accounts.grant(accounts.create_user("akad@test.id", "Andi Akademik", PASSWORD), "verifikator", "akademik")
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_apply_and_process_in_browser(server, tmp_path):
    app, base = server
    scan = tmp_path / "ijazah.pdf"
    scan.write_bytes(PDF)
    photo = tmp_path / "ijazah-foto.pdf"
    photo.write_bytes(bytes.fromhex("ffd8ffe000104a46494600010100000100010000"))  # JPEG bytes named .pdf
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone

        def login(email):
            page.goto(base + "/masuk")
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("main button[type=submit]")
            assert "Selamat datang" in page.inner_text(".flash")

        # Catalog search through htmx narrows the list without a reload.
        page.goto(base + "/")
        page.fill("#q", "legalisir")
        page.wait_for_selector("#hasil >> text=Legalisir Ijazah dan Transkrip Akademik")
        shot(page, "01-catalog")

        login("alumni@test.id")
        page.goto(base + "/layanan/legalisir/ajukan")
        page.fill("#nim", "E31170001")
        page.fill("#program_studi", "Teknik Informatika")
        page.fill("#tahun_lulus", "2021")
        page.set_input_files("#file_ijazah", str(photo))  # a photo: refused, typed data kept
        page.wait_for_selector("#check-ijazah .error")  # told at once, before submitting
        assert "bukan PDF" in page.inner_text("#check-ijazah")
        page.set_input_files("#file_transkrip", str(scan))
        page.wait_for_selector("#check-transkrip .file-ok")
        page.click("button[name=submit]")
        assert page.locator(".field.has-error .error").first.is_visible()
        assert "bukan PDF" in page.content()
        assert page.input_value("#nim") == "E31170001"
        shot(page, "02-form-error")
        page.set_input_files("#file_ijazah", str(scan))
        page.set_input_files("#file_transkrip", str(scan))
        page.click("button[name=submit]")
        page.wait_for_selector(".flash.success")
        assert "LGS-" in page.inner_text(".flash.success")
        detail_url = page.url
        shot(page, "03-submitted")

        # The front office declares it complete through an htmx swap (no navigation).
        login("ult@test.id")
        page.goto(detail_url)
        shot(page, "04a-staff-before")
        page.fill("#note", "Berkas lengkap, diteruskan ke Akademik.")
        with page.expect_response(lambda r: "/aksi" in r.url):
            page.click("button[value=lengkap]")
        page.wait_for_selector("#kerja >> text=Berkas dinyatakan lengkap")
        assert page.url == detail_url
        assert "Batas:" in page.inner_text("#kerja")
        shot(page, "04-staff-after-lengkap")

        login("akad@test.id")
        page.goto(base + "/petugas/")
        page.click("text=LGS-")
        page.click("button[value=legalised]")
        page.wait_for_selector("#kerja >> text=Legalisir selesai")
        shot(page, "05-akademik")

        login("alumni@test.id")
        page.goto(detail_url)
        text = page.inner_text("#kerja")
        assert "Hasil siap diambil" in text
        assert "Berkas dinyatakan lengkap" in text and "Berkas lengkap, diteruskan ke Akademik." in text
        assert "Andi Akademik" not in text  # applicants see the role, not the officer
        shot(page, "06-applicant-timeline")
        browser.close()


def test_files_survive_a_field_error_in_browser(server, tmp_path):
    """Choose files, get one field wrong, submit: the error shows AND the files are already uploaded;
    fix the field and submit without choosing the files again: the application has them."""
    app, base = server
    scans = {}
    for key in ("ijazah", "transkrip"):
        scans[key] = tmp_path / f"{key}-saya.pdf"
        scans[key].write_bytes(PDF)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/masuk")
        page.fill("#email", "alumni@test.id")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        page.goto(base + "/layanan/legalisir/ajukan")
        page.fill("#nim", "E31170001")
        page.fill("#program_studi", "Teknik Informatika")
        page.fill("#tahun_lulus", "1900")  # out of range
        page.set_input_files("#file_ijazah", str(scans["ijazah"]))
        page.set_input_files("#file_transkrip", str(scans["transkrip"]))
        page.wait_for_selector("#check-transkrip .file-ok")
        with page.expect_navigation():
            page.click("button[name=submit]")
        assert page.locator("#tahun_lulus-error").is_visible()
        assert "Sudah diunggah: ijazah-saya.pdf" in page.inner_text("#have-ijazah")
        assert "Sudah diunggah: transkrip-saya.pdf" in page.inner_text("#have-transkrip")
        shot(page, "10-kept-files")
        page.fill("#tahun_lulus", "2021")
        with page.expect_navigation():
            page.click("button[name=submit]")
        page.wait_for_selector(".flash.success")
        assert "LGS-" in page.inner_text(".flash.success")
        assert "ijazah-saya.pdf" in page.content() and "transkrip-saya.pdf" in page.content()
        browser.close()
    with app.app_context():
        from pintu.data.models import Application, StagedUpload

        (application,) = Application.select()
        assert sorted(u.original_name for u in application.uploads) == ["ijazah-saya.pdf", "transkrip-saya.pdf"]
        assert StagedUpload.select().count() == 0
