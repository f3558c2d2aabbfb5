"""Background jobs on a real Redis (CI sets ``PINTU_TEST_REDIS_URL``; see tests/services/setup.sh),
and the inline fallback when Redis is configured but down.

PostgreSQL needs no test of its own here: the ``app`` fixture runs every test on it too when
``PINTU_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os

import pytest

from pintu.testing import deliver_pending, login, outbox, pdf


def _private_db(url: str | None) -> str | None:
    """The same Redis, but a database number of this process's own (1-15), so that parallel test runs
    sharing one Redis do not empty or work off each other's queue."""
    if not url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{1 + os.getpid() % 15}"))


REDIS_URL = _private_db(os.environ.get("PINTU_TEST_REDIS_URL"))
FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}

needs_redis = pytest.mark.skipif(not REDIS_URL, reason="PINTU_TEST_REDIS_URL not set (no Redis to test against; "
                                                       "run tests/services/setup.sh to get one)")


def submit(client) -> int:
    r = client.post("/layanan/legalisir/ajukan", data={**FIELDS, "submit": "1", "file_ijazah": pdf(),
                                                       "file_transkrip": pdf()},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.location.split("/")[-1])


def mail_rows(app):
    with app.app_context():
        from pintu.data.models import OutgoingMail

        return [(m.to, m.status, m.attempts) for m in OutgoingMail.select().order_by(OutgoingMail.id)]


@pytest.fixture
def redis_queue(app):
    """The app's RQ queue, emptied before and after the test (the Redis is shared)."""
    with app.app_context():
        from pintu import jobs

        q = jobs.queue()
        q.empty()
    yield q
    q.empty()


@needs_redis
@pytest.mark.config(REDIS_URL=REDIS_URL)
def test_mail_job_goes_through_redis_and_worker(app, client, make_user, redis_queue):
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    app_id = submit(client)

    # Enqueued, not sent: the request did not wait for the mail.
    assert redis_queue.count == 1
    job = redis_queue.jobs[0]
    assert job.func_name == "pintu.notify.mail.deliver"
    assert mail_rows(app) == [("alumni@test.id", "pending", 0)]
    assert outbox(app) == []
    with app.app_context():
        from pintu.data.models import Application

        assert Application.get_by_id(app_id).status == "in_process"

    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert redis_queue.count == 0
    assert mail_rows(app) == [("alumni@test.id", "sent", 1)]
    mails = outbox(app)
    assert len(mails) == 1 and "Permohonan diajukan" in mails[0]


@needs_redis
@pytest.mark.config(REDIS_URL=REDIS_URL)
def test_password_reset_mail_through_worker_with_run_worker(app, client, make_user, redis_queue):
    from pintu import jobs

    make_user("a@test.id")
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    assert redis_queue.count == 1 and outbox(app) == []
    with app.app_context():
        jobs.run_worker(burst=True)
    assert len(outbox(app)) == 1 and "atur-sandi" in outbox(app)[0]


def test_worker_needs_redis_url(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL belum diatur" in result.output


@pytest.mark.config(REDIS_URL="redis://127.0.0.1:1/0")
def test_redis_down_sends_mail_from_the_app_process(app, client, make_user):
    """A Redis outage must neither lose mail nor block the request: the job goes to the app's own
    background runner (``deliver_pending`` stands in for its thread here)."""
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    app_id = submit(client)
    with app.app_context():
        from pintu.data.models import Application

        assert Application.get_by_id(app_id).status == "in_process"
    assert mail_rows(app) == [("alumni@test.id", "pending", 0)]
    assert deliver_pending(app) == 1
    assert mail_rows(app) == [("alumni@test.id", "sent", 1)]
    assert len(outbox(app)) == 1


@needs_redis
@pytest.mark.config(REDIS_URL=REDIS_URL)
def test_worker_sends_mail_whose_job_was_lost_with_redis(app, redis_queue):
    """A mail row left pending with no job (Redis restarted, or the app died before enqueuing) is
    sent by the worker's sweep, without retry-mail."""
    import datetime as dt

    with app.app_context():
        from pintu.data.models import OutgoingMail, utcnow

        OutgoingMail.create(to="a@test.id", subject="Tertinggal", body="isi",
                            created_at=utcnow() - dt.timedelta(hours=1))
    assert redis_queue.count == 0
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert mail_rows(app) == [("a@test.id", "sent", 1)]
    assert len(outbox(app)) == 1


def test_postgres_connections_are_pooled_one_per_request_or_less(app, make_user):
    """On PostgreSQL an app process keeps its connections in a pool: many requests in a row open
    one connection, not one each."""
    import os

    if not app.config["DATABASE_URL"].startswith("postgres"):
        pytest.skip("PostgreSQL only (PINTU_TEST_DATABASE_URL)")
    from playhouse.db_url import connect

    def backends() -> int:
        probe = connect(os.environ["PINTU_TEST_DATABASE_URL"])
        try:
            return probe.execute_sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND pid <> pg_backend_pid()").fetchone()[0]
        finally:
            probe.close()

    from pintu.data.db import database

    assert "Pooled" in type(database.obj).__name__
    client = app.test_client()
    client.get("/")  # the first request opens the pool's connection
    before = backends()
    for _ in range(20):
        assert client.get("/").status_code == 200
        assert client.get("/lacak").status_code == 200
    assert backends() - before <= 0


def test_postgres_pool_checks_a_connection_with_the_server_only_after_it_sat_idle(app, monkeypatch):
    """A pooled connection given back a moment ago is handed out again without a ``SELECT 1`` round
    trip (one per request otherwise); one idle longer than ``CHECK_AFTER`` is checked by the server,
    so a connection the server dropped meanwhile is replaced before a page uses it."""
    import os
    import time

    if not app.config["DATABASE_URL"].startswith("postgres"):
        pytest.skip("PostgreSQL only (PINTU_TEST_DATABASE_URL)")
    from playhouse.db_url import connect

    from pintu.data.db import PooledPostgres, database

    assert isinstance(database.obj, PooledPostgres)
    monkeypatch.setattr(PooledPostgres, "CHECK_AFTER", 0.3)
    probe = connect(os.environ["PINTU_TEST_DATABASE_URL"])

    def last_query(pid: int) -> str:
        return probe.execute_sql("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]

    try:
        with app.app_context():
            database.close()
            database.connect()
            pid = database.execute_sql("SELECT pg_backend_pid() /* pool test */").fetchone()[0]
            database.close()
            database.connect()  # given back just now: no round trip
            assert last_query(pid) == "SELECT pg_backend_pid() /* pool test */"
            database.close()
            time.sleep(0.5)
            database.connect()  # idle longer than CHECK_AFTER: the server is asked
            assert last_query(pid) == "SELECT 1"
            database.close()
            probe.execute_sql("SELECT pg_terminate_backend(%s)", [pid])
            time.sleep(0.5)
            database.connect()  # the dropped connection is noticed and replaced
            assert database.execute_sql("SELECT pg_backend_pid()").fetchone()[0] != pid
            database.close()
    finally:
        probe.close()
