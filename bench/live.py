"""`make bench-live`: thousands of live readers on one btl process.

Serves btl with uvicorn as `python -m service serve` does (uvloop, httptools, the websocket
implementation uvicorn picks), then from a separate client process opens N anonymous
graphql-transport-ws sockets subscribed to one article's `commentEvents` (offering
permessage-deflate, as browsers do). It reports the server's resident memory idle and with
the subscribers attached, the delay from a post being sent to each subscriber receiving it
(20 posts 0.5 s apart), and postComment's latency and throughput with and without them.
A report, never a test. `--quick` runs 1,000 subscribers.

The client speaks the websocket protocol itself over asyncio (a handshake, frames, pongs):
one process holds thousands of sockets and timestamps every message as it arrives.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402  (serving, wrk, the machine's name)
import seeding  # noqa: E402
from documents import ARTICLE  # noqa: E402
from spy import Recording  # noqa: E402

SUBSCRIPTION = (
    "subscription Live($id: ID!) { commentEvents(articleId: $id) { kind comment { "
    "id body status replyCount createdAt author { displayName } parent { id } } } }"
)
POST = (
    "mutation P($i: PostCommentInput!) { postComment(input: $i) { __typename "
    "... on Comment { id } ... on Error { message } } }"
)
COMMENT_ID = re.compile(rb'"comment":\{"id":"(\d+)"')


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- the client process: many sockets, one event loop -------------------------------------


def frame(opcode: int, payload: bytes) -> bytes:
    """A masked client frame (the mask is fixed: this is a load generator)."""
    mask = b"\x01\x02\x03\x04"
    size = len(payload)
    head = bytes([0x80 | opcode])
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 65536:
        head += bytes([0x80 | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + size.to_bytes(8, "big")
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


class Subscriber(asyncio.Protocol):
    def __init__(self, client: Client, deflate: bool) -> None:
        self.client = client
        self.deflate = deflate
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.inflate: Any = None
        self.acked = asyncio.get_running_loop().create_future()
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        extensions = (
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            if self.deflate
            else ""
        )
        transport.write(
            (
                f"GET /graphql HTTP/1.1\r\nHost: {self.client.host}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n"
                f"{extensions}\r\n"
            ).encode()
        )

    def send(self, message: dict[str, Any]) -> None:
        assert self.transport is not None
        self.transport.write(frame(0x1, json.dumps(message).encode()))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            del self.buffer[: end + 4]
            if b" 101 " not in head.split(b"\r\n", 1)[0]:
                self.fail(f"handshake refused: {head[:60]!r}")
                return
            self.upgraded = True
            if b"permessage-deflate" in head:
                self.inflate = zlib.decompressobj(-15)
            self.send({"type": "connection_init", "payload": {}})
        self.read_frames()

    def read_frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            first, second = buffer[0], buffer[1]
            size, start = second & 0x7F, 2
            if size == 126:
                if len(buffer) < 4:
                    return
                size, start = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                if len(buffer) < 10:
                    return
                size, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + size:
                return
            payload = bytes(buffer[start : start + size])
            del buffer[: start + size]
            opcode = first & 0x0F
            if first & 0x40 and self.inflate is not None:  # RSV1: compressed
                payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
            if opcode == 0x1:
                self.message(payload)
            elif opcode == 0x9 and self.transport is not None:
                self.transport.write(frame(0xA, payload))  # pong
            elif opcode == 0x8:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.client.closes[code] = self.client.closes.get(code, 0) + 1
                self.closed = True
                if self.transport is not None:
                    self.transport.close()

    def message(self, payload: bytes) -> None:
        if payload.startswith(b'{"type":"connection_ack"') or b'"connection_ack"' in payload[:40]:
            if not self.acked.done():
                self.acked.set_result(None)
            return
        found = COMMENT_ID.search(payload)
        if found is not None:
            self.client.received.setdefault(int(found[1]), []).append(time.monotonic())
        elif b'"type":"ping"' in payload:
            self.send({"type": "pong"})
        else:
            self.client.other += 1

    def fail(self, why: str) -> None:
        self.client.failures.append(why)
        if not self.acked.done():
            self.acked.set_exception(RuntimeError(why))
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed:
            self.client.lost += 1
        if not self.acked.done():
            self.acked.set_exception(RuntimeError("connection lost before the ack"))


class Client:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.received: dict[int, list[float]] = {}
        self.closes: dict[int, int] = {}
        self.failures: list[str] = []
        self.lost = 0
        self.other = 0
        self.subscribers: list[Subscriber] = []

    async def open(self, count: int, deflate: bool, article: str) -> None:
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(200)  # handshakes in flight at once

        async def one() -> None:
            async with gate:
                for attempt in range(5):
                    try:
                        _, subscriber = await loop.create_connection(
                            lambda: Subscriber(self, deflate), self.host, self.port
                        )
                        break
                    except OSError:
                        await asyncio.sleep(0.2 * (attempt + 1))
                else:
                    self.failures.append("could not connect")
                    return
                await asyncio.wait_for(subscriber.acked, 30)
                subscriber.send(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": SUBSCRIPTION, "variables": {"id": article}},
                    }
                )
                self.subscribers.append(subscriber)

        results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
        self.failures += [repr(r) for r in results if isinstance(r, BaseException)]


async def client_main(host: str, port: int, count: int, deflate: bool, article: str) -> None:
    """Commands on stdin, one answer line each on stdout: `report`, `quit`."""
    raise_open_files()
    client = Client(host, port)
    await client.open(count, deflate, article)
    print(json.dumps({"subscribed": len(client.subscribers), "failures": client.failures[:5]}))
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        if line == "report":
            report = {
                "received": client.received,
                "closes": client.closes,
                "lost": client.lost,
                "other": client.other,
            }
            client.received = {}
            print(json.dumps(report))
            sys.stdout.flush()
        elif line == "quit":
            break
    for subscriber in client.subscribers:
        if subscriber.transport is not None:
            subscriber.transport.close()


# --- the driver: the server, the posts, the numbers -----------------------------------------


class ClientProcess:
    def __init__(self, port: int, count: int, deflate: bool) -> None:
        args = [sys.executable, __file__, "--client", str(port), str(count), ARTICLE]
        if not deflate:
            args.append("--no-deflate")
        self.process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the websocket client exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def stop(self) -> None:
        if self.process.poll() is None and self.process.stdin is not None:
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def paced_posts(
    port: int, tokens: list[str], count: int, interval: float, tag: str
) -> list[tuple[int | None, float, float]]:
    """(comment id or None when refused, sent at, latency s) for posts `interval` apart."""
    import httpx

    done = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        for n in range(count):
            start = time.monotonic()
            body = {"i": {"articleId": ARTICLE, "body": f"live bench {tag} post {n} {start}"}}
            response = http.post(
                "/graphql",
                json={"query": POST, "variables": body},
                headers={"Authorization": f"Bearer {tokens[n % len(tokens)]}"},
            )
            latency = time.monotonic() - start
            answer = response.json().get("data") or {}
            posted = answer.get("postComment") or {}
            comment_id = int(posted["id"]) if posted.get("__typename") == "Comment" else None
            done.append((comment_id, start, latency))
            time.sleep(max(0.0, interval - latency))
    return done


def post_script(directory: Path, tokens: list[str]) -> Path:
    """wrk's postComment to the subscribers' article."""
    path = directory / "live_post.lua"
    token_list = ", ".join(json.dumps(t) for t in tokens)
    template = json.dumps({"query": POST, "variables": {"i": {"articleId": ARTICLE, "body": "B"}}})
    before, after = template.split('"B"')
    path.write_text(
        f"local tokens = {{{token_list}}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n"
        "  local token = tokens[(n % #tokens) + 1]\n"
        f"  local body = {json.dumps(before)} .. '\"live burst ' .. n .. ' ' .. "
        f"math.random(1, 1e9) .. '\"' .. {json.dumps(after)}\n"
        '  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", '
        '["Authorization"] = "Bearer " .. token}, body)\nend\n'
    )
    return path


def settle(pid: int, seconds: float = 2.0) -> float:
    """The server's resident size once it has been idle for a moment."""
    time.sleep(seconds)
    return harness.rss_mb(pid)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(args: argparse.Namespace) -> dict[str, Any]:
    raise_open_files()  # the server inherits it
    work = Path(tempfile.mkdtemp(prefix="btl-live-bench-"))
    db = work / "bench.sqlite3"
    env = {
        "BTL_DATABASE_URL": f"sqlite://{db}",
        "BTL_RATE_LIMIT_COMMENTS": "100000000/60",
        "BTL_WS_MAX_SUBSCRIPTIONS": str(max(10_000, 2 * args.subscribers)),
        **dict(kv.split("=", 1) for kv in args.env),
    }
    subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    tokens = seeding.seed(db, authors=50, top_level=200)
    servers = harness.Servers()
    port = harness.free_port()
    result: dict[str, Any] = {"loadavg_start": load_average()}
    client: ClientProcess | None = None
    try:
        server = servers.start(
            [sys.executable, "-m", "service", "serve", "--port", str(port)], env, port
        )
        paced_posts(port, tokens, 5, 0.05, "warm-up")  # imports and caches in place
        result["rss_idle"] = settle(server.pid)
        cpu = harness.cpu_seconds(server.pid)
        result["alone"] = paced_posts(port, tokens, args.posts, args.interval, "alone")
        result["cpu_alone"] = harness.cpu_seconds(server.pid) - cpu
        if args.burst:
            cpu = harness.cpu_seconds(server.pid)
            result["burst_alone"] = harness.wrk(port, post_script(work, tokens), 4, args.burst)
            result["burst_alone"]["server_cpu"] = harness.cpu_seconds(server.pid) - cpu

        client = ClientProcess(port, args.subscribers, not args.no_deflate)
        opened = client.read()
        result["subscribed"] = opened["subscribed"]
        result["open_failures"] = opened["failures"]
        result["rss_subscribed"] = settle(server.pid, 3.0)
        # everyone receives one post before the measured ones (all subscriptions are live)
        paced_posts(port, tokens, 1, 0.0, "first")
        time.sleep(3.0)
        first = client.ask("report")
        result["first_reached"] = sum(len(v) for v in first["received"].values())
        result["loadavg_during"] = load_average()
        cpu = harness.cpu_seconds(server.pid)
        posts = paced_posts(port, tokens, args.posts, args.interval, "with")
        time.sleep(max(2.0, args.interval))
        result["cpu_with"] = harness.cpu_seconds(server.pid) - cpu
        report = client.ask("report")
        result["with"] = posts
        result["received"] = {int(k): v for k, v in report["received"].items()}
        result["rss_after"] = harness.rss_mb(server.pid)
        if args.burst:
            cpu = harness.cpu_seconds(server.pid)
            # where the server's time goes while it posts to its subscribers, for the report
            recording = Recording(server.pid, args.burst, work / "burst.spy")
            result["burst_with"] = harness.wrk(port, post_script(work, tokens), 4, args.burst)
            result["burst_with"]["server_cpu"] = harness.cpu_seconds(server.pid) - cpu
            result["burst_profile"] = recording.summary()
            time.sleep(2.0)
            client.ask("report")  # drop what the burst delivered
        final = client.ask("report")
        result["closes"], result["lost"] = final["closes"], final["lost"]
    finally:
        if client is not None:
            client.stop()
        servers.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    return result


def print_report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    n = args.subscribers
    print(f"\nbtl live readers — {harness.machine()} — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"{n} anonymous graphql-transport-ws subscribers to one article "
        f"({'no ' if args.no_deflate else ''}permessage-deflate offered), one btl process, "
        f"SQLite; load average {r['loadavg_start']} at the start, {r['loadavg_during']} "
        "with the subscribers attached"
    )
    if r["subscribed"] < n or r["open_failures"]:
        print(f"  only {r['subscribed']} of {n} subscribed: {r['open_failures']}")
    per = (r["rss_subscribed"] - r["rss_idle"]) * 1024 / max(1, r["subscribed"])
    print(
        f"  memory: idle {r['rss_idle']:.0f} MB -> subscribed {r['rss_subscribed']:.0f} MB "
        f"({per:.1f} KB per subscriber); after the posts {r['rss_after']:.0f} MB"
    )
    print(f"  the first post reached {r['first_reached']} of {r['subscribed']} subscribers")
    alone = [latency * 1000 for _, _, latency in r["alone"]]
    with_ = [latency * 1000 for _, _, latency in r["with"]]
    refused = sum(1 for comment_id, _, _ in r["with"] if comment_id is None)
    print(
        f"  postComment p50 / max: without {statistics.median(alone):.1f} / {max(alone):.1f} ms, "
        f"with {statistics.median(with_):.1f} / {max(with_):.1f} ms; "
        f"refused {refused} of {len(with_)}"
    )
    print(
        f"  server CPU for the {len(alone)} paced posts: {r['cpu_alone']:.2f} s without, "
        f"{r['cpu_with']:.2f} s with the subscribers "
        f"({(r['cpu_with'] - r['cpu_alone']) * 1e6 / max(1, len(with_) * r['subscribed']):.1f} "
        "µs per delivery)"
    )
    delays, missing = [], 0
    for comment_id, sent, _ in r["with"]:
        if comment_id is None:
            continue
        times = r["received"].get(comment_id, [])
        missing += r["subscribed"] - len(times)
        delays += [(t - sent) * 1000 for t in times]
    print(
        f"  delivery delay (post sent -> subscriber received), {len(delays)} deliveries: "
        f"p50 {percentile(delays, 0.5):.0f} ms, p99 {percentile(delays, 0.99):.0f} ms, "
        f"max {max(delays, default=float('nan')):.0f} ms; missing {missing}"
    )
    if "burst_alone" in r:
        a, w = r["burst_alone"], r["burst_with"]
        print(
            f"  postComment throughput (wrk, 4 connections, {args.burst} s): without "
            f"{a['rps']:.0f}/s (p99 {a['p99']:.0f} ms), with {w['rps']:.0f}/s "
            f"(p99 {w['p99']:.0f} ms): {w['rps'] / a['rps']:.2f}x; server CPU "
            f"{a['server_cpu']:.1f} s and {w['server_cpu']:.1f} s of {args.burst} s"
        )
    if r["closes"] or r["lost"]:
        print(f"  sockets closed by the server: {r['closes']}; lost: {r['lost']}")
    targets = [
        ("p99 delivery < 1 s", percentile(delays, 0.99) < 1000 and missing == 0),
        ("memory per idle subscriber < 20 KB", per < 20),
    ]
    if "burst_alone" in r:
        ratio = r["burst_with"]["rps"] / r["burst_alone"]["rps"]
        targets.append(("posting throughput with them >= 0.8x without", ratio >= 0.8))
    print("  targets:")
    for label, met in targets:
        print(f"    {'met   ' if met else 'MISSED'} {label}")
    if not all(met for _, met in targets[2:]) and "burst_profile" in r:
        print("  py-spy --gil of the server while posting with the subscribers attached:")
        print(r["burst_profile"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="1,000 subscribers")
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--burst", type=int, default=5, help="seconds of wrk posting; 0: none")
    parser.add_argument("--no-deflate", action="store_true", help="offer no permessage-deflate")
    parser.add_argument("--env", action="append", default=[], help="BTL_X=value for the server")
    parser.add_argument("--client", nargs=3, metavar=("PORT", "COUNT", "ARTICLE"))
    args = parser.parse_args()
    if args.client:
        port, count, article = args.client
        asyncio.run(client_main("127.0.0.1", int(port), int(count), not args.no_deflate, article))
        return 0
    if args.quick:
        args.subscribers = 1000
    if args.burst and shutil.which("wrk") is None:
        print("wrk is missing: no throughput rows (`apt-get install wrk`)")
        args.burst = 0
    print_report(args, measure(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
