"""Hardening items 15, 16 and 18: who may claim, WIB in messages, and the wording people read
on the timeline and in e-mails."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from pintu import Action, Service, Step, approve, hookimpl, refuse, standard_steps
from pintu.contract.services import FORWARD
from pintu.testing import act, app_id_of, login, mails_to, pdf


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


class ReviewPlugin:
    """Staff check, a unit, the leadership (may send a draft back internally), an applicant step."""

    @hookimpl
    def pintu_services(self):
        return [Service(
            slug="uji-kata", title="Uji Kata", category="Uji", summary="Layanan uji", completion_days=3,
            steps=standard_steps(
                Step("telaah", "Telaah unit", role="verifikator", unit="keuangan",
                     actions=[approve("Teruskan", "teruskan", message="Berkas ditelaah")]),
                Step("keputusan", "Keputusan pimpinan", role="pimpinan",
                     actions=[approve("Setujui", "setuju", message="Disetujui pimpinan"), refuse(),
                              Action("revisi", "Minta telaah ulang", FORWARD, target="telaah",
                                     message="Telaah sedang diperbaiki", internal=True)]),
                Step("konfirmasi", "Konfirmasi pemohon", role="pemohon",
                     instructions=lambda application: f"Konfirmasi permohonan {application.reference}.",
                     actions=[approve("Konfirmasi", "ok", message="Dikonfirmasi pemohon")]),
            ))]

    @hookimpl
    def pintu_units(self):
        return [("keuangan", "Bagian Keuangan")]


APPLICANT = "pemohon@test.id"


@pytest.fixture
def cast(staff, make_user):
    make_user("keu@test.id", "verifikator", "keuangan", name="Kiki Keuangan")
    make_user(APPLICANT, category="masyarakat", name="Putri Pemohon")
    return staff


def submit(client):
    login(client, APPLICANT)
    return app_id_of(client.post("/layanan/uji-kata/ajukan", data={"submit": "1"}))


def through(client, app, app_id, *steps):
    for email, action, note in steps:
        login(client, email)
        r = act(client, app, app_id, action, note=note)
        assert r.status_code == 200, text(r)[:400]


@pytest.mark.plugins(ReviewPlugin())
def test_applicant_sees_no_claim_button_on_their_own_step_and_cannot_claim(app, client, cast):
    app_id = submit(client)
    through(client, app, app_id, ("petugas@test.id", "lengkap", ""), ("keu@test.id", "teruskan", ""),
            ("pimpinan@test.id", "setuju", ""))
    login(client, APPLICANT)
    page = text(client.get(f"/permohonan/{app_id}"))
    assert "Konfirmasi" in page and "Tangani (klaim)" not in page
    assert "Menunggu tindakan Anda" in page and "Konfirmasi permohonan UK" in page.replace("UKX", "UK")
    # staff who cannot act there see no claim button either
    login(client, "keu@test.id")
    assert "Tangani (klaim)" not in text(client.get(f"/permohonan/{app_id}"))


@pytest.mark.plugins(ReviewPlugin())
def test_staff_who_may_act_see_the_claim_button(app, client, cast):
    app_id = submit(client)
    login(client, "petugas@test.id")
    assert "Tangani (klaim)" in text(client.get(f"/permohonan/{app_id}"))
    login(client, "keu@test.id")  # not at this step
    assert "Tangani (klaim)" not in text(client.get(f"/permohonan/{app_id}"))


@pytest.mark.plugins(ReviewPlugin())
def test_conflict_message_gives_the_time_in_wib(app, client, cast):
    from pintu.data.models import Event

    app_id = submit(client)
    login(client, "petugas@test.id")
    stale = act(client, app, app_id, "lengkap")  # noqa: F841 (moves it on)
    with app.app_context():
        last = Event.select().where(Event.application == app_id).order_by(Event.id.desc()).first()
        Event.update(created_at=dt.datetime(2026, 11, 23, 17, 30)).where(Event.id == last.id).execute()
    from pintu.data.models import Application

    with app.app_context():
        version = Application.get_by_id(app_id).version
    login(client, "keu@test.id")
    act(client, app, app_id, "teruskan")
    r = act(client, app, app_id, "teruskan", version=version)  # acted in between by the same unit's answer
    assert r.status_code == 409
    message = text(r)
    # Stored 23-11-2026 17:30 UTC = 24-11-2026 00:30 WIB, as the page shows it.
    assert re.search(r"sudah diproses oleh \S+ \S+ \(\d\d-\d\d-\d{4} \d\d:\d\d WIB\)", message)
    with app.app_context():
        last = Event.select().where(Event.application == app_id).order_by(Event.id.desc()).first()
        Event.update(created_at=dt.datetime(2026, 11, 23, 17, 30)).where(Event.id == last.id).execute()
    r = act(client, app, app_id, "teruskan", version=version)
    assert "(24-11-2026 00:30 WIB)" in text(r)


@pytest.mark.plugins(ReviewPlugin())
def test_timeline_says_who_acted_once(app, client, cast):
    app_id = submit(client)
    login(client, "petugas@test.id")
    client.post(f"/petugas/permohonan/{app_id}/klaim", data={"version": "1"})
    page = text(client.get(f"/permohonan/{app_id}"))
    assert "Mulai ditangani oleh Petugas" in page
    assert "oleh Petugas oleh" not in page and "Ditangani oleh Petugas" not in page
    through(client, app, app_id, ("petugas@test.id", "lengkap", ""), ("keu@test.id", "teruskan", ""))
    login(client, APPLICANT)
    page = text(client.get(f"/permohonan/{app_id}"))
    assert "Berkas ditelaah oleh Bagian Keuangan" in page  # the unit, not "Verifikator unit"
    assert "Verifikator unit" not in page


@pytest.mark.plugins(ReviewPlugin())
def test_internal_move_reaches_no_applicant(app, client, cast):
    app_id = submit(client)
    through(client, app, app_id, ("petugas@test.id", "lengkap", ""), ("keu@test.id", "teruskan", ""),
            ("pimpinan@test.id", "revisi", ""))
    assert not any("Telaah sedang diperbaiki" in m for m in mails_to(app, APPLICANT))
    login(client, APPLICANT)
    assert "Telaah sedang diperbaiki" not in text(client.get(f"/permohonan/{app_id}"))
    assert "Telaah sedang diperbaiki" not in text(client.get("/notifikasi"))
    login(client, "keu@test.id")
    assert "Telaah sedang diperbaiki" in text(client.get(f"/permohonan/{app_id}"))  # staff see it


@pytest.mark.plugins(ReviewPlugin())
def test_leadership_refusal_mail_names_the_reason_and_no_due_date(app, client, cast):
    app_id = submit(client)
    through(client, app, app_id, ("petugas@test.id", "lengkap", ""), ("keu@test.id", "teruskan", ""))
    before = mails_to(app, APPLICANT)[-1]
    assert "Batas waktu penyelesaian:" in before  # the clock runs while in process
    through(client, app, app_id, ("pimpinan@test.id", "refuse", "Anggaran tahun ini sudah habis."))
    refusal = mails_to(app, APPLICANT)[-1]
    assert "Alasan penolakan: Anggaran tahun ini sudah habis." in refusal
    assert "Catatan petugas" not in refusal
    assert "Status saat ini: Ditolak" in refusal
    assert "Batas waktu penyelesaian" not in refusal


@pytest.mark.plugins(ReviewPlugin())
def test_pickup_is_recorded_as_handed_over(app, client, cast):
    app_id = submit(client)
    through(client, app, app_id, ("petugas@test.id", "lengkap", ""), ("keu@test.id", "teruskan", ""),
            ("pimpinan@test.id", "setuju", ""))
    login(client, APPLICANT)
    from pintu.testing import get_application

    client.post(f"/permohonan/{app_id}/tindakan",
                data={"action": "ok", "version": get_application(app, app_id).version})
    through(client, app, app_id, ("petugas@test.id", "taken", ""))
    login(client, APPLICANT)
    page = text(client.get(f"/permohonan/{app_id}"))
    assert "Produk layanan telah diserahkan kepada pemohon oleh Petugas ULT" in page
    assert "telah diambil oleh" not in page


def test_uploaded_file_is_marked_once(app, client, make_user):
    """The stylesheet draws the tick; the text must not add a second one ("✓ ✓ Sudah diunggah")."""
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    r = client.post("/layanan/legalisir/ajukan", content_type="multipart/form-data",
                    data={"nim": "E1", "program_studi": "TI", "tahun_lulus": "2020", "draft": "1",
                          "file_ijazah": pdf("ijazah.pdf")})
    page = client.get(r.location.replace("/permohonan/", "/permohonan/").rstrip("/") + "/ubah").get_data(as_text=True)
    assert "Sudah diunggah: ijazah.pdf" in page
    assert "✓" not in page
    css = client.get("/static/pintu.css").get_data(as_text=True)
    assert ".file-ok::before" in css


@pytest.mark.config(CLOCK_NOW="2026-12-31T17:30:00")  # 31-12 in UTC, 01-01-2027 00:30 in WIB
def test_clock_counts_in_wib_whatever_the_server_zone(app, monkeypatch):
    import time

    from pintu.engine import clock

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        with app.app_context():
            assert clock.today() == dt.date(2027, 1, 1)
            assert clock.now().strftime("%H:%M %Z") == "00:30 WIB"
            assert clock.format_local(dt.datetime(2026, 12, 31, 17, 30)) == "01-01-2027 00:30 WIB"
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.config(CLOCK_NOW="2026-12-31T17:30:00")
def test_legalisir_accepts_this_years_graduates_by_the_wib_year(app, client, make_user):
    """At 00:30 WIB on 1 January 2027 (still 2026 in UTC), 2027 is 'this year'."""
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    r = client.post("/layanan/legalisir/ajukan", content_type="multipart/form-data",
                    data={"nim": "E1", "program_studi": "TI", "tahun_lulus": "2027", "draft": "1"})
    assert r.status_code == 302, text(r)[:300]
