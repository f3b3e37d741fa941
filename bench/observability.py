"""What the request log line and the metrics cost on the cached signed-out thread page.

Three btl processes on one seeded SQLite file, each one uvicorn process (uvloop, httptools)
with its stderr and stdout going to a file, as under a container runtime: request lines
off and metrics off (the base), lines on, lines and metrics on (BTL_METRICS_TOKEN). wrk
drives the signed-out page at each connection count against each in turn, the order rotated
every round, so a burst of load from others on the machine falls on all three alike. The
cost is reported twice: from req/s (what a reader sees; noisy on a shared machine) and from
the server's CPU time per request (what the lines and the series really cost; steadier).

    python bench/observability.py --seconds 5 --rounds 3 [--py-spy]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seeding
import spy
from documents import ANONYMOUS_PAGE, ARTICLE
from harness import ROOT, cpu_seconds, free_port, machine, wait_for
from scripts import lua_script

TOKEN = "bench-metrics-token-0123456789"
CONFIGS = {
    "lines off, metrics off": {"BTL_REQUEST_LOG": "false"},
    "lines on, metrics off": {"BTL_REQUEST_LOG": "true"},
    "lines on, metrics on": {"BTL_REQUEST_LOG": "true", "BTL_METRICS_TOKEN": TOKEN},
}
BASE = "lines off, metrics off"
Sample = tuple[float, float]  # req/s, server CPU microseconds per request


def in_process(work: Path, n: int = 50_000) -> dict[str, float]:
    """CPU microseconds per request of the line and of the series, measured in this process
    (steady where the served rows are noisy): web/request_log.py's line written to a file by
    the serving process's handler, the short way and the general way, and web/metrics.py's
    per-request work."""
    sys.path.insert(0, str(ROOT))
    import logging.config

    from web import request_log
    from web.logs import log_config
    from web.metrics import RequestMetrics

    record = request_log.RequestRecord("0" * 32, operation_name="Thread")
    record.operation_type, record.cache = "query", "hit"
    scope = {"type": "http", "method": "POST", "path": "/graphql"}
    log = request_log.RequestLog(None, frozenset())  # type: ignore[arg-type]
    metrics = RequestMetrics()
    found: dict[str, float] = {}
    with open(work / "in-process.log", "w") as stream:
        config = log_config()
        config["handlers"]["stderr"]["stream"] = stream
        logging.config.dictConfig(config)
        handler = logging.root.handlers[0]
        for name, short in (("line", True), ("line, the general way", False)):
            direct = getattr(request_log, "direct_writer", None)  # (None before the short way)
            if short and direct is None:
                continue
            if not short:
                request_log.direct_writer = lambda logger: None  # type: ignore[assignment]
            started = time.process_time()  # every thread's: the writer's too
            for _ in range(n):
                log._log(record, scope, 200, 0.0004, None)
            handler.flush()
            found[name] = (time.process_time() - started) * 1e6 / n
            request_log.direct_writer = direct
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    started = time.process_time()
    for _ in range(n):
        metrics.begin(scope)
        metrics.end(record, scope, 200, 0.0004)
    found["metrics"] = (time.process_time() - started) * 1e6 / n
    return found


def _wrk(port: int, script: Path, connections: int, seconds: int) -> tuple[float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
         f"http://127.0.0.1:{port}/graphql"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failures:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    count = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    return rps, count


@contextmanager
def served(work: Path) -> Iterator[dict[str, tuple[int, int]]]:
    """The three processes, by configuration: (port, pid)."""
    db = work / "bench.sqlite3"
    env = {**os.environ, "BTL_DATABASE_URL": f"sqlite://{db}"}
    command = [sys.executable, "-m", "service"]
    subprocess.run([*command, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    seeding.seed(db, authors=200, top_level=2000)
    processes: list[subprocess.Popen[bytes]] = []
    started: dict[str, tuple[int, int]] = {}
    try:
        for n, (name, settings) in enumerate(CONFIGS.items()):
            port = free_port()
            with open(work / f"served-{n}.log", "wb") as log:  # the child keeps its own copy
                process = subprocess.Popen(
                    [*command, "serve", "--port", str(port)],
                    env={**env, **settings}, cwd=ROOT, stdout=log, stderr=log,
                )  # fmt: skip
            processes.append(process)
            wait_for(port, process)
            started[name] = (port, process.pid)
        yield started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def measure(seconds: int, connections: list[int], rounds: int, profile: bool = False) -> list[str]:
    """The report's lines."""
    work = Path(tempfile.mkdtemp(prefix="btl-bench-obs-"))
    page = {"query": ANONYMOUS_PAGE, "variables": {"id": ARTICLE}}
    script = lua_script(work, "out", json.dumps(page))
    samples: dict[tuple[str, int], list[Sample]] = {}
    load_before = os.getloadavg()
    profile_text = ""
    try:
        with served(work) as servers:
            for port, _ in servers.values():  # fill the public cache, warm the process
                _wrk(port, script, 64, 2)
            names = list(CONFIGS)
            for r in range(rounds):
                for c in connections:
                    for name in names[r % 3 :] + names[: r % 3]:
                        port, pid = servers[name]
                        cpu = cpu_seconds(pid)
                        rps, count = _wrk(port, script, c, seconds)
                        used = cpu_seconds(pid) - cpu
                        samples.setdefault((name, c), []).append((rps, used * 1e6 / count))
            if profile:
                port, pid = servers["lines on, metrics on"]
                recording = spy.Recording(pid, seconds, work / "obs.spy")
                _wrk(port, script, 64, seconds)
                profile_text = recording.summary(top=20)
                profile_text = shares(work / "obs.spy") + "\n" + profile_text
            log_lines = [
                (work / f"served-{n}.log").read_bytes().count(b"\n") for n in range(len(CONFIGS))
            ]
        costs = in_process(work)
    finally:
        load_after = os.getloadavg()
        shutil.rmtree(work, ignore_errors=True)
    lines = [
        f"observability cost — {machine()} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"signed-out thread page (cached), one btl process each, stderr to a file; {rounds} "
        f"rounds x {seconds} s per row, order rotated; load average before {load_before[0]:.1f},"
        f" after {load_after[0]:.1f} (2 cores shared with wrk and other work)",
        f"{'configuration':<24}{'conns':>6}{'req/s':>9}{'cost':>8}{'CPU us/req':>12}{'cost':>8}",
    ]
    for c in connections:
        base = samples[(BASE, c)]
        for name in CONFIGS:
            mine = samples[(name, c)]
            rps = statistics.median(s[0] for s in mine)
            cpu = statistics.median(s[1] for s in mine)
            # each round's ratio to the base measured beside it, then their median
            rps_cost = statistics.median(1 - s[0] / b[0] for s, b in zip(mine, base, strict=True))
            cpu_cost = statistics.median(s[1] / b[1] - 1 for s, b in zip(mine, base, strict=True))
            cost = "" if name == BASE else f"{100 * rps_cost:+7.1f}%"
            cpu_text = "" if name == BASE else f"{100 * cpu_cost:+7.1f}%"
            lines.append(f"{name:<24}{c:>6}{rps:>9,.0f}{cost:>8}{cpu:>12.0f}{cpu_text:>8}")
    lines.append(f"lines written (served-N.log, incl. start-up): {log_lines}")
    base_cpu = statistics.median(s[1] for c in connections for s in samples[(BASE, c)])
    lines.append(
        f"in process, CPU per request against the base's {base_cpu:.0f} us: "
        + "; ".join(f"{k} {v:.1f} us ({100 * v / base_cpu:.1f} %)" for k, v in costs.items())
    )
    if profile_text:
        lines += ["py-spy --gil, lines on + metrics on, 64 connections:", profile_text]
    return lines


def part_of(frame: str) -> str | None:
    """Whether a py-spy frame is the line's work, the series', or neither."""
    if "web/request_log.py" in frame:  # of the middleware, only what writes the line
        return "line" if frame.startswith(("RequestLog._log (", "_fields_text (")) else None
    if "web/log_writer.py" in frame or "web/logs.py" in frame:
        return "line"
    if "web/metrics.py" in frame or "prometheus_client/" in frame:
        return "metrics"
    return None


def shares(raw: Path) -> str:
    """The share of the served process's samples (GIL held) in the line and in the series."""
    if not raw.exists():
        return "    (no profile: py-spy missing or not allowed to attach)"
    total, inside = 0, {"line": 0, "metrics": 0}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        for part in {part_of(frame) for frame in stack.split(";")} - {None}:
            inside[part] += int(count)  # type: ignore[index]
    found = ", ".join(f"{p} {100 * n / max(total, 1):.1f} %" for p, n in inside.items())
    return f"    share of the samples (GIL held), inclusive: {found}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="measured time per row")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--py-spy", action="store_true", help="profile lines + metrics after")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: `apt-get install wrk` (make bench does it when it can)")
        return 1
    connections = [int(c) for c in args.connections.split(",")]
    print("\n".join(measure(args.seconds, connections, args.rounds, args.py_spy)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
