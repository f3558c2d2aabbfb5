"""Public tracking, in-app notifications and e-mail (outbox, failures and retries, admin outbox)."""

from __future__ import annotations

import email
import html
import re
from email import policy

import pytest

from pintu.testing import deliver_pending, get_application as get, login, outbox, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
HTMX = {"HX-Request": "true", "HX-Target": "kerja"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def without_token(page: str) -> str:
    return re.sub(r'("X-CSRFToken": "|name="csrf_token" (?:type="hidden" )?value=")[^"]+"', r'\1"', page)


def submit(client, **changes) -> int:
    r = client.post("/layanan/legalisir/ajukan", data={**FIELDS, **changes, "submit": "1",
                                                       "file_ijazah": pdf("ijazah.pdf"),
                                                       "file_transkrip": pdf("transkrip.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    return int(r.location.rstrip("/").split("/")[-1])


def act(client, app_id, action, app, **extra):
    r = client.post(f"/petugas/permohonan/{app_id}/aksi",
                    data={"action": action, "version": get(app, app_id).version, **extra}, headers=HTMX)
    assert r.status_code == 200, text(r)
    return r


def mails(app) -> list[email.message.EmailMessage]:
    return [email.message_from_string(m, policy=policy.default) for m in outbox(app)]


def badge(page: str) -> int:
    m = re.search(r'<span class="badge" aria-label="(\d+) belum dibaca">(\d+)</span>', page)
    if not m:
        return 0
    assert m.group(1) == m.group(2)
    return int(m.group(1))


@pytest.fixture
def people(app, make_user, staff):
    make_user("alumni@test.id", category="mahasiswa", name="Rina Alumni")
    clients = {name: app.test_client() for name in ("alumni", "petugas", "akademik")}
    login(clients["alumni"], "alumni@test.id")
    login(clients["petugas"], "petugas@test.id")
    login(clients["akademik"], "akademik@test.id")
    return clients


# ---------------------------------------------------------------------------
# Public tracking
# ---------------------------------------------------------------------------

def test_public_tracking_shows_status_not_person(app, people):
    app_id = submit(people["alumni"])
    act(people["petugas"], app_id, "lengkap", app, note="Catatan khusus pemohon")
    a = get(app, app_id)
    anonymous = app.test_client()
    r = anonymous.get("/lacak", query_string={"reference": a.reference, "code": a.tracking_code})
    assert r.status_code == 200
    page = text(r)
    assert a.reference in page
    assert "Legalisir Ijazah dan Transkrip Akademik" in page
    assert "Diproses" in page
    assert "Pemeriksaan kelengkapan berkas oleh ULT" in page
    assert "Verifikasi dokumen dan proses legalisir oleh Bagian Akademik" in page
    assert re.search(r'<li class="done"><strong>Pemeriksaan kelengkapan', page)
    assert re.search(r'<li class="current"><strong>Verifikasi dokumen', page)
    assert "Batas waktu" in page
    for private in ("Rina Alumni", "alumni@test.id", "081234567890", "E31170042", "Catatan khusus pemohon",
                    "Petugas"):
        assert private not in page, private


def test_tracking_code_as_people_type_it(app, people):
    a = get(app, submit(people["alumni"]))
    typed = a.tracking_code.lower().replace("0", "o").replace("1", "l")
    typed = typed[:3] + " " + typed[3:]
    r = app.test_client().get("/lacak", query_string={"reference": a.reference.lower(), "code": typed})
    assert r.status_code == 200
    assert a.reference in text(r)


def test_wrong_code_and_unknown_reference_look_the_same(app, people):
    a = get(app, submit(people["alumni"]))
    wrong_code = "ZZZZZZ" if a.tracking_code != "ZZZZZZ" else "YYYYYY"
    unknown_ref = a.reference[:-5] + "99999"
    client = app.test_client()
    wrong = client.get("/lacak", query_string={"reference": a.reference, "code": wrong_code})
    unknown = client.get("/lacak", query_string={"reference": unknown_ref, "code": wrong_code})
    assert wrong.status_code == unknown.status_code == 404
    assert "tidak cocok" in text(wrong)
    assert without_token(text(wrong)).replace(a.reference, "REF") == \
        without_token(text(unknown)).replace(unknown_ref, "REF")
    assert "Legalisir" not in text(wrong).split("</form>", 1)[1]


def test_tracking_lookup_waits_as_the_rate_limit_says(app, people):
    """The one-statement lookup (pintu.engine.tracking.lookup) reads the rate limit as
    ratelimit.retry_after does, with fewer, as many and more events than the limit; and while the
    address waits it gives no application, even for the right code."""
    import datetime as dt

    from pintu.data.models import RateLimitHit, utcnow
    from pintu.engine import tracking
    from pintu.people import ratelimit

    a = get(app, submit(people["alumni"]))
    limit = ratelimit.Limit(3, 15)
    with app.app_context():
        assert tracking.lookup(a.reference, a.tracking_code, "t", "k", limit)[0] == 0
        now = utcnow()
        for minutes_ago in (20, 14.5, 10.25, 7.75, 3.5, 1.25):  # the first one is outside the window
            RateLimitHit.create(scope="t", key="k", created_at=now - dt.timedelta(minutes=minutes_ago))
            RateLimitHit.create(scope="t", key="other", created_at=now)  # another address
            RateLimitHit.create(scope="other", key="k", created_at=now)  # another limit
            wait, found, visited = tracking.lookup(a.reference, a.tracking_code, "t", "k", limit)
            expected = ratelimit.retry_after("t", "k", limit)
            assert abs(wait - expected) <= 1 and bool(wait) == bool(expected), (minutes_ago, wait, expected)
            assert (found is None) == bool(wait)
        assert wait > 0 and found is None and visited == set()
        # Right code, no wait: the application and the steps it left from.
        wait, found, visited = tracking.lookup(a.reference.lower(), a.tracking_code, "t", "free", limit)
        assert (wait, found.id, found.reference) == (0, a.id, a.reference) and visited
        assert found.__data__ == a.__data__  # every column, as peewee reads it (dates, JSON data)
        assert tracking.lookup(a.reference, "ZZZZZZ" if a.tracking_code != "ZZZZZZ" else "YYYYYY", "t", "free",
                               limit)[1:] == (None, set())
        assert tracking.lookup(a.reference[:-5] + "99999", a.tracking_code, "t", "free", limit)[1:] == (None, set())

def test_tracking_form_and_missing_fields(client):
    r = client.get("/lacak")
    assert r.status_code == 200 and "Kode lacak" in text(r)
    r = client.get("/lacak", query_string={"reference": "LGS-2026-00001"})
    assert r.status_code == 404
    assert "Wajib diisi." in text(r)


# ---------------------------------------------------------------------------
# In-app notifications
# ---------------------------------------------------------------------------

def test_in_app_notifications_badge_and_mark_read(app, people):
    alumni, petugas = people["alumni"], people["petugas"]
    assert badge(text(alumni.get("/permohonan-saya"))) == 0
    app_id = submit(alumni)
    reference = get(app, app_id).reference
    assert badge(text(alumni.get("/permohonan-saya"))) == 1
    # Staff at the first step are told too.
    page = text(petugas.get("/petugas/"))
    assert badge(page) == 1
    assert f"Permohonan masuk {reference}" in text(petugas.get("/notifikasi"))
    assert badge(text(people["akademik"].get("/petugas/"))) == 0

    act(petugas, app_id, "lengkap", app)
    assert badge(text(alumni.get("/permohonan-saya"))) == 2
    assert badge(text(people["akademik"].get("/petugas/"))) == 1

    page = text(alumni.get("/notifikasi"))
    assert f"{reference}: Permohonan diajukan" in page
    assert f"{reference}: Berkas dinyatakan lengkap" in page
    assert page.count("<strong class=\"small\">baru</strong>") == 2
    assert f'href="/permohonan/{app_id}"' in page

    r = alumni.post("/notifikasi/baca")
    assert r.status_code == 302
    page = text(alumni.get("/notifikasi"))
    assert badge(page) == 0
    assert "baru</strong>" not in page
    assert f"{reference}: Permohonan diajukan" in page  # still listed, just read
    # Reading one's own notifications leaves other people's alone.
    assert badge(text(petugas.get("/petugas/"))) == 1


# ---------------------------------------------------------------------------
# E-mail
# ---------------------------------------------------------------------------

def test_every_applicant_facing_event_is_mailed(app, people):
    alumni, petugas, akademik = people["alumni"], people["petugas"], people["akademik"]
    app_id = submit(alumni)
    act(petugas, app_id, "return", app, note="Scan ijazah buram")
    r = alumni.post(f"/permohonan/{app_id}/ubah", data={**FIELDS, "submit": "1", "file_ijazah": pdf("baru.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    act(petugas, app_id, "lengkap", app)
    act(akademik, app_id, "legalised", app)
    act(petugas, app_id, "taken", app)
    assert get(app, app_id).status == "done"

    refused_id = submit(alumni)
    act(petugas, refused_id, "refuse", app, note="Bukan lulusan kampus ini")
    cancelled_id = submit(alumni)
    page = text(alumni.get(f"/permohonan/{cancelled_id}"))
    alumni.post(f"/permohonan/{cancelled_id}/batal",
                data={"version": re.search(r'name="version" value="(\d+)"', page).group(1)})
    assert get(app, cancelled_id).status == "cancelled"

    expected = {
        app_id: ["Permohonan diajukan", "Permohonan dikembalikan untuk diperbaiki",
                 "Permohonan diajukan kembali setelah diperbaiki", "Berkas dinyatakan lengkap",
                 "Legalisir selesai dan diserahkan ke ULT", "Produk layanan telah diserahkan kepada pemohon"],
        refused_id: ["Permohonan diajukan", "Permohonan ditolak"],
        cancelled_id: ["Permohonan diajukan", "Permohonan dibatalkan oleh pemohon"],
    }
    sent = mails(app)
    assert len(sent) == sum(len(v) for v in expected.values())
    assert {m["To"] for m in sent} == {"alumni@test.id"}  # staff get in-app notifications only
    for app_id_, messages in expected.items():
        reference = get(app, app_id_).reference
        # (a long Subject is folded onto the next line; unfolding leaves a leading space)
        subjects = [m["Subject"].strip() for m in sent if reference in m["Subject"]]
        assert subjects == [f"[PINTU] {reference} - {msg}" for msg in messages]
    bodies = {m["Subject"].strip(): m.get_body(("plain",)).get_content() for m in sent}
    ref = get(app, app_id).reference
    returned = bodies[f"[PINTU] {ref} - Permohonan dikembalikan untuk diperbaiki"]
    assert "Scan ijazah buram" in returned and "Rina Alumni" in returned
    assert f"http://localhost/permohonan/{app_id}" in returned
    assert get(app, app_id).tracking_code in returned
    assert "Bukan lulusan kampus ini" in bodies[f"[PINTU] {get(app, refused_id).reference} - Permohonan ditolak"]

    with app.app_context():
        from pintu.data.models import OutgoingMail

        assert {m.status for m in OutgoingMail.select()} == {"sent"}
        assert OutgoingMail.select().count() == len(sent)


@pytest.mark.config(SMTP_HOST="127.0.0.1", SMTP_PORT=1, MAIL_RETRY_DELAYS=[0, 0])
def test_failing_mail_does_not_block_or_undo_the_application(app, people):
    app_id = submit(people["alumni"])
    a = get(app, app_id)
    assert a.status == "in_process" and a.reference
    assert "terkirim dengan nomor" in text(people["alumni"].get(f"/permohonan/{app_id}"))
    # Three attempts (the queued job, then two retries after MAIL_RETRY_DELAYS), then it is failed.
    # (deliver_pending runs the queued job, then one sweep of what is due.)
    for expected in (("retry", 2), ("failed", 3)):
        assert deliver_pending(app) == 0
        with app.app_context():
            from pintu.data.models import OutgoingMail

            mail = OutgoingMail.get(OutgoingMail.application == app_id)
            assert (mail.status, mail.attempts) == expected
    assert "ConnectionRefusedError" in mail.last_error
    assert deliver_pending(app) == 0  # failed for good: no more attempts on its own
    assert outbox(app) == []
    # The workflow goes on regardless.
    act(people["petugas"], app_id, "lengkap", app)
    assert get(app, app_id).step == "verifikasi"

    # The admin sees the failure; once the server is fixed, retry-mail delivers.
    admin = app.test_client()
    login(admin, "admin@test.id")
    page = text(admin.get("/admin/kotak-keluar"))
    assert "failed" in page and "ConnectionRefusedError" in page
    app.config["SMTP_HOST"] = None
    result = app.test_cli_runner().invoke(args=["retry-mail"])
    assert result.exit_code == 0, result.output
    assert "2 e-mail dijadwalkan ulang" in result.output
    assert len(outbox(app)) == 2
    with app.app_context():
        assert {m.status for m in OutgoingMail.select()} == {"sent"}


def test_admin_outbox_lists_mails(app, people):
    app_id = submit(people["alumni"])
    reference = get(app, app_id).reference
    deliver_pending(app)
    admin = app.test_client()
    login(admin, "admin@test.id")
    r = admin.get("/admin/kotak-keluar")
    assert r.status_code == 200
    page = text(r)
    assert f"[PINTU] {reference} - Permohonan diajukan" in page
    assert "alumni@test.id" in page and "sent" in page
    names = re.findall(r'href="/admin/kotak-keluar/([^"]+\.eml)"', page)
    assert len(names) == 1
    message = admin.get(f"/admin/kotak-keluar/{names[0]}")
    assert message.status_code == 200
    assert reference in text(message) and "Yth. Rina Alumni" in text(message)
    assert admin.get("/admin/kotak-keluar/..%2Fsecret_key").status_code == 404
    assert admin.get("/admin/kotak-keluar/tidak-ada.eml").status_code == 404
    assert people["alumni"].get("/admin/kotak-keluar").status_code == 403
    assert people["alumni"].get(f"/admin/kotak-keluar/{names[0]}").status_code == 403
