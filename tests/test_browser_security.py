"""In a real headless Chromium: the Content-Security-Policy holds on the catalog, the application
form and the staff inbox with htmx still working; an htmx action with a lost session ends on the
login page and comes back to the page after login; an htmx request answered 413 shows its message.

Needs Debian's chromium (``PINTU_CHROMIUM`` or /usr/bin/chromium) and the ``playwright`` Python
package (its driver only).  Skipped with a reason otherwise.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from pintu import create_app
from pintu.testing import BROWSER, CHROMIUM, CHROMIUM_ARGS, PASSWORD, PDF

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = BROWSER


# Every CSP violation of a document, kept on window (an init script runs before the page's own).
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '')));
"""


@pytest.fixture
def server(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "browser", "AUTO_CREATE_TABLES": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}", "BACKGROUND_JOBS": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "MAX_CONTENT_LENGTH": 100_000})
    with app.app_context():
        from pintu.people import accounts
        from pintu.demo import ensure_units

        ensure_units()
        accounts.create_user("alumni@test.id", "Rina Alumni", PASSWORD, phone="0812345678", category="mahasiswa")
        accounts.grant(accounts.create_user("ult@test.id", "Sari ULT", PASSWORD), "petugas")
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser):
    context = browser.new_context()
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.console_csp = console
    return page


def no_violations(page):
    assert page.evaluate("window.__csp") == [], page.url
    assert page.console_csp == [], page.url


def login(page, base, email):
    page.goto(base + "/masuk")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def apply(page, base, tmp_path) -> str:
    scan = tmp_path / "ijazah.pdf"
    scan.write_bytes(PDF)
    page.goto(base + "/layanan/legalisir/ajukan")
    page.fill("#nim", "E31170001")
    page.fill("#program_studi", "Teknik Informatika")
    page.fill("#tahun_lulus", "2021")
    page.set_input_files("#file_ijazah", str(scan))
    page.wait_for_selector("#check-ijazah .file-ok")  # the htmx file check swapped its answer in
    no_violations(page)
    page.set_input_files("#file_transkrip", str(scan))
    page.wait_for_selector("#check-transkrip .file-ok")
    page.click("button[name=submit]")
    page.wait_for_selector(".flash.success")
    no_violations(page)
    return page.url


def test_no_csp_violation_on_catalog_form_and_inbox_with_htmx_working(server, browser, tmp_path):
    app, base = server
    page = new_page(browser)
    page.goto(base + "/")
    page.fill("#q", "legalisir")  # htmx search swaps the list
    page.wait_for_selector("#hasil >> text=Legalisir Ijazah dan Transkrip Akademik")
    no_violations(page)

    login(page, base, "alumni@test.id")
    detail_url = apply(page, base, tmp_path)

    login(page, base, "ult@test.id")
    page.goto(base + "/petugas/")
    page.wait_for_selector("text=LGS-")
    no_violations(page)
    page.goto(detail_url)
    page.fill("#note", "Berkas lengkap.")
    page.click("button[value=lengkap]")  # an inbox action through an htmx swap
    page.wait_for_selector("#kerja >> text=Berkas dinyatakan lengkap")
    assert page.url == detail_url
    no_violations(page)


def test_lost_session_on_an_htmx_action_logs_in_and_returns_to_the_page(server, browser, tmp_path):
    app, base = server
    page = new_page(browser)
    login(page, base, "alumni@test.id")
    detail_url = apply(page, base, tmp_path)

    login(page, base, "ult@test.id")
    page.goto(detail_url)
    other_tab = page.context.new_page()  # the same browser logs out in another tab
    other_tab.goto(base + "/")
    with other_tab.expect_navigation():
        other_tab.click("header button[type=submit]")
    other_tab.close()

    page.fill("#note", "Berkas lengkap.")
    with page.expect_navigation(url=lambda u: "/masuk" in u):
        page.click("button[value=lengkap]")
    assert "Silakan masuk terlebih dahulu" in page.inner_text("main")
    assert page.locator("#kerja").count() == 0  # the whole page went to login, not a fragment
    page.fill("#email", "ult@test.id")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == detail_url  # back on the page, not on the POST-only fragment URL (405)
    page.click("button[value=lengkap]")
    page.wait_for_selector("#kerja >> text=Berkas dinyatakan lengkap")
    no_violations(page)


def test_htmx_request_answered_413_shows_the_message(server, browser, tmp_path):
    app, base = server
    page = new_page(browser)
    login(page, base, "alumni@test.id")
    big = tmp_path / "besar.pdf"
    big.write_bytes(PDF + b"0" * 150_000)  # over MAX_CONTENT_LENGTH (100 KB) of the whole request
    page.goto(base + "/layanan/legalisir/ajukan")
    page.fill("#nim", "E31170001")
    with page.expect_response(lambda r: "periksa-berkas" in r.url) as answer:
        page.set_input_files("#file_ijazah", str(big))
    assert answer.value.status == 413
    page.wait_for_selector("#galat >> text=Berkas terlalu besar")
    assert page.input_value("#nim") == "E31170001"  # nothing typed is lost
    no_violations(page)
