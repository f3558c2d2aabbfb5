"""In-process page timings: what one request to a PINTU page costs inside the Python process,
next to a bare Flask app measured the same way in the same run.

No server, no load generator: each page is requested ``--requests`` times through Flask's test
client (the whole WSGI stack: session, login, CSRF, hooks, views, templates, SQL), and the script
prints ms/request, the ratio of bare Flask's ms to the page's ms (the ceiling that page could
reach over HTTP, roughly) and the SQL statements of one (warm) request. ``--profile`` adds cProfile's
top functions per page. Not part of the test suite (no ``test_`` names; no timing is asserted).

    .venv/bin/python tests/bench/profile_pages.py --instance /tmp/pp-10k --n 10000          # seeds, then times
    .venv/bin/python tests/bench/profile_pages.py --instance /tmp/pp-10k                    # reuses it
    .venv/bin/python tests/bench/profile_pages.py --instance /tmp/pp-1m --n 1000000 --pages inbox-terlambat --profile

The instance is seeded by ``bench.py``'s seeder (``--n``, ``--open``, SQLite) when it has no
database yet, and kept; an existing one is upgraded to the current schema first (as ``init-db``
does) and reused. See tests/bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))  # bench.py, for its seeder
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for `import pintu` from a checkout

import bench  # noqa: E402
from pintu.testing import sql_statements  # noqa: E402

PAGES = {  # key -> (path, who is logged in: "petugas", "applicant" or None, marker)
    "catalog": ("/", None, "Legalisir"),
    "lacak": ("/lacak?{track}", None, "{track_reference}"),
    "inbox-tugas": ("/petugas/?tab=tugas", "petugas", "Kotak Tugas"),
    "inbox-baru": ("/petugas/?tab=baru", "petugas", "Kotak Tugas"),
    "inbox-saya": ("/petugas/?tab=saya", "petugas", "Kotak Tugas"),
    "inbox-terlambat": ("/petugas/?tab=terlambat", "petugas", "Kotak Tugas"),
    "inbox-tenggat": ("/petugas/?tab=terlambat&urut=tenggat", "petugas", "Kotak Tugas"),
    "inbox-htmx": ("/petugas/?tab=tugas&urut=baru", "petugas", "<tbody>"),  # the htmx partial (list only)
    "application": ("/permohonan/{timeline_app}", "applicant", "Riwayat"),
}
DEFAULT_PAGES = "inbox-tugas,inbox-baru,inbox-saya,inbox-terlambat,inbox-htmx"


def prepare(instance: str, n: int, open_share: float | None, seed: int, database_url: str | None = None):
    """The app on ``instance``: seeded by bench.py's seeder when new, upgraded and reused otherwise.
    With ``database_url`` (PostgreSQL) the data lives there (WIPED when seeding); the instance
    folder keeps the rest and the record that it was seeded."""
    from pintu import create_app
    from pintu.data import migrations

    os.makedirs(instance, exist_ok=True)
    info_path = Path(instance, "bench-seed.json")
    if database_url and not info_path.exists():
        bench.reset_postgres(database_url)
    app = create_app(bench.overrides_for(instance, database_url))
    with app.app_context():  # the schema, as `flask --app pintu init-db` makes it (the app never does)
        migrations.upgrade(app.extensions["pintu"])
    if info_path.exists():
        seeded = json.loads(info_path.read_text())
        print(f"reusing {instance}: {seeded['n']:,} applications (open share {seeded.get('open') or '~0.75'})")
    else:
        t0 = time.perf_counter()
        seeded = bench.seed(app, n, min(1000, n), random.Random(seed), open_share)
        seeded.update(n=n, open=open_share)
        info_path.write_text(json.dumps(seeded))
        print(f"seeded {n:,} applications in {time.perf_counter() - t0:.1f} s into {instance}")
    from pintu.data.db import database

    if not database.is_closed():
        database.close()
    return app, seeded


def login(app, email: str):
    client = app.test_client()
    page = client.get("/masuk").get_data()
    token = bench._field(page, "csrf_token")
    r = client.post("/masuk", data={"csrf_token": token, "email": email, "password": bench.PASSWORD, "next": ""})
    if r.status_code != 302:
        raise SystemExit(f"login as {email} failed: HTTP {r.status_code}")
    return client


def time_get(client, path: str, requests: int, headers=None) -> tuple[float, float]:
    """(CPU ms of this process, wall ms) per request, each the best of three rounds of
    ``requests`` after a warm-up request. On SQLite everything a request does runs in this
    process, so its CPU time is steadier than wall time on a shared machine; a PostgreSQL
    server's work shows in wall time only."""
    client.get(path, headers=headers)
    cpu = wall = float("inf")
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(requests):
            client.get(path, headers=headers)
        cpu = min(cpu, (time.process_time() - c0) / requests * 1000)
        wall = min(wall, (time.perf_counter() - t0) / requests * 1000)
    return cpu, wall


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instance", required=True, help="instance folder: seeded when it has no database, else reused")
    p.add_argument("--n", type=int, default=10_000, help="applications to seed into a new instance (default 10,000)")
    p.add_argument("--open", type=float, metavar="FRACTION", help="share still open when seeding (default ~0.75)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--database-url", help="PostgreSQL URL instead of the instance's SQLite file; ITS DATA IS "
                                          "DELETED when the instance has not been seeded yet")
    p.add_argument("--requests", type=int, default=200, help="requests per round, per page (default 200)")
    p.add_argument("--pages", default=DEFAULT_PAGES, help=f"comma-separated, of: {', '.join(PAGES)} "
                                                           f"(default {DEFAULT_PAGES})")
    p.add_argument("--profile", action="store_true", help="print cProfile's top functions per page")
    p.add_argument("--top", type=int, default=25, help="functions listed with --profile (default 25)")
    args = p.parse_args(argv)

    app, seeded = prepare(args.instance, args.n, args.open, args.seed, args.database_url)
    track = f"reference={seeded['track_reference']}&code={seeded['track_code']}"
    values = dict(seeded, track=track)
    bare = bench.bare_app().test_client()
    measure = 1 if args.database_url else 0  # the ratio from wall time with a PostgreSQL server, else CPU time
    bare_ms = time_get(bare, "/", args.requests)
    clients = {None: app.test_client()}
    print(f"load average {bench._load()}; {args.requests} requests x 3 rounds per page (best round); "
          f"bare/page from {'wall' if measure else 'CPU'} time")
    print(f"{'page':<18} {'CPU ms':>8} {'wall ms':>8} {'bare/page':>10} {'queries':>8}  path")
    print(f"{'bare Flask':<18} {bare_ms[0]:>8.3f} {bare_ms[1]:>8.3f} {1:>10.3f} {0:>8}  /")
    for key in args.pages.split(","):
        path, who, marker = PAGES[key]
        path, marker = path.format(**values), marker.format(**values)
        if who not in clients:
            clients[who] = login(app, bench.PETUGAS_EMAIL if who == "petugas" else seeded["timeline_email"])
        client = clients[who]
        headers = {"HX-Request": "true", "HX-Target": "inbox"} if key == "inbox-htmx" else None
        client.get(path, headers=headers)  # warm-up: per-process caches are filled on a first request
        with sql_statements() as statements:
            r = client.get(path, headers=headers)
        body = r.get_data(as_text=True)
        if r.status_code != 200 or marker not in body:
            raise SystemExit(f"{key}: HTTP {r.status_code}, marker {marker!r} missing")
        rows = len(re.findall(r"<tr>", body.split("<tbody>", 1)[-1])) if key.startswith("inbox") else None
        ms = time_get(client, path, args.requests, headers)
        print(f"{key:<18} {ms[0]:>8.3f} {ms[1]:>8.3f} {bare_ms[measure] / ms[measure]:>10.3f} "
              f"{len(statements):>8}  {path}"
              + (f"  ({rows} rows)" if rows is not None else ""), flush=True)
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.requests):
                client.get(path, headers=headers)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
            out.write("\n")
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
