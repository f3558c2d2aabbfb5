"""Security headers on every kind of response, no inline script or style in the pages, and how
htmx requests meet a missing session and error statuses (HTTP level; the browser side is in
tests/test_browser_security.py)."""

from __future__ import annotations

import re

import pytest

from pintu import hookimpl
from pintu.testing import PDF, app_id_of, login, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}


def assert_security_headers(response, cacheable=False):
    h = response.headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=()" in h["Permissions-Policy"] and "geolocation=()" in h["Permissions-Policy"]
    if not cacheable:
        assert h["Cache-Control"] == "no-store"
    else:
        assert "no-store" not in h.get("Cache-Control", "")


@pytest.fixture
def submitted(app, client, make_user):
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    r = client.post("/layanan/legalisir/ajukan", data={**FIELDS, "submit": "1", "file_ijazah": pdf(),
                                                       "file_transkrip": pdf()},
                    content_type="multipart/form-data")
    return app_id_of(r)


def test_headers_on_public_personal_download_error_and_static(app, client, submitted):
    assert_security_headers(client.get("/"))  # public (still carries the session's CSRF token)
    assert_security_headers(client.get("/permohonan-saya"))  # personal
    page = client.get(f"/permohonan/{submitted}")
    assert_security_headers(page)
    upload = re.search(r'href="/berkas/(\d+)"', page.get_data(as_text=True)).group(1)
    download = client.get(f"/berkas/{upload}")
    assert download.status_code == 200 and download.data == PDF
    assert_security_headers(download)
    missing = client.get("/tidak-ada")
    assert missing.status_code == 404
    assert_security_headers(missing)
    fragment = client.get("/?q=legalisir", headers={"HX-Request": "true"})
    assert_security_headers(fragment)
    assert_security_headers(client.get("/static/pintu.css"), cacheable=True)


def test_pages_have_no_inline_script_style_or_handler(app, client, staff, submitted):
    pages = ["/", "/layanan/legalisir", "/layanan/legalisir/ajukan", "/permohonan-saya", f"/permohonan/{submitted}",
             "/lacak", "/masuk"]
    login(client, "petugas@test.id")
    pages += ["/petugas/", f"/permohonan/{submitted}"]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert not re.search(r"\sstyle=", body), url
        assert not re.search(r"<style", body), url
        assert not re.search(r"\son[a-z]+=", body), url
        assert '"includeIndicatorStyles": false' in body and '"allowEval": false' in body


def test_htmx_request_without_session_redirects_the_page_to_login(app, client, staff, submitted):
    page = f"/permohonan/{submitted}"
    client.post("/keluar")  # logged out in another tab; this tab still shows the page
    r = client.post(f"/petugas/permohonan/{submitted}/aksi", data={"action": "lengkap", "version": 1},
                    headers={"HX-Request": "true", "HX-Current-URL": f"http://localhost{page}?tab=1"})
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == f"/masuk?next=%2Fpermohonan%2F{submitted}%3Ftab%3D1"
    assert r.get_data(as_text=True) == ""  # nothing to swap into the fragment

    # Another origin in HX-Current-URL is not taken as next.
    r = client.post(f"/petugas/permohonan/{submitted}/aksi", data={"action": "lengkap"},
                    headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/permohonan/1"})
    assert r.headers["HX-Redirect"] == "/masuk"

    # The login form then leads back to the page, not to the POST-only fragment URL.
    login_page = client.get("/masuk?next=" + page)
    assert f'value="{page}"' in login_page.get_data(as_text=True)
    r = client.post("/masuk", data={"email": "petugas@test.id", "password": "rahasia-123", "next": page})
    assert r.status_code == 302 and r.location.endswith(page)


def test_plain_post_without_session_returns_to_the_page_it_came_from(app, client, submitted):
    client.post("/keluar")
    r = client.post(f"/permohonan/{submitted}/batal", data={"version": 1},
                    headers={"Referer": f"http://localhost/permohonan/{submitted}"})
    assert r.status_code == 302
    assert r.location.endswith(f"/masuk?next=%2Fpermohonan%2F{submitted}")
    r = client.get("/permohonan-saya")
    assert r.status_code == 302 and r.location.endswith("/masuk?next=%2Fpermohonan-saya")


@pytest.mark.config(MAX_CONTENT_LENGTH=50_000)
def test_htmx_413_answers_the_indonesian_message_fragment(app, client, submitted):
    r = client.post("/layanan/legalisir/periksa-berkas/ijazah",
                    data={"file_ijazah": pdf(content=PDF + b"0" * 60_000)},
                    content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert r.status_code == 413
    body = r.get_data(as_text=True)
    assert "Berkas terlalu besar" in body and "<html" not in body
    assert_security_headers(r)


class Broken:
    """A plugin page that fails, to see what an htmx request gets from a 500."""

    @hookimpl
    def pintu_blueprints(self):
        from flask import Blueprint

        bp = Blueprint("rusak", __name__, url_prefix="/rusak")

        @bp.route("/")
        def boom():
            raise RuntimeError("boom")

        return [bp]


@pytest.mark.plugins(Broken())
@pytest.mark.config(PROPAGATE_EXCEPTIONS=False)
def test_htmx_500_answers_the_indonesian_message_fragment(app, client):
    r = client.get("/rusak/", headers={"HX-Request": "true"})
    assert r.status_code == 500
    body = r.get_data(as_text=True)
    assert "Terjadi kesalahan" in body and "<html" not in body and "boom" not in body
    assert_security_headers(r)


@pytest.mark.parametrize("path", ["/", "/layanan/legalisir", "/lacak", "/lacak?reference=LGS-2026-00001&code=XXXXXX"])
def test_public_pages_set_no_cookie_for_anonymous_visitors(client, path):
    """Reading the catalog, a standard or tracking an application leaves nothing behind: no session,
    no CSRF token (their only form is a GET; htmx carries the token for signed-in users only)."""
    r = client.get(path)
    assert r.status_code in (200, 404)
    assert "Set-Cookie" not in r.headers
    assert "X-CSRFToken" not in r.get_data(as_text=True)


def test_signed_in_pages_give_htmx_the_csrf_token(client, make_user):
    make_user("pemohon@test.id", category="mahasiswa")
    login(client, "pemohon@test.id")
    assert '"X-CSRFToken": "' in client.get("/permohonan-saya").get_data(as_text=True)
