"""Accounts through HTTP: registration, login and throttling, safe redirects, password reset,
sessions ended by logout and password change, cookie flags, CSRF (forms and htmx), profile, admin."""

from __future__ import annotations

import html
import re

import pytest

from pintu.testing import PASSWORD, login, outbox

FAILED = "E-mail atau kata sandi salah, atau akun dikunci sementara karena terlalu banyak percobaan."

GOOD = {
    "name": "Rina Alumni", "phone": "081234567890", "category": "mahasiswa", "id_number": "",
    "email": "rina@test.id", "password": "rahasia-rina-1", "confirm": "rahasia-rina-1",
}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field_id: str) -> str | None:
    """The message shown next to field ``field_id`` (macros.field renders ``<p id="ID-error">``)."""
    m = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    return m.group(1).strip() if m else None


def flashes(page: str) -> list[str]:
    return [m.strip() for m in re.findall(r'<div class="flash [a-z]+" role="status">(.*?)</div>', page, re.S)]


def csrf_from_form(page: str) -> str:
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, "no csrf_token field in the page"
    return m.group(1)


def csrf_from_hx_headers(page: str) -> str:
    m = re.search(r"hx-headers='(\{[^']*\})'", page)
    assert m, "the page carries no hx-headers attribute"
    import json

    return json.loads(html.unescape(m.group(1)))["X-CSRFToken"]


def without_token(page: str) -> str:
    """The page without its CSRF tokens (signed with a timestamp, so they differ from second to second)."""
    return re.sub(r'("X-CSRFToken": "|name="csrf_token" (?:type="hidden" )?value=")[^"]+"', r'\1"', page)


def refused(response) -> bool:
    """A login attempt that failed with the one generic message."""
    return response.status_code == 422 and FAILED in flashes(text(response))


def logged_in(client) -> bool:
    r = client.get("/permohonan-saya")
    return r.status_code == 200


# ---------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------

def test_register_then_logged_in(app, client):
    r = client.post("/daftar", data=GOOD)
    assert r.status_code == 302, text(r)
    assert logged_in(client)
    with app.app_context():
        from pintu.models import User

        user = User.get(User.email == "rina@test.id")
        assert user.category == "mahasiswa"
        assert user.password_hash != GOOD["password"]


def test_register_email_is_normalised(app, client):
    r = client.post("/daftar", data={**GOOD, "email": "Rina@Test.ID"})
    assert r.status_code == 302, text(r)
    client.post("/keluar")
    assert login(client, "rina@test.id", GOOD["password"]).status_code == 302


INVALID = [
    ({"name": ""}, "name", "Wajib diisi."),
    ({"email": "bukan-email"}, "email", "Alamat e-mail tidak valid."),
    ({"password": "pendek", "confirm": "pendek"}, "password", "Kata sandi minimal 8 karakter."),
    ({"confirm": "lain-lain-lain"}, "confirm", "Kata sandi tidak sama."),
    ({"phone": "abc"}, "phone", "Nomor telepon tidak valid (8-20 angka, boleh diawali +)."),
    ({"id_number": "12345"}, "id_number", "NIP harus 18 digit atau NIK 16 digit."),
    ({"id_number": "1970010119950310011"}, "id_number", "NIP harus 18 digit atau NIK 16 digit."),  # 19
    ({"id_number": "35090101018000A1"}, "id_number", "NIP/NIK hanya boleh berisi angka."),
    # 18 digits whose first 8 are not a birth date (TTTTBBHH)
    ({"id_number": "197013011995031001"}, "id_number",
     "NIP tidak valid: 8 digit pertama harus tanggal lahir (TTTTBBHH)."),
    # 16 digits whose 7th-12th are not a birth date (HHBBTT; women +40)
    ({"id_number": "3509017501800001"}, "id_number",
     "NIK tidak valid: digit ke-7 sampai ke-12 harus tanggal lahir (HHBBTT)."),
]


def test_register_validation_messages(app, client):
    # One app for all cases (a failed registration changes nothing, so they cannot interfere).
    for changes, field, message in INVALID:
        r = client.post("/daftar", data={**GOOD, **changes})
        assert r.status_code == 422, changes
        assert field_error(text(r), field) == message, changes
    assert not logged_in(client)
    with app.app_context():
        from pintu.models import User

        assert User.select().count() == 0


def test_register_accepts_valid_nip_and_nik(app):
    # NIP (birth date 1970-01-01), NIK of a man, NIK of a woman (day + 40), NIK typed with spaces
    for i, id_number in enumerate(["197001011995031001", "3509010101800001", "3509014101800001",
                                   "3509 0101 0180 0001"]):
        client = app.test_client()
        r = client.post("/daftar", data={**GOOD, "email": f"user{i}@test.id", "id_number": id_number})
        assert r.status_code == 302, text(r)
        with app.app_context():
            from pintu.models import User

            assert User.get(User.email == f"user{i}@test.id").id_number == id_number.replace(" ", "")


def test_register_duplicate_email(app, client, make_user):
    make_user("rina@test.id")
    r = client.post("/daftar", data={**GOOD, "email": "RINA@test.id"})
    assert r.status_code == 422
    assert field_error(text(r), "email") == \
        "E-mail ini sudah terdaftar. Silakan masuk atau atur ulang kata sandi."
    with app.app_context():
        from pintu.models import User

        assert User.select().count() == 1


# ---------------------------------------------------------------------------
# Login, logout, throttling
# ---------------------------------------------------------------------------

def test_login_and_logout(app, client, make_user):
    make_user("a@test.id", name="Ani Pemohon")
    assert not logged_in(client)
    r = login(client, "a@test.id")
    assert r.status_code == 302 and r.location.endswith("/permohonan-saya")
    page = text(client.get("/permohonan-saya"))
    assert "Ani Pemohon" in page
    assert client.post("/keluar").status_code == 302
    r = client.get("/permohonan-saya")
    assert r.status_code == 302 and "/masuk" in r.location


def test_wrong_password_and_unknown_email_look_the_same(app, client, make_user):
    make_user("a@test.id")
    wrong = client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
    unknown = client.post("/masuk", data={"email": "x@test.id", "password": "salah-salah"})
    assert wrong.status_code == unknown.status_code == 422
    assert flashes(text(wrong)) == flashes(text(unknown)) == [FAILED]
    # Apart from the typed e-mail echoed back, the pages are identical.
    assert without_token(text(wrong)).replace("a@test.id", "EMAIL") == \
        without_token(text(unknown)).replace("x@test.id", "EMAIL")
    assert not logged_in(client)


@pytest.mark.config(LOGIN_MAX_FAILURES=3)
def test_login_throttled_after_max_failures(app, client, make_user):
    make_user("a@test.id")
    make_user("b@test.id")
    for _ in range(3):
        r = client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
        assert flashes(text(r)) == [FAILED]
    # Locked now: even the right password is refused, with the very same message.
    r = client.post("/masuk", data={"email": "A@test.id", "password": PASSWORD})
    assert r.status_code == 422
    assert flashes(text(r)) == [FAILED]
    assert not logged_in(client)
    # Another account from the same address is not locked by it.
    assert login(client, "b@test.id").status_code == 302


@pytest.mark.config(LOGIN_MAX_FAILURES=3)
def test_successful_login_resets_failure_count(app, client, make_user):
    make_user("a@test.id")
    for _ in range(2):
        client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
    assert login(client, "a@test.id").status_code == 302
    client.post("/keluar")
    for _ in range(2):
        client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
    assert login(client, "a@test.id").status_code == 302


def test_login_required_redirects_with_next(client):
    r = client.get("/permohonan-saya")
    assert r.status_code == 302
    assert "/masuk" in r.location and "next=%2Fpermohonan-saya" in r.location


NEXT_TARGETS = [
    ("/permohonan-saya", "/permohonan-saya"),
    ("//evil.com", "/petugas/"),
    ("https://evil.com", "/petugas/"),
    ("/\\evil.com", "/petugas/"),
    ("\\\\evil.com", "/petugas/"),
    ("http:/evil.com", "/petugas/"),
    (" //evil.com", "/petugas/"),
    ("javascript:alert(1)", "/petugas/"),
]


def test_next_redirects_only_to_local_paths(app, make_user):
    from urllib.parse import urlsplit

    make_user("petugas@test.id", "petugas")  # a staff member's default is the inbox, not /permohonan-saya
    for target, expected in NEXT_TARGETS:
        client = app.test_client()
        page = client.get("/masuk", query_string={"next": target}).get_data(as_text=True)
        assert re.search(r'name="next" type="hidden" value="[^"]*"|type="hidden" name="next"', page), page
        r = client.post("/masuk", data={"email": "petugas@test.id", "password": PASSWORD, "next": target})
        assert r.status_code == 302, target
        location = urlsplit(r.location)
        assert location.netloc in ("", "localhost"), (target, r.location)
        assert location.path == expected, (target, r.location)
        assert "evil" not in r.location


# ---------------------------------------------------------------------------
# Password reset
# ---------------------------------------------------------------------------

def reset_link(app) -> str:
    mails = [m for m in outbox(app) if "Atur ulang kata sandi" in m]
    assert mails, "no reset mail in the outbox"
    m = re.search(r"https?://[^/\s]+(/atur-sandi/\S+)", mails[-1])
    assert m, mails[-1]
    return m.group(1)


def test_password_reset_by_emailed_one_time_link(app, client, make_user):
    make_user("a@test.id")
    r = client.post("/lupa-sandi", data={"email": "A@test.id"})
    assert r.status_code == 302
    path = reset_link(app)
    assert "To: a@test.id" in [m for m in outbox(app) if "Atur ulang" in m][0]

    assert client.get(path).status_code == 200
    r = client.post(path, data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"})
    assert r.status_code == 302 and "/masuk" in r.location

    # The link works once only.
    again = client.get(path)
    assert again.status_code == 302 and "/lupa-sandi" in again.location
    assert "tidak berlaku atau sudah digunakan" in text(client.get(again.location))
    r = client.post(path, data={"password": "sandi-lain-456", "confirm": "sandi-lain-456"})
    assert r.status_code == 302 and "/lupa-sandi" in r.location

    # The old password no longer works, the new one does (and the second attempt changed nothing).
    assert refused(login(client, "a@test.id", PASSWORD))
    assert refused(login(client, "a@test.id", "sandi-lain-456"))
    assert login(client, "a@test.id", "sandi-baru-123").status_code == 302


def test_password_reset_validation_and_unknown_email(app, client, make_user):
    make_user("a@test.id")
    known = client.post("/lupa-sandi", data={"email": "a@test.id"})
    unknown = client.post("/lupa-sandi", data={"email": "nobody@test.id"})
    # Same answer whether the account exists or not; only one mail.
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert len([m for m in outbox(app) if "Atur ulang" in m]) == 1
    path = reset_link(app)
    r = client.post(path, data={"password": "pendek", "confirm": "pendek"})
    assert "Kata sandi minimal 8 karakter." in text(r)
    # A failed attempt does not use the token up.
    assert client.get(path).status_code == 200
    assert client.get("/atur-sandi/palsu").status_code == 302


def test_password_reset_ends_existing_sessions(app, make_user):
    make_user("a@test.id")
    other = app.test_client()
    login(other, "a@test.id")
    assert logged_in(other)
    client = app.test_client()
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    client.post(reset_link(app), data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"})
    assert not logged_in(other)


# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------

def test_logout_ends_other_sessions(app, make_user):
    make_user("a@test.id")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "a@test.id")
    login(phone, "a@test.id")
    assert logged_in(laptop) and logged_in(phone)
    laptop.post("/keluar")
    assert not logged_in(laptop)
    assert not logged_in(phone)


def test_password_change_ends_other_sessions_but_keeps_this_one(app, make_user):
    make_user("a@test.id")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "a@test.id")
    login(phone, "a@test.id")
    r = laptop.post("/profil", data={"which": "password", "pw-current": "salah-salah",
                                     "pw-password": "sandi-baru-123", "pw-confirm": "sandi-baru-123"})
    assert r.status_code == 422
    assert "Kata sandi saat ini salah." in text(r)
    assert logged_in(phone)

    r = laptop.post("/profil", data={"which": "password", "pw-current": PASSWORD,
                                     "pw-password": "sandi-baru-123", "pw-confirm": "sandi-baru-123"})
    assert r.status_code == 302
    assert logged_in(laptop)
    assert not logged_in(phone)
    assert refused(login(phone, "a@test.id", PASSWORD))
    assert login(phone, "a@test.id", "sandi-baru-123").status_code == 302


def test_deactivated_account_is_logged_out(app, client, make_user):
    make_user("admin@test.id", "admin")
    user = make_user("a@test.id")
    victim = app.test_client()
    login(victim, "a@test.id")
    login(client, "admin@test.id")
    r = client.post(f"/admin/pengguna/{user.id}", data={"which": "active"})  # unchecked box: inactive
    assert r.status_code == 302
    assert not logged_in(victim)
    assert refused(login(victim, "a@test.id"))


def test_session_cookie_flags(client, make_user):
    make_user("a@test.id")
    r = login(client, "a@test.id")
    cookies = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, r.headers
    flags = [p.strip().lower() for p in cookies[-1].split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags


# ---------------------------------------------------------------------------
# CSRF
# ---------------------------------------------------------------------------

@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_csrf_post_without_token_refused(app, client, make_user):
    make_user("a@test.id")
    r = client.post("/masuk", data={"email": "a@test.id", "password": PASSWORD})
    assert r.status_code == 400
    assert "Sesi formulir kedaluwarsa" in text(r)
    assert not logged_in(client)
    r = client.post("/daftar", data=GOOD)
    assert r.status_code == 400
    # With the token of the form, the same login works.
    token = csrf_from_form(text(client.get("/masuk")))
    r = client.post("/masuk", data={"email": "a@test.id", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    # Logged in, a POST without a token is still refused (logout, here): the session survives.
    assert client.post("/keluar").status_code == 400
    assert logged_in(client)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_csrf_htmx_post_with_header_token(app, client, make_user):
    from pintu import demo_support
    from pintu.plugins import get_service

    applicant = make_user("alumni@test.id", category="mahasiswa")
    make_user("petugas@test.id", "petugas")
    with app.app_context():
        service = get_service("legalisir")
        application = demo_support.application(
            service, applicant, {"nim": "E1", "program_studi": "TI", "tahun_lulus": 2020, "jumlah_ijazah": 1,
                                 "jumlah_transkrip": 1, "keperluan": "lainnya"},
            {"ijazah": demo_support.sample_pdf(), "transkrip": demo_support.sample_pdf()})
        app_id, version = application.id, application.version
        assert application.status == "in_process"  # submitted

    token = csrf_from_form(text(client.get("/masuk")))
    assert client.post("/masuk", data={"email": "petugas@test.id", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    page = text(client.get(f"/permohonan/{app_id}"))
    header_token = csrf_from_hx_headers(page)
    htmx = {"HX-Request": "true", "HX-Target": "kerja"}

    # The htmx action form carries no token field: without the header it is refused...
    r = client.post(f"/petugas/permohonan/{app_id}/aksi", data={"action": "lengkap", "version": version},
                    headers=htmx)
    assert r.status_code == 400
    assert "<html" not in r.get_data(as_text=True)  # htmx gets the error as a fragment
    with app.app_context():
        from pintu.models import Application

        assert Application.get_by_id(app_id).step == "kelengkapan"

    # ...and with the token in X-CSRFToken (as hx-headers sends it) it is accepted.
    r = client.post(f"/petugas/permohonan/{app_id}/aksi", data={"action": "lengkap", "version": version},
                    headers={**htmx, "X-CSRFToken": header_token})
    assert r.status_code == 200, text(r)
    assert "Berkas dinyatakan lengkap" in text(r)
    with app.app_context():
        assert Application.get_by_id(app_id).step == "verifikasi"


# ---------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------

def test_profile_edit(app, client, make_user):
    user = make_user("a@test.id")
    login(client, "a@test.id")
    page = text(client.get("/profil"))
    assert "a@test.id" in page
    r = client.post("/profil", data={"which": "profile", "name": "Ani Baru", "phone": "+62 812 3456 7890",
                                     "category": "dosen", "id_number": "1970 0101 1995 0310 01"})
    assert r.status_code == 302, text(r)
    page = text(client.get("/profil"))
    assert "Ani Baru" in page
    with app.app_context():
        from pintu.models import User

        saved = User.get_by_id(user.id)
        assert (saved.name, saved.category, saved.id_number) == ("Ani Baru", "dosen", "197001011995031001")
        assert saved.email == "a@test.id"  # the e-mail is not editable here


def test_profile_edit_validation(app, client, make_user):
    user = make_user("a@test.id", name="Ani Lama")
    login(client, "a@test.id")
    r = client.post("/profil", data={"which": "profile", "name": "", "phone": "x", "category": "dosen",
                                     "id_number": "123"})
    assert r.status_code == 422
    page = text(r)
    assert field_error(page, "name") == "Wajib diisi."
    assert field_error(page, "phone").startswith("Nomor telepon tidak valid")
    assert field_error(page, "id_number") == "NIP harus 18 digit atau NIK 16 digit."
    with app.app_context():
        from pintu.models import User

        assert User.get_by_id(user.id).name == "Ani Lama"


# ---------------------------------------------------------------------------
# Administration
# ---------------------------------------------------------------------------

def test_admin_pages_forbidden_for_non_admin(app, make_user):
    make_user("a@test.id")
    make_user("petugas@test.id", "petugas")
    anonymous, applicant, petugas = app.test_client(), app.test_client(), app.test_client()
    login(applicant, "a@test.id")
    login(petugas, "petugas@test.id")
    for path in ("/admin/pengguna", "/admin/unit", "/admin/kotak-keluar", "/admin/pengguna/1"):
        r = anonymous.get(path)
        assert r.status_code == 302 and "/masuk" in r.location, path
        assert applicant.get(path).status_code == 403, path
        r = petugas.get(path)
        assert r.status_code == 403, path
        assert "Akses ditolak" in text(r)
    assert applicant.post("/admin/pengguna/1", data={"which": "membership", "role": "admin"}).status_code == 403
    with app.app_context():
        from pintu.models import User

        assert not any(u.is_admin for u in User.select())


def test_admin_adds_role_membership(app, client, make_user):
    make_user("admin@test.id", "admin")
    target = make_user("budi@test.id", name="Budi Verifikator")
    login(client, "budi@test.id")
    assert client.get("/petugas/").status_code == 403

    admin = app.test_client()
    login(admin, "admin@test.id")
    assert "Budi Verifikator" in text(admin.get("/admin/pengguna?q=budi"))
    # A verifier needs a unit.
    r = admin.post(f"/admin/pengguna/{target.id}", data={"which": "membership", "role": "verifikator",
                                                          "unit": ""})
    assert "Verifikator harus terikat pada satu unit." in text(r)
    r = admin.post(f"/admin/pengguna/{target.id}", data={"which": "membership", "role": "verifikator",
                                                          "unit": "akademik"})
    assert r.status_code == 302
    page = text(admin.get(f"/admin/pengguna/{target.id}"))
    assert "Verifikator unit (Bagian Akademik)" in page
    with app.app_context():
        from pintu.models import Membership, User

        user = User.get_by_id(target.id)
        assert user.has_role("verifikator", "akademik")
        assert Membership.select().where(Membership.user == target.id).count() == 1

    # The new role takes effect in the user's running session.
    assert client.get("/petugas/").status_code == 200


@pytest.mark.parametrize("csrf", [False, True], ids=["csrf-off", "csrf-on"])
def test_admin_removes_role_membership(app, client, make_user, csrf):
    make_user("admin@test.id", "admin")
    target = make_user("budi@test.id", "petugas")
    login(client, "admin@test.id")
    app.config["WTF_CSRF_ENABLED"] = csrf
    page = text(client.get(f"/admin/pengguna/{target.id}"))
    assert "Petugas ULT" in page
    url, token = re.search(r'<form class="inline" method="post" action="([^"]+/hapus)"><input type="hidden" '
                           r'name="csrf_token" value="([^"]+)">', page).groups()
    if csrf:
        assert client.post(url).status_code == 400  # no token
    r = client.post(url, data={"csrf_token": token})
    assert r.status_code == 302
    with app.app_context():
        from pintu.models import User

        assert not User.get_by_id(target.id).is_staff


def test_changing_the_password_voids_older_reset_links(app, client, make_user):
    make_user("b@test.id")
    client.post("/lupa-sandi", data={"email": "b@test.id"})
    path = reset_link(app)
    login(client, "b@test.id")
    r = client.post("/profil", data={"which": "password", "pw-current": PASSWORD, "pw-password": "sandi-baru-789",
                                     "pw-confirm": "sandi-baru-789"})
    assert r.status_code == 302
    stale = client.get(path)
    assert stale.status_code == 302 and "/lupa-sandi" in stale.location
