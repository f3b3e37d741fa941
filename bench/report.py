"""The bench's report: the table against both anchors, the other rows, the targets, and the
profile of each missed target."""

from __future__ import annotations

import os
from typing import Any

from stages import ISSO_WRITES, NAMES, Run


def _anchor(run: Run, key: str, connections: int) -> float | None:
    return next((r["rps"] for k, c, r, _ in run.rows if k == key and c == connections), None)


def _row(run: Run, key: str, connections: int) -> dict[str, float] | None:
    return next((r for k, c, r, _ in run.rows if k == key and c == connections), None)


def _ratio(value: float, anchor: float | None) -> str:
    return "-" if not anchor else f"{value / anchor:.2f}x"


def table(run: Run) -> None:
    print(
        f"| {'work (one process)':<40} | conns | req/s | p50 ms | p99 ms | SQL/req | bad |"
        " vs floor | vs ceiling |"
    )
    print(f"|{'-' * 42}|-------|-------|--------|--------|---------|-----|----------|------------|")
    for key, connections, r, statements in run.rows:
        sql_text = "-" if statements < 0 else str(statements)
        print(
            f"| {NAMES[key]:<40} | {connections:>5} | {r['rps']:>5.0f} | {r['p50']:>6.1f} | "
            f"{r['p99']:>6.1f} | {sql_text:>7} | {r['bad']:>3.0f} | "
            f"{_ratio(r['rps'], _anchor(run, 'floor', connections)):>8} | "
            f"{_ratio(r['rps'], _anchor(run, 'ceiling', connections)):>10} |"
        )
    for connections in run.connections:
        post = _row(run, "post", connections)
        if post:
            print(
                f"postComment at {connections}: {post['rps'] / ISSO_WRITES[connections]:.1f}x "
                f"Isso's {ISSO_WRITES[connections]:.0f} writes/s per process (issue 17's "
                "measurement on this machine, not rerun)"
            )
        mixed = _row(run, "mixed", connections)
        if mixed:
            print(
                f"mixed at {connections}: stale-answer probe posted {mixed['probe_posts']:.0f} "
                f"times and read back {mixed['probe_reads']:.0f} pages (signed out and in): "
                f"{mixed['stale']:.0f} stale, {mixed['probe_errors']:.0f} errors; its median/worst"
                f" times: {run.extra.get(f'probe_{connections}', '')}"
            )


def targets(run: Run) -> list[tuple[str, bool]]:
    """(label, met) for every target whose rows were measured."""
    found: list[tuple[str, bool]] = []

    def each(key: str) -> list[tuple[int, dict[str, float]]]:
        return [(c, r) for k, c, r, _ in run.rows if k == key]

    def share(key: str, anchor: str, at_least: float) -> bool:
        return all(
            r["rps"] >= at_least * (_anchor(run, anchor, c) or float("inf")) for c, r in each(key)
        )

    def p99_at_64(key: str, below: float) -> bool:
        return all(r["p99"] < below for c, r in each(key) if c == 64)

    if each("out") and each("ceiling"):
        found.append(
            (
                "signed out >= 0.7x the ceiling, p99 < 20 ms at 64",
                share("out", "ceiling", 0.7) and p99_at_64("out", 20),
            )
        )
    if each("in") and each("floor"):
        found.append(("signed in >= 1.0x the floor", share("in", "floor", 1.0)))
    if each("mixed") and each("floor"):
        found.append(
            (
                "mixed >= 1.0x the floor, p99 < 100 ms at 64",
                share("mixed", "floor", 1.0) and p99_at_64("mixed", 100),
            )
        )
    if each("mixed"):
        found.append(
            (
                "mixed: no stale answer",
                all(r["stale"] == 0 and r["probe_reads"] > 0 for _, r in each("mixed")),
            )
        )
    if each("post"):
        found.append(
            (
                "postComment >= 4x Isso's writes per process",
                all(r["rps"] >= 4 * ISSO_WRITES.get(c, 85.0) for c, r in each("post")),
            )
        )
    if "counted" in run.extra and each("floor"):
        counted = run.extra["counted"]
        found.append(
            (
                "signed out with counts, while recommending: >= 1.0x the floor, p99 < 50 ms at 64",
                counted["rps"] >= (_anchor(run, "floor", 64) or float("inf"))
                and counted["p99"] < 50,
            )
        )
    if "huge" in run.extra:
        h = run.extra["huge"]
        found.append(
            (
                "33,000 comments: first, 30,000 deep and every reply page within 1.2x",
                h["first"] <= 1.2 * h["small"]
                and h["deep"] <= 1.2 * h["small"]
                and max(h["replies"]) <= 1.2 * h["small_100"],
            )
        )
    if "big_first" in run.extra and each("out"):
        small = next(r for c, r in each("out") if c == run.connections[0])
        found.append(
            (
                "200,000 vs 2,000 within 1.2x (cached)",
                small["rps"] / run.extra["big_first"]["rps"] <= 1.2
                and small["rps"] / run.extra["big_deep"]["rps"] <= 1.2,
            )
        )
    ranked = run.extra.get("ranked", {})
    if "big" in ranked:
        found.append(
            (
                "MOST_RECOMMENDED at 200,000 within 1.2x of 2,000 (first and deep page)",
                ranked["big"] <= 1.2 * ranked["small"]
                and ranked["big_deep"] <= 1.2 * ranked["small_deep"],
            )
        )
    return found


def more(run: Run) -> None:
    extra: dict[str, Any] = run.extra
    if "huge" in extra:
        h = extra["huge"]
        replies = ", ".join(f"{t:.1f}" for t in h["replies"])
        print(
            "\n33,000 comments (a quarter replies, five comments with 500 replies), each request "
            "executed in full in process (median of 30):\n"
            f"  2,000-comment page of 20: {h['small']:.1f} ms; of 100: {h['small_100']:.1f} ms\n"
            f"  first page of 20: {h['first']:.1f} ms ({h['first'] / h['small']:.2f}x)\n"
            f"  page of 20, {h['depth']:,} top-level comments (30,000 comments with their "
            f"replies) deep: {h['deep']:.1f} ms ({h['deep'] / h['small']:.2f}x)\n"
            f"  the 500 replies of one comment by 100: {replies} ms "
            f"(worst {max(h['replies']) / h['small_100']:.2f}x the page of 100)"
        )
    if "counted" in extra:
        c = extra["counted"]
        print(
            f"\nsigned out with counts while 4 connections recommend (64 conns): {c['rps']:.0f} "
            f"req/s, p99 {c['p99']:.1f} ms; {c['writes']:.0f} recommendations/s"
        )
    if "big_first" in extra:
        small = _row(run, "out", run.connections[0])
        for label, r in (("first page", extra["big_first"]), ("100,000 deep", extra["big_deep"])):
            cost = f" ({small['rps'] / r['rps']:.2f}x the cost of 2,000)" if small else ""
            print(f"200,000 comments, {label} (cached, 16 conns): {r['rps']:.0f} req/s{cost}")
    ranked = extra.get("ranked", {})
    if "big" in ranked:
        print(
            "MOST_RECOMMENDED executed every time (median of 30): first page "
            f"{ranked['small']:.1f} ms at 2,000, {ranked['big']:.1f} ms at 200,000; deep "
            f"{ranked['small_deep']:.1f} ms (1,000 in), {ranked['big_deep']:.1f} ms (100,000 in)"
        )
    if "two" in extra:
        print("\ntwo worker processes (64 connections):")
        for key, label in (("out", "signed out"), ("in", "signed in")):
            r, one = extra["two"][key], _row(run, key, 64)
            versus = f" ({r['rps'] / one['rps']:.2f}x one process)" if one else ""
            print(
                f"  thread page, {label:<10} {r['rps']:>6.0f} req/s, p99 {r['p99']:.1f} ms"
                f"{versus}; CPU s of the machine's {(os.cpu_count() or 1) * run.seconds}: "
                f"workers {r['server_cpu']:.1f}, wrk {r['load_cpu']:.1f}"
            )
        print(
            f"  resident memory per worker: {', '.join(f'{m:.0f} MB' for m in extra['two_memory'])}"
        )
    if "memory" in extra:
        print(f"resident memory of the btl process after its rows: {extra['memory']:.0f} MB")
    if run.pg:
        for key, label in (
            ("post", "postComment (16 conns)"),
            ("mixed", "mixed traffic (64 conns)"),
        ):
            if key in run.pg:
                r = run.pg[key]
                print(
                    f"PostgreSQL, one process, {label}: {r['rps']:.0f} req/s, p50 "
                    f"{r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, {r['bad']:.0f} bad"
                )
        if "probe" in run.pg:
            p = run.pg["probe"]
            print(f"  stale-answer probe: {p.posts} posts, {p.reads} reads, {p.stale} stale")
    elif run.only & {"post", "mixed", "pg"}:
        print("PostgreSQL rows: set BTL_BENCH_POSTGRES_URL (a database whose schema it may wipe)")


def report(run: Run) -> None:
    table(run)
    more(run)
    print("\ntargets:")
    for label, met in targets(run):
        print(f"  {'met   ' if met else 'MISSED'} {label}")
    for key, title in (
        ("mixed_profile", "py-spy --gil of the mixed row at 64 connections, own time"),
        ("row_profile", f"py-spy --gil of the {run.always_spy!r} row at 64 connections"),
        ("in_profile", "where a signed-in thread page's time goes (cProfile, in process)"),
        ("post_profile", "where a postComment's time goes (cProfile, in process)"),
    ):
        if key in run.extra:
            print(f"\n{title}:\n{run.extra[key]}")
