"""The workflow through HTTP: concurrent staff actions, claiming, internal notes, the working-day
clock, cancelling, and the staff inbox (tabs, service filter, htmx partial)."""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest

from pintu import Service, Step, approve, hookimpl, refuse
from pintu.testing import login, outbox, pdf
from pintu.engine.workingdays import add_working_days, is_working_day

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
HTMX = {"HX-Request": "true", "HX-Target": "kerja"}
JAKARTA = ZoneInfo("Asia/Jakarta")  # the default TIMEZONE


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def submit_legalisir(client, email="alumni@test.id") -> int:
    login(client, email)
    r = client.post("/layanan/legalisir/ajukan", data={**FIELDS, "submit": "1", "file_ijazah": pdf("ijazah.pdf"),
                                                       "file_transkrip": pdf("transkrip.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    return int(r.location.rstrip("/").split("/")[-1])


def version_on_page(page: str) -> str:
    m = re.search(r'name="version" value="(\d+)"', page)
    assert m, "no version field on the page"
    return m.group(1)


def act(client, app_id, action, version, **extra):
    return client.post(f"/petugas/permohonan/{app_id}/aksi", data={"action": action, "version": version, **extra},
                       headers=HTMX)


def application(app, app_id):
    with app.app_context():
        from pintu.data.models import Application

        return Application.get_by_id(app_id)


def events(app, app_id, **where):
    with app.app_context():
        from pintu.data.models import Event

        rows = Event.select().where(Event.application == app_id).order_by(Event.id)
        return [e for e in rows if all(getattr(e, k) == v for k, v in where.items())]


@pytest.fixture
def cast(app, make_user, staff):
    make_user("alumni@test.id", category="mahasiswa", name="Rina Alumni")
    make_user("sari@test.id", "petugas", name="Sari Petugas")
    make_user("tono@test.id", "petugas", name="Tono Petugas")
    return staff


# ---------------------------------------------------------------------------
# Two staff, one version
# ---------------------------------------------------------------------------

def test_concurrent_approval_conflict(app, cast):
    app_id = submit_legalisir(app.test_client())
    sari, tono = app.test_client(), app.test_client()
    login(sari, "sari@test.id")
    login(tono, "tono@test.id")
    v_sari = version_on_page(text(sari.get(f"/permohonan/{app_id}")))
    v_tono = version_on_page(text(tono.get(f"/permohonan/{app_id}")))
    assert v_sari == v_tono

    first = act(sari, app_id, "lengkap", v_sari)
    assert first.status_code == 200, text(first)
    second = act(tono, app_id, "return", v_tono, note="Scan buram")
    assert second.status_code == 409
    body = text(second)
    assert "sudah diproses oleh Sari Petugas" in body
    assert "<html" not in body  # an htmx fragment

    assert len(events(app, app_id, kind="forward")) == 1
    assert events(app, app_id, kind="return") == []
    current = application(app, app_id)
    assert current.step == "verifikasi" and current.status == "in_process"


def test_same_action_twice_from_same_page_conflicts(app, cast):
    """A double click (or a retried request) does not act twice."""
    app_id = submit_legalisir(app.test_client())
    sari = app.test_client()
    login(sari, "sari@test.id")
    version = version_on_page(text(sari.get(f"/permohonan/{app_id}")))
    assert act(sari, app_id, "lengkap", version).status_code == 200
    again = act(sari, app_id, "lengkap", version)
    assert again.status_code == 409
    assert "sudah diproses oleh Sari Petugas" in text(again)
    assert len(events(app, app_id, kind="forward")) == 1


def test_action_by_wrong_role_refused(app, cast):
    app_id = submit_legalisir(app.test_client())
    akademik = app.test_client()
    login(akademik, "akademik@test.id")  # Bagian Akademik acts at "verifikasi", not at "kelengkapan"
    page = text(akademik.get(f"/permohonan/{app_id}"))
    assert page and 'name="action"' not in page  # no action buttons offered at this step
    version = str(application(app, app_id).version)
    r = act(akademik, app_id, "lengkap", version)
    assert r.status_code == 422
    assert "tidak berwenang" in text(r)
    assert application(app, app_id).step == "kelengkapan"


def test_return_requires_note(app, cast):
    app_id = submit_legalisir(app.test_client())
    sari = app.test_client()
    login(sari, "sari@test.id")
    version = str(application(app, app_id).version)
    r = act(sari, app_id, "return", version, note="  ", internal_note="tidak terbaca")
    assert r.status_code == 422
    page = text(r)
    assert "Catatan untuk pemohon wajib diisi." in page
    assert "tidak terbaca" in page  # what was typed is kept
    assert application(app, app_id).status == "in_process"
    r = act(sari, app_id, "refuse", version)
    assert r.status_code == 422 and "Alasan wajib diisi." in text(r)


# ---------------------------------------------------------------------------
# Claiming
# ---------------------------------------------------------------------------

def test_claim(app, cast):
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    sari, tono = app.test_client(), app.test_client()
    login(sari, "sari@test.id")
    login(tono, "tono@test.id")
    version = version_on_page(text(sari.get(f"/permohonan/{app_id}")))
    assert "Tangani (klaim)" in text(tono.get(f"/permohonan/{app_id}"))

    r = sari.post(f"/petugas/permohonan/{app_id}/klaim", data={"version": version}, headers=HTMX)
    assert r.status_code == 200, text(r)
    assert "Ditangani: Sari Petugas" in text(r)
    assert "Tangani (klaim)" not in text(r)
    assert application(app, app_id).assignee.name == "Sari Petugas"

    # Tono claims from the stale page: conflict, Sari keeps it.
    r = tono.post(f"/petugas/permohonan/{app_id}/klaim", data={"version": version}, headers=HTMX)
    assert r.status_code == 409
    assert "sudah diproses oleh Sari Petugas" in text(r)
    assert application(app, app_id).assignee.name == "Sari Petugas"

    sari_inbox = text(sari.get("/petugas/?tab=saya"))
    assert counts(sari_inbox)["saya"] == 1
    assert counts(sari_inbox)["baru"] == 0
    assert counts(text(tono.get("/petugas/")))["saya"] == 0

    # Claiming is staff business: the applicant neither sees it nor gets mail about it.
    page = text(applicant.get(f"/permohonan/{app_id}"))
    assert "Mulai ditangani" not in page and "Sari Petugas" not in page
    assert len(outbox(app)) == 1  # the submission only

    # Moving on to another step releases the claim.
    act(sari, app_id, "lengkap", str(application(app, app_id).version))
    assert application(app, app_id).assignee is None


def test_unrelated_staff_cannot_claim(app, cast):
    app_id = submit_legalisir(app.test_client())
    akademik = app.test_client()
    login(akademik, "akademik@test.id")
    r = akademik.post(f"/petugas/permohonan/{app_id}/klaim", data={"version": application(app, app_id).version},
                      headers=HTMX)
    assert r.status_code == 422
    assert application(app, app_id).assignee is None


# ---------------------------------------------------------------------------
# Internal notes
# ---------------------------------------------------------------------------

def test_internal_notes_never_reach_the_applicant(app, cast):
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    sari, akademik = app.test_client(), app.test_client()
    login(sari, "sari@test.id")
    login(akademik, "akademik@test.id")
    r = act(sari, app_id, "lengkap", str(application(app, app_id).version),
            note="Berkas diterima lengkap", internal_note="RAHASIA-ULT cek ke arsip lama")
    assert r.status_code == 200
    r = act(akademik, app_id, "return", str(application(app, app_id).version),
            note="Mohon unggah scan berwarna", internal_note="RAHASIA-AKADEMIK nomor seri ganda")
    assert r.status_code == 200

    staff_page = text(akademik.get(f"/permohonan/{app_id}"))
    assert "RAHASIA-ULT" in staff_page and "RAHASIA-AKADEMIK" in staff_page
    assert "RAHASIA-ULT" in text(sari.get(f"/permohonan/{app_id}"))

    page = text(applicant.get(f"/permohonan/{app_id}"))
    assert "Berkas diterima lengkap" in page and "Mohon unggah scan berwarna" in page
    assert "RAHASIA" not in page
    assert "Sari Petugas" not in page  # applicants see the role, not the officer
    mails = outbox(app)
    assert len(mails) == 3  # submitted, lengkap, returned
    assert any("Mohon unggah scan berwarna" in m for m in mails)
    assert not any("RAHASIA" in m for m in mails)
    for path in ("/permohonan-saya", f"/permohonan/{app_id}/ubah", "/notifikasi"):
        assert "RAHASIA" not in text(applicant.get(path)), path
    with app.app_context():
        from pintu.data.models import Application

        a = Application.get_by_id(app_id)
    track = text(app.test_client().get("/lacak", query_string={"reference": a.reference, "code": a.tracking_code}))
    assert "RAHASIA" not in track


# ---------------------------------------------------------------------------
# The working-day clock
# ---------------------------------------------------------------------------

def test_working_day_arithmetic():
    # Friday 14 Aug 2026; Monday 17 Aug is Independence Day.
    friday = dt.date(2026, 8, 14)
    assert friday.weekday() == 4
    assert add_working_days(friday, 1) == dt.date(2026, 8, 18)
    assert add_working_days(friday, 3) == dt.date(2026, 8, 20)
    # An institution's own day off (cuti bersama) counts as a holiday too.
    assert add_working_days(friday, 1, ["2026-08-18"]) == dt.date(2026, 8, 19)
    # Monday + 3 = Thursday; the starting day itself does not count.
    assert add_working_days(dt.date(2026, 11, 23), 3) == dt.date(2026, 11, 26)
    # Over a weekend: Thursday + 3 = Tuesday.
    assert add_working_days(dt.date(2026, 11, 26), 3) == dt.date(2026, 12, 1)
    # Christmas (Friday 25 Dec 2026) is skipped.
    assert add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
    assert not is_working_day(dt.date(2026, 8, 17))
    assert not is_working_day(dt.date(2026, 8, 15))
    assert is_working_day(dt.date(2026, 8, 18))


def local_date(moment: dt.datetime) -> dt.date:
    """The institution's calendar day of a stored (naive UTC) moment: days are counted in local time."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(JAKARTA).date()


def _next_working_days(n: int) -> list[str]:
    day, out = dt.datetime.now(JAKARTA).date(), []
    while len(out) < n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            out.append(day.isoformat())
    return out


EXTRA = _next_working_days(2)


@pytest.mark.config(EXTRA_HOLIDAYS=EXTRA)
def test_due_date_set_when_lengkap(app, cast):
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    submitted = application(app, app_id)
    assert submitted.due_date is None and submitted.clock_started_at is None
    assert "Dihitung sejak" not in text(applicant.get(f"/permohonan/{app_id}"))

    sari = app.test_client()
    login(sari, "sari@test.id")
    assert act(sari, app_id, "lengkap", str(submitted.version)).status_code == 200
    a = application(app, app_id)
    started = local_date(a.clock_started_at)
    # Legalisir: 3 working days, with the institution's extra holidays skipped.
    assert a.due_date == add_working_days(started, 3, EXTRA)
    assert a.due_date > add_working_days(started, 3)
    assert a.due_date.isoformat() not in EXTRA
    page = text(applicant.get(f"/permohonan/{app_id}"))
    months = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
    assert f"{a.due_date.day} {months[a.due_date.month - 1]} {a.due_date.year}" in page
    assert "3 hari kerja lagi" in page  # shown as working days left
    assert a.due_date.strftime("%d-%m-%Y") in outbox(app)[-1]

    # The clock keeps running on the next step and does not restart.
    akademik = app.test_client()
    login(akademik, "akademik@test.id")
    assert act(akademik, app_id, "legalised", str(a.version)).status_code == 200
    assert application(app, app_id).due_date == a.due_date


def test_return_stops_the_clock(app, cast):
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    sari = app.test_client()
    login(sari, "sari@test.id")
    act(sari, app_id, "lengkap", str(application(app, app_id).version))
    assert application(app, app_id).due_date is not None
    akademik = app.test_client()
    login(akademik, "akademik@test.id")
    act(akademik, app_id, "return", str(application(app, app_id).version), note="Scan ulang")
    a = application(app, app_id)
    assert a.status == "returned" and a.due_date is None and a.clock_started_at is None


@pytest.mark.config(CLOCK_NOW="2026-11-25T03:00:00")  # Wednesday 25-11-2026 10:00 WIB
def test_a_returned_and_resubmitted_application_is_counted_from_the_new_lengkap(app, cast):
    """Legalisir: maksimal 3 hari kerja, counted from "lengkap dan benar". Returned, the clock
    stops; resubmitted and declared complete again twelve days later, it counts from then."""
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    sari = app.test_client()
    login(sari, "sari@test.id")
    act(sari, app_id, "lengkap", str(application(app, app_id).version))
    assert application(app, app_id).due_date == dt.date(2026, 11, 30)  # Wed + 3 working days
    akademik = app.test_client()
    login(akademik, "akademik@test.id")
    act(akademik, app_id, "return", str(application(app, app_id).version), note="Scan ulang")
    app.config["CLOCK_NOW"] = "2026-12-07T02:00:00"  # Monday 07-12-2026 09:00 WIB
    page = text(applicant.get(f"/permohonan/{app_id}/ubah"))
    r = applicant.post(f"/permohonan/{app_id}/ubah", data={**FIELDS, "submit": "1", "version": version_on_page(page),
                                                          "file_ijazah": pdf("ijazah-baru.pdf")},
                       content_type="multipart/form-data")
    assert r.status_code == 302, text(r)[:500]
    assert application(app, app_id).due_date is None  # not counting until it is complete again
    act(sari, app_id, "lengkap", str(application(app, app_id).version))
    assert application(app, app_id).due_date == dt.date(2026, 12, 10)  # Mon + 3 working days


# ---------------------------------------------------------------------------
# Cancelling
# ---------------------------------------------------------------------------

def test_applicant_cancel_frees_the_inbox(app, cast):
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    reference = application(app, app_id).reference
    sari = app.test_client()
    login(sari, "sari@test.id")
    inbox = text(sari.get("/petugas/"))
    assert reference in inbox and counts(inbox)["tugas"] == 1

    page = text(applicant.get(f"/permohonan/{app_id}"))
    assert "Batalkan permohonan" in page
    r = applicant.post(f"/permohonan/{app_id}/batal", data={"version": version_on_page(page)})
    assert r.status_code == 302
    a = application(app, app_id)
    assert a.status == "cancelled" and a.step is None and a.closed_at is not None
    assert "Dibatalkan" in text(applicant.get(f"/permohonan/{app_id}"))

    inbox = text(sari.get("/petugas/"))
    assert reference not in inbox and counts(inbox)["tugas"] == 0
    # Staff can no longer act on it.
    r = act(sari, app_id, "lengkap", str(a.version))
    assert r.status_code == 422
    assert application(app, app_id).status == "cancelled"
    assert [e.kind for e in events(app, app_id)] == ["submitted", "cancel"]


def test_cancel_not_possible_once_ready(app, cast):
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    sari, akademik = app.test_client(), app.test_client()
    login(sari, "sari@test.id")
    login(akademik, "akademik@test.id")
    act(sari, app_id, "lengkap", str(application(app, app_id).version))
    act(akademik, app_id, "legalised", str(application(app, app_id).version))
    a = application(app, app_id)
    assert a.status == "ready"
    page = text(applicant.get(f"/permohonan/{app_id}"))
    assert "Batalkan permohonan" not in page
    r = applicant.post(f"/permohonan/{app_id}/batal", data={"version": a.version})
    assert "tidak dapat dibatalkan" in text(applicant.get(r.location))
    assert application(app, app_id).status == "ready"


def test_cancel_from_stale_page_does_not_cancel(app, cast):
    applicant = app.test_client()
    app_id = submit_legalisir(applicant)
    stale = version_on_page(text(applicant.get(f"/permohonan/{app_id}")))
    sari = app.test_client()
    login(sari, "sari@test.id")
    act(sari, app_id, "lengkap", stale)
    applicant.post(f"/permohonan/{app_id}/batal", data={"version": stale})
    assert application(app, app_id).status == "in_process"


# ---------------------------------------------------------------------------
# The inbox
# ---------------------------------------------------------------------------

class OtherService:
    """A second service, so that filtering by service has something to filter out."""

    @hookimpl
    def pintu_services(self):
        return [Service(
            slug="surat-aktif", title="Surat Keterangan Aktif", category="Akademik", summary="Surat aktif.",
            code="SKA",
            steps=[Step("periksa", "Pemeriksaan oleh ULT", role="petugas",
                        actions=[approve("Terbitkan", "terbit"), refuse()])])]


def counts(page: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(
        r'href="/petugas/\?tab=(\w+)[^"]*"[^>]*>[^<]*<span class="count">(\d+)</span>', page)}


def rows(page: str) -> list[str]:
    return re.findall(r"\b([A-Z]{2,4}-\d{4}-\d{5})\b", page)


@pytest.mark.plugins(OtherService())
def test_inbox_tabs_filter_and_htmx_partial(app, cast):
    refs = {}
    applicant = app.test_client()
    for i in range(2):
        refs[f"lgs{i}"] = application(app, submit_legalisir(applicant)).reference
    r = applicant.post("/layanan/surat-aktif/ajukan", data={"submit": "1"}, content_type="multipart/form-data")
    assert r.status_code == 302, text(r)
    refs["ska"] = application(app, int(r.location.split("/")[-1])).reference
    assert refs["ska"].startswith("SKA-")

    sari = app.test_client()
    login(sari, "sari@test.id")
    page = text(sari.get("/petugas/"))
    assert counts(page) == {"tugas": 3, "baru": 3, "saya": 0, "terlambat": 0}
    assert sorted(rows(page)) == sorted(refs.values())

    # Claim one legalisir application.
    lgs0 = application(app, submit_id(app, refs["lgs0"]))
    sari.post(f"/petugas/permohonan/{lgs0.id}/klaim", data={"version": lgs0.version}, headers=HTMX)
    page = text(sari.get("/petugas/"))
    assert counts(page) == {"tugas": 3, "baru": 2, "saya": 1, "terlambat": 0}
    assert rows(text(sari.get("/petugas/?tab=saya"))) == [refs["lgs0"]]
    assert sorted(rows(text(sari.get("/petugas/?tab=baru")))) == sorted([refs["lgs1"], refs["ska"]])

    # Filter by service.
    page = text(sari.get("/petugas/?tab=baru&layanan=legalisir"))
    assert rows(page) == [refs["lgs1"]]
    assert counts(page) == {"tugas": 2, "baru": 1, "saya": 1, "terlambat": 0}
    assert rows(text(sari.get("/petugas/?tab=tugas&layanan=surat-aktif"))) == [refs["ska"]]
    assert "<html" in page

    # htmx swaps only the list.
    r = sari.get("/petugas/?tab=baru&layanan=legalisir", headers={"HX-Request": "true", "HX-Target": "inbox"})
    assert r.status_code == 200
    partial = text(r)
    assert "<html" not in partial and "<body" not in partial
    assert rows(partial) == [refs["lgs1"]]
    assert counts(partial) == {"tugas": 2, "baru": 1, "saya": 1, "terlambat": 0}

    # Overdue: a due date in the past puts it in "terlambat".
    with app.app_context():
        from pintu.data.models import Application

        from pintu.engine import queues

        Application.update(due_date=dt.date.today() - dt.timedelta(days=3)).where(
            Application.reference == refs["lgs1"]).execute()
        queues.sync(Application.get(Application.reference == refs["lgs1"]))  # changed outside the engine
    page = text(sari.get("/petugas/?tab=terlambat"))
    assert rows(page) == [refs["lgs1"]] and counts(page)["terlambat"] == 1
    assert "terlambat" in page

    # Another role sees its own queue only.
    akademik = app.test_client()
    login(akademik, "akademik@test.id")
    assert counts(text(akademik.get("/petugas/")))["tugas"] == 0
    sari.post(f"/petugas/permohonan/{lgs0.id}/aksi", data={"action": "lengkap", "version": lgs0.version + 1},
              headers=HTMX)
    assert rows(text(akademik.get("/petugas/"))) == [refs["lgs0"]]
    assert refs["lgs0"] not in rows(text(sari.get("/petugas/")))


def submit_id(app, reference) -> int:
    with app.app_context():
        from pintu.data.models import Application

        return Application.get(Application.reference == reference).id


def test_inbox_forbidden_for_applicants(app, cast):
    client = app.test_client()
    login(client, "alumni@test.id")
    assert client.get("/petugas/").status_code == 403


def test_staff_cannot_process_their_own_application(app, cast):
    """A petugas who is also an applicant applies like anybody else; a colleague must process it."""
    own = app.test_client()
    app_id = submit_legalisir(own, "sari@test.id")
    version = str(application(app, app_id).version)
    page = text(own.get(f"/permohonan/{app_id}"))
    assert 'name="action"' not in page and "Tangani (klaim)" not in page
    r = act(own, app_id, "lengkap", version)
    assert r.status_code == 422
    r = own.post(f"/petugas/permohonan/{app_id}/klaim", data={"version": version}, headers=HTMX)
    assert r.status_code == 422
    assert application(app, app_id).version == int(version)
    assert events(app, app_id, kind="forward") == []
    assert application(app, app_id).reference not in text(own.get("/petugas/"))

    tono = app.test_client()
    login(tono, "tono@test.id")
    assert act(tono, app_id, "lengkap", version).status_code == 200
    assert application(app, app_id).step == "verifikasi"


def _timezone_off_the_server_date() -> str:
    """A zone whose calendar day differs from the server's right now (one of UTC+14 / UTC-12 always does)."""
    for name in ("Etc/GMT-14", "Etc/GMT+12"):
        if dt.datetime.now(ZoneInfo(name)).date() != dt.date.today():
            return name
    raise AssertionError("unreachable")


OFF_ZONE = _timezone_off_the_server_date()


@pytest.mark.config(TIMEZONE=OFF_ZONE)
def test_overdue_tab_counts_days_in_the_institution_timezone(app, cast):
    """Due dates are set and shown in local days, so "terlambat" must use the local day too."""
    applicant = app.test_client()
    late_id, due_today_id = submit_legalisir(applicant), submit_legalisir(applicant)
    local_today = dt.datetime.now(ZoneInfo(OFF_ZONE)).date()
    with app.app_context():
        from pintu.data.models import Application

        Application.update(due_date=local_today - dt.timedelta(days=1)).where(Application.id == late_id).execute()
        Application.update(due_date=local_today).where(Application.id == due_today_id).execute()
        from pintu.engine import queues

        queues.sync(late_id), queues.sync(due_today_id)  # changed outside the engine
    sari = app.test_client()
    login(sari, "sari@test.id")
    page = text(sari.get("/petugas/?tab=terlambat"))
    assert rows(page) == [application(app, late_id).reference]
    assert counts(page)["terlambat"] == 1


def test_staff_acting_at_the_same_moment_never_meet_a_locked_database(app, client, staff, make_user):
    """Eight officers declare eight applications complete at once (separate connections). The action's
    transaction reads (the service's settings, the institution's calendar) before it writes; on SQLite
    a deferred transaction cannot then take the write lock while another writes ("database is locked",
    a 500 under load in `make bench`). The engine takes the write lock first (pintu.data.db.write_transaction)."""
    import threading

    from pintu import perform
    from pintu.data.db import database
    from pintu.data.models import Application, User
    from pintu.testing import app_id_of, login, pdf

    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    fields = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
              "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut", "submit": "1"}
    ids = [app_id_of(client.post("/layanan/legalisir/ajukan", data={
        **fields, "file_ijazah": pdf("i.pdf"), "file_transkrip": pdf("t.pdf")}, content_type="multipart/form-data"))
        for _ in range(8)]
    barrier, errors = threading.Barrier(len(ids)), []

    def act(app_id):
        try:
            with app.app_context():
                officer = User.get(User.email == "petugas@test.id")
                application = Application.get_by_id(app_id)
                barrier.wait(timeout=10)
                perform(application, officer, "lengkap")
                database.close()
        except Exception as exc:  # collected: the assertion shows them
            errors.append(repr(exc))

    threads = [threading.Thread(target=act, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    with app.app_context():
        from pintu.data.models import TaskTally

        assert {a.step for a in Application.select().where(Application.id.in_(ids))} == {"verifikasi"}
        # The inbox's tallies, changed by every transaction at once (the same two rows), add up.
        tallies = {(t.queue, t.assignee): t.n for t in TaskTally.select()}
        assert tallies == {("legalisir/verifikator/akademik", 0): 8}, tallies


def test_a_change_inside_another_sends_its_mails_only_after_the_outer_commit(app):
    """A hand-over performs the pickup inside its own change; the last disposition answer moves the
    application on inside its change: the inner change's mails wait for the outer commit, and go
    nowhere when the outer change fails."""
    from pintu import jobs
    from pintu.engine.unit_of_work import unit_of_work

    queued = jobs.runner(app).jobs
    with app.app_context():
        with pytest.raises(RuntimeError):
            with unit_of_work() as outer:
                with unit_of_work() as inner:
                    assert inner is outer
                    inner.mails.append(424242)
                assert queued.empty()  # not at the inner change's end
                raise RuntimeError("the outer change fails")
        assert queued.empty()
        with unit_of_work() as outer:
            with unit_of_work() as inner:
                inner.mails.append(424242)
            assert queued.empty()
        assert queued.qsize() == 1  # sent after the outer commit
