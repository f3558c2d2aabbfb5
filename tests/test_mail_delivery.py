"""Mail delivery never holds a request: a hung SMTP server, retries with back-off, the sweep that
picks up mail left by a crash, one send per mail however many processes try, the Date and
Message-ID headers, and the sweep of orphaned ``.part`` uploads.

The SMTP servers are real: a socket that accepts and never answers (hung), and ``aiosmtpd`` (sink).
"""

from __future__ import annotations

import email
import email.utils
import os
import socket
import threading
import time
from email import policy

import pytest

from pintu.testing import deliver_pending, login, outbox, pdf

FIELDS = {"nim": "E31170042", "program_studi": "Teknik Informatika", "tahun_lulus": "2020",
          "jumlah_ijazah": "2", "jumlah_transkrip": "1", "keperluan": "studi_lanjut"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hung_smtp():
    """A TCP server that accepts connections and never says a word (no SMTP greeting)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def smtp_sink():
    """A real SMTP server (aiosmtpd) that keeps what it receives: ``sink.port``, ``sink.messages``."""
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.messages: list[email.message.EmailMessage] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    sink = Sink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


def wait_for(condition, seconds=60):
    """Wait for a background thread to reach a state (a bound on waiting, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def submit(client) -> int:
    r = client.post("/layanan/legalisir/ajukan", data={**FIELDS, "submit": "1", "file_ijazah": pdf(),
                                                       "file_transkrip": pdf()},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return int(r.location.split("/")[-1])


def rows(app):
    with app.app_context():
        from pintu.data.models import OutgoingMail

        return [(m.to, m.status, m.attempts) for m in OutgoingMail.select().order_by(OutgoingMail.id)]


def only_row(app):
    with app.app_context():
        from pintu.data.models import OutgoingMail

        [row] = OutgoingMail.select()
        return row


@pytest.mark.config(SMTP_HOST="127.0.0.1", MAIL_TIMEOUT=1, MAIL_RETRY_DELAYS=[0, 0, 0],
                    MAIL_FROM="PINTU Polije <layanan@polije.ac.id>")
def test_hung_smtp_server_neither_holds_the_submission_nor_loses_the_mail(app, client, make_user, hung_smtp,
                                                                          smtp_sink):
    app.config["SMTP_PORT"] = hung_smtp
    make_user("alumni@test.id", category="mahasiswa", name="Rina Alumni")
    login(client, "alumni@test.id")
    submit(client)  # 302: saved and answered without a word with the mail server
    assert rows(app) == [("alumni@test.id", "pending", 0)]

    # The delivery attempt (the background thread's work) runs into the timeout and is scheduled again.
    assert deliver_pending(app) == 0
    row = only_row(app)
    assert row.status == "retry" and row.attempts >= 1
    assert "timed out" in row.last_error or "Timeout" in row.last_error
    assert row.next_attempt_at is not None

    # The server is repaired: the next sweep sends it, once.
    app.config["SMTP_PORT"] = smtp_sink.port
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "E-mail terkirim: 1" in result.output
    assert [(to, status) for to, status, _ in rows(app)] == [("alumni@test.id", "sent")]
    assert len(smtp_sink.messages) == 1
    message = smtp_sink.messages[0]
    assert message["To"] == "alumni@test.id" and "Permohonan diajukan" in message["Subject"]
    assert message["Message-ID"].endswith("@polije.ac.id>")
    assert email.utils.parsedate_to_datetime(message["Date"]).utcoffset().total_seconds() == 7 * 3600
    app.test_cli_runner().invoke(args=["sweep"])
    assert len(smtp_sink.messages) == 1


@pytest.mark.config(SMTP_HOST="127.0.0.1", MAIL_TIMEOUT=1, MAIL_RETRY_DELAYS=[0, 0], BACKGROUND_JOBS=True,
                    SWEEP_SECONDS=0.2)
def test_background_thread_sends_after_the_response_and_retries(app, client, make_user, hung_smtp, smtp_sink):
    from pintu import jobs

    app.config["SMTP_PORT"] = hung_smtp
    make_user("alumni@test.id", category="mahasiswa")
    login(client, "alumni@test.id")
    try:
        submit(client)
        # The request is over while the thread still waits on the hung server (or has not begun).
        assert only_row(app).status in ("pending", "sending")
        # The thread's attempt times out and is recorded as a retry ...
        wait_for(lambda: only_row(app).status == "retry")
        assert "timed out" in only_row(app).last_error
        # ... and once the server answers, its next periodic sweep sends it.
        app.config["SMTP_PORT"] = smtp_sink.port
        wait_for(lambda: only_row(app).status == "sent")
    finally:
        jobs.runner(app).stop()
    row = only_row(app)
    assert row.status == "sent" and row.attempts >= 2, row.last_error
    assert len(smtp_sink.messages) == 1


def test_mail_left_pending_by_a_crash_is_sent_by_the_sweep(app):
    """Rows the process died with: never dispatched, and mid-send past the lease. A row another
    process is sending right now (lease running) is left alone."""
    import datetime as dt

    with app.app_context():
        from pintu.data.models import OutgoingMail, utcnow

        long_ago = utcnow() - dt.timedelta(hours=2)
        OutgoingMail.create(to="a@test.id", subject="Tertinggal", body="isi", created_at=long_ago)
        OutgoingMail.create(to="b@test.id", subject="Terputus", body="isi", status="sending", attempts=1,
                            next_attempt_at=long_ago, created_at=long_ago)
        OutgoingMail.create(to="c@test.id", subject="Sedang dikirim", body="isi", status="sending", attempts=1,
                            next_attempt_at=utcnow() + dt.timedelta(minutes=5))
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "E-mail terkirim: 2" in result.output
    assert rows(app) == [("a@test.id", "sent", 1), ("b@test.id", "sent", 2), ("c@test.id", "sending", 1)]
    assert len([m for m in os.listdir(app.config["MAIL_OUTBOX"]) if m.endswith(".eml")]) == 2


@pytest.mark.config(SMTP_HOST="127.0.0.1")
def test_two_senders_of_one_mail_send_it_once(app, smtp_sink):
    from pintu.notify import mail

    app.config["SMTP_PORT"] = smtp_sink.port
    with app.app_context():
        from pintu.data.models import OutgoingMail

        mail_id = OutgoingMail.create(to="a@test.id", subject="Sekali saja", body="isi").id
    start = threading.Barrier(4)
    results = []

    def sender():
        with app.app_context():
            start.wait()
            results.append(mail.deliver(mail_id))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert len(smtp_sink.messages) == 1
    assert rows(app) == [("a@test.id", "sent", 1)]


@pytest.mark.config(MAIL_FROM="PINTU <pintu@ult.polije.ac.id>")
def test_eml_has_date_and_message_id_on_the_sender_domain(app, client, make_user):
    make_user("a@test.id")
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    [text] = outbox(app)
    message = email.message_from_string(text, policy=policy.default)
    sent_at = email.utils.parsedate_to_datetime(message["Date"])
    assert sent_at.utcoffset().total_seconds() == 7 * 3600  # WIB
    assert abs((sent_at - email.utils.localtime()).total_seconds()) < 24 * 3600
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@ult.polije.ac.id>")
    assert "pintu.local" not in text


@pytest.mark.config(MAIL_DOMAIN="mail.polije.ac.id")
def test_mail_domain_setting_names_the_message_id_domain(app, client, make_user):
    make_user("a@test.id")
    client.post("/lupa-sandi", data={"email": "a@test.id"})
    [text] = outbox(app)
    assert email.message_from_string(text, policy=policy.default)["Message-ID"].endswith("@mail.polije.ac.id>")


def test_stale_part_files_are_swept_by_init_db_and_sweep(app):
    folder = app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    two_hours_ago = time.time() - 2 * 3600

    def make(name, old):
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(b"%PDF-1.4 sisa")
        if old:
            os.utime(path, (two_hours_ago, two_hours_ago))
        return path

    orphan = make("a1.pdf.part", old=True)
    in_flight = make("b2.pdf.part", old=False)
    stored = make("c3.pdf", old=True)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "(.part) dihapus: 1" in result.output
    assert not os.path.exists(orphan) and os.path.exists(in_flight) and os.path.exists(stored)

    orphan = make("d4.png.part", old=True)
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "(.part) dihapus: 1" in result.output
    assert not os.path.exists(orphan) and os.path.exists(in_flight) and os.path.exists(stored)
