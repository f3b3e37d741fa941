"""The bench's stages: seed, measure the served rows, measure the rest, print the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import inprocess
import mix
import seeding
import spy
from documents import ANONYMOUS_PAGE, ARTICLE, COUNTED_PAGE, RANKED_PAGE, SIGNED_IN_PAGE
from harness import ROOT, Servers, child_pids, cpu_seconds, free_port, rss_mb, wrk
from scripts import lua_script, post_script, recommend_script, while_recommending

# Isso 0.14's POST /new per process (gunicorn -w 2, halved), measured on this machine for
# issue 17 at 16 and 64 connections: the anchor of the postComment target (4x), not rerun
ISSO_WRITES = {16: 63.0, 64: 85.0}
NAMES = {
    "ceiling": "ceiling: Starlette, precomputed bytes",
    "floor": "floor: Starlette + aiosqlite, 1 query",
    "out": "btl: thread page, signed out",
    "in": "btl: thread page, signed in",
    "post": "btl: postComment",
    "mixed": "btl: mixed traffic, 50 articles",
}
PAGE_100 = ANONYMOUS_PAGE.replace("first: 20", "first: 100")
REPLIES = (
    "query Replies($id: ID!, $after: String) { comment(id: $id) { replies(first: 100, "
    "after: $after) { edges { node { id body createdAt replyCount author { displayName } } } "
    "pageInfo { endCursor hasNextPage } } } }"
)


@dataclass
class Run:
    work: Path
    seconds: int
    connections: list[int]
    only: set[str]
    always_spy: str  # a served row to profile whatever its result
    servers: Servers = field(default_factory=Servers)
    env: dict[str, str] = field(default_factory=dict)
    db: Path = Path()
    tokens: list[str] = field(default_factory=list)
    rows: list[tuple[str, int, dict[str, float], int]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    pg: dict[str, Any] = field(default_factory=dict)

    def btl(self, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "service", "serve", "--port", str(port)]
        return self.servers.start([*command, "--workers", str(workers)], self.env, port)


def prepare(run: Run) -> None:
    run.db = run.work / "bench.sqlite3"
    run.env = {
        "BTL_DATABASE_URL": f"sqlite://{run.db}",
        "BTL_RATE_LIMIT_COMMENTS": "100000000/60",
        "BTL_RATE_LIMIT_RECOMMENDATIONS": "100000000/60",
    }
    subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        env={**os.environ, **run.env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    run.tokens = seeding.seed(run.db, authors=200, top_level=2000)
    seeding.apply_sqlite(run.db, mix.mix_rows(200))


def _mixed(run: Run, port: int, connections: int, pid: int | None = None) -> dict[str, float]:
    page_ids = {k: seeding.first_ids(run.db, mix.article_id(k)) for k in range(1, 51)}
    script = mix.script(run.work, run.tokens[:-2], page_ids)
    probe = mix.StaleProbe(port, run.tokens[-1], run.tokens[-2])
    recording = spy.Recording(pid, run.seconds, run.work / "mixed.spy") if pid else None
    probe.start()
    try:
        result = wrk(port, script, connections, run.seconds)
    finally:
        probe.stop.set()
        probe.join()
    result.update(probe_posts=probe.posts, probe_reads=probe.reads, stale=probe.stale)
    result["probe_errors"] = probe.errors
    run.extra[f"probe_{connections}"] = probe.latencies()
    if recording:
        run.extra["mixed_profile"] = recording.summary()
    return result


def served_rows(run: Run) -> None:
    wanted = run.only & {"ceiling", "floor", "out", "in", "post", "mixed", "counted"}
    if not wanted:
        return
    anonymous = {"query": ANONYMOUS_PAGE, "variables": {"id": ARTICLE}}
    btl_port = free_port()
    btl = run.btl(btl_port)
    ports = {"out": btl_port, "in": btl_port, "post": btl_port, "mixed": btl_port}
    if "floor" in wanted:
        ports["floor"] = free_port()
        run.servers.start(
            [sys.executable, str(ROOT / "bench" / "floor.py"), str(run.db), str(ports["floor"])],
            {},
            ports["floor"],
        )
    if "ceiling" in wanted:
        import run as entry

        body = run.work / "page.json"
        body.write_bytes(entry.page_bytes(btl_port, anonymous))
        ports["ceiling"] = free_port()
        run.servers.start(
            [sys.executable, str(ROOT / "bench" / "ceiling.py"), str(body), str(ports["ceiling"])],
            {},
            ports["ceiling"],
        )
    signed_in = {"query": SIGNED_IN_PAGE, "variables": {"id": ARTICLE}}
    scripts = {
        "ceiling": lua_script(run.work, "ceiling", json.dumps(anonymous)),
        "floor": lua_script(run.work, "floor", json.dumps(anonymous)),
        "out": lua_script(run.work, "anonymous", json.dumps(anonymous)),
        "in": lua_script(run.work, "signed_in", json.dumps(signed_in), run.tokens[0]),
        "post": post_script(run.work, run.tokens),
    }
    run.extra["scripts"] = scripts
    sql = {
        "out": inprocess.sql_per_request(run.db, ANONYMOUS_PAGE, {"id": ARTICLE}, None),
        "in": inprocess.sql_per_request(run.db, SIGNED_IN_PAGE, {"id": ARTICLE}, run.tokens[0]),
    }
    for connections in run.connections:
        for key in ("ceiling", "floor", "out", "in", "post", "mixed"):
            if key not in wanted:
                continue
            if key == "mixed":
                result = _mixed(run, btl_port, connections)
            else:
                result = wrk(ports[key], scripts[key], connections, run.seconds)
            run.rows.append((key, connections, result, sql.get(key, 1 if key == "floor" else -1)))
    if "counted" in wanted:
        counted = lua_script(
            run.work, "counted", json.dumps({"query": COUNTED_PAGE, "variables": {"id": ARTICLE}})
        )
        writes = recommend_script(run.work, run.tokens[:40], seeding.page_ids(run.db, 20))
        run.extra["counted"] = while_recommending(btl_port, counted, writes, run.seconds)
    run.extra["memory"] = rss_mb(btl.pid)
    _profiles(run, btl_port, btl.pid)
    run.servers.stop_all()
    run.servers = Servers()


def _missed(run: Run, key: str) -> bool:
    return key in run.extra.get("missed", set())


def _profiles(run: Run, port: int, pid: int) -> None:
    """The profiles of the rows whose target is missed (or of the mixed row when asked)."""
    run.extra["missed"] = missed = {label for label, met in targets(run) if not met}
    if "mixed" in run.only and (run.always_spy == "mixed" or any("mixed" in m for m in missed)):
        _mixed(run, port, 64, pid)
    if run.always_spy in ("out", "in", "post"):
        recording = spy.Recording(pid, run.seconds, run.work / "row.spy")
        wrk(port, run.extra["scripts"][run.always_spy], 64, run.seconds)
        run.extra["row_profile"] = recording.summary()
    if any("signed in" in m for m in missed):
        run.extra["in_profile"] = inprocess.profile(
            run.db, SIGNED_IN_PAGE, {"id": ARTICLE}, run.tokens[0]
        )
    if any("postComment" in m for m in missed):
        variables = {"i": {"articleId": "bench-profile", "body": "profiled"}}
        from documents import POST

        run.extra["post_profile"] = inprocess.profile(run.db, POST, variables, run.tokens[1])


def later_rows(run: Run) -> None:
    if "workers" in run.only:
        _two_workers(run)
    if "huge" in run.only:
        _huge(run)
    if "ranked" in run.only:
        _ranked(run)
    if "big" in run.only:
        seeding.grow(run.db, 200_000, 200)
        port = free_port()
        run.btl(port)
        anonymous = lua_script(
            run.work,
            "anonymous",
            json.dumps({"query": ANONYMOUS_PAGE, "variables": {"id": ARTICLE}}),
        )
        deep = {
            "query": ANONYMOUS_PAGE,
            "variables": {"id": ARTICLE, "after": seeding.deep_cursor(run.db, 100_000)},
        }
        run.extra["big_first"] = wrk(port, anonymous, 16, run.seconds)
        run.extra["big_deep"] = wrk(
            port, lua_script(run.work, "deep", json.dumps(deep)), 16, run.seconds
        )
        run.servers.stop_all()
        if "ranked" in run.only:
            token, cursor = run.tokens[0], seeding.ranked_deep_cursor
            run.extra["ranked"]["big"] = inprocess.executed_ms(
                run.db, RANKED_PAGE, {"id": ARTICLE}, token
            )
            run.extra["ranked"]["big_deep"] = inprocess.executed_ms(
                run.db, RANKED_PAGE, {"id": ARTICLE, "after": cursor(run.db, 100_000)}, token
            )


def _two_workers(run: Run) -> None:
    port = free_port()
    btl2 = run.btl(port, workers=2)
    time.sleep(2)  # both workers up
    workers = [
        pid
        for pid in child_pids(btl2.pid)
        if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    scripts = {
        "out": lua_script(
            run.work,
            "anonymous",
            json.dumps({"query": ANONYMOUS_PAGE, "variables": {"id": ARTICLE}}),
        ),
        "in": lua_script(
            run.work,
            "signed_in",
            json.dumps({"query": SIGNED_IN_PAGE, "variables": {"id": ARTICLE}}),
            run.tokens[0],
        ),
    }
    two = {}
    for key, script in scripts.items():
        before = {pid: cpu_seconds(pid) for pid in workers}
        two[key] = wrk(port, script, 64, run.seconds)
        two[key]["server_cpu"] = sum(cpu_seconds(pid) - before[pid] for pid in workers)
    run.extra["two"] = two
    run.extra["two_memory"] = [rss_mb(pid) for pid in workers]
    run.servers.stop_all()


def _huge(run: Run) -> None:
    """33,000 comments: each page's request executed in full (in process, median of 30),
    against the 2,000-comment article's page of the same size."""
    busy = seeding.seed_huge(run.db, 200)
    token = run.tokens[0]
    huge = {"id": seeding.HUGE}
    depth = seeding.depth_reaching(run.db, seeding.HUGE, 30_000)
    deep = {"id": seeding.HUGE, "after": seeding.deep_cursor(run.db, depth, seeding.HUGE)}
    reply_cursors = inprocess.cursors(
        run.db, REPLIES, {"id": str(busy)}, token, ["comment", "replies"]
    )
    bodies = [
        {"query": ANONYMOUS_PAGE, "variables": {"id": ARTICLE}},
        {"query": PAGE_100, "variables": {"id": ARTICLE}},
        {"query": ANONYMOUS_PAGE, "variables": huge},
        {"query": ANONYMOUS_PAGE, "variables": deep},
        *(
            {"query": REPLIES, "variables": {"id": str(busy), "after": after}}
            for after in reply_cursors
        ),
    ]
    times = inprocess.executed_each_ms(run.db, bodies, token)
    run.extra["huge"] = {
        "small": times[0],
        "small_100": times[1],
        "first": times[2],
        "deep": times[3],
        "replies": times[4:],
        "depth": depth,
    }


def _ranked(run: Run) -> None:
    token = run.tokens[0]
    cursor = seeding.ranked_deep_cursor
    run.extra["ranked"] = {
        "small": inprocess.executed_ms(run.db, RANKED_PAGE, {"id": ARTICLE}, token),
        "small_deep": inprocess.executed_ms(
            run.db, RANKED_PAGE, {"id": ARTICLE, "after": cursor(run.db, 1_000)}, token
        ),
    }


from report import report, targets  # noqa: E402  (the report reads the stages' results)

__all__ = ["Run", "later_rows", "prepare", "report", "served_rows", "targets"]
