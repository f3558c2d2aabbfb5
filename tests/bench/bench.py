"""PINTU load benchmark: seed many applications fast, serve PINTU and a bare Flask app with the
same production server (gunicorn, sync workers, access log off), load them with wrk (GETs) and a
threaded Python client (POSTs that need fresh tokens), report req/s, p50/p95/p99 and the ratio
to bare Flask per endpoint.

Not part of the test suite (no ``test_`` functions; pytest does not collect ``bench.py``).
Needs ``wrk`` (Debian package; ``make services`` installs it). Run with ``make bench`` or::

    .venv/bin/python tests/bench/bench.py                 # 10,000 applications on SQLite
    .venv/bin/python tests/bench/bench.py --n 100000 --open 0.02   # scaling, long history
    .venv/bin/python tests/bench/bench.py --n 1000000     # a million (several minutes of seeding)
    .venv/bin/python tests/bench/bench.py --database-url postgresql://u:p@127.0.0.1:5432/db  # WIPES that db

See tests/bench/README.md for what is measured and the figures obtained.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import logging
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for `import pintu` from a checkout

PASSWORD = "bench-rahasia-123"
PETUGAS_EMAIL = "petugas@bench.test"
VERIFIKATOR_EMAIL = "verifikator.akademik@bench.test"
SERVICE = "legalisir"
CODE = "LGS"
BATCH_APPS = 1000  # rows per INSERT for applications (18 columns)
BATCH_EVENTS = 2000  # rows per INSERT for events (13 columns): under SQLite's 32,766 bound parameters
ROWS_PER_TXN = 50_000


def overrides_for(instance: str, database_url: str | None) -> dict:
    return {
        "INSTANCE_PATH": instance,
        "DATABASE_URL": database_url or f"sqlite:///{os.path.join(instance, 'bench.sqlite3')}",
        # Cheap hashing only to seed thousands of accounts fast; logins are not measured. CSRF stays on.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "REDIS_URL": None,
        "SMTP_HOST": None,
        # The daily SLA check (pintu.oversight.reminders) would start in both workers a minute into
        # the run and, at a million open files, load the machine during the later endpoints: the
        # benchmark measures the pages, not that once-a-day job ("--sla-check" keeps it on).
        "SLA_CHECK_AT": os.environ.get("BENCH_SLA_CHECK_AT", ""),
    }


# ---------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------

# (kind, actor role, action key, message, from_status, from_step, to_status, to_step)
SUBMIT = ("submitted", "pemohon", "", "Permohonan diajukan", "draft", "", "in_process", "kelengkapan")
RESUBMIT = ("resubmitted", "pemohon", "", "Permohonan diajukan kembali setelah diperbaiki", "returned", "",
            "in_process", "kelengkapan")
RETURN = ("return", "petugas", "return", "Permohonan dikembalikan untuk diperbaiki", "in_process", "kelengkapan",
          "returned", "")
CLAIM_P = ("claim", "petugas", "claim", "Permohonan ditangani petugas", "in_process", "kelengkapan",
           "in_process", "kelengkapan")
LENGKAP = ("forward", "petugas", "lengkap", "Berkas dinyatakan lengkap", "in_process", "kelengkapan",
           "in_process", "verifikasi")
CLAIM_V = ("claim", "verifikator", "claim", "Permohonan ditangani verifikator", "in_process", "verifikasi",
           "in_process", "verifikasi")
LEGALISED = ("forward", "verifikator", "legalised", "Legalisir selesai dan diserahkan ke ULT", "in_process",
             "verifikasi", "ready", "pengambilan")
TAKEN = ("finish", "petugas", "taken", "Produk layanan telah diserahkan kepada pemohon", "ready", "pengambilan", "done", "")
REFUSE = ("refuse", "petugas", "refuse", "Permohonan ditolak", "in_process", "kelengkapan", "refused", "")
CANCEL = ("cancel", "pemohon", "cancel", "Permohonan dibatalkan oleh pemohon", "in_process", "kelengkapan",
          "cancelled", "")

# status, step, weight, possible histories (3 to 5 events each; the last one leads to status/step)
STATES = [
    ("in_process", "kelengkapan", 40, [[SUBMIT, RETURN, RESUBMIT], [SUBMIT, RETURN, RESUBMIT, CLAIM_P],
                                       [SUBMIT, RETURN, RESUBMIT, RETURN, RESUBMIT]]),
    ("in_process", "verifikasi", 25, [[SUBMIT, CLAIM_P, LENGKAP], [SUBMIT, CLAIM_P, LENGKAP, CLAIM_V],
                                      [SUBMIT, RETURN, RESUBMIT, LENGKAP, CLAIM_V]]),
    ("ready", "pengambilan", 5, [[SUBMIT, LENGKAP, LEGALISED], [SUBMIT, CLAIM_P, LENGKAP, CLAIM_V, LEGALISED]]),
    ("done", None, 20, [[SUBMIT, LENGKAP, LEGALISED, TAKEN], [SUBMIT, CLAIM_P, LENGKAP, LEGALISED, TAKEN]]),
    ("returned", None, 5, [[SUBMIT, CLAIM_P, RETURN], [SUBMIT, RETURN, RESUBMIT, RETURN]]),
    ("refused", None, 3, [[SUBMIT, CLAIM_P, REFUSE], [SUBMIT, RETURN, RESUBMIT, REFUSE]]),
    ("cancelled", None, 2, [[SUBMIT, RETURN, CANCEL], [SUBMIT, RETURN, RESUBMIT, CANCEL]]),
]

OPEN = ("in_process", "ready", "returned")
NOTES = {"return": "Scan ijazah buram, mohon unggah ulang hasil scan.", "refuse": "Ijazah bukan terbitan Polije."}
PRODI = ["Teknik Informatika", "Manajemen Informatika", "Produksi Pertanian", "Teknologi Pangan", "Akuntansi",
         "Peternakan", "Bahasa Inggris", "Kesehatan Gigi"]
KEPERLUAN = ["melamar_kerja", "studi_lanjut", "kenaikan_pangkat", "lainnya"]


def add_working_days(day: dt.date, n: int) -> dt.date:
    """Weekends only (the seed need not know holidays)."""
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _chunks(rows, size):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def bulk_insert(model, fields, rows, batch: int) -> None:
    """Multi-row INSERTs of plain tuples, ``batch`` rows per statement.

    What ``Model.insert_many(rows, fields=...)`` sends, without its per-value query
    building, which took ~90% of the seeding time (about 6x slower overall).
    """
    from pintu.data.models import JSONField

    db = model._meta.database.obj
    q = db.quote
    table = q[0] + model._meta.table_name + q[1]
    cols = ", ".join(q[0] + f.column_name + q[1] for f in fields)
    one = "(" + ", ".join([db.param] * len(fields)) + ")"
    json_cols = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
    full_sql = None
    for part in _chunks(rows, batch):
        params = []
        for row in part:
            if json_cols:
                row = list(row)
                for i in json_cols:
                    row[i] = fields[i].db_value(row[i])
            params.extend(row)
        if len(part) == batch and full_sql is None:
            full_sql = f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * batch)
        sql = full_sql if len(part) == batch else f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * len(part))
        db.execute_sql(sql, params)


def seed(app, n: int, n_users: int, rng: random.Random, open_share: float | None = None) -> dict:
    """Bulk-insert users, staff and ``n`` legalisir applications with their events.

    ``open_share``: fraction still open (in process, ready or returned); default about 75%.
    Returns what the load phase needs: e-mails, an application id with a long history.
    """
    from peewee import chunked
    from werkzeug.security import generate_password_hash

    from pintu.data.db import database, is_sqlite
    from pintu.demo import ensure_units
    from pintu.data.models import Application, Counter, Event, Membership, Unit, User

    with app.app_context(), database.connection_context():
        ensure_units()
        pw_hash = generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        today = now.date()
        categories = ["mahasiswa"] * 6 + ["pegawai", "dosen", "masyarakat", "masyarakat"]

        staff = [(PETUGAS_EMAIL, "Sari Petugas ULT", "petugas", None),
                 ("petugas2@bench.test", "Bayu Petugas ULT", "petugas", None),
                 ("petugas3@bench.test", "Citra Petugas ULT", "petugas", None),
                 (VERIFIKATOR_EMAIL, "Verifikator Akademik", "verifikator", "akademik"),
                 ("verifikator2.akademik@bench.test", "Verifikator Akademik 2", "verifikator", "akademik")]
        user_rows = [(email, name, "081234567890", "pegawai", "", pw_hash, secrets.token_hex(16), True, now)
                     for email, name, _, _ in staff]
        user_rows += [(f"pemohon{i:07d}@bench.test", f"Pemohon {i}", "0812" + f"{i:08d}",
                       categories[i % len(categories)], "", pw_hash, secrets.token_hex(16), True,
                       now - dt.timedelta(days=800)) for i in range(n_users)]
        fields = [User.email, User.name, User.phone, User.category, User.id_number, User.password_hash,
                  User.session_token, User.is_active, User.created_at]
        with database.atomic():
            for batch in chunked(user_rows, 2000):
                User.insert_many(batch, fields=fields).execute()
        ids = {email: uid for uid, email in User.select(User.id, User.email).tuples()}
        units = {u.key: u.id for u in Unit.select()}
        with database.atomic():
            for email, _, role, unit in staff:
                Membership.create(user=ids[email], role=role, unit=units[unit] if unit else None)
        petugas = [ids[e] for e, _, r, _ in staff if r == "petugas"]
        verifikator = [ids[e] for e, _, r, _ in staff if r == "verifikator"]
        applicants = [ids[f"pemohon{i:07d}@bench.test"] for i in range(n_users)]

        weights = [s[2] for s in STATES]
        if open_share is not None:
            is_open = [s[0] in OPEN for s in STATES]
            total_open = sum(w for w, o in zip(weights, is_open) if o)
            total_closed = sum(w for w, o in zip(weights, is_open) if not o)
            weights = [w / total_open * open_share if o else w / total_closed * (1 - open_share)
                       for w, o in zip(weights, is_open)]
        app_fields = [Application.id, Application.reference, Application.tracking_code, Application.service,
                      Application.applicant, Application.status, Application.step, Application.data,
                      Application.assignee, Application.version, Application.created_at, Application.submitted_at,
                      Application.updated_at, Application.clock_started_at, Application.due_date,
                      Application.closed_at, Application.refusal_reason]
        ev_fields = [Event.application, Event.actor, Event.actor_role, Event.kind, Event.action, Event.message,
                     Event.from_status, Event.from_step, Event.to_status, Event.to_step, Event.note,
                     Event.internal_note, Event.created_at]
        # Applications created in order of submission, so ids and reference numbers grow with time.
        # Open ones are recent (last 45 days), closed ones spread over two years.
        plans = []
        for _ in range(n):
            status, step, _, histories = rng.choices(STATES, weights)[0]
            span = 45 if status in OPEN else 730
            submitted = now - dt.timedelta(seconds=rng.randint(3600, span * 86400))
            plans.append((submitted, status, step, rng.choice(histories)))
        plans.sort(key=lambda p: p[0])

        counters: dict[int, int] = {}
        first_id = (Application.select(Application.id).order_by(Application.id.desc()).scalar() or 0) + 1
        long_history = None

        def build(k, submitted, status, step, history, app_batch, ev_batch):
            nonlocal long_history
            app_id = first_id + k
            year = submitted.year
            counters[year] = counters.get(year, 0) + 1
            applicant = applicants[rng.randrange(n_users)]
            t = submitted
            clock = due = None
            assignee = None
            for ev in history:
                kind, role, action, message, fs, fst, ts, tst = ev
                actor = applicant if role == "pemohon" else rng.choice(petugas if role == "petugas" else verifikator)
                ev_batch.append((app_id, actor, role, kind, action, message, fs, fst, ts, tst,
                                 NOTES.get(kind, ""), "", t))
                if kind == "claim":
                    assignee = actor
                elif kind in ("resubmitted", "return", "forward", "finish", "refuse", "cancel"):
                    assignee = None
                if action == "lengkap":
                    clock = t
                    due = add_working_days(t.date(), 3)
                if kind == "return":
                    clock = due = None
                last = t
                t += dt.timedelta(seconds=rng.randint(600, 3 * 86400))
            if long_history is None and len(history) == 5 and status == "in_process":
                long_history = (app_id, applicant)
            closed = last if status in ("done", "refused", "cancelled") else None
            data = {"nim": f"E3{rng.randint(10, 24)}{rng.randint(10000, 99999)}", "program_studi": rng.choice(PRODI),
                    "tahun_lulus": rng.randint(2005, today.year - 1), "jumlah_ijazah": rng.randint(0, 5),
                    "jumlah_transkrip": rng.randint(1, 5), "keperluan": rng.choice(KEPERLUAN)}
            app_batch.append((app_id, f"{CODE}-{year}-{counters[year]:05d}",
                              "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(6)),
                              SERVICE, applicant, status, step, data, assignee, len(history), submitted, submitted,
                              last, clock, due, closed, NOTES["refuse"] if status == "refused" else ""))

        end = len(plans)
        for txn_start in range(0, end, ROWS_PER_TXN):
            with database.atomic():
                for batch_start in range(txn_start, min(txn_start + ROWS_PER_TXN, end), BATCH_APPS):
                    app_batch, ev_batch = [], []
                    for k in range(batch_start, min(batch_start + BATCH_APPS, end)):
                        build(k, *plans[k], app_batch, ev_batch)
                    bulk_insert(Application, app_fields, app_batch, BATCH_APPS)
                    bulk_insert(Event, ev_fields, ev_batch, BATCH_EVENTS)
            print(f"  ... {min(txn_start + ROWS_PER_TXN, end):,} applications", end="\r", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        with database.atomic():
            for year, value in counters.items():
                Counter.insert(name=f"ref-{year}", value=value).execute()  # a fresh database: no counters yet
        # Rows inserted behind the engine's back: file the open ones into the staff queues, as
        # `init-db` does after an upgrade.
        from pintu.engine import queues

        tasks = queues.rebuild()
        print(f"  ... {tasks:,} open tasks filed in the staff queues", file=sys.stderr)
        from pintu.oversight import rollup  # and the dashboard's daily rollup, as init-db does

        t_rollup = time.perf_counter()
        counts = rollup.rebuild()
        print(f"  ... dashboard rollup rebuilt: {counts:,} rows in {time.perf_counter() - t_rollup:.1f} s",
              file=sys.stderr)
        if not is_sqlite():  # explicit ids: move the sequence past them
            database.execute_sql("SELECT setval(pg_get_serial_sequence('application', 'id'), "
                                 "(SELECT MAX(id) FROM application))")
            # PostgreSQL's autovacuum would analyze the new rows soon; do it now. SQLite stays
            # without statistics, like a PINTU database (the app never runs ANALYZE), so the
            # planner chooses as it would in production.
            database.execute_sql("ANALYZE")
        if long_history is None:  # tiny --n: take any application with events
            row = Application.select(Application.id, Application.applicant).where(
                Application.status != "draft").first()
            long_history = (row.id, row.applicant_id)
        events = Event.select().count()
        timeline_email = User.get_by_id(long_history[1]).email
        reference, code = (Application.select(Application.reference, Application.tracking_code)
                           .where(Application.id == long_history[0]).tuples().get())
    return {"timeline_app": long_history[0], "timeline_email": timeline_email, "events": events,
            "track_reference": reference, "track_code": code}


def db_size(app) -> int:
    from pintu.data.db import database, is_sqlite

    if is_sqlite():
        path = app.config["DATABASE_URL"][len("sqlite:///"):]
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    with app.app_context(), database.connection_context():
        return database.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0]


def reset_postgres(url: str) -> None:
    from playhouse.db_url import connect

    db = connect(url)
    db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    db.close()


# ---------------------------------------------------------------------------
# Servers: PINTU and the bare Flask baseline, both under gunicorn (sync workers, no access log)
# ---------------------------------------------------------------------------

UPLOAD_SLUG = "bench-empat-berkas"
UPLOAD_FILES = 4
UPLOAD_BYTES = 2_000_000  # 2 MB per file (the requirement allows 2 MiB)


class BenchUploadPlugin:
    """A service like Legalisir with four required PDF documents of up to 2 MiB each.

    No built-in service asks for exactly four documents of 2 MB, so the submission server
    (only that one) registers this copy of Legalisir through the ``PLUGINS`` setting.
    """

    def pintu_services(self):
        import dataclasses

        from pintu import Requirement
        from pintu_legalisir import SERVICE as LEGALISIR

        return [dataclasses.replace(
            LEGALISIR, slug=UPLOAD_SLUG, code="BNC", title="Bench: legalisir dengan empat berkas",
            requirements=[Requirement(f"berkas{i}", f"Berkas {i}", types=("pdf",), max_mb=2)
                          for i in range(1, UPLOAD_FILES + 1)], plugin="")]


def pintu_app():
    """gunicorn factory (``bench:pintu_app()``): PINTU on the benchmark's instance."""
    from pintu import create_app, hookimpl

    overrides = overrides_for(os.environ["BENCH_INSTANCE"], os.environ.get("BENCH_DATABASE_URL") or None)
    if os.environ.get("BENCH_UPLOAD_SERVICE"):
        BenchUploadPlugin.pintu_services = hookimpl(BenchUploadPlugin.pintu_services)
        overrides["PLUGINS"] = [BenchUploadPlugin()]
    return create_app(overrides)


def bare_app():
    """gunicorn factory (``bench:bare_app()``): the baseline, one route answering ``ok``."""
    from flask import Flask

    app = Flask("bare")

    @app.route("/")
    def index():
        return "ok"

    return app


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_status(pid: int) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])  # KiB
    except OSError:
        pass
    return out


class Gunicorn:
    """``python -m gunicorn -w WORKERS -k sync`` on a free port of 127.0.0.1, access log off."""

    def __init__(self, kind: str, instance: str, database_url: str | None, workers: int, upload_service=False):
        self.port = _free_port()
        self.log = os.path.join(instance, f"gunicorn-{kind}-{self.port}.log")
        env = dict(os.environ, BENCH_INSTANCE=instance, BENCH_DATABASE_URL=database_url or "",
                   BENCH_UPLOAD_SERVICE="1" if upload_service else "")
        cmd = [sys.executable, "-m", "gunicorn", "-c", "python:pintu.web.serving",  # make run's settings, for both
               "--workers", str(workers), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{self.port}", "--timeout", "300", "--graceful-timeout", "5",
               "--error-logfile", self.log, "--log-level", "warning",  # no --access-logfile: access log off
               "--pythonpath", str(HERE.parent), f"bench:{'pintu_app' if kind == 'pintu' else 'bare_app'}()"]
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(HERE.parents[2]), start_new_session=True)
        deadline = time.monotonic() + 120
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn ({kind}) exited with {self.proc.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"gunicorn ({kind}) did not answer; see {self.log}")
                time.sleep(0.2)
        while len(self.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # let every worker finish loading the app

    def workers(self) -> list[int]:
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def memory(self) -> dict[int, dict]:
        """VmRSS / VmHWM (KiB) of each worker process."""
        return {pid: _proc_status(pid) for pid in self.workers()}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# ---------------------------------------------------------------------------
# Load: wrk for GETs, a threaded Python client for the POSTs (they need fresh tokens)
# ---------------------------------------------------------------------------

WRK_SCRIPT = HERE.parent / "wrk_report.lua"


def need_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is not installed: run `make services` (as root; it installs the Debian package "
                         "`wrk`) or `apt-get install -y wrk`")
    return path


def run_wrk(port: int, path: str, cookie: str | None, seconds: float, threads: int, connections: int) -> dict:
    cmd = [need_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency",
           "-s", str(WRK_SCRIPT)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"unexpected wrk output:\n{out}")
    v = dict(kv.split("=") for kv in line.split()[1:])
    v = {k: int(x) for k, x in v.items()}
    errors = sum(v[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {"requests": v["requests"], "seconds": round(v["duration_us"] / 1e6, 3),
            "rps": round(v["requests"] / (v["duration_us"] / 1e6), 1),
            "p50_ms": round(v["p50"] / 1000, 2), "p95_ms": round(v["p95"] / 1000, 2),
            "p99_ms": round(v["p99"] / 1000, 2), "errors": errors,
            "first_error": None if not errors else {k: v[k] for k in ("connect", "read", "write", "status", "timeout")}}


class Client:
    """One keep-alive connection with its own cookies (like a browser tab)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header()
        try:
            self.conn.request(method, path, body, headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            raise
        for raw in resp.msg.get_all("Set-Cookie") or ():
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, dict(resp.getheaders()), data

    def close(self):
        self.conn.close()


def _field(html: bytes, name: str) -> str:
    import re

    m = re.search(rb'name="' + re.escape(name.encode()) + rb'"[^>]*value="([^"]*)"', html)
    if not m:
        raise ValueError(f"no {name} field in the page")
    return m.group(1).decode()


def _hx_csrf(html: bytes) -> str:
    import re

    m = re.search(rb'X-CSRFToken&#34;: &#34;([^&]+)&#34;|X-CSRFToken": "([^"]+)"', html)
    if not m:
        raise ValueError("no X-CSRFToken in the page")
    return (m.group(1) or m.group(2)).decode()


def login(port: int, email: str) -> Client:
    client = Client(port)
    status, _, page = client.request("GET", "/masuk")
    body = urllib.parse.urlencode({"csrf_token": _field(page, "csrf_token"), "email": email,
                                   "password": PASSWORD, "next": ""})
    status, _, _ = client.request("POST", "/masuk", body, {"Content-Type": "application/x-www-form-urlencoded"})
    if status != 302 or "session" not in client.cookies:
        raise SystemExit(f"login as {email} failed: HTTP {status}")
    return client


def check_page(port: int, path: str, client: Client | None, expect: str) -> str | None:
    """One GET through Python: the page must answer 200 with its marker (wrk only sees status codes)."""
    c = client or Client(port)
    status, _, body = c.request("GET", path)
    if status != 200 or expect.encode() not in body:
        return f"{path}: HTTP {status}, marker {expect!r} {'found' if expect.encode() in body else 'missing'}"
    return None


def _pct(values: list[float], p: float) -> float:  # nearest rank, ms
    if not values:
        return float("nan")
    values = sorted(values)
    rank = max(1, -(-len(values) * p // 100))
    return round(values[int(rank) - 1] * 1000, 2)


def threaded(clients: list[Client], seconds: float, one) -> dict:
    """Each client in its own thread calls ``one(client)`` until time is up or it returns None.

    ``one`` returns (measured latency in s, cycle latency in s, error or None).
    """
    lock = threading.Lock()
    measured: list[float] = []
    cycles: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def worker(client):
        while time.perf_counter() < deadline:
            try:
                r = one(client)
            except Exception as exc:  # noqa: BLE001 - a failed request is an error of the run, not a crash
                with lock:
                    errors.append(repr(exc))
                continue
            if r is None:
                return
            lat, cycle, err = r
            with lock:
                if err:
                    errors.append(err)
                else:
                    measured.append(lat)
                    cycles.append(cycle)

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in clients]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"requests": len(measured), "seconds": round(wall, 3), "rps": round(len(measured) / wall, 1),
            "p50_ms": _pct(measured, 50), "p95_ms": _pct(measured, 95), "p99_ms": _pct(measured, 99),
            "cycle_p50_ms": _pct(cycles, 50), "cycle_p95_ms": _pct(cycles, 95),
            "errors": len(errors), "first_error": errors[0] if errors else None}


def staff_action(app, port: int, seconds: float, connections: int) -> dict:
    """The petugas declares distinct applications complete ("lengkap"), as from the inbox.

    Each action first GETs the application page (the version and the CSRF token come from it, as
    in the browser), then POSTs the htmx action. Latency measured: the POST; the GET+POST cycle
    is reported too.
    """
    from pintu.data.db import database
    from pintu.data.models import Application

    with app.app_context(), database.connection_context():
        ids = [i for (i,) in Application.select(Application.id).where(
            (Application.status == "in_process") & (Application.step == "kelengkapan")
            & Application.assignee.is_null()).order_by(Application.id).tuples()]
    random.Random(7).shuffle(ids)
    lock = threading.Lock()
    clients = [login(port, PETUGAS_EMAIL) for _ in range(connections)]

    def one(client: Client):
        with lock:
            if not ids:
                return None
            app_id = ids.pop()
        t0 = time.perf_counter()
        status, _, page = client.request("GET", f"/permohonan/{app_id}")
        if status != 200:
            return 0, 0, f"GET /permohonan/{app_id}: HTTP {status}"
        body = urllib.parse.urlencode({"action": "lengkap", "version": _field(page, "version"), "note": "",
                                       "internal_note": ""})
        t1 = time.perf_counter()
        status, _, answer = client.request(
            "POST", f"/petugas/permohonan/{app_id}/aksi", body,
            {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "HX-Target": "kerja",
             "X-CSRFToken": _hx_csrf(page)})
        t2 = time.perf_counter()
        if status != 200 or b'class="flash error"' in answer:
            return 0, 0, f"POST aksi {app_id}: HTTP {status}"
        return t2 - t1, t2 - t0, None

    available = len(ids)
    r = threaded(clients, seconds, one)
    for c in clients:
        c.close()
    r["available"] = available
    return r


def _pdf(size: int, salt: int) -> bytes:
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    tail = b"\n%%EOF\n"
    filler = (b"%% bench filler " + str(salt).encode() + b" ") * (size // 16 + 1)
    return head + filler[:size - len(head) - len(tail)] + tail


def submission(port: int, server: Gunicorn, emails: list[str], seconds: float) -> dict:
    """Applicants submit the four-document service: GET the form (fresh form_token and CSRF token),
    then POST it multipart with 4 x 2 MB PDFs. Latency measured: the POST; the cycle is reported too.
    The files are sent from memory in chunks (Content-Length set, no copy of the 8 MB body)."""
    files = [_pdf(UPLOAD_BYTES, i) for i in range(UPLOAD_FILES)]
    clients = [login(port, e) for e in emails]
    for c in clients:  # warm the form page on both workers before the memory baseline
        c.request("GET", f"/layanan/{UPLOAD_SLUG}/ajukan")
    before = server.memory()
    boundary = "----pintubench" + secrets.token_hex(8)

    def one(client: Client):
        t0 = time.perf_counter()
        status, _, page = client.request("GET", f"/layanan/{UPLOAD_SLUG}/ajukan")
        if status != 200:
            return 0, 0, f"GET form: HTTP {status}"
        fields = {"csrf_token": _field(page, "csrf_token"), "form_token": _field(page, "form_token"),
                  "nim": "E31170001", "program_studi": "Teknik Informatika", "tahun_lulus": "2021",
                  "jumlah_ijazah": "3", "jumlah_transkrip": "3", "keperluan": "melamar_kerja", "submit": "1"}
        parts: list[bytes] = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        for i, content in enumerate(files, 1):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file_berkas{i}"; '
                         f'filename="berkas{i}.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode())
            parts.append(content)
            parts.append(b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        length = sum(len(p) for p in parts)
        t1 = time.perf_counter()
        status, headers, answer = client.request(
            "POST", f"/layanan/{UPLOAD_SLUG}/ajukan", iter(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)})
        t2 = time.perf_counter()
        if status != 302 or "/permohonan/" not in headers.get("Location", ""):
            return 0, 0, f"POST submission: HTTP {status}"
        return t2 - t1, t2 - t0, None

    r = threaded(clients, seconds, one)
    after = server.memory()
    for c in clients:
        c.close()
    growth = {pid: (after[pid].get("VmHWM", 0) - before[pid].get("VmRSS", 0)) / 1024
              for pid in after if pid in before}
    r["rss_before_mb"] = {str(p): round(m.get("VmRSS", 0) / 1024, 1) for p, m in before.items()}
    r["peak_rss_mb"] = {str(p): round(m.get("VmHWM", 0) / 1024, 1) for p, m in after.items()}
    r["rss_growth_mb"] = round(sum(growth.values()), 1)  # all workers together
    r["rss_growth_max_worker_mb"] = round(max(growth.values(), default=0), 1)
    return r


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def oversight_timings(app, repeats: int = 5) -> list[dict]:
    """In-process timings of the dashboard's aggregates (``pintu.oversight.dashboard.summarise``, all its
    queries) for several periods, and of staff search pages (``pintu.oversight.search.page``), on the seeded
    database: median and best of ``repeats`` runs after one unmeasured run, with the statement count."""
    import logging

    from pintu.engine import clock
    from pintu.oversight import dashboard, search
    from pintu.data.db import database
    from pintu.data.models import User

    statements = []

    class _Count(logging.Handler):
        def emit(self, record):
            if record.name == "peewee":
                statements.append(1)

    results = []
    with app.test_request_context(), database.connection_context():
        today = clock.today()
        cases = [(f"dashboard {label}", lambda d=days: dashboard.summarise(today - dt.timedelta(days=d), today))
                 for label, days in (("this month", today.day - 1), ("30 days", 29), ("365 days", 364),
                                     ("2 years", 729))]
        petugas = User.get(User.email == PETUGAS_EMAIL)
        cases += [("search page 1 (all, petugas)", lambda: search.page(petugas, search.Criteria())),
                  ("search by name (petugas)", lambda: search.page(petugas, search.Criteria(q="Pemohon 12"))),
                  ("search status=done (petugas)", lambda: search.page(petugas, search.Criteria(status="done"))),
                  ("search by reference", lambda: search.page(petugas, search.Criteria(q=f"{CODE}-2026-00001")))]
        logger, handler = logging.getLogger("peewee"), _Count()
        for label, fn in cases:
            fn()  # warm-up (page cache, statement preparation)
            times = []
            for _ in range(repeats):
                statements.clear()
                logger.addHandler(handler)
                level = logger.level
                logger.setLevel(logging.DEBUG)
                t0 = time.perf_counter()
                try:
                    fn()
                finally:
                    times.append((time.perf_counter() - t0) * 1000)
                    logger.removeHandler(handler)
                    logger.setLevel(level)
            times.sort()
            r = {"case": label, "median_ms": round(times[len(times) // 2], 1), "best_ms": round(times[0], 1),
                 "queries": len(statements)}
            results.append(r)
            print(f"  {label:<34} median {r['median_ms']:>8.1f} ms  best {r['best_ms']:>8.1f} ms  "
                  f"{r['queries']} queries", flush=True)
    return results


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=10_000, help="applications to seed (default 10,000)")
    p.add_argument("--users", type=int, default=1_000, help="applicants they are spread over (default 1,000)")
    p.add_argument("--duration", type=int, default=6, help="measured seconds per endpoint (default 6)")
    p.add_argument("--warmup", type=int, default=2, help="unmeasured seconds of wrk before each GET endpoint "
                                                           "(default 2)")
    p.add_argument("--connections", type=int, default=8, help="connections (wrk -c, POST client threads; default 8)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, for PINTU and bare Flask alike "
                                                          "(default 2)")
    p.add_argument("--database-url", help="PostgreSQL URL instead of a SQLite file; ITS DATA IS DELETED")
    p.add_argument("--instance", help="instance folder (default: a fresh one under /tmp, removed afterwards)")
    p.add_argument("--keep", action="store_true", help="keep the instance folder (and its database)")
    p.add_argument("--reuse", action="store_true",
                   help="with --instance: measure the database seeded there by an earlier run (no seeding); "
                        "the staff action and the submission change it")
    p.add_argument("--open", type=float, metavar="FRACTION",
                   help="share of applications still open (default about 0.75; e.g. 0.02 for a long history)")
    p.add_argument("--only", help="comma-separated endpoint keys to measure (default all): " + ", ".join(
        ["bare", "catalog", "service", "lacak", "inbox-tugas", "inbox-baru", "inbox-saya", "inbox-terlambat",
         "application", "staff-action", "submission", "oversight"]))
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--sla-check", action="store_true",
                   help="let the servers run the daily SLA check as in production (off by default: it starts "
                        "a minute into the run in both workers)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.n < 1 or args.users < 1 or args.duration <= 0 or args.connections < 1 or args.workers < 1:
        raise SystemExit("--n, --users, --duration, --connections and --workers must be positive")
    need_wrk()
    if args.sla_check:  # the servers inherit it (overrides_for)
        from pintu.config import DEFAULTS

        os.environ["BENCH_SLA_CHECK_AT"] = DEFAULTS["SLA_CHECK_AT"]

    instance = args.instance or tempfile.mkdtemp(prefix="pintu-bench-", dir="/tmp" if os.path.isdir("/tmp") else None)
    os.makedirs(instance, exist_ok=True)

    def terminate(signum, frame):  # clean up (servers, temporary instance) when killed too
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        return run(args, instance)
    finally:
        if not args.keep and not args.instance:
            shutil.rmtree(instance, ignore_errors=True)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


TARGETS = {  # issue 8: ratio to bare Flask
    "catalog": 0.40, "service": 0.40, "lacak": 0.40, "application": 0.25,
    "inbox-tugas": 0.15, "inbox-baru": 0.15, "inbox-saya": 0.15, "inbox-terlambat": 0.15,
}


def _revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parents[2], capture_output=True,
                             text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "pintu", "plugins",
                                "templates"], cwd=HERE.parents[2], capture_output=True, text=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "") if rev else "unknown"
    except OSError:
        return "unknown"


def run(args, instance: str) -> int:
    from pintu import create_app

    users = min(args.users, args.n)
    backend = "postgresql" if args.database_url else "sqlite"
    revision = _revision()
    print(f"PINTU bench: {backend}, instance {instance}, PINTU at {revision}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}, load average {_load()}")
    info_path = os.path.join(instance, "bench-seed.json")
    if args.reuse and os.path.exists(info_path):
        if args.database_url:
            raise SystemExit("--reuse works with the SQLite file of --instance only")
        app = create_app(overrides_for(instance, None))
        seeded = json.loads(Path(info_path).read_text())
        seed_s = None
        print(f"reusing the {seeded['n']:,} applications seeded in {instance}")
        n = seeded["n"]
    else:
        if args.database_url:
            reset_postgres(args.database_url)
        elif os.path.exists(os.path.join(instance, "bench.sqlite3")):
            raise SystemExit(f"{instance} already has a database: give a fresh --instance, or --reuse")
        app = create_app(overrides_for(instance, args.database_url))
        with app.app_context():  # the schema, as `flask --app pintu init-db` makes it (the app never does)
            from pintu.data import migrations

            migrations.upgrade(app.extensions["pintu"])
        t0 = time.perf_counter()
        seeded = seed(app, args.n, users, random.Random(args.seed), args.open)
        seed_s = time.perf_counter() - t0
        n = seeded["n"] = args.n
        seeded["open"] = args.open
        Path(info_path).write_text(json.dumps(seeded))
    from pintu.data.db import database

    if not database.is_closed():
        database.close()
    size = db_size(app)
    if seed_s is not None:
        print(f"seeded {n:,} applications ({users:,} applicants) and {seeded['events']:,} events in {seed_s:.1f} s "
              f"({n / seed_s:,.0f} applications/s); database {size / 1e6:.1f} MB")
    else:
        print(f"database {size / 1e6:.1f} MB")

    only = set(args.only.split(",")) if args.only else None
    track = urllib.parse.urlencode({"reference": seeded["track_reference"], "code": seeded["track_code"]})
    app_path = f"/permohonan/{seeded['timeline_app']}"
    # key, label, server, path, login as, marker
    gets = [("bare", "bare Flask /", "bare", "/", None, "ok"),
            ("catalog", "catalog /", "pintu", "/", None, "Legalisir"),
            ("service", "service /layanan/legalisir", "pintu", "/layanan/legalisir", None, "Legalisir"),
            ("lacak", "/lacak (a match)", "pintu", f"/lacak?{track}", None, seeded["track_reference"])]
    gets += [(f"inbox-{tab}", f"inbox ?tab={tab}", "pintu", f"/petugas/?tab={tab}", PETUGAS_EMAIL, "Kotak Tugas")
             for tab in ("tugas", "baru", "saya", "terlambat")]
    gets.append(("application", "application /permohonan/<id>", "pintu", app_path, seeded["timeline_email"],
                 "Riwayat"))
    wanted = lambda key: only is None or key in only  # noqa: E731
    results = []

    def record(key, label, r):
        r.update(key=key, endpoint=label)
        results.append(r)
        print(f"  {label:<30} {r['rps']:>8.1f} req/s  p50 {r['p50_ms']:>7.1f}  p95 {r['p95_ms']:>7.1f}  "
              f"p99 {r['p99_ms']:>7.1f} ms" + (f"  ERRORS {r['errors']}: {r['first_error']}" if r["errors"] else ""),
              flush=True)

    oversight = []
    if wanted("oversight"):
        print("oversight (in process: dashboard aggregates and search pages; issue 10 target: dashboard "
              "within 200 ms at 1,000,000)")
        oversight = oversight_timings(app)
    load_before = _load()
    for kind in ("bare", "pintu"):
        todo = [g for g in gets if g[2] == kind and wanted(g[0])]
        if not todo and not (kind == "pintu" and wanted("staff-action")):
            continue
        server = Gunicorn(kind, instance, args.database_url, args.workers)
        try:
            sessions: dict[str, Client] = {}
            for key, label, _, path, email, expect in todo:
                client = None
                if email:
                    client = sessions.get(email) or login(server.port, email)
                    sessions[email] = client
                problem = check_page(server.port, path, client, expect)  # also settles the session cookie
                if problem:
                    raise SystemExit(f"{label}: {problem}")
                cookie = client.cookie_header() if client else None
                if args.warmup > 0:
                    run_wrk(server.port, path, cookie, args.warmup, args.threads, args.connections)
                r = run_wrk(server.port, path, cookie, args.duration, args.threads, args.connections)
                problem = check_page(server.port, path, client, expect)
                if problem:
                    r["errors"] += 1
                    r["first_error"] = f"after the run: {problem}"
                r["path"] = path
                record(key, label, r)
            if kind == "pintu" and wanted("staff-action"):
                record("staff-action", "staff action (POST, lengkap)",
                       staff_action(app, server.port, args.duration, args.connections))
        finally:
            server.stop()
    if wanted("submission"):
        server = Gunicorn("pintu", instance, args.database_url, args.workers, upload_service=True)
        try:
            emails = [f"pemohon{i:07d}@bench.test" for i in range(min(args.connections, users))]
            record("submission", f"submission (POST, {UPLOAD_FILES} x 2 MB)",
                   submission(server.port, server, emails, args.duration))
        finally:
            server.stop()

    bare = next((r["rps"] for r in results if r["key"] == "bare"), None)
    for r in results:
        r["ratio"] = round(r["rps"] / bare, 3) if bare else None
    load_after = _load()
    print(f"\nload average before / after the measurements: {load_before} / {load_after}")
    print(f"gunicorn {args.workers} sync workers (access log off), wrk -t{args.threads} -c{args.connections} "
          f"-d{args.duration:g}s after {args.warmup:g} s of warm-up; POSTs: {args.connections} Python client "
          f"threads for {args.duration:g} s, latency of the POST alone (the GET of the form before it not counted)")
    head = (f"{'endpoint':<32} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'ratio':>6} {'target':>7} {'errors':>6}")
    print(head)
    print("-" * len(head))
    for r in results:
        target = TARGETS.get(r["key"])
        print(f"{r['endpoint']:<32} {r['requests']:>8} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
              f"{r['p99_ms']:>8.1f} {r['ratio'] if r['ratio'] is not None else '-':>6} "
              f"{'>=' + format(target, '.2f') if target else '':>7} {r['errors']:>6}")
    for r in results:
        if r["key"] == "staff-action":
            print(f"staff action: p95 {r['p95_ms']:.1f} ms (target <= 50 ms at 8 connections); "
                  f"{r['requests']} of {r['available']} unclaimed applications at kelengkapan acted on; "
                  f"GET+POST cycle p50 {r['cycle_p50_ms']} / p95 {r['cycle_p95_ms']} ms")
        if r["key"] == "submission":
            print(f"submission: {r['rps']:.1f}/s (target >= 30/s); peak RSS growth {r['rss_growth_mb']} MB over all "
                  f"workers, {r['rss_growth_max_worker_mb']} MB at most in one (target <= 64 MB); "
                  f"GET+POST cycle p50 {r['cycle_p50_ms']} / p95 {r['cycle_p95_ms']} ms")

    if args.json:
        report = {
            "when": dt.datetime.now().isoformat(timespec="seconds"),
            "revision": revision,
            "machine": {"cpus": os.cpu_count(), "load_before": load_before, "load_after": load_after,
                        "arch": platform.machine(), "python": platform.python_version(),
                        "system": f"{platform.system()} {platform.release()}"},
            "params": {"n": n, "users": users, "duration": args.duration, "warmup": args.warmup,
                       "connections": args.connections, "wrk_threads": args.threads, "workers": args.workers,
                       "server": "gunicorn sync", "backend": backend, "seed": args.seed,
                       "open": seeded.get("open", args.open)},
            "seeding": {"seconds": round(seed_s, 2) if seed_s is not None else None, "events": seeded["events"],
                        "db_bytes": size},
            "results": results,
            "oversight": oversight,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"results written to {args.json}")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
