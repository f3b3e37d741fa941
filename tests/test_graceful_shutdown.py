"""SIGTERM drains a served btl: it stops accepting, lets the request in flight finish (here
one whose query waits on a lock the test holds: a long query), closes websockets with 1012
so clients reconnect elsewhere, and exits 0."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets

from tests.conftest import POSTGRES_URL
from tests.live_support import TRANSPORT_WS, receive, subscribe, until_closed
from tests.served import ROOT, free_port
from tests.test_metrics import SCRAPER, TOKEN, parsed, value

REGISTER = """
mutation Register($input: RegisterInput!) { register(input: $input) { __typename } }
"""
EVENTS = 'subscription { commentEvents(articleId: "story-1") { __typename } }'
WAIT = 30  # seconds for what should happen (the machine may be busy)


@dataclass
class Instance:
    url: str
    process: subprocess.Popen[bytes]
    database_url: str


@contextmanager
def started(directory: Path, database_url: str, **settings: str) -> Iterator[Instance]:
    port = free_port()
    env = {**os.environ, "BTL_DATABASE_URL": database_url, "BTL_PORT": str(port), **settings}
    command = [sys.executable, "-m", "service"]
    subprocess.run([*command, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    with open(directory / "served.log", "wb") as log:
        process = subprocess.Popen([*command, "serve"], env=env, cwd=ROOT, stdout=log, stderr=log)
        try:
            yield Instance(f"http://127.0.0.1:{port}", process, database_url)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@asynccontextmanager
async def lock_held(database_url: str) -> AsyncIterator[None]:
    """Hold a lock that makes registering a user wait: the server's query is then a long one."""
    if database_url.startswith("sqlite://"):
        holder = sqlite3.connect(database_url.removeprefix("sqlite://"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock: the server's BEGIN waits for it
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import asyncpg

    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")  # no INSERT
        try:
            yield
        finally:
            await transaction.rollback()
    finally:
        await connection.close()


async def until(condition: object, what: str) -> None:
    for _ in range(WAIT * 10):
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never: {what}")


def refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) != 0


@pytest.fixture(params=["sqlite-1-worker", "sqlite-2-workers", "postgres-1-worker"])
def instance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Instance]:
    backend, workers, _ = request.param.split("-")
    if backend == "postgres":
        if not POSTGRES_URL:
            pytest.skip("BTL_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
        database_url = POSTGRES_URL
    else:
        database_url = f"sqlite://{tmp_path}/served.sqlite3"
    with started(
        tmp_path,
        database_url,
        BTL_WORKERS=workers,
        BTL_METRICS_TOKEN=TOKEN,
        BTL_OPERATION_TIMEOUT_SECONDS=str(WAIT * 2),
        BTL_SHUTDOWN_GRACE_SECONDS=str(WAIT * 2),
    ) as served:
        yield served


async def test_sigterm_finishes_a_long_query_closes_websockets_with_1012_and_exits_0(
    instance: Instance,
) -> None:
    url = instance.url
    async with httpx.AsyncClient(base_url=url, timeout=WAIT * 2) as client:
        await until(lambda: _answers(client), "the instance answers")
        # given: a subscriber on a websocket
        socket = await websockets.connect(
            url.replace("http", "ws", 1) + "/graphql", subprotocols=[TRANSPORT_WS]
        )
        await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert (await receive(socket))["type"] == "connection_ack"
        await subscribe(socket, EVENTS)

        async with lock_held(instance.database_url):
            # ... and a registration whose query waits on the lock
            variables = {
                "input": {
                    "email": f"{uuid.uuid4().hex}@example.com",
                    "password": "a long enough secret",
                    "displayName": f"Late {uuid.uuid4().hex[:8]}",
                }
            }
            in_flight = asyncio.create_task(
                client.post("/graphql", json={"query": REGISTER, "variables": variables})
            )
            await until(lambda: _in_flight(client), "the registration is being answered")

            # when
            instance.process.send_signal(signal.SIGTERM)

            # then: the websocket is closed with 1012, new connections are refused, and
            # the registration still waits for its query
            _, close_code, _ = await until_closed(socket)
            assert close_code == 1012
            await until(lambda: _refused(url), "new connections are refused")
            assert not in_flight.done()

        # when the lock goes, the query ends: the registration is answered in full
        response = await in_flight
        assert response.status_code == 200, response.text
        assert response.json()["data"]["register"]["__typename"] == "AuthSession"

    exit_status = await asyncio.to_thread(instance.process.wait, WAIT)
    assert exit_status == 0


async def _answers(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/healthz")).status_code == 200
    except httpx.TransportError:
        return False


async def _in_flight(client: httpx.AsyncClient) -> bool:
    scraped = await client.get("/metrics", headers=SCRAPER)
    return value(parsed(scraped.text), "btl_graphql_requests_in_flight") >= 1


async def _refused(url: str) -> bool:
    return refused(url)
