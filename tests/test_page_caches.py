"""Parts of pages kept per app process (pintu.web.urlcache, the catalog's list, the page frame, the
service page's standard) follow what they depend on: here the path the app is served under."""

from __future__ import annotations

from pintu.testing import login


def test_links_follow_the_path_the_app_is_served_under(app, client, make_user):
    make_user("alumni@test.id", category="mahasiswa")
    plain = client.get("/").get_data(as_text=True)
    assert 'href="/layanan/legalisir"' in plain and 'href="/lacak"' in plain
    under = client.get("/", base_url="http://localhost/pintu/").get_data(as_text=True)
    assert 'href="/pintu/layanan/legalisir"' in under and 'href="/pintu/lacak"' in under
    assert 'href="/layanan/' not in under
    service = client.get("/layanan/legalisir", base_url="http://localhost/pintu/").get_data(as_text=True)
    assert 'href="/pintu/layanan/legalisir/standar.pdf"' in service
    again = client.get("/").get_data(as_text=True)  # and back: nothing of the other path was kept
    assert "/pintu/" not in again
    login(client, "alumni@test.id")
    r = client.get("/permohonan-saya", base_url="http://localhost/pintu/")
    assert r.status_code == 200 and 'href="/pintu/notifikasi' in r.get_data(as_text=True)
