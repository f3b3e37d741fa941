"""PostgreSQL going away under load and coming back: a served btl answers 503 with
extensions.code UNAVAILABLE meanwhile (never a 500, never a hang), and serves again once
PostgreSQL is back, without a restart, having lost nothing it acknowledged.

The outage is a TCP proxy between btl and PostgreSQL that drops every connection and
refuses new ones, as a restarting server does: the machine's PostgreSQL is shared."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.served import ROOT, Served, create_user, fresh_postgres, serve
from tests.support import LOGIN, PASSWORD, POST
from tests.tcp_proxy import TcpProxy

POSTERS = 3
READ = "query Read($id: ID!) { comment(id: $id) { id body } }"
THREAD = '{ article(id: "story-1") { commentCount } }'


@pytest.fixture
async def proxied_postgres() -> AsyncIterator[tuple[TcpProxy, str]]:
    """A database of its own, reached through a proxy the test can cut: (proxy, btl's URL)."""
    if not POSTGRES_URL:
        pytest.skip("BTL_TEST_POSTGRES_URL is not set: a PostgreSQL outage is not tested")
    direct = urlsplit(await fresh_postgres(POSTGRES_URL, "outage"))
    await _migrate(direct.geturl())  # directly: the proxy is for serving
    with TcpProxy(direct.hostname or "127.0.0.1", direct.port or 5432) as proxy:
        credentials = direct.netloc.rpartition("@")[0]
        yield proxy, direct._replace(netloc=f"{credentials}@127.0.0.1:{proxy.port}").geturl()


async def _migrate(database_url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        "migrate",
        env={**os.environ, "BTL_DATABASE_URL": database_url},
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()


class Load:
    """Posters posting one comment after another, and a signed-out reader, until stopped;
    every answer's outcome is counted."""

    def __init__(self, client: httpx.AsyncClient, tokens: list[str]) -> None:
        self.client = client
        self.tokens = tokens
        self.outcomes: Counter[str] = Counter()
        self.acknowledged: dict[str, str] = {}
        self.stop = asyncio.Event()
        self.counted = asyncio.Event()  # set on each answer

    def _count(self, outcome: str) -> None:
        self.outcomes[outcome] += 1
        self.counted.set()

    async def _post(self, token: str, name: str) -> None:
        for n in range(100_000):
            if self.stop.is_set():
                return
            variables = {"input": {"articleId": "story-1", "body": f"{name}:{n}"}}
            response = await self.client.post(
                "/graphql",
                json={"query": POST, "variables": variables},
                headers={"Authorization": f"Bearer {token}"},
            )
            self._count(_outcome(response))
            if response.status_code == 200:
                posted = response.json()["data"]["postComment"]
                self.acknowledged[posted["id"]] = posted["body"]
            else:
                await asyncio.sleep(0.05)  # a client backing off a little

    async def _read(self) -> None:
        while not self.stop.is_set():
            response = await self.client.get("/graphql", params={"query": THREAD})
            self._count("read " + _outcome(response))
            await asyncio.sleep(0.02)

    async def run(self) -> None:
        posters = (self._post(token, f"p{n}") for n, token in enumerate(self.tokens))
        await asyncio.gather(*posters, self._read())


def _outcome(response: httpx.Response) -> str:
    if response.status_code == 200 and "errors" not in response.json():
        return "ok"
    codes = [error.get("extensions", {}).get("code") for error in response.json()["errors"]]
    return f"{response.status_code} {','.join(map(str, codes))}"


async def _until(load: Load, outcome: str, more: int) -> None:
    """Wait until `more` answers with `outcome` have come since now (30 s at most)."""
    target = load.outcomes[outcome] + more
    async with asyncio.timeout(30):
        while load.outcomes[outcome] < target:
            load.counted.clear()
            await load.counted.wait()


async def test_postgres_going_away_under_load_and_coming_back(
    tmp_path: Path, proxied_postgres: tuple[TcpProxy, str]
) -> None:
    # given: a served btl on PostgreSQL (through the proxy), posters and a reader at work
    proxy, database_url = proxied_postgres
    settings = {"BTL_DATABASE_URL": database_url, "BTL_RATE_LIMIT_COMMENTS": "100000/60"}
    with serve(tmp_path, migrate=False, **settings) as served:
        create_user(served, "poster@example.com", PASSWORD, "Poster", "moderator")
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            tokens = [await _login(client) for _ in range(POSTERS)]
            load = Load(client, tokens)
            running = asyncio.create_task(load.run())
            try:
                await _until(load, "ok", 10)

                # when: PostgreSQL goes away under load
                proxy.cut()
                await _until(load, "503 UNAVAILABLE", 10)
                probes_while_down = [
                    (await client.get("/readyz")).status_code,
                    (await client.get("/healthz")).status_code,
                ]
                login_while_down = await client.post(
                    "/graphql", json={"query": LOGIN, "variables": _login_variables()}
                )

                # and comes back
                proxy.restore()
                await _until(load, "ok", 10)
                await _until(load, "read ok", 5)
                ready_after = (await client.get("/readyz")).status_code
            finally:
                load.stop.set()
                await running
            stored = await _read_all(served, list(load.acknowledged))

    # then: while it was away, 503 UNAVAILABLE and nothing else; ready again after
    assert set(load.outcomes) <= {"ok", "read ok", "503 UNAVAILABLE", "read 503 UNAVAILABLE"}, (
        load.outcomes
    )
    assert probes_while_down == [503, 200]
    assert login_while_down.status_code == 503
    assert login_while_down.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}
    assert ready_after == 200
    # and every comment acknowledged, before, during or after, is there as acknowledged
    assert stored == load.acknowledged


def _login_variables() -> dict[str, Any]:
    return {"input": {"email": "poster@example.com", "password": PASSWORD}}


async def _login(client: httpx.AsyncClient) -> str:
    response = await client.post("/graphql", json={"query": LOGIN, "variables": _login_variables()})
    token: str = response.json()["data"]["login"]["token"]
    return token


async def _read_all(served: Served, ids: list[str]) -> dict[str, str]:
    stored = {}
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        for comment_id in ids:
            response = await client.post(
                "/graphql", json={"query": READ, "variables": {"id": comment_id}}
            )
            comment = response.json()["data"]["comment"]
            stored[comment["id"]] = comment["body"]
    return stored


async def test_postgres_hanging_is_answered_within_the_timeout_and_recovers(
    tmp_path: Path, proxied_postgres: tuple[TcpProxy, str]
) -> None:
    # given: a served btl on PostgreSQL, with a short operation timeout
    proxy, database_url = proxied_postgres
    settings = {
        "BTL_DATABASE_URL": database_url,
        "BTL_RATE_LIMIT_COMMENTS": "100000/60",
        "BTL_OPERATION_TIMEOUT_SECONDS": "2",
    }
    with serve(tmp_path, migrate=False, **settings) as served:
        create_user(served, "poster@example.com", PASSWORD, "Poster", "moderator")
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            token = await _login(client)
            headers = {"Authorization": f"Bearer {token}"}

            async def post(body: str) -> httpx.Response:
                variables = {"input": {"articleId": "story-1", "body": body}}
                return await client.post(
                    "/graphql", json={"query": POST, "variables": variables}, headers=headers
                )

            assert _outcome(await post("before")) == "ok"

            # when: PostgreSQL stops answering, without closing anything (a partition)
            proxy.freeze()
            async with asyncio.timeout(20):  # answered, not left waiting
                while_hung = await asyncio.gather(
                    post("while hung"),
                    client.get("/graphql", params={"query": THREAD}),
                    client.post("/graphql", json={"query": LOGIN, "variables": _login_variables()}),
                )
                ready_while_hung = (await client.get("/readyz")).status_code

            # and answers again
            proxy.thaw()
            async with asyncio.timeout(30):
                after = await post("after")
                while _outcome(after) != "ok":
                    after = await post("after")
                ready_after = (await client.get("/readyz")).status_code

    # then
    assert [_outcome(answer) for answer in while_hung] == ["503 TIMEOUT"] * 3
    assert ready_while_hung == 503
    assert ready_after == 200
