"""Parties outside the office (Step(role=EXTERNAL, party=Party(...))), the paused clock
(``pauses_clock``) and routing by data (``unit_for``), declared by a test plugin in a few lines each
and driven over HTTP: the e-mailed link, its page without login, the engine path it takes, its
expiry, revocation and re-sending, the due date moved by a pause, and staff scoped to the unit an
application is routed to."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from pintu import EXTERNAL, Party, Requirement, Service, Step, approve, hookimpl, refuse, standard_steps
from pintu.testing import act, app_id_of, count_queries, get_application, hidden_fields, login, mails_to, outbox, pdf


# ---------------------------------------------------------------------------
# The test plugin: (a) inpassing, (b) golongan IV, (c) routing by jurusan
# ---------------------------------------------------------------------------

class InpassingForm(FlaskForm):
    nidn = StringField("NIDN")
    alamat_rumah = StringField("Alamat rumah")
    nama_pimpinan = StringField("Nama Pimpinan PTS")
    email_pimpinan = StringField("E-mail Pimpinan PTS")


PIMPINAN_PTS = Party("Pimpinan PTS", email_field="email_pimpinan", name_field="nama_pimpinan", link_days=7,
                     show_fields=("nidn",))

INPASSING = Service(  # (a) the first step after the ULT is the Pimpinan PTS's endorsement, with a letter
    slug="inpassing-uji", title="Inpassing Uji", category="Uji", summary="Uji pihak luar", form=InpassingForm,
    completion_days=10,
    steps=standard_steps(
        Step("rekomendasi", "Rekomendasi Pimpinan PTS", role=EXTERNAL, party=PIMPINAN_PTS, pauses_clock=True,
             instructions="Unggah surat rekomendasi yang ditandatangani.",
             requirements=[Requirement("surat_rekomendasi", "Surat rekomendasi Pimpinan PTS")],
             actions=[approve("Rekomendasikan", "setuju", message="Rekomendasi disetujui"),
                      refuse("Tidak merekomendasikan")]),
    ))

GOLONGAN_IV = Service(  # (b) staff record the ministry bureau's decision; the clock stops while it waits
    slug="golongan-iv-uji", title="Golongan IV Uji", category="Uji", summary="Uji jeda jam layanan",
    completion_days=5,
    steps=standard_steps(
        Step("biro_sdm", "Menunggu keputusan Biro SDM Kementerian", role="petugas", pauses_clock=True,
             actions=[approve("Keputusan Biro SDM diterima", "diterima")]),
    ))


class JurusanForm(FlaskForm):
    jurusan = SelectField("Jurusan", choices=[("teknik", "Teknik"), ("bahasa", "Bahasa")])


ROUTED = Service(  # (c) the verification goes to the unit of the applicant's jurusan
    slug="surat-jurusan-uji", title="Surat Jurusan Uji", category="Uji", summary="Uji rute", form=JurusanForm,
    completion_days=3,
    steps=standard_steps(
        Step("verifikasi", "Verifikasi oleh jurusan", role="verifikator", unit_for=lambda d: d.get("jurusan"),
             units=("teknik", "bahasa"), actions=[approve("Memenuhi syarat")]),
    ))


class ExternalPlugin:
    @hookimpl
    def pintu_services(self):
        return [INPASSING, GOLONGAN_IV, ROUTED]


PLUGIN = ExternalPlugin()
pytestmark = pytest.mark.plugins(PLUGIN)

PTS_EMAIL = "rektor@pts.ac.id"
LINK = re.compile(r"https?://[^/\s]+(/pihak-luar/\S+)")
INVALID = "Tautan tidak berlaku"


@pytest.fixture
def cast(make_user, staff):
    make_user("dosen@test.id", category="dosen", name="Dewi Dosen")
    return staff


def _inpassing_at_party(client, app) -> int:
    """An inpassing application declared complete by the ULT: it waits at the Pimpinan PTS."""
    login(client, "dosen@test.id")
    app_id = app_id_of(client.post("/layanan/inpassing-uji/ajukan", data={
        "nidn": "0011223344", "alamat_rumah": "Jl. Rahasia 7", "nama_pimpinan": "Dr. Siti",
        "email_pimpinan": PTS_EMAIL, "submit": "1"}))
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    return app_id


def _link(app, n=-1) -> str:
    links = [LINK.search(m).group(1) for m in mails_to(app, PTS_EMAIL) if LINK.search(m)]
    assert links, "no link mailed to the party"
    return links[n]


def _party_post(anon, url, action="setuju", **extra):
    page = anon.get(url).get_data(as_text=True)
    fields = hidden_fields(page)
    data = {**fields, "action": action, "name": "Dr. Siti", "capacity": "Rektor", "note": "", **extra}
    return anon.post(url, data=data, content_type="multipart/form-data"), data


def test_the_party_acts_through_its_link_and_the_event_names_it(app, client, cast):
    app_id = _inpassing_at_party(client, app)
    assert get_application(app, app_id).step == "rekomendasi"
    mail = mails_to(app, PTS_EMAIL)[-1]
    assert "Inpassing Uji" in mail and "Dewi Dosen" in mail and "Yth. Dr. Siti" in mail
    url = _link(app)

    # The applicant reads who they wait for and has nothing to act on.
    login(client, "dosen@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Menunggu Pimpinan PTS" in page and "Rekomendasikan" not in page
    # Staff see the link's state.
    login(client, "petugas@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert f"Dikirim ke {PTS_EMAIL}" in page and "berlaku sampai" in page and "— berlaku" in page

    # The link page needs no login and shows only what the step needs.
    anon = app.test_client()
    r = anon.get(url)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    page = r.get_data(as_text=True)
    assert get_application(app, app_id).reference in page
    for shown in ("Inpassing Uji", "Dewi Dosen", "Rekomendasi Pimpinan PTS", "0011223344", "Surat rekomendasi",
                  "Unggah surat rekomendasi yang ditandatangani.", 'value="Dr. Siti"', "Rekomendasikan"):
        assert shown in page, shown
    for hidden in ("Jl. Rahasia 7", "dosen@test.id", "081234567890", PTS_EMAIL, "Kode lacak"):
        assert hidden not in page, hidden

    # Without the letter, nothing moves and what was typed stays.
    r, _ = _party_post(anon, url)
    assert r.status_code == 422 and "Surat rekomendasi Pimpinan PTS wajib diunggah." in r.get_data(as_text=True)
    assert 'value="Rektor"' in r.get_data(as_text=True)
    assert get_application(app, app_id).step == "rekomendasi"

    r, data = _party_post(anon, url, file_surat_rekomendasi=pdf("rekomendasi.pdf"))
    assert r.status_code == 200 and "Terima kasih" in r.get_data(as_text=True)
    application = get_application(app, app_id)
    assert application.step == "pengambilan"
    # A double click (the same form again) answers like the first and changes nothing.
    again = anon.post(url, data={**data, "file_surat_rekomendasi": pdf("rekomendasi.pdf")},
                      content_type="multipart/form-data")
    assert again.status_code == 200 and "Terima kasih" in again.get_data(as_text=True)
    assert get_application(app, app_id).version == application.version

    with app.app_context():
        from pintu.data.models import Event, Upload

        event = Event.get(Event.application == app_id, Event.action == "setuju")
        assert (event.actor_role, event.party_name, event.party_email, event.party_capacity) == (
            EXTERNAL, "Dr. Siti", PTS_EMAIL, "Rektor")
        assert Event.select().where(Event.application == app_id, Event.action == "setuju").count() == 1
        upload = Upload.get(Upload.application == app_id, Upload.requirement == "surat_rekomendasi")
        assert upload.party == "Pimpinan PTS"
    # The timeline names the party, for the applicant too; the letter is theirs to download.
    login(client, "dosen@test.id")
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Rekomendasi disetujui" in page and "oleh Pimpinan PTS (Dr. Siti, Rektor)" in page
    assert "(diunggah oleh Pimpinan PTS)" in page
    assert client.get(f"/berkas/{upload.id}").status_code == 200
    login(client, "petugas@test.id")
    assert client.get(f"/berkas/{upload.id}").status_code == 200
    assert "sudah digunakan" in client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    # The link is spent.
    spent = anon.get(url)
    assert spent.status_code == 410 and INVALID in spent.get_data(as_text=True)


def test_expired_revoked_spent_and_unknown_links_get_the_same_page(app, client, cast):
    app_id = _inpassing_at_party(client, app)
    url = _link(app)
    anon = app.test_client()
    unknown = anon.get("/pihak-luar/bukan-tautan")
    forged = anon.get(url[:-3] + ("abc" if not url.endswith("abc") else "xyz"))
    assert unknown.status_code == forged.status_code == 404
    assert anon.get(url).status_code == 200
    # Past link_days (7) the link has expired, while the application still waits.
    app.config["CLOCK_NOW"] = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=8)).isoformat()
    expired = anon.get(url)
    app.config["CLOCK_NOW"] = None
    assert anon.get(url).status_code == 200
    # Revoked by the front office (audited): the same page.
    login(client, "petugas@test.id")
    version = get_application(app, app_id).version
    r = client.post(f"/petugas/permohonan/{app_id}/tautan-pihak-luar/cabut", data={"version": version})
    assert r.status_code == 302
    revoked = anon.get(url)
    assert expired.status_code == revoked.status_code == 410
    # The same page, but for the CSRF token of the page's htmx header (timestamped by the second).
    pages = {re.sub(r'"X-CSRFToken": "[^"]*"', "", x.get_data(as_text=True)) for x in (unknown, forged, expired, revoked)}
    assert len(pages) == 1 and INVALID in pages.pop()
    # Acting through a revoked link changes nothing.
    r, _ = _party_post(anon, url, file_surat_rekomendasi=pdf())
    assert r.status_code == 410 and get_application(app, app_id).step == "rekomendasi"
    with app.app_context():
        from pintu.data.models import AuditEntry

        assert AuditEntry.select().where(AuditEntry.action == "external_link.revoke").count() == 1


def test_resend_issues_a_new_link_and_revokes_the_old(app, client, cast):
    app_id = _inpassing_at_party(client, app)
    old = _link(app)
    login(client, "petugas@test.id")
    r = client.post(f"/petugas/permohonan/{app_id}/tautan-pihak-luar/kirim-ulang",
                    data={"version": get_application(app, app_id).version}, follow_redirects=True)
    assert f"Tautan baru dikirim ke {PTS_EMAIL}" in r.get_data(as_text=True)
    new = _link(app)
    assert new != old and len(mails_to(app, PTS_EMAIL)) == 2
    anon = app.test_client()
    assert anon.get(old).status_code == 410
    r, _ = _party_post(anon, new, file_surat_rekomendasi=pdf())
    assert r.status_code == 200 and get_application(app, app_id).step == "pengambilan"
    # Stored mails never hold the link in clear, and no token is stored in clear.
    with app.app_context():
        from pintu.data.models import AuditEntry, ExternalLink, OutgoingMail

        assert all("/pihak-luar/" not in m.body for m in OutgoingMail.select())
        token = new.rsplit("/", 1)[1]
        assert not ExternalLink.select().where(ExternalLink.token_hash == token).exists()
        assert AuditEntry.select().where(AuditEntry.action == "external_link.resend").count() == 1
    # An applicant cannot re-send or revoke.
    login(client, "dosen@test.id")
    assert client.post(f"/petugas/permohonan/{app_id}/tautan-pihak-luar/kirim-ulang",
                       data={"version": "1"}).status_code in (403, 404)


def test_nobody_with_an_account_acts_at_the_party_step(app, client, cast):
    app_id = _inpassing_at_party(client, app)
    version = get_application(app, app_id).version
    login(client, "dosen@test.id")
    r = client.post(f"/permohonan/{app_id}/tindakan", data={"action": "setuju", "version": version})
    assert r.status_code == 404
    login(client, "petugas@test.id")  # sees the application, may not act for the party
    assert act(client, app, app_id, "setuju").status_code == 422
    login(client, "pimpinan@test.id")  # no step of this service: does not even see it
    assert act(client, app, app_id, "setuju").status_code == 404
    assert get_application(app, app_id).step == "rekomendasi"


def test_the_published_standard_lists_the_party_and_its_documents(app, client, cast):
    page = client.get("/layanan/inpassing-uji").get_data(as_text=True)
    assert "Surat rekomendasi Pimpinan PTS (diunggah oleh Pimpinan PTS)" in page
    assert "Rekomendasi Pimpinan PTS (oleh Pimpinan PTS" in page


@pytest.mark.config(RATE_LIMIT_EXTERNAL_LINK=[2, 15])
def test_invalid_links_are_rate_limited(app, client):
    anon = app.test_client()
    assert [anon.get(f"/pihak-luar/salah{i}").status_code for i in range(3)] == [404, 404, 429]


# ---------------------------------------------------------------------------
# (b) The clock stops while the application waits outside the office
# ---------------------------------------------------------------------------

MONDAY = "2026-11-23T03:00:00"  # Monday 23-11-2026 10:00 WIB


@pytest.mark.config(CLOCK_NOW=MONDAY)
def test_a_pausing_step_moves_the_due_date_by_the_working_days_spent_there(app, client, cast):
    login(client, "dosen@test.id")
    app_id = app_id_of(client.post("/layanan/golongan-iv-uji/ajukan", data={"submit": "1"}))
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    application = get_application(app, app_id)
    assert application.step == "biro_sdm" and application.paused_since is not None
    due = application.due_date
    assert due == dt.date(2026, 11, 30)  # 5 working days after Monday 23-11
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "jam layanan dihentikan sementara" in page
    # Two weeks later (past the due date) it is still not late: the clock is paused.
    app.config["CLOCK_NOW"] = "2026-12-07T03:00:00"  # Monday 07-12, 10 working days later
    inbox = client.get("/petugas/?tab=terlambat").get_data(as_text=True)
    assert "Tidak ada permohonan pada tab ini." in inbox
    assert "jam layanan dihentikan sementara" in client.get("/petugas/").get_data(as_text=True)
    assert act(client, app, app_id, "diterima").status_code == 200
    application = get_application(app, app_id)
    assert application.paused_since is None
    assert application.due_date == dt.date(2026, 12, 14)  # 30-11 plus the 10 working days spent waiting
    assert "jam layanan dihentikan sementara" not in client.get(f"/permohonan/{app_id}").get_data(as_text=True)


@pytest.mark.config(CLOCK_NOW=MONDAY)
def test_the_clock_also_stops_while_a_party_outside_the_office_decides(app, client, cast):
    app_id = _inpassing_at_party(client, app)  # "lengkap" starts the clock and enters the party's step
    application = get_application(app, app_id)
    assert application.paused_since is not None and application.due_date == dt.date(2026, 12, 7)  # 10 days
    app.config["CLOCK_NOW"] = "2026-11-26T03:00:00"  # Thursday: 3 working days later
    r, _ = _party_post(app.test_client(), _link(app), file_surat_rekomendasi=pdf())
    assert r.status_code == 200
    application = get_application(app, app_id)
    assert application.paused_since is None and application.due_date == dt.date(2026, 12, 10)


# ---------------------------------------------------------------------------
# (c) Routing by data: staff scoped to the unit an application is routed to
# ---------------------------------------------------------------------------

def _routed(client, app, jurusan) -> int:
    login(client, "dosen@test.id")
    app_id = app_id_of(client.post("/layanan/surat-jurusan-uji/ajukan", data={"jurusan": jurusan, "submit": "1"}))
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    return app_id


def test_a_step_routed_by_data_reaches_only_the_staff_of_that_unit(app, client, cast, make_user):
    with app.app_context():
        from pintu.data.models import Unit

        assert {"teknik", "bahasa"} <= {u.key for u in Unit.select()}  # created from Step.units
    make_user("teknik@test.id", "verifikator", "teknik")
    make_user("bahasa@test.id", "verifikator", "bahasa")
    app_id = _routed(client, app, "teknik")
    row = f'href="/permohonan/{app_id}"'  # the inbox row of the application

    login(client, "bahasa@test.id")
    assert row not in client.get("/petugas/").get_data(as_text=True)
    assert client.get(f"/permohonan/{app_id}").status_code == 404
    assert act(client, app, app_id, "approve").status_code == 404
    with app.app_context():
        from pintu.data.models import Notification, User

        notified = {n.user.email for n in Notification.select().join(User).where(Notification.application == app_id)}
    assert "teknik@test.id" in notified and "bahasa@test.id" not in notified

    login(client, "teknik@test.id")
    assert row in client.get("/petugas/").get_data(as_text=True)
    # Applicants see the unit it went to.
    assert act(client, app, app_id, "approve").status_code == 200
    assert get_application(app, app_id).step == "pengambilan"
    login(client, "dosen@test.id")
    assert "oleh Teknik" in client.get(f"/permohonan/{app_id}").get_data(as_text=True)


def test_rebuild_refiles_routed_applications_in_their_unit(app, client, cast, make_user):
    make_user("bahasa@test.id", "verifikator", "bahasa")
    ids = [_routed(client, app, "bahasa"), _routed(client, app, "teknik")]
    with app.app_context():
        from pintu.engine import queues
        from pintu.data.models import Task

        before = sorted(Task.select(Task.application, Task.queue).tuples())
        queues.rebuild()
        assert sorted(Task.select(Task.application, Task.queue).tuples()) == before == sorted(
            [(ids[0], "surat-jurusan-uji/verifikator/bahasa"), (ids[1], "surat-jurusan-uji/verifikator/teknik")])


def test_inbox_of_a_routed_unit_costs_the_same_queries_for_1_and_6_applications(app, client, cast, make_user):
    make_user("teknik@test.id", "verifikator", "teknik")
    _routed(client, app, "teknik")
    _routed(client, app, "bahasa")
    login(client, "teknik@test.id")
    few = count_queries(client, "/petugas/")[0]
    for jurusan in ("teknik", "bahasa") * 2 + ("teknik",) * 3:
        _routed(client, app, jurusan)
    login(client, "teknik@test.id")
    many, page = count_queries(client, "/petugas/")
    assert many == few and page.count('href="/permohonan/') == 6
    outbox(app)


def test_demo_data_can_play_the_party_step(app, cast):
    """``pintu_demo_data`` hooks move applications through a party's step with ``pintu.AsParty``:
    the engine mails the link on entering the step and the party acts through it."""
    from pintu.demo import support
    from pintu.data.models import Event, ExternalLink, User

    with app.app_context():
        dosen = User.get(User.email == "dosen@test.id")
        petugas = User.get(User.email == "petugas@test.id")
        application = support.application(
            INPASSING, dosen, {"nidn": "1", "nama_pimpinan": "Dr. Siti", "email_pimpinan": PTS_EMAIL}, {},
            steps=[(petugas, "lengkap", ""),
                   (support.AsParty("Dr. Siti", "Rektor"), "setuju", "",
                    {"surat_rekomendasi": support.sample_pdf()})])
        assert application.step == "pengambilan"
        link = ExternalLink.get(ExternalLink.application == application.id)
        assert link.used_at is not None and link.email == PTS_EMAIL
        event = Event.get(Event.application == application.id, Event.action == "setuju")
        assert (event.party_name, event.party_capacity) == ("Dr. Siti", "Rektor")


def test_the_link_works_only_while_the_application_waits_at_its_step(app, client, cast):
    app_id = _inpassing_at_party(client, app)
    url = _link(app)
    login(client, "dosen@test.id")
    assert client.post(f"/permohonan/{app_id}/batal", data={"reason": "Tidak jadi"}).status_code == 302
    assert get_application(app, app_id).status == "cancelled"
    r = app.test_client().get(url)
    assert r.status_code == 410 and INVALID in r.get_data(as_text=True)
    with app.app_context():
        from pintu.data.models import ExternalLink

        assert ExternalLink.get(ExternalLink.application == app_id).revoked_at is not None


def test_without_the_party_address_no_link_is_sent_and_staff_are_told(app, client, cast):
    login(client, "dosen@test.id")
    app_id = app_id_of(client.post("/layanan/inpassing-uji/ajukan", data={
        "nidn": "1", "nama_pimpinan": "Dr. Siti", "email_pimpinan": "bukan-alamat", "submit": "1"}))
    login(client, "petugas@test.id")
    assert act(client, app, app_id, "lengkap").status_code == 200
    assert not any("/pihak-luar/" in m for m in outbox(app))
    page = client.get(f"/permohonan/{app_id}").get_data(as_text=True)
    assert "Alamat e-mail Pimpinan PTS belum diisi atau tidak valid" in page
    with app.app_context():
        from pintu.data.models import ExternalLink

        assert ExternalLink.select().count() == 0
