"""In a real headless Chromium (CSRF on): the fee on the form follows every change through htmx, and the
schedule switches month / week / building in place.  Skipped without Debian's chromium and playwright."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from werkzeug.serving import make_server

from pintu import create_app
from pintu.testing import BROWSER, CHROMIUM, CHROMIUM_ARGS, PASSWORD, settled

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = BROWSER
DAY = dt.date.today() + dt.timedelta(days=30)


@pytest.fixture
def server(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "browser", "AUTO_CREATE_TABLES": True,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.test_request_context():
        from pintu.people import accounts
        from pintu.demo import ensure_units
        from pintu_gedung.models import Building

        ensure_units()
        accounts.create_user("warga@test.id", "Joko Warga", PASSWORD, phone="0812345678", category="masyarakat")
        gsg = Building.create(name="Gedung Serba Guna Polije", capacity=1000, tariff_day=5_000_000,
                              tariff_half_day=3_000_000).id
        Building.create(name="Aula Lantai 3", capacity=200, tariff_day=1_500_000, tariff_half_day=900_000)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", gsg
    srv.shutdown()



def test_fee_follows_the_form_and_schedule_switches_in_place(server):
    base, gsg = server
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()

        # The schedule, without logging in: next month and week view swap #jadwal, no page load.
        page.goto(f"{base}/gedung/jadwal?gedung={gsg}&tanggal={DAY.isoformat()}")
        page.evaluate("window.__same_page = true")
        title = page.inner_text("#jadwal-judul")
        with page.expect_response(lambda r: "/gedung/jadwal" in r.url):
            page.click("text=Berikutnya ›")
        page.wait_for_function(f"() => document.querySelector('#jadwal-judul').innerText !== {title!r}")
        settled(page)
        with page.expect_response(lambda r: "/gedung/jadwal" in r.url):
            page.click("#jadwal a:text-is('Minggu')")
        page.wait_for_selector("ul.gsg-week")
        settled(page)
        with page.expect_response(lambda r: "/gedung/jadwal" in r.url):
            page.select_option("#jadwal select[name=gedung]", label="Aula Lantai 3")
        page.wait_for_function("() => document.querySelector('#jadwal p.small').innerText.includes('Aula Lantai 3')")
        assert page.evaluate("window.__same_page") is True
        assert "tampilan=minggu" in page.url

        # The form: the fee is recomputed on every change.
        page.goto(base + "/masuk")
        page.fill("#email", "warga@test.id")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        page.goto(f"{base}/layanan/gedung/ajukan")
        page.select_option("#gedung", str(gsg))
        page.fill("#tanggal_mulai", DAY.isoformat())
        page.fill("#tanggal_selesai", DAY.isoformat())
        page.fill("#jam_mulai", "08:00")
        with page.expect_response(lambda r: "/gedung/biaya" in r.url):
            page.fill("#jam_selesai", "12:00")
        page.select_option("#status_peminjam", "eksternal")
        page.wait_for_function("() => document.querySelector('#gedung-biaya-jumlah')"
                               " && document.querySelector('#gedung-biaya-jumlah').dataset.amount === '3000000'")
        page.fill("#jam_selesai", "16:00")
        page.wait_for_function("() => document.querySelector('#gedung-biaya-jumlah').dataset.amount === '5000000'")
        assert "Rp 5.000.000 (1 hari × Rp 5.000.000)" in page.inner_text("#gedung-biaya")
        page.select_option("#status_peminjam", "internal")
        page.wait_for_function("() => document.querySelector('#gedung-biaya-jumlah').dataset.amount === '0'")
        assert "Tidak dipungut biaya (pengguna internal)" in page.inner_text("#gedung-biaya")
        browser.close()
