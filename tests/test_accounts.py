"""Accounts through HTTP: registration, login and throttling, safe redirects, password reset,
sessions ended by logout and password change, cookie flags, CSRF (forms and htmx), profile, admin."""

from __future__ import annotations

import html
import re

import pytest

from pintu.testing import PASSWORD, link_in_mail, login, outbox, register

FAILED = "E-mail atau kata sandi salah."
WAIT = "Terlalu banyak percobaan masuk yang gagal untuk e-mail ini."
REDACTED = "[tautan rahasia disembunyikan]"

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

def users(app) -> list[str]:
    with app.app_context():
        from pintu.data.models import User

        return [u.email for u in User.select().order_by(User.id)]


def test_register_needs_the_emailed_link_before_the_account_works(app, client):
    r = client.post("/daftar", data=GOOD)
    assert r.status_code == 302 and r.location.endswith("/daftar/periksa-email"), text(r)
    assert "Periksa e-mail Anda" in text(client.get(r.location))
    # No usable account yet: not logged in, and the password does not open anything.
    assert not logged_in(client)
    assert users(app) == []
    assert refused(login(client, "rina@test.id", GOOD["password"]))

    path = link_in_mail(app, "rina@test.id", "/daftar/konfirmasi/")
    r = client.get(path)
    assert r.status_code == 302
    assert logged_in(client)
    with app.app_context():
        from pintu.data.models import User

        user = User.get(User.email == "rina@test.id")
        assert (user.name, user.category) == ("Rina Alumni", "mahasiswa")
        assert user.password_hash != GOOD["password"]
    client.post("/keluar")
    assert login(client, "rina@test.id", GOOD["password"]).status_code == 302
    # The link works once.
    client.post("/keluar")
    r = client.get(path)
    assert r.status_code == 302 and "/masuk" in r.location
    assert "Tautan konfirmasi tidak berlaku" in text(client.get(r.location))
    assert users(app) == ["rina@test.id"]


def test_register_email_is_normalised(app, client):
    register(client, app, "Rina@Test.ID", GOOD["password"])
    client.post("/keluar")
    assert login(client, "rina@test.id", GOOD["password"]).status_code == 302


def test_registration_link_expires(app, client):
    client.post("/daftar", data=GOOD)
    path = link_in_mail(app, "rina@test.id", "/daftar/konfirmasi/")
    with app.app_context():
        import datetime as dt

        from pintu.data.models import EmailVerification

        for row in EmailVerification.select():
            row.expires_at -= dt.timedelta(hours=49)
            row.save()
    r = client.get(path)
    assert r.status_code == 302 and "/masuk" in r.location
    assert users(app) == [] and not logged_in(client)


def test_a_second_registration_cannot_change_what_the_owners_link_creates(app):
    owner, intruder = app.test_client(), app.test_client()
    owner.post("/daftar", data=GOOD)
    owners_link = link_in_mail(app, "rina@test.id", "/daftar/konfirmasi/")
    intruder.post("/daftar", data={**GOOD, "name": "Penyusup", "password": "sandi-penyusup", "confirm": "sandi-penyusup"})
    intruders_link = link_in_mail(app, "rina@test.id", "/daftar/konfirmasi/")
    assert intruders_link != owners_link
    assert owner.get(owners_link).status_code == 302 and logged_in(owner)
    with app.app_context():
        from pintu.data.models import User

        assert User.get(User.email == "rina@test.id").name == "Rina Alumni"
    # The address has its account now: the other pending link is void.
    assert intruder.get(intruders_link).status_code == 302 and not logged_in(intruder)
    assert refused(login(intruder, "rina@test.id", "sandi-penyusup"))


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
        from pintu.data.models import User

        assert User.select().count() == 0


def test_register_accepts_valid_nip_and_nik(app):
    # NIP (birth date 1970-01-01), NIK of a man, NIK of a woman (day + 40), a NIK typed with spaces
    for i, id_number in enumerate(["197001011995031001", "3509010101800001", "3509014101800001",
                                   "3509 0101 0180 0002"]):
        client = app.test_client()
        r = register(client, app, f"user{i}@test.id", id_number=id_number)
        assert r.status_code == 302, text(r)
        with app.app_context():
            from pintu.data.models import User

            assert User.get(User.email == f"user{i}@test.id").id_number == id_number.replace(" ", "")


def test_register_answers_the_same_for_a_registered_email(app, make_user):
    make_user("rina@test.id", name="Rina Lama")
    known, new = app.test_client(), app.test_client()
    r_known = known.post("/daftar", data={**GOOD, "email": "RINA@test.id"})
    r_new = new.post("/daftar", data={**GOOD, "email": "baru@test.id"})
    # The same answer on screen: no "sudah terdaftar".
    assert r_known.status_code == r_new.status_code == 302
    assert r_known.location == r_new.location
    assert without_token(text(known.get(r_known.location))) == without_token(text(new.get(r_new.location)))
    assert "sudah terdaftar" not in text(known.get(r_known.location))
    assert users(app) == ["rina@test.id"]
    # The owner of the registered address is told by mail, with a login hint and a working reset link.
    mails = [m for m in outbox(app) if "To: rina@test.id" in m]
    assert len(mails) == 1 and "sudah memiliki akun" in mails[0] and "/masuk" in mails[0]
    path = link_in_mail(app, "rina@test.id", "/atur-sandi/")
    assert known.post(path, data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"}).status_code == 302
    assert login(known, "rina@test.id", "sandi-baru-123").status_code == 302
    # The registration changed nothing else about the existing account.
    with app.app_context():
        from pintu.data.models import User

        assert User.get(User.email == "rina@test.id").name == "Rina Lama"


def set_id_number(app, email, id_number):
    with app.app_context():
        from pintu.data.models import User

        User.update(id_number=id_number).where(User.email == email).execute()


ID_TAKEN = ("NIP/NIK ini sudah terdaftar pada akun lain. Satu NIP/NIK hanya untuk satu akun; jika ini "
            "NIP/NIK Anda, masuk dengan akun lama Anda atau hubungi petugas ULT.")


def test_nip_nik_is_unique_per_account(app, client, make_user):
    make_user("pemilik@test.id", name="Pemilik Asli")
    set_id_number(app, "pemilik@test.id", "197001011995031001")
    r = client.post("/daftar", data={**GOOD, "id_number": "1970 0101 1995 0310 01"})
    assert r.status_code == 422
    page = text(r)
    assert field_error(page, "id_number") == ID_TAKEN
    assert "Pemilik Asli" not in page and "pemilik@test.id" not in page  # whose it is stays hidden
    assert 'value="Rina Alumni"' in page  # what was typed is kept
    assert outbox(app) == [] and users(app) == ["pemilik@test.id"]

    # Nor can another account take it in its profile.
    other = make_user("lain@test.id")
    login(client, "lain@test.id")
    r = client.post("/profil", data={"which": "profile", "name": "Lain", "phone": "081234567890",
                                     "id_number": "197001011995031001"})
    assert r.status_code == 422 and field_error(text(r), "id_number") == ID_TAKEN
    with app.app_context():
        from pintu.data.models import User

        assert User.get_by_id(other.id).id_number == ""
    # Saving one's own number again is fine.
    login(client, "pemilik@test.id")
    assert client.post("/profil", data={"which": "profile", "name": "Pemilik Asli", "phone": "081234567890",
                                        "id_number": "197001011995031001"}).status_code == 302


def test_nip_taken_between_registration_and_confirmation_is_not_copied(app, client, make_user):
    client.post("/daftar", data={**GOOD, "id_number": "197001011995031001"})
    make_user("cepat@test.id")
    set_id_number(app, "cepat@test.id", "197001011995031001")
    r = client.get(link_in_mail(app, "rina@test.id", "/daftar/konfirmasi/"))
    assert ID_TAKEN in text(client.get(r.location))
    with app.app_context():
        from pintu.data.models import User

        assert User.get(User.email == "rina@test.id").id_number == ""


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


def rewind(app, seconds):
    """Let ``seconds`` pass for the rate limits (their counted events move into the past)."""
    import datetime as dt

    with app.app_context():
        from pintu.data.models import RateLimitHit

        for row in RateLimitHit.select():
            row.created_at -= dt.timedelta(seconds=seconds)
            row.save()


def client_from(app, address):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def waiting(response) -> bool:
    page = text(response)
    return response.status_code == 429 and WAIT in page and "Lupa kata sandi" in page


@pytest.mark.config(LOGIN_MAX_FAILURES=3, LOGIN_BACKOFF_SECONDS=30, LOGIN_BACKOFF_MAX_SECONDS=100)
def test_wrong_passwords_make_the_owner_wait_a_growing_delay_not_a_lockout(app, client, make_user):
    make_user("a@test.id")
    make_user("b@test.id")
    for _ in range(3):
        r = client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
        assert flashes(text(r)) == [FAILED]
    # Now a wait: even the right password is not checked, and the page says how long and what else helps.
    r = client.post("/masuk", data={"email": "A@test.id", "password": PASSWORD})
    assert waiting(r) and "30 detik" in text(r) and r.headers["Retry-After"] == "30"
    assert 'value="A@test.id"' in text(r)  # the typed e-mail is kept
    assert not logged_in(client)
    # Another account from the same address is not affected.
    assert login(client, "b@test.id").status_code == 302
    client.post("/keluar")
    # Once the wait has passed the owner gets in: no 15-minute lockout.
    rewind(app, 31)
    assert login(client, "a@test.id").status_code == 302
    client.post("/keluar")
    # The delay grows with further failures (30 s, 60 s, then capped at 100 s) ...
    for _ in range(3):
        client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
    assert "30 detik" in text(client.post("/masuk", data={"email": "a@test.id", "password": PASSWORD}))
    rewind(app, 31)
    assert refused(client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"}))
    assert "1 menit" in text(client.post("/masuk", data={"email": "a@test.id", "password": PASSWORD}))
    rewind(app, 61)
    assert refused(client.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"}))
    r = client.post("/masuk", data={"email": "a@test.id", "password": PASSWORD})
    assert waiting(r) and "2 menit" in text(r) and r.headers["Retry-After"] == "100"


@pytest.mark.config(LOGIN_MAX_FAILURES=2)
def test_an_unknown_email_waits_the_same_so_nothing_tells_which_accounts_exist(app, make_user):
    make_user("a@test.id")
    known, unknown = app.test_client(), app.test_client()
    for _ in range(2):
        known.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
        unknown.post("/masuk", data={"email": "x@test.id", "password": "salah-salah"})
    r_known = known.post("/masuk", data={"email": "a@test.id", "password": "salah-salah"})
    r_unknown = unknown.post("/masuk", data={"email": "x@test.id", "password": "salah-salah"})
    assert waiting(r_known) and waiting(r_unknown)
    assert without_token(text(r_known)).replace("a@test.id", "EMAIL") == \
        without_token(text(r_unknown)).replace("x@test.id", "EMAIL")


@pytest.mark.config(LOGIN_MAX_FAILURES=3)
def test_a_password_reset_lets_the_owner_past_the_wait(app, client, make_user):
    make_user("a@test.id")
    attacker = app.test_client()
    for _ in range(4):
        attacker.post("/masuk", data={"email": "a@test.id", "password": "tebakan-salah"})
    assert waiting(client.post("/masuk", data={"email": "a@test.id", "password": PASSWORD}))
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    client.post(reset_link(app), data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"})
    assert login(client, "a@test.id", "sandi-baru-123").status_code == 302


ADDRESS_LIMITED = "Terlalu banyak percobaan masuk yang gagal dari alamat jaringan Anda."


@pytest.mark.config(LOGIN_MAX_UNKNOWN_PER_ADDRESS=5, LOGIN_MAX_FAILURES=3, PROXY_FIX_X_FOR=1)
def test_address_limit_counts_only_failures_for_unknown_accounts_and_is_proxy_aware(app, make_user):
    for i in range(4):
        make_user(f"staf{i}@test.id")
    office = {"X-Forwarded-For": "203.0.113.7"}  # one client behind the trusted proxy
    client = app.test_client()
    # Colleagues behind one address mistyping their own passwords: 8 failures, none counted per address.
    for i in range(4):
        for _ in range(2):
            assert refused(client.post("/masuk", data={"email": f"staf{i}@test.id", "password": "keliru-ketik"},
                                       headers=office))
    r = client.post("/masuk", data={"email": "staf3@test.id", "password": PASSWORD}, headers=office)
    assert r.status_code == 302
    client.post("/keluar", headers=office)
    # Random e-mails from that address: after 5 the address must wait, whatever the account.
    for i in range(5):
        assert refused(client.post("/masuk", data={"email": f"acak{i}@test.id", "password": "x"}, headers=office))
    r = client.post("/masuk", data={"email": "staf0@test.id", "password": PASSWORD}, headers=office)
    assert r.status_code == 429 and ADDRESS_LIMITED in text(r) and int(r.headers["Retry-After"]) > 0
    # Another client behind the same proxy is not affected.
    r = client.post("/masuk", data={"email": "staf0@test.id", "password": PASSWORD},
                    headers={"X-Forwarded-For": "198.51.100.20"})
    assert r.status_code == 302


@pytest.mark.config(LOGIN_MAX_UNKNOWN_PER_ADDRESS=3)
def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, make_user):
    make_user("a@test.id")
    client = app.test_client()
    for i in range(3):
        client.post("/masuk", data={"email": f"acak{i}@test.id", "password": "x"},
                    headers={"X-Forwarded-For": f"10.0.0.{i}"})
    r = client.post("/masuk", data={"email": "a@test.id", "password": PASSWORD},
                    headers={"X-Forwarded-For": "10.9.9.9"})
    assert r.status_code == 429 and ADDRESS_LIMITED in text(r)


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
    mails = [m for m in outbox(app) if "Atur ulang kata sandi" in m and "/atur-sandi/" in m]
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
    # Same answer whether the account exists or not, and the same work: one mail with a sealed link each time.
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    with app.app_context():
        from pintu.data.models import MailSecret, OutgoingMail

        assert OutgoingMail.select().count() == MailSecret.select().count() == 2
    to_unknown = [m for m in outbox(app) if "To: nobody@test.id" in m]
    assert len(to_unknown) == 1 and "tidak ada akun aktif" in to_unknown[0] and "/atur-sandi/" not in to_unknown[0]
    assert len([m for m in outbox(app) if "/atur-sandi/" in m]) == 1
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


def test_a_session_opened_again_from_the_process_cache_still_expires_and_checks_its_signature(
        app, client, make_user, monkeypatch):
    """A signed-in user's cookie opens without decoding it again (kept per process), but a kept
    cookie past the session lifetime opens no session, and a changed one is refused as before."""
    import time

    from pintu.web import session_cookie

    make_user("a@test.id")
    login(client, "a@test.id")
    assert logged_in(client) and logged_in(client)  # the second request opens the kept session
    cookie = client.get_cookie("session").value
    assert cookie in app.session_interface._opened
    real = time.time
    app.permanent_session_lifetime = 3600
    later = app.test_client()
    later.set_cookie("session", cookie)
    monkeypatch.setattr(session_cookie.time, "time", lambda: real() + 7200)
    assert not logged_in(later)  # expired, although kept
    monkeypatch.setattr(session_cookie.time, "time", real)
    assert logged_in(client)
    tampered = app.test_client()
    tampered.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert not logged_in(tampered)


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
    from pintu.demo import support
    from pintu.contract.plugins import get_service

    applicant = make_user("alumni@test.id", category="mahasiswa")
    make_user("petugas@test.id", "petugas")
    with app.app_context():
        service = get_service("legalisir")
        application = support.application(
            service, applicant, {"nim": "E1", "program_studi": "TI", "tahun_lulus": 2020, "jumlah_ijazah": 1,
                                 "jumlah_transkrip": 1, "keperluan": "lainnya"},
            {"ijazah": support.sample_pdf(), "transkrip": support.sample_pdf()})
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
        from pintu.data.models import Application

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
    user = make_user("a@test.id", category="mahasiswa")
    login(client, "a@test.id")
    page = text(client.get("/profil"))
    assert "a@test.id" in page
    # The category is shown, not editable: a student cannot turn into a civil servant to open staff services.
    assert 'name="category"' not in page and "Kategori pemohon: <strong>Mahasiswa" in page
    r = client.post("/profil", data={"which": "profile", "name": "Ani Baru", "phone": "+62 812 3456 7890",
                                     "category": "pegawai", "id_number": "1970 0101 1995 0310 01"})
    assert r.status_code == 302, text(r)
    page = text(client.get("/profil"))
    assert "Ani Baru" in page
    with app.app_context():
        from pintu.data.models import User

        saved = User.get_by_id(user.id)
        assert (saved.name, saved.category, saved.id_number) == ("Ani Baru", "mahasiswa", "197001011995031001")
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
        from pintu.data.models import User

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
        from pintu.data.models import User

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
        from pintu.data.models import Membership, User

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
        from pintu.data.models import User

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


# ---------------------------------------------------------------------------
# Secret links: never stored in clear, never shown to an administrator
# ---------------------------------------------------------------------------

def every_stored_text(app) -> str:
    """Every value of every core table, as one string (what a database reader or a backup sees)."""
    from pintu.data import models

    with app.app_context():
        return "\n".join(str(v) for model in models.ALL_MODELS for row in model.select().dicts()
                         for v in row.values())


def test_reset_link_is_only_in_the_delivered_mail(app, client, make_user, caplog):
    import logging
    import os
    import stat

    caplog.set_level(logging.DEBUG)
    make_user("admin@test.id", "admin")
    make_user("a@test.id")
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    path = reset_link(app)
    token = path.rsplit("/", 1)[1]

    # The delivered copy (the development outbox) holds the link, readable by the app's user only.
    folder = app.config["MAIL_OUTBOX"]
    files = [os.path.join(folder, f) for f in os.listdir(folder)]
    assert files and all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files)
    # Neither the database (mail row, token table, the sealed secret now erased) nor the logs hold it.
    stored = every_stored_text(app)
    assert token not in stored
    assert REDACTED in stored
    assert token not in caplog.text
    with app.app_context():
        from pintu.data.models import MailSecret, OutgoingMail

        mail = OutgoingMail.get(OutgoingMail.to == "a@test.id")
        assert mail.status == "sent" and REDACTED in mail.body and "/atur-sandi/" not in mail.body
        assert MailSecret.get(MailSecret.mail == mail.id).sealed is None  # erased once sent
    # The admin outbox (list and the delivered file) shows the placeholder, never the link.
    admin = app.test_client()
    login(admin, "admin@test.id")
    listing = text(admin.get("/admin/kotak-keluar"))
    assert token not in listing
    names = re.findall(r'href="(/admin/kotak-keluar/[^"]+\.eml)"', listing)
    assert names
    for name in names:
        page = text(admin.get(name))
        assert token not in page
    assert any(REDACTED in text(admin.get(name)) for name in names)
    # The link works, once.
    assert client.get(path).status_code == 200
    assert client.post(path, data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"}).status_code == 302
    assert client.get(path).status_code == 302


@pytest.mark.config(SMTP_HOST="127.0.0.1", SMTP_PORT=1)  # nothing listens there: delivery fails
def test_a_mail_waiting_for_delivery_keeps_its_link_encrypted_until_sent(app, client, make_user):
    make_user("a@test.id")
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    assert outbox(app) == []
    with app.app_context():
        from pintu.data.models import MailSecret, OutgoingMail

        mail = OutgoingMail.get(OutgoingMail.to == "a@test.id")
        assert mail.status == "retry"  # failed once, retried later
        sealed = MailSecret.get(MailSecret.mail == mail.id).sealed
        assert sealed and "atur-sandi" not in sealed  # encrypted, not readable from the database
    stored = every_stored_text(app)
    assert "/atur-sandi/" not in stored
    # Later (the SMTP server is back; here: the development outbox), a job delivers it with the link.
    app.config["SMTP_HOST"] = None
    result = app.test_cli_runner().invoke(args=["retry-mail"])
    assert result.exit_code == 0, result.output
    path = reset_link(app)
    assert path.rsplit("/", 1)[1] not in every_stored_text(app)
    with app.app_context():
        assert MailSecret.get(MailSecret.mail == mail.id).sealed is None
    assert client.post(path, data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"}).status_code == 302
    assert login(client, "a@test.id", "sandi-baru-123").status_code == 302


@pytest.mark.config(SMTP_HOST="127.0.0.1", SMTP_PORT=1)
def test_an_expired_secret_is_erased_and_never_delivered(app, client, make_user):
    import datetime as dt

    make_user("a@test.id")
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    with app.app_context():
        from pintu.data.models import MailSecret, OutgoingMail

        for row in MailSecret.select():
            row.expires_at -= dt.timedelta(hours=3)
            row.save()
    # Any later mail with a secret sweeps expired ones.
    client.post("/lupa-sandi", data={"email": "b@test.id"})
    with app.app_context():
        first = OutgoingMail.get(OutgoingMail.to == "a@test.id")
        assert MailSecret.get(MailSecret.mail == first.id).sealed is None
    app.config["SMTP_HOST"] = None
    app.test_cli_runner().invoke(args=["retry-mail"])
    assert not [m for m in outbox(app) if "To: a@test.id" in m]
    with app.app_context():
        first = OutgoingMail.get_by_id(first.id)
        assert first.status == "failed" and "kedaluwarsa" in first.last_error


def test_reset_link_ignores_a_forged_host_header(app, client, make_user):
    make_user("a@test.id")
    client.post("/lupa-sandi", data={"email": "a@test.id"}, headers={"Host": "penyerang.example"})
    mail = [m for m in outbox(app) if "/atur-sandi/" in m][0]
    assert "penyerang.example" not in mail
    assert "http://127.0.0.1:5000/atur-sandi/" in mail  # BASE_URL


def test_queue_mail_refuses_a_secret_without_its_placeholder(app):
    from pintu.notify import notifications

    with app.app_context():
        with pytest.raises(ValueError):
            notifications.queue_mail("a@test.id", "x", "Tautan: https://contoh/rahasia", secret="https://contoh/rahasia")
        with pytest.raises(ValueError):
            notifications.queue_mail("a@test.id", "x", f"Tautan: {REDACTED}", secret="dua kata")


# ---------------------------------------------------------------------------
# Rate limits on /lupa-sandi, /daftar and /lacak
# ---------------------------------------------------------------------------

@pytest.mark.config(RATE_LIMIT_FORGOT=[3, 60])
def test_forgot_password_is_limited_per_address(app, make_user):
    make_user("a@test.id")
    client = app.test_client()
    for i in range(3):
        assert client.post("/lupa-sandi", data={"email": f"u{i}@test.id"}).status_code == 302
    r = client.post("/lupa-sandi", data={"email": "a@test.id"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    page = text(r)
    assert "Terlalu banyak permintaan atur ulang kata sandi dari alamat jaringan Anda" in page
    assert 'value="a@test.id"' in page
    assert not [m for m in outbox(app) if "To: a@test.id" in m]
    other = client_from(app, "192.0.2.9")
    assert other.post("/lupa-sandi", data={"email": "a@test.id"}).status_code == 302


@pytest.mark.config(RATE_LIMIT_ACCOUNT_MAIL=[2, 60])
def test_nobody_floods_a_mailbox_with_account_mails(app, make_user):
    make_user("a@test.id")
    answers = set()
    for i in range(4):
        client = client_from(app, f"192.0.2.{i}")
        r = client.post("/lupa-sandi", data={"email": "a@test.id"})
        answers.add((r.status_code, r.location))
    assert answers == {(302, "/masuk")}  # the same answer every time...
    assert len([m for m in outbox(app) if "To: a@test.id" in m]) == 2  # ...but two mails only


@pytest.mark.config(RATE_LIMIT_REGISTER=[2, 60])
def test_registration_is_limited_per_address(app, client, make_user):
    make_user("pemilik@test.id")
    set_id_number(app, "pemilik@test.id", "197001011995031001")
    # A submission stopped by the NIP/NIK check counts too (nobody probes numbers freely).
    r = client.post("/daftar", data={**GOOD, "email": "r0@test.id", "id_number": "197001011995031001"})
    assert r.status_code == 422
    assert client.post("/daftar", data={**GOOD, "email": "r1@test.id"}).status_code == 302
    r = client.post("/daftar", data={**GOOD, "email": "r9@test.id"})
    assert r.status_code == 429
    page = text(r)
    assert "Terlalu banyak pendaftaran dari alamat jaringan Anda" in page
    assert 'value="Rina Alumni"' in page and 'value="r9@test.id"' in page
    assert not [m for m in outbox(app) if "To: r9@test.id" in m]


@pytest.mark.config(RATE_LIMIT_TRACK=[5, 15])
def test_tracking_guesses_are_limited_per_address(app, client, make_user):
    from pintu.demo import support
    from pintu.contract.plugins import get_service

    applicant = make_user("alumni@test.id", category="mahasiswa")
    with app.app_context():
        a = support.application(
            get_service("legalisir"), applicant,
            {"nim": "E1", "program_studi": "TI", "tahun_lulus": 2020, "jumlah_ijazah": 1, "jumlah_transkrip": 1,
             "keperluan": "lainnya"},
            {"ijazah": support.sample_pdf(), "transkrip": support.sample_pdf()})
        reference, code = a.reference, a.tracking_code
    right = {"reference": reference, "code": code}
    wrong = {"reference": reference, "code": "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"}
    # Right lookups are never counted.
    for _ in range(8):
        assert client.get("/lacak", query_string=right).status_code == 200
    for _ in range(5):
        assert client.get("/lacak", query_string=wrong).status_code == 404
    for query in (wrong, right):  # once limited, no lookup from the address is answered
        r = client.get("/lacak", query_string=query)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
        page = text(r)
        assert "Terlalu banyak pencarian dengan nomor atau kode lacak yang tidak cocok" in page
        assert "Verifikasi dokumen" not in page and f'value="{reference}"' in page
    other = client_from(app, "192.0.2.50")
    assert other.get("/lacak", query_string=right).status_code == 200
    rewind(app, 15 * 60 + 1)
    assert client.get("/lacak", query_string=right).status_code == 200


# ---------------------------------------------------------------------------
# Category set by the administrator; settings; demo accounts
# ---------------------------------------------------------------------------

def test_only_the_admin_changes_the_applicant_category(app, client, make_user):
    make_user("admin@test.id", "admin")
    student = make_user("mhs@test.id", category="mahasiswa")
    login(client, "mhs@test.id")
    assert client.post(f"/admin/pengguna/{student.id}", data={"which": "category", "category": "pegawai"}
                       ).status_code == 403
    admin = app.test_client()
    login(admin, "admin@test.id")
    page = text(admin.get(f"/admin/pengguna/{student.id}"))
    assert "Kategori pemohon" in page and 'name="category"' in page
    r = admin.post(f"/admin/pengguna/{student.id}", data={"which": "category", "category": "pegawai"})
    assert r.status_code == 302
    with app.app_context():
        from pintu.data.models import User

        assert User.get_by_id(student.id).category == "pegawai"


def test_session_cookie_secure_is_read_without_prefix(tmp_path, monkeypatch):
    from pintu import create_app

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    monkeypatch.delenv("PINTU_SESSION_COOKIE_SECURE", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True, "WTF_CSRF_ENABLED": False, "AUTO_CREATE_TABLES": True,
                      "SECRET_KEY": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.app_context():
        from pintu.people import accounts

        accounts.create_user("a@test.id", "A", PASSWORD)
    r = app.test_client().post("/masuk", data={"email": "a@test.id", "password": PASSWORD})
    cookie = [c for c in r.headers.getlist("Set-Cookie") if c.startswith("session=")][-1]
    assert "secure" in [p.strip().lower() for p in cookie.split(";")]


def test_demo_accounts_on_dot_test_can_reset_their_password(app, client):
    with app.app_context():
        from pintu import demo

        demo.load()
    r = client.post("/lupa-sandi", data={"email": "mahasiswa@pintu.test"})
    assert r.status_code == 302, text(r)
    path = link_in_mail(app, "mahasiswa@pintu.test", "/atur-sandi/")
    assert client.post(path, data={"password": "sandi-baru-123", "confirm": "sandi-baru-123"}).status_code == 302
    assert login(client, "mahasiswa@pintu.test", "sandi-baru-123").status_code == 302
    # Real input is still validated: a malformed address, and .test for a new registration.
    r = client.post("/lupa-sandi", data={"email": "bukan-email"})
    assert r.status_code == 422 and field_error(text(r), "email") == "Alamat e-mail tidak valid."
    client.post("/keluar")
    r = client.post("/daftar", data={**GOOD, "email": "baru@pintu.test"})
    assert r.status_code == 422 and field_error(text(r), "email") == "Alamat e-mail tidak valid."


def test_demo_and_cli_accounts_are_usable_at_once(app):
    result = app.test_cli_runner().invoke(args=["create-user", "staf@kampus.ac.id", "--role", "petugas",
                                                "--password", "sandi-staf-1"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert login(client, "staf@kampus.ac.id", "sandi-staf-1").status_code == 302
    with app.app_context():
        from pintu import demo

        demo.load()
    assert login(client, "admin@pintu.test", "pintu-demo-2026").status_code == 302
