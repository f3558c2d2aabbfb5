"""In a real headless Chromium, on the demo data: the layout at 375 px (hardening item 20) and
axe-core's WCAG 2.1 AA rules over the main pages (item 22).

axe-core comes from the ``axe-playwright-python`` package (test extra in pyproject.toml), which ships
``axe.min.js``; nothing is fetched at run time.  Needs Debian's chromium (``PINTU_CHROMIUM`` or
/usr/bin/chromium); skipped with a reason otherwise.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from werkzeug.serving import make_server

from pintu import create_app
from pintu.testing import BROWSER, CHROMIUM, CHROMIUM_ARGS

playwright_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = BROWSER

PASSWORD = "pintu-demo-2026"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A server on the demo data (every service, applications in several states)."""
    tmp = tmp_path_factory.mktemp("demo")
    app = create_app({"INSTANCE_PATH": str(tmp / "instance"), "SECRET_KEY": "browser", "AUTO_CREATE_TABLES": True,
                      "DATABASE_URL": f"sqlite:///{tmp / 'demo.sqlite3'}",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "REDIS_URL": None, "SMTP_HOST": None})
    with app.app_context():
        from pintu import demo
        from pintu.data.models import Application

        demo.load()
        # An application of the demo employee waiting at the leadership, and one at an applicant step.
        apps = {a.service + ":" + (a.step or a.status): a.id for a in Application.select()}
        from pintu.data.models import IssuedDocument

        apps["verify"] = IssuedDocument.select().first().code  # an issued letter's verification page
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{srv.server_port}", apps
    srv.shutdown()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def logged_in(browser, base, email, width=375):
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    if email:
        page.goto(base + "/masuk")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
    return page


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def an_application_of(apps, service, step):
    return apps[f"{service}:{step}"]


# ---------------------------------------------------------------------------
# 375 px
# ---------------------------------------------------------------------------

def test_no_horizontal_overflow_at_375px(demo_server, browser):
    app, base, apps = demo_server
    anonymous = logged_in(browser, base, None)
    for path in ("/", "/gedung/jadwal", "/gedung/jadwal?tampilan=minggu", "/layanan/gedung", "/standar-pelayanan",
                 "/maklumat", "/ikm"):
        anonymous.goto(base + path)
        assert overflow(anonymous) <= 375, (path, overflow(anonymous))
    chips = 0
    for days in (20, 30):  # the months of the demo bookings (20 and 30 days ahead)
        day = dt.date.today() + dt.timedelta(days=days)
        anonymous.goto(base + f"/gedung/jadwal?tanggal={day.isoformat()}")
        assert overflow(anonymous) <= 375, ("schedule", overflow(anonymous))
        # The week starts on Monday: the last column header "Minggu" is shown whole, not clipped.
        sunday = anonymous.locator("table.gsg-cal th").last
        assert sunday.evaluate("e => e.scrollWidth <= e.clientWidth"), sunday.inner_text()
        assert anonymous.locator("table.gsg-cal").evaluate("t => t.getBoundingClientRect().right") <= 375
        # Booking chips stay inside their day.
        chips += anonymous.locator("table.gsg-cal .gsg-slot").count()
        spills = anonymous.evaluate("""() => [...document.querySelectorAll('table.gsg-cal .gsg-slot')]
            .filter(s => s.scrollWidth > s.clientWidth + 1
                         || s.getBoundingClientRect().right > s.closest('td').getBoundingClientRect().right + 0.5)
            .map(s => s.textContent.trim())""")
        assert spills == []
    assert chips > 0  # the check above looked at real bookings

    staff = logged_in(browser, base, "petugas@pintu.test")
    staff.goto(base + "/petugas/")
    assert overflow(staff) <= 375, ("inbox", overflow(staff))
    staff.goto(base + f"/permohonan/{an_application_of(apps, 'legalisir', 'kelengkapan')}")
    assert overflow(staff) <= 375, ("application", overflow(staff))
    applicant = logged_in(browser, base, "pegawai@pintu.test")
    applicant.goto(base + f"/permohonan/{an_application_of(apps, 'pensiun-dini', 'persetujuan')}")
    assert overflow(applicant) <= 375, ("application", overflow(applicant))
    for path in ("/petugas/cari", "/petugas/cari?q=a", "/loket/"):  # issue 10: search, the counter
        staff.goto(base + path)
        assert overflow(staff) <= 375, (path, overflow(staff))
    leadership = logged_in(browser, base, "pimpinan@pintu.test")
    leadership.goto(base + "/dasbor")
    assert overflow(leadership) <= 375, ("dashboard", overflow(leadership))


def test_header_menu_folds_into_a_button_at_375px(demo_server, browser):
    app, base, apps = demo_server
    page = logged_in(browser, base, "petugas@pintu.test")
    page.goto(base + "/")
    header = page.locator("header.site")
    assert header.bounding_box()["height"] < 80  # one row: brand and the menu button
    link = page.locator("nav.main >> text=Kotak Tugas")
    assert not link.is_visible()
    page.click("header.site label.menu-button")
    assert link.is_visible()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/petugas/")
    # Keyboard users open it too (the toggle is a focusable checkbox).
    page.goto(base + "/")
    page.focus("#menu-toggle")
    page.keyboard.press("Space")
    assert page.locator("nav.main >> text=Kotak Tugas").is_visible()
    # On a desktop the menu is always open and the button hidden.
    wide = logged_in(browser, base, "petugas@pintu.test", width=1200)
    wide.goto(base + "/")
    assert wide.locator("nav.main >> text=Kotak Tugas").is_visible()
    assert not wide.locator("header.site label.menu-button").is_visible()


# ---------------------------------------------------------------------------
# axe-core, WCAG 2.1 AA
# ---------------------------------------------------------------------------

def violations(page) -> list[str]:
    results = axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA},
                                                  "resultTypes": ["violations"]})
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


@pytest.mark.parametrize("width", [375, 1200])
def test_main_pages_have_no_wcag_21_aa_violations(demo_server, browser, width):
    app, base, apps = demo_server
    found = {}
    anonymous = logged_in(browser, base, None, width)
    for path in ("/", "/layanan/legalisir", "/lacak", "/lacak?nomor=LGS-2026-99999&kode=ABCDEF", "/masuk",
                 "/daftar", "/gedung/jadwal", f"/verifikasi/{apps['verify']}", "/verifikasi/tidak-dikenal",
                 "/standar-pelayanan", "/maklumat", "/ikm"):
        anonymous.goto(base + path)
        found[path] = violations(anonymous)
    applicant = logged_in(browser, base, "mahasiswa@pintu.test", width)
    for path in ("/layanan/legalisir/ajukan", "/permohonan-saya",
                 f"/permohonan/{an_application_of(apps, 'legalisir', 'kelengkapan')}"):
        applicant.goto(base + path)
        found[path] = violations(applicant)
    applicant.goto(base + "/layanan/legalisir/ajukan")  # the form with its error messages
    applicant.click("button[name=submit]")
    applicant.wait_for_load_state()
    found["form with errors"] = violations(applicant)
    staff = logged_in(browser, base, "petugas@pintu.test", width)
    for path in ("/petugas/", f"/permohonan/{an_application_of(apps, 'legalisir', 'kelengkapan')}",
                 f"/permohonan/{an_application_of(apps, 'pensiun-dini', 'pengambilan')}"):  # letter + hand-over
        staff.goto(base + path)
        found["staff " + path] = violations(staff)
    admin = logged_in(browser, base, "admin@pintu.test", width)
    for path in ("/admin/surat-keluar", "/admin/penomoran"):
        admin.goto(base + path)
        found["admin " + path] = violations(admin)
    for path in ("/petugas/cari?q=a", "/loket/", "/loket/?q=warga@pintu.test"):  # issue 10: search, the counter
        staff.goto(base + path)
        found["staff " + path] = violations(staff)
    leadership = logged_in(browser, base, "pimpinan@pintu.test", width)
    leadership.goto(base + "/dasbor")
    found["dashboard"] = violations(leadership)
    if width == 375:
        staff.click("header.site label.menu-button")  # the open menu too
        found["open menu"] = violations(staff)
    assert {k: v for k, v in found.items() if v} == {}
