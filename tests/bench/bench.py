"""PINTU load benchmark: seed many applications fast, serve the app with a real WSGI
server, hit the staff inbox and an applicant's timeline, compare with a bare Flask app.

Not part of the test suite (no ``test_`` functions; pytest does not collect ``bench.py``).
Run with ``make bench`` or::

    .venv/bin/python tests/bench/bench.py                 # 10,000 applications on SQLite
    .venv/bin/python tests/bench/bench.py --n 100000      # scaling
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
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "SMTP_HOST": None,
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
    from pintu.models import JSONField

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

    from pintu.db import database, is_sqlite
    from pintu.demo import ensure_units
    from pintu.models import Application, Counter, Event, Membership, Unit, User

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
        from pintu import queues

        tasks = queues.rebuild()
        print(f"  ... {tasks:,} open tasks filed in the staff queues", file=sys.stderr)
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
    return {"timeline_app": long_history[0], "timeline_email": timeline_email, "events": events}


def db_size(app) -> int:
    from pintu.db import database, is_sqlite

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
# Servers (child processes, both served the same way)
# ---------------------------------------------------------------------------

def serve(kind: str, instance: str, database_url: str | None) -> None:
    """Child process: build the app, serve it threaded on an ephemeral port, report peak RSS on SIGTERM."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if kind == "pintu":
        from pintu import create_app

        app = create_app(overrides_for(instance, database_url))
    else:
        from flask import Flask

        app = Flask("bare")

        @app.route("/")
        def index():
            return "ok"

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)

    def stop(signum, frame):
        rss = None
        try:  # VmHWM: this process's own peak (ru_maxrss may carry the parent's peak across fork+exec)
            with open("/proc/self/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            import resource

            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            if sys.platform == "darwin":
                rss //= 1024
        print(f"MAXRSS {rss}", flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    parent = os.getppid()

    def orphan_watch():  # never outlive the benchmark (killed or interrupted)
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=orphan_watch, daemon=True).start()
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


class Server:
    def __init__(self, kind: str, instance: str, database_url: str | None):
        cmd = [sys.executable, str(HERE), "--serve", kind, "--instance", instance]
        if database_url:
            cmd += ["--database-url", database_url]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise SystemExit(f"server {kind} did not start: {line!r}")
        self.port = int(line.split()[1])

    def stop(self) -> int | None:
        """Stop the server; its peak RSS in KiB."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None
        for line in out.splitlines():
            if line.startswith("MAXRSS "):
                return int(line.split()[1])
        return None


# ---------------------------------------------------------------------------
# Load generator
# ---------------------------------------------------------------------------

def login(port: int, email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "next": ""})
    conn.request("POST", "/masuk", body, {"Content-Type": "application/x-www-form-urlencoded"})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    cookie = resp.getheader("Set-Cookie") or ""
    if resp.status != 302 or "session=" not in cookie:
        raise SystemExit(f"login as {email} failed: HTTP {resp.status}")
    return cookie.split(";", 1)[0]


def load(port: int, path: str, cookie: str | None, requests: int, concurrency: int, warmup: int,
         expect: str | None) -> dict:
    """``requests`` GETs of ``path`` over ``concurrency`` keep-alive connections, after ``warmup`` unmeasured ones."""
    headers = {"Cookie": cookie} if cookie else {}
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=120) for _ in range(concurrency)]
    lock = threading.Lock()
    errors: list[str] = []

    def phase(count: int) -> tuple[list[float], float]:
        left = [count]
        latencies: list[float] = []

        def worker(i):
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                t0 = time.perf_counter()
                try:
                    conns[i].request("GET", path, headers=headers)
                    resp = conns[i].getresponse()
                    body = resp.read()
                except (OSError, http.client.HTTPException) as exc:
                    conns[i].close()
                    conns[i] = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    with lock:
                        errors.append(repr(exc))
                    continue
                elapsed = time.perf_counter() - t0
                with lock:
                    latencies.append(elapsed)
                    if resp.status != 200 or (expect and expect.encode() not in body):
                        errors.append(f"HTTP {resp.status}")

        threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return latencies, time.perf_counter() - t0

    phase(warmup)
    errors.clear()
    latencies, wall = phase(requests)
    for c in conns:
        c.close()
    latencies.sort()

    def pct(p):  # nearest-rank percentile
        rank = max(1, -(-len(latencies) * p // 100))
        return latencies[int(rank) - 1] * 1000

    return {"requests": len(latencies), "errors": len(errors), "first_error": errors[0] if errors else None,
            "seconds": round(wall, 3), "rps": round(len(latencies) / wall, 1),
            "p50_ms": round(pct(50), 2), "p95_ms": round(pct(95), 2), "p99_ms": round(pct(99), 2)}


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=10_000, help="applications to seed (default 10,000)")
    p.add_argument("--users", type=int, default=1_000, help="applicants they are spread over (default 1,000)")
    p.add_argument("--requests", type=int, default=500, help="measured requests per endpoint (default 500)")
    p.add_argument("--concurrency", type=int, default=4, help="client connections (default 4)")
    p.add_argument("--warmup", type=int, default=50, help="unmeasured requests first (default 50)")
    p.add_argument("--database-url", help="PostgreSQL URL instead of a SQLite file; ITS DATA IS DELETED")
    p.add_argument("--instance", help="instance folder (default: a fresh one under /tmp, removed afterwards)")
    p.add_argument("--keep", action="store_true", help="keep the instance folder (and its database)")
    p.add_argument("--reuse", action="store_true",
                   help="with --instance: measure the database seeded there by an earlier run (no seeding)")
    p.add_argument("--open", type=float, metavar="FRACTION",
                   help="share of applications still open (default about 0.75; e.g. 0.02 for a long history)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--serve", choices=["pintu", "bare"], help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve(args.serve, args.instance, args.database_url)
        return 0
    if args.n < 1 or args.users < 1 or args.requests < 1 or args.concurrency < 1 or args.warmup < 0:
        raise SystemExit("--n, --users, --requests and --concurrency must be positive")

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


def run(args, instance: str) -> int:
    from pintu import create_app

    users = min(args.users, args.n)
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"PINTU bench: {backend}, instance {instance}")
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
        t0 = time.perf_counter()
        seeded = seed(app, args.n, users, random.Random(args.seed), args.open)
        seed_s = time.perf_counter() - t0
        n = seeded["n"] = args.n
        seeded["open"] = args.open
        Path(info_path).write_text(json.dumps(seeded))
    from pintu.db import database

    if not database.is_closed():
        database.close()
    size = db_size(app)
    if seed_s is not None:
        print(f"seeded {n:,} applications ({users:,} applicants) and {seeded['events']:,} events in {seed_s:.1f} s "
              f"({n / seed_s:,.0f} applications/s); database {size / 1e6:.1f} MB")
    else:
        print(f"database {size / 1e6:.1f} MB")

    endpoints = [
        ("inbox /petugas/", "pintu", "/petugas/", PETUGAS_EMAIL, "LGS-"),  # a listed application, not just the page title
        (f"timeline /permohonan/{seeded['timeline_app']}", "pintu", f"/permohonan/{seeded['timeline_app']}",
         seeded["timeline_email"], "Riwayat"),
        ("bare Flask /", "bare", "/", None, "ok"),
    ]
    results = []
    for label, kind, path, email, expect in endpoints:
        server = Server(kind, instance, args.database_url)
        try:
            cookie = login(server.port, email) if email else None
            r = load(server.port, path, cookie, args.requests, args.concurrency, args.warmup, expect)
        finally:
            rss = server.stop()
        r.update(endpoint=label, path=path, peak_rss_mb=round(rss / 1024, 1) if rss else None)
        results.append(r)
        if r["errors"]:
            print(f"  {label}: {r['errors']} errors, first: {r['first_error']}")

    print(f"\nload average after the run: {_load()} (other work on the machine skews the figures)")
    head = f"{'endpoint':<28} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'RSS MB':>7}"
    print(f"concurrency {args.concurrency}, warm-up {args.warmup}, werkzeug threaded server, 127.0.0.1")
    print(head)
    print("-" * len(head))
    for r in results:
        print(f"{r['endpoint']:<28} {r['requests']:>8} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
              f"{r['p99_ms']:>8.1f} {r['peak_rss_mb'] if r['peak_rss_mb'] is not None else '-':>7}")

    if args.json:
        report = {
            "when": dt.datetime.now().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "load_after": _load(), "arch": platform.machine(), "python": platform.python_version(),
                        "system": f"{platform.system()} {platform.release()}"},
            "params": {"n": n, "users": users, "requests": args.requests, "concurrency": args.concurrency,
                       "warmup": args.warmup, "backend": backend, "seed": args.seed,
                       "open": seeded.get("open", args.open)},
            "seeding": {"seconds": round(seed_s, 2) if seed_s is not None else None, "events": seeded["events"], "db_bytes": size},
            "results": results,
        }
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
