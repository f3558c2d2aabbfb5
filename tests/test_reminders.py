"""SLA reminders (pintu.oversight.reminders): due-tomorrow mails to the staff of the step, escalation of
overdue work to the unit head and the pimpinan, the daily digest, exactly once per application,
kind and day (also under two concurrent runs), and internal targets for untimed services."""

from __future__ import annotations

import os
import threading

import pytest

from pintu import Service, Step, approve, hookimpl, standard_steps
from pintu.testing import act, login, mails_to, outbox, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}
# Monday 23 November 2026, 09:00 WIB: "lengkap" today gives legalisir (3 working days) Thursday 26.
MONDAY = "2026-11-23T02:00:00"
WEDNESDAY_0830 = "2026-11-25T01:30:00"


def submit_and_accept(app, applicant="alumni@test.id") -> int:
    client = app.test_client()
    login(client, applicant)
    r = client.post("/layanan/legalisir/ajukan", data={**FIELDS, "submit": "1", "file_ijazah": pdf("i.pdf"),
                                                       "file_transkrip": pdf("t.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    app_id = int(r.location.rstrip("/").split("/")[-1])
    petugas = app.test_client()
    login(petugas, "petugas@test.id")
    assert act(petugas, app, app_id, "lengkap").status_code == 200
    return app_id


def sla_check(app, day):
    result = app.test_cli_runner().invoke(args=["sla-check", "--date", day])
    assert result.exit_code == 0, result.output
    return result.output


def reminders_to(app, email):
    return [m for m in mails_to(app, email) if "Pengingat" in m or "Ringkasan harian" in m]


@pytest.fixture
def cast(app, make_user, staff):
    make_user("alumni@test.id", category="mahasiswa", name="Rina Alumni")
    return staff


@pytest.mark.config(CLOCK_NOW=MONDAY)
def test_due_tomorrow_mails_the_staff_of_the_step_once(app, cast):
    app_id = submit_and_accept(app)
    outbox(app)  # the workflow's own mails out of the way
    assert "Pengingat 2026-11-24: 0 baru" in sla_check(app, "2026-11-24")  # due Thursday: not yet
    assert "1 baru" in sla_check(app, "2026-11-25")  # Wednesday: due on the next working day
    mails = reminders_to(app, "akademik@test.id")
    assert len(mails) == 1 and "jatuh tempo" in mails[0] and "26-11-2026" in mails[0]
    assert f"/permohonan/{app_id}" in mails[0]
    assert reminders_to(app, "pimpinan@test.id") == []  # not late: no escalation
    assert "0 baru, 1 sudah dikirim" in sla_check(app, "2026-11-25")  # the job runs twice: nothing new
    assert len(reminders_to(app, "akademik@test.id")) == 1


@pytest.mark.config(CLOCK_NOW="2026-11-26T02:00:00")  # Thursday: legalisir due Tuesday 1 December
def test_friday_reminds_of_monday_and_weekends_send_nothing(app, cast):
    submit_and_accept(app)
    outbox(app)
    assert "bukan hari kerja" in sla_check(app, "2026-11-28")  # Saturday
    assert "1 baru" in sla_check(app, "2026-11-30")  # Monday: Tuesday is the next working day
    assert len(reminders_to(app, "akademik@test.id")) == 1


@pytest.mark.config(CLOCK_NOW=MONDAY)
def test_overdue_work_is_escalated_to_the_unit_head_and_the_pimpinan_each_day(app, cast, make_user):
    submit_and_accept(app)
    make_user("kabag@test.id", name="Kepala Bagian Akademik")
    runner = app.test_cli_runner()
    assert "kabag@test.id" in runner.invoke(args=["unit-head", "akademik", "kabag@test.id"]).output
    outbox(app)
    sla_check(app, "2026-11-27")  # Friday: one working day late
    for email in ("akademik@test.id", "kabag@test.id", "pimpinan@test.id"):
        mails = reminders_to(app, email)
        assert len(mails) == 1 and "LEWAT BATAS WAKTU" in mails[0], email
    assert "kepala unit" in reminders_to(app, "kabag@test.id")[0]
    assert "kepala unit" not in reminders_to(app, "akademik@test.id")[0]  # works the step: not escalated
    assert reminders_to(app, "kepeg@test.id") == [] and reminders_to(app, "petugas@test.id") == []
    sla_check(app, "2026-11-27")
    assert len(reminders_to(app, "pimpinan@test.id")) == 1
    sla_check(app, "2026-11-30")  # still late on Monday: escalated again, once
    assert len(reminders_to(app, "pimpinan@test.id")) == 2


@pytest.mark.config(CLOCK_NOW=MONDAY)
def test_daily_digest_replaces_one_mail_per_item(app, cast):
    first, second = submit_and_accept(app), submit_and_accept(app)
    verifier = app.test_client()
    login(verifier, "akademik@test.id")
    page = verifier.get("/profil").get_data(as_text=True)
    assert "ringkasan harian" in page
    r = verifier.post("/profil", data={"which": "reminders", "rem-reminder_digest": "y"})
    assert r.status_code == 302
    outbox(app)
    assert "1 ringkasan harian" in sla_check(app, "2026-11-25")
    mails = reminders_to(app, "akademik@test.id")
    assert len(mails) == 1 and "Ringkasan harian" in mails[0] and "2 permohonan" in mails[0]
    assert f"/permohonan/{first}" in mails[0] and f"/permohonan/{second}" in mails[0]
    sla_check(app, "2026-11-25")
    assert len(reminders_to(app, "akademik@test.id")) == 1
    # The applicant's profile offers no such choice.
    applicant = app.test_client()
    login(applicant, "alumni@test.id")
    assert "ringkasan harian" not in applicant.get("/profil").get_data(as_text=True)


@pytest.mark.config(CLOCK_NOW=MONDAY)
def test_two_concurrent_runs_send_each_reminder_once(app, cast):
    """Two workers at the same moment (threads, each with its own connection): the unique key of
    (application, kind, day) lets one of them make each reminder."""
    import datetime as dt

    from pintu.oversight import reminders

    ids = [submit_and_accept(app) for _ in range(4)]
    outbox(app)
    day = dt.date(2026, 11, 25)
    barrier, results, errors = threading.Barrier(2), [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                results.append(reminders.run(day))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(r.reminders for r in results) == len(ids)
    assert sum(r.skipped for r in results) == len(ids)
    mails = reminders_to(app, "akademik@test.id")
    assert len(mails) == len(ids)
    assert sorted(i for i in ids if any(f"/permohonan/{i}\n" in m or f"/permohonan/{i} " in m for m in mails)) == ids


class UntimedService:
    """A service whose standard gives no completion time (like pengaduan, gedung, peliputan)."""

    @hookimpl
    def pintu_services(self):
        return [Service(slug="tanpa-waktu", code="TW", title="Layanan Tanpa Waktu", category="Umum",
                        summary="Tanpa jangka waktu.",
                        steps=standard_steps(Step("periksa", "Pemeriksaan", role="pimpinan",
                                                  actions=[approve("Setujui")])))]


@pytest.mark.plugins(UntimedService())
@pytest.mark.config(CLOCK_NOW=MONDAY)
def test_untimed_services_are_counted_against_the_admins_internal_target(app, cast):
    admin = app.test_client()
    login(admin, "admin@test.id")
    page = admin.get("/admin/target-layanan").get_data(as_text=True)
    assert "Layanan Tanpa Waktu" in page and 'value="5"' in page  # the default: seed 004's pengaduan standard
    assert "Legalisir" not in page  # has a time in its standard
    bad = admin.post("/admin/target-layanan", data={"service": "tanpa-waktu", "days": "dua"})
    assert bad.status_code == 422 and "antara 1 dan 365" in bad.get_data(as_text=True)
    assert admin.post("/admin/target-layanan", data={"service": "tanpa-waktu", "days": "2"}).status_code == 302
    assert 'value="2"' in admin.get("/admin/target-layanan").get_data(as_text=True)

    client = app.test_client()
    login(client, "alumni@test.id")
    r = client.post("/layanan/tanpa-waktu/ajukan", data={"submit": "1"})
    app_id = int(r.location.rstrip("/").split("/")[-1])
    petugas = app.test_client()
    login(petugas, "petugas@test.id")
    act(petugas, app, app_id, "lengkap")
    from pintu.testing import get_application

    assert str(get_application(app, app_id).due_date) == "2026-11-25"  # Monday + 2 working days
    outbox(app)
    sla_check(app, "2026-11-26")
    assert len(reminders_to(app, "pimpinan@test.id")) == 1  # late: never "never late"


REDIS_URL = os.environ.get("PINTU_TEST_REDIS_URL")


@pytest.mark.config(CLOCK_NOW=MONDAY, SLA_CHECK_AT="08:00", SWEEP_SECONDS=0)
def test_the_daily_job_is_queued_once_per_process_and_day_from_the_sweep(app, cast):
    """Without Redis the periodic sweep queues the check on the app's own runner (its thread;
    ``run_pending`` stands in for it here)."""
    from pintu import jobs
    from pintu.oversight import reminders

    submit_and_accept(app)  # due Thursday
    outbox(app)
    app.config["CLOCK_NOW"] = WEDNESDAY_0830
    assert reminders.run_if_due(app) is True
    assert reminders.run_if_due(app) is False  # once per process and day
    with app.app_context():
        assert jobs.run_pending() >= 1  # the check, then the mail it queued
    assert len(reminders_to(app, "akademik@test.id")) == 1


@pytest.mark.config(CLOCK_NOW="2026-11-25T00:30:00", SLA_CHECK_AT="08:00", SWEEP_SECONDS=0)  # 07:30 WIB
def test_the_daily_job_waits_for_its_hour(app, cast):
    from pintu.oversight import reminders

    assert reminders.run_if_due(app) is False


@pytest.mark.config(CLOCK_NOW=WEDNESDAY_0830, SLA_CHECK_AT="08:00", SWEEP_SECONDS=3600)
def test_the_daily_job_is_not_queued_by_the_sweep_at_process_start(app, cast):
    from pintu.oversight import reminders

    assert reminders.run_if_due(app) is False  # the first sweep: the process just started


@pytest.mark.skipif(not REDIS_URL, reason="PINTU_TEST_REDIS_URL not set (no Redis to test against)")
@pytest.mark.config(CLOCK_NOW=MONDAY, SLA_CHECK_AT="08:00", REDIS_URL=REDIS_URL, SWEEP_SECONDS=0)
def test_the_daily_job_runs_on_an_rq_worker(app, cast):
    from pintu import jobs
    from pintu.oversight import reminders

    with app.app_context():
        queue = jobs.queue()
        queue.empty()
    submit_and_accept(app)
    with app.app_context():
        queue.empty()  # the workflow's own mails: left to the sweep of the worker
    app.config["CLOCK_NOW"] = WEDNESDAY_0830
    assert reminders.run_if_due(app) is True
    assert [j.func_name for j in queue.jobs] == ["pintu.oversight.reminders.run_job"]
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert len(reminders_to(app, "akademik@test.id")) == 1
    queue.empty()


@pytest.mark.config(CLOCK_NOW=WEDNESDAY_0830, SLA_CHECK_AT="08:00", SWEEP_SECONDS=0)
def test_the_daily_job_is_queued_by_one_process_of_the_deployment(app, cast):
    """Every app process (gunicorn worker) sweeps, but only the first of the day queues the check: at a
    million open files a check that finds nothing new still reads for half a minute."""
    from pintu import create_app
    from pintu.oversight import reminders

    other = create_app({k: v for k, v in app.config.items() if k.isupper()})  # a second worker, same database
    assert reminders.run_if_due(app) is True
    assert reminders.run_if_due(other) is False  # the other worker: today's check is taken
    for worker in (app, other):
        worker.config["CLOCK_NOW"] = "2026-11-26T01:30:00"  # the next day, 08:30 WIB
    assert reminders.run_if_due(other) is True  # whoever comes first takes the new day
    assert reminders.run_if_due(app) is False
    assert app.test_cli_runner().invoke(args=["sla-check"]).exit_code == 0  # by hand or cron: always runs
