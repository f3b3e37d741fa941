"""With BTL_REDIS_URL set and Redis not answering, btl still answers: reads from the
database, rate limits counted in the process, live events delivered within the instance,
/readyz saying why it is not ready; when Redis returns, all of them use it again."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from service.config import RateLimit
from tests.live_support import live_server, next_event, subscribe
from tests.served import free_port
from tests.support import LOGIN, POST, Api, post_comment
from tests.tcp_proxy import TcpProxy

NOTHING_LISTENS = "redis://127.0.0.1:1/0"
ARTICLE = '{ article(id: "story-1") { commentCount } }'


async def make_outage_api(make_api: Any, redis_url: str) -> Api:
    api: Api = await make_api(redis_url=redis_url, rate_limit_login=RateLimit(2, 300))
    return api


async def failed_login(api: Api, email: str) -> str:
    variables = {"input": {"email": email, "password": "not the password"}}
    response = await api.raw(LOGIN, variables)
    assert response.status_code == 200, response.text
    typename: str = response.json()["data"]["login"]["__typename"]
    return typename


async def read_article(api: Api) -> dict[str, Any]:
    response = await api.client.get("/graphql", params={"query": ARTICLE})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_without_redis_reads_logins_and_posts_still_answer(
    make_api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # given: BTL_REDIS_URL names a port where nothing listens
    api = await make_outage_api(make_api, NOTHING_LISTENS)
    caplog.set_level(logging.WARNING, logger="btl.redis")
    async with api.client:
        author = await api.person(subscriber=True)

        # when
        posted = await post_comment(api, author, "Still here")
        reads = [await read_article(api) for _ in range(5)]
        logins = [await failed_login(api, f"who{n}@example.com") for n in range(3)]
        ready = await api.client.get("/readyz")
        alive = await api.client.get("/healthz")

    # then
    assert posted["__typename"] == "Comment"
    assert reads == [{"data": {"article": {"commentCount": 1}}}] * 5
    # the address limit is still counted, in this process
    assert logins == ["InvalidCredentials", "InvalidCredentials", "RateLimited"]
    assert ready.status_code == 503
    assert ready.json()["status"] == "unavailable"
    assert "Redis" in ready.json()["reason"]
    assert alive.status_code == 200
    # said once for each user of Redis (cache, limits, live events), not once for each request
    outage_reports = [r for r in caplog.records if r.name == "btl.redis"]
    assert 1 <= len(outage_reports) <= 3, [r.getMessage() for r in outage_reports]
    assert not [r for r in caplog.records if r.name == "btl.events"]  # no second report


@dataclass
class ThrowawayRedis:
    """A redis-server of the test's own, on a free port, with nothing saved to disk."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def stored_keys(self) -> list[bytes]:
        import redis

        found: list[bytes] = redis.Redis.from_url(self.url).keys("btl*")
        return found


@pytest.fixture
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: a Redis that goes away is not tested")
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def eventually(check: Any, seconds: float = 15) -> None:
    """Wait for btl to try Redis again (it skips it for a moment after a failure)."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "btl did not come back to Redis"
        await asyncio.sleep(0.2)


async def test_redis_going_away_and_coming_back(
    make_api: Any, throwaway_redis: ThrowawayRedis
) -> None:
    # given: btl on a Redis that answers
    api = await make_outage_api(make_api, throwaway_redis.url)
    async with api.client:
        author = await api.person(subscriber=True)
        assert (await read_article(api))["data"]["article"]["commentCount"] == 0
        assert any(key.startswith(b"btl:answer:") for key in throwaway_redis.stored_keys())

        # when: Redis goes away
        throwaway_redis.stop()
        posted = await post_comment(api, author, "While Redis is away")
        read_while_away = await read_article(api)
        logins_while_away = [await failed_login(api, f"away{n}@example.com") for n in range(3)]
        ready_while_away = await api.client.get("/readyz")

        # then: answers from the database, limits counted in the process, not ready
        assert posted["__typename"] == "Comment"
        assert read_while_away == {"data": {"article": {"commentCount": 1}}}
        assert logins_while_away == ["InvalidCredentials", "InvalidCredentials", "RateLimited"]
        assert ready_while_away.status_code == 503
        assert "Redis" in ready_while_away.json()["reason"]

        # when: it comes back (empty: nothing was saved)
        throwaway_redis.start()

        async def ready() -> bool:
            return (await api.client.get("/readyz")).status_code == 200

        async def caching_again() -> bool:
            await read_article(api)
            return any(key.startswith(b"btl:answer:") for key in throwaway_redis.stored_keys())

        async def limiting_on_redis_again() -> bool:
            await failed_login(api, "back@example.com")
            return any(not key.startswith(b"btl:answer:") for key in throwaway_redis.stored_keys())

        # then: ready, keeping answers and counting limits in Redis again
        await eventually(ready)
        await eventually(caching_again)
        await eventually(limiting_on_redis_again)
        assert await read_article(api) == {"data": {"article": {"commentCount": 1}}}


EVENTS = 'subscription { commentEvents(articleId: "story-1") { kind comment { id body } } }'
THREAD = '{ article(id: "story-1") { commentCount comments { edges { node { body } } } } }'


async def test_live_events_go_on_through_a_redis_outage_and_cross_instances_again(
    database_url: str, throwaway_redis: ThrowawayRedis
) -> None:
    import redis

    # given: a served btl on a Redis that answers, and a reader listening to a thread
    make_live = live_server(database_url)
    limits = RateLimit(1000, 60)
    async with make_live(redis_url=throwaway_redis.url, rate_limit_comments=limits) as live:
        author = await live.api.person(subscriber=True)
        socket = await live.connect(author.token)
        await subscribe(socket, EVENTS)
        await asyncio.sleep(0.3)  # the server has handled the subscribe message
        before = await post_comment(live.api, author, "before")
        assert (await next_event(socket))["comment"]["body"] == "before"

        # when: Redis goes away
        throwaway_redis.stop()
        during = await live.api.raw(
            POST, {"input": {"articleId": "story-1", "body": "during"}}, author.token
        )
        heard_during = await next_event(socket)
        answers = [
            await live.api.client.get("/graphql", params={"query": THREAD}),
            await live.api.raw(THREAD, token=author.token),
            await live.api.raw(LOGIN, {"input": {"email": author.email, "password": "wrong"}}),
            await live.api.client.get("/healthz"),
        ]
        late = await live.connect(author.token)  # a websocket opened meanwhile
        await subscribe(late, EVENTS)

        # then: the post is taken and heard by this instance's subscribers; nothing is a 500
        assert during.status_code == 200, during.text
        assert during.json()["data"]["postComment"]["__typename"] == "Comment"
        assert heard_during["comment"]["body"] == "during"
        assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
        assert answers[0].json()["data"]["article"]["commentCount"] == 2

        # when: Redis comes back (empty)
        throwaway_redis.start()
        shared = redis.Redis.from_url(throwaway_redis.url)

        async def reading_redis_again() -> bool:
            return int(shared.pubsub_numpat()) >= 1

        await eventually(reading_redis_again)
        # another instance's event, published to Redis only
        message = json.dumps(["UPDATED", "story-1", int(before["id"])])
        shared.publish("btl:events:story-1", message)

        # then: both sockets hear it, and this instance's posts still reach them
        heard_after = [await next_event(each) for each in (socket, late)]
        await post_comment(live.api, author, "after")
        heard_last = [await next_event(each) for each in (socket, late)]
        await socket.close()
        await late.close()
    assert [(e["kind"], e["comment"]["body"]) for e in heard_after] == [("UPDATED", "before")] * 2
    assert [e["comment"]["body"] for e in heard_last] == ["after", "after"]


async def test_a_hanging_redis_is_waited_for_briefly_and_used_again_after(
    make_api: Any, throwaway_redis: ThrowawayRedis
) -> None:
    # given: btl reaching Redis through a proxy that can stop forwarding
    with TcpProxy("127.0.0.1", throwaway_redis.port) as proxy:
        api = await make_outage_api(make_api, f"redis://127.0.0.1:{proxy.port}/0")
        async with api.client:
            author = await api.person(subscriber=True)
            assert (await read_article(api))["data"]["article"]["commentCount"] == 0

            # when: Redis stops answering without closing anything (a partition, a hang)
            proxy.freeze()
            async with asyncio.timeout(40):  # each user of Redis waits its timeout, once
                posted = await post_comment(api, author, "While Redis hangs")
                reads = [await read_article(api) for _ in range(3)]
                logins = [await failed_login(api, f"hung{n}@example.com") for n in range(3)]
                ready_while_hung = await api.client.get("/readyz")

            # then: answered from the database and the process, and not ready
            assert posted["__typename"] == "Comment"
            assert reads == [{"data": {"article": {"commentCount": 1}}}] * 3
            assert logins == ["InvalidCredentials", "InvalidCredentials", "RateLimited"]
            assert ready_while_hung.status_code == 503

            # when: it answers again
            proxy.thaw()

            async def ready() -> bool:
                return (await api.client.get("/readyz")).status_code == 200

            async def caching_again() -> bool:
                await read_article(api)
                return any(k.startswith(b"btl:answer:") for k in throwaway_redis.stored_keys())

            # then
            await eventually(ready)
            await eventually(caching_again)
