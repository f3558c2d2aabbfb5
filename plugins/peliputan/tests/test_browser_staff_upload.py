"""In a real headless Chromium (CSRF on): the leadership uploads the answer letter through the htmx
action form (multipart), and the applicant downloads it.  Skipped without Debian's chromium and the
playwright package, like the core's browser test."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from werkzeug.serving import make_server

from pintu import create_app
from pintu.testing import BROWSER, CHROMIUM, CHROMIUM_ARGS, PASSWORD, PDF

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = BROWSER


@pytest.fixture
def server(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "browser", "AUTO_CREATE_TABLES": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.test_request_context():
        import pintu_peliputan
        from pintu.demo import support
        from pintu.engine import workflow
        from pintu.people import accounts
        from pintu.demo import ensure_units

        ensure_units()
        applicant = accounts.create_user("smk@test.id", "SMK Satu", PASSWORD, phone="0812345678",
                                         category="instansi")
        petugas = accounts.create_user("ult@test.id", "Sari ULT", PASSWORD)
        accounts.grant(petugas, "petugas")
        humas = accounts.create_user("humas@test.id", "Rudi Humas", PASSWORD)
        accounts.grant(humas, "verifikator", "humas")
        accounts.grant(accounts.create_user("pimpinan@test.id", "Dr. Budi", PASSWORD), "pimpinan")
        data = pintu_peliputan.demo_data_for(dt.date.today())
        application = support.application(
            pintu_peliputan.SERVICE, applicant, data, {"surat_permohonan": support.sample_pdf()},
            [(petugas, "lengkap", ""), (humas, "disepakati", "Pukul 09.00, satu fotografer.")])
        app_id = application.id
        assert workflow  # the application now waits for the leadership
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", app_id
    srv.shutdown()


def test_answer_letter_uploaded_through_htmx(server, tmp_path):
    base, app_id = server
    letter = tmp_path / "surat_jawaban.pdf"
    letter.write_bytes(PDF)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()

        def login(email):
            page.goto(base + "/masuk")
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("main button[type=submit]")

        login("pimpinan@test.id")
        url = f"{base}/permohonan/{app_id}"
        page.goto(url)
        # Without the file: told in the panel, nothing moves.
        with page.expect_response(lambda r: "/aksi" in r.url):
            page.click("button[value=setujui]")
        page.wait_for_selector("#kerja .flash.error")
        assert "wajib diunggah" in page.inner_text("#kerja .flash.error")
        page.set_input_files("#file_surat_jawaban", str(letter))
        with page.expect_response(lambda r: "/aksi" in r.url) as resp:
            page.click("button[value=setujui]")
        assert resp.value.status == 200
        page.wait_for_selector("#kerja >> text=Permohonan peliputan disetujui pimpinan")
        assert page.url == url

        login("smk@test.id")
        page.goto(url)
        link = page.locator("a", has_text="surat_jawaban.pdf")
        with page.expect_download() as download:
            link.click()
        assert open(download.value.path(), "rb").read() == PDF
        browser.close()
