"""Operations cancelled at any await — by the operation timeout or by a client that gave up —
leave the database usable and lose nothing they acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from service import sql
from service.config import RateLimit
from service.models import Comment
from tests.schema.moderation.test_concurrent_status_changes import _assert_counters_match_the_rows
from tests.served import Served, create_user, serve
from tests.support import LOGIN, PASSWORD, POST, Api, Person

READ = "query Read($id: ID!) { comment(id: $id) { id body } }"
POSTERS, POSTS_EACH = 4, 80


@pytest.fixture
async def apps(make_api: Any) -> AsyncIterator[tuple[Api, Api]]:
    """Two apps on one database: one whose operations time out almost at once, and a calm one
    with time to answer, to look at what the first left behind."""
    calm: Api = await make_api(rate_limit_comments=RateLimit(100_000, 60))
    hasty: Api = await make_api(
        rate_limit_comments=RateLimit(100_000, 60), operation_timeout_seconds=0.05
    )
    async with calm.client, hasty.client:
        yield calm, hasty


async def _post(
    api: Api, person: Person, body: str, parent: str | None, give_up_after: float | None
) -> dict[str, Any] | None:
    """The comment the service acknowledged, or None (timed out, or the client gave up)."""
    extra = {"parentId": parent} if parent else {}
    call = api.raw(POST, {"input": {"articleId": "story-1", "body": body, **extra}}, person.token)
    try:
        response = await (asyncio.wait_for(call, give_up_after) if give_up_after else call)
    except TimeoutError:
        return None  # cancelled inside the app, at whatever await it had reached
    if response.status_code != 200:
        assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT", response.text
        return None
    posted: dict[str, Any] = response.json()["data"]["postComment"]
    assert posted["__typename"] == "Comment", posted
    return posted


async def test_cancelled_posts_leave_the_service_answering_and_lose_nothing_acknowledged(
    apps: tuple[Api, Api], is_postgres: bool
) -> None:
    # given
    calm, hasty = apps
    posters = [await calm.person(subscriber=True) for _ in range(POSTERS)]
    root = await calm.data(
        POST, {"input": {"articleId": "story-1", "body": "root"}}, posters[0].token
    )
    chance = random.Random(5)

    async def posts(person: Person) -> list[dict[str, Any] | None]:
        return [
            await _post(
                hasty,
                person,
                f"{person.id} says {n}",
                root["postComment"]["id"] if n % 3 == 0 else None,
                chance.uniform(0.0005, 0.06) if n % 2 else None,
            )
            for n in range(POSTS_EACH)
        ]

    # when: the posters post at once, one post after another; half the time the client
    # gives up at a random moment
    answers = [answer for each in await asyncio.gather(*map(posts, posters)) for answer in each]

    # then: the service still answers, at once
    acknowledged = [answer for answer in answers if answer is not None]
    async with asyncio.timeout(20):  # it hung for good before
        ready = await calm.client.get("/readyz")
        reads = [await calm.data(READ, {"id": a["id"]}) for a in acknowledged[:20]]
        after = await calm.data(
            POST, {"input": {"articleId": "story-1", "body": "after"}}, posters[1].token
        )
    assert ready.status_code == 200
    assert [read["comment"] for read in reads] == [
        {"id": a["id"], "body": a["body"]} for a in acknowledged[:20]
    ]
    assert after["postComment"]["__typename"] == "Comment"
    # every acknowledged comment is stored as acknowledged, and the counters add up
    stored = dict(await Comment.all().values_list("id", "body"))
    assert {int(a["id"]): a["body"] for a in acknowledged}.items() <= stored.items()
    await _assert_counters_match_the_rows()
    assert len(acknowledged) < POSTERS * POSTS_EACH  # cancellations did happen
    if is_postgres:  # no connection was left inside a transaction nobody will end
        assert await _stuck_sessions() == []


async def _stuck_sessions() -> list[dict[str, Any]]:
    """PostgreSQL sessions of this database sitting in a transaction."""
    rows = await sql.fetch(
        "SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database() "
        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
    )
    return rows


async def _login(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"input": {"email": email, "password": PASSWORD}}},
    )
    token: str = response.json()["data"]["login"]["token"]
    return token


async def _served_posts(served: Served, token: str, count: int) -> list[str]:
    """Post `count` comments one after another; the ids the service acknowledged."""
    ids = []
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        for n in range(count):
            response = await client.post(
                "/graphql",
                json={
                    "query": POST,
                    "variables": {"input": {"articleId": "story-1", "body": f"n{n}"}},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code == 200:
                ids.append(response.json()["data"]["postComment"]["id"])
    return ids


async def _served_reads(served: Served, ids: list[str]) -> list[dict[str, Any] | None]:
    """Each comment as a one-row read answers it (None: the read itself timed out)."""
    answers: list[dict[str, Any] | None] = []
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        for comment_id in ids:
            response = await client.post(
                "/graphql", json={"query": READ, "variables": {"id": comment_id}}
            )
            answers.append(
                response.json()["data"]["comment"] if response.status_code == 200 else None
            )
    return answers


async def test_served_instance_answers_after_its_operations_timed_out(tmp_path: Path) -> None:
    # given: four posters signed in to a served instance
    emails = [f"poster{n}@example.com" for n in range(POSTERS)]
    with serve(tmp_path) as served:
        for n, email in enumerate(emails):
            create_user(served, email, PASSWORD, f"Poster {n}", "moderator")
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            tokens = [await _login(client, email) for email in emails]

    # when: restarted with operations timing out almost at once, they post at once (a post
    # takes a few milliseconds: the timeout is shorter than many of them)
    with serve(
        tmp_path, BTL_OPERATION_TIMEOUT_SECONDS="0.008", BTL_RATE_LIMIT_COMMENTS="100000/60"
    ) as hasty:
        posted = await asyncio.gather(*(_served_posts(hasty, t, POSTS_EACH) for t in tokens))
        acknowledged = [comment_id for ids in posted for comment_id in ids]

        # then: it still answers reads and readiness, within a bound instead of hanging
        async with asyncio.timeout(30):
            reads = await _served_reads(hasty, acknowledged[:20])
            async with httpx.AsyncClient(base_url=hasty.url, timeout=30) as client:
                ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert any(read is not None for read in reads)

    # and, served again with time to answer, every acknowledged comment is there
    with serve(tmp_path) as calm:
        stored = await _served_reads(calm, acknowledged)
    assert len(acknowledged) < POSTERS * POSTS_EACH  # cancellations did happen
    assert all(
        read is not None and read["id"] == comment_id
        for read, comment_id in zip(stored, acknowledged, strict=True)
    )


@contextlib.asynccontextmanager
async def _every_connection_held() -> AsyncIterator[None]:
    """SQLite: its one connection, in a transaction; PostgreSQL: every pooled connection."""
    client: Any = connections.get("default")
    pool = getattr(client, "_pool", None)
    if pool is None:  # held by another task: this one's queries would join the transaction
        entered, done = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with in_transaction():
                entered.set()
                await done.wait()

        holder = asyncio.create_task(hold())
        await entered.wait()
        try:
            yield
        finally:
            done.set()
            await holder
        return
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        yield
    finally:
        for connection in held:
            await pool.release(connection)


async def test_readyz_fails_when_no_connection_comes_within_a_second(api: Api) -> None:
    # given
    await api.client.get("/readyz")  # the pool is open

    # when
    async with _every_connection_held(), asyncio.timeout(10):  # it waited for good before
        response = await api.client.get("/readyz")

    # then
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "no database connection within 1 s",
    }
    assert (await api.client.get("/readyz")).status_code == 200
