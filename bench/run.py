"""`make bench`: btl under load beside two anchors on the same server stack, a report.

Seeds an article with 2,000 top-level comments by 200 authors (and, for the mixed row, 50
more articles), serves btl with uvicorn (uvloop, httptools) on 127.0.0.1 and drives it with
wrk for a bounded time per row at 16 and 64 connections. In the same run it serves the same
page from the floor (bench/floor.py: Starlette + aiosqlite, one SQL query) and the ceiling
(bench/ceiling.py: Starlette answering the page's bytes, computed once), and prints every
row's ratio to both. `--only` picks rows (e.g. `--only floor,mixed --seconds 5`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stages  # noqa: E402
from harness import machine  # noqa: E402

ROWS = (
    "ceiling",
    "floor",
    "out",
    "in",
    "post",
    "mixed",
    "counted",
    "workers",
    "big",
    "huge",
    "ranked",
    "pg",
)


def page_bytes(port: int, body: dict[str, Any]) -> bytes:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        data: bytes = answer.read()
        return data


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="measured time per row")
    parser.add_argument("--only", default=",".join(ROWS), help=f"rows among {','.join(ROWS)}")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument(
        "--py-spy",
        default="",
        metavar="ROW",
        help="profile this served row (out, in, post, mixed) with py-spy in a run of its own",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    if unknown := only - set(ROWS):
        parser.error(f"unknown rows {sorted(unknown)}: pick among {', '.join(ROWS)}")
    if shutil.which("wrk") is None:
        print("wrk is missing: `apt-get install wrk` (make bench does it when it can)")
        return 1
    loadavg = os.getloadavg()

    work = Path(tempfile.mkdtemp(prefix="btl-bench-"))
    run = stages.Run(
        work=work,
        seconds=args.seconds,
        connections=[int(c) for c in args.connections.split(",")],
        only=only,
        always_spy=args.py_spy,
    )
    try:
        stages.prepare(run)
        stages.served_rows(run)
        stages.later_rows(run)
        postgres_url = os.environ.get("BTL_BENCH_POSTGRES_URL")
        if postgres_url and only & {"post", "mixed", "pg"}:
            import pg

            pg_rows = only | {"post", "mixed"} if "pg" in only else only
            run.pg = pg.postgres_rows(postgres_url, work, args.seconds, pg_rows)
    finally:
        run.servers.stop_all()

    print(f"\nbtl bench — {machine()} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"each row {args.seconds} s after a 2 s warm-up; wrk -t2 on the same cores; one btl "
        f"process; SQLite. Load average before the run: {loadavg[0]:.1f} (1 min), "
        f"{loadavg[1]:.1f} (5 min); after: {os.getloadavg()[0]:.1f}\n"
    )
    stages.report(run)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
