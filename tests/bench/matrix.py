"""Run tests/bench/bench.py over sizes, open mixes and backends, then print one table.

Each configuration is one run of ``bench.py`` (its own seeding, servers and bare-Flask baseline, so
every ratio compares like with like in the same minute); this script only loops and summarises the
``--json`` reports as a Markdown table for ``tests/bench/README.md``, with the issue's checks:
each inbox tab at least 0.15 x bare Flask, and at the largest size at least 0.9 x its own figure at
the smallest size (same backend and mix).

    .venv/bin/python tests/bench/matrix.py                              # SQLite: 10,000 and 1,000,000, 75% and 2% open
    .venv/bin/python tests/bench/matrix.py --sizes 10000,100000 --mixes 0.75
    .venv/bin/python tests/bench/matrix.py --database-url postgresql://pintu:pintu@127.0.0.1:55432/pintu_test_b
    make bench-matrix BENCH_ARGS="--sizes 10000 --mixes 0.75,0.02"

``--database-url`` adds PostgreSQL runs beside the SQLite ones (that database is WIPED per run).
Other arguments after ``--`` go to every bench.py run (``-- --duration 4 --warmup 1``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
INBOX = ("inbox-tugas", "inbox-baru", "inbox-saya", "inbox-terlambat")
COLUMNS = ("catalog", "service", "lacak", *INBOX, "application")


def run(size: int, mix: float, url: str | None, extra: list[str], out: Path) -> dict | None:
    args = [sys.executable, str(HERE / "bench.py"), "--n", str(size), "--open", str(mix), "--json", str(out), *extra]
    if url:
        args += ["--database-url", url]
    print("==>", " ".join(args[1:]), flush=True)
    subprocess.run(args, check=False)
    return json.loads(out.read_text()) if out.exists() else None


def row(report: dict) -> dict:
    by_key = {r["key"]: r for r in report["results"]}
    out = {key: by_key[key]["ratio"] for key in COLUMNS if key in by_key}
    out["bare"] = by_key.get("bare", {}).get("rps")
    action = by_key.get("staff-action")
    out["action_p95"] = action["p95_ms"] if action else None
    sub = by_key.get("submission")
    out["submission"] = (sub["rps"], sub["rss_growth_mb"]) if sub else None
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,1000000", help="applications per run, comma-separated")
    p.add_argument("--mixes", default="0.75,0.02", help="open shares, comma-separated")
    p.add_argument("--database-url", help="also run on this PostgreSQL database (WIPED)")
    p.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite (default)")
    p.add_argument("--out", default=str(HERE / "results" / "matrix"), help="folder of the JSON reports")
    args, extra = p.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    sizes = [int(s) for s in args.sizes.split(",")]
    mixes = [float(m) for m in args.mixes.split(",")]
    backends = (["sqlite"] if args.sqlite else []) + (["postgresql"] if args.database_url else [])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for backend in backends:
        for mix in mixes:
            for size in sizes:
                path = out / f"{backend}-{size}-{mix}.json"
                path.unlink(missing_ok=True)
                report = run(size, mix, args.database_url if backend == "postgresql" else None, extra, path)
                if report is not None:
                    rows.append(((backend, mix, size), row(report), report["revision"]))

    print("\n| backend | open | applications | bare req/s | " + " | ".join(COLUMNS)
          + " | action p95 ms | submission /s, RSS MB |")
    print("|---|---:|---:|---:|" + "---:|" * len(COLUMNS) + "---:|---|")
    for (backend, mix, size), r, _ in rows:
        cells = [f"{r.get(c):.3f}" if r.get(c) is not None else "-" for c in COLUMNS]
        sub = f"{r['submission'][0]:.1f}, +{r['submission'][1]}" if r["submission"] else "-"
        print(f"| {backend} | {mix:.0%} | {size:,} | {r['bare'] or 0:,.0f} | " + " | ".join(cells)
              + f" | {r['action_p95'] if r['action_p95'] is not None else '-'} | {sub} |")
    print(f"\nrevision(s): {', '.join(sorted({rev for *_, rev in rows}))}")

    failed = []
    for (backend, mix, size), r, _ in rows:
        for tab in INBOX:
            if r.get(tab) is not None and r[tab] < 0.15:
                failed.append(f"{backend} {mix:.0%} {size:,}: {tab} {r[tab]:.3f} < 0.15")
    for backend in backends:
        for mix in mixes:
            mine = {size: r for (b, m, size), r, _ in rows if b == backend and m == mix}
            if len(mine) < 2:
                continue
            small, large = mine[min(mine)], mine[max(mine)]
            for tab in INBOX:
                if small.get(tab) and large.get(tab) is not None and large[tab] < 0.9 * small[tab]:
                    failed.append(f"{backend} {mix:.0%}: {tab} at {max(mine):,} is {large[tab] / small[tab]:.2f} "
                                  f"x its figure at {min(mine):,} (< 0.9)")
    print("inbox checks: " + ("all met" if not failed else "NOT met:\n  " + "\n  ".join(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
