"""A served btl killed with SIGKILL in the middle of concurrent posting loses nothing it
acknowledged: after a restart every acknowledged comment is there as acknowledged, and the
stored counters (commentCount, replyCount) equal a recount of the rows."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import POSTGRES_URL
from tests.served import Served, create_user, fresh_postgres, serve
from tests.support import LOGIN, PASSWORD, POST

POSTERS = 4
KILL_AFTER = 40  # acknowledged comments before the kill
READ = "query Read($id: ID!) { comment(id: $id) { id body replyCount } }"
COUNT = '{ article(id: "story-1") { commentCount } }'


@pytest.fixture(params=["sqlite", "postgres"])
async def served_database(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Settings for `serve`: its own SQLite file, or a database of its own on PostgreSQL."""
    if request.param == "sqlite":
        return {}
    if not POSTGRES_URL:
        pytest.skip("BTL_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    return {"BTL_DATABASE_URL": await fresh_postgres(POSTGRES_URL, "durability")}


async def _login(client: httpx.AsyncClient) -> str:
    variables = {"input": {"email": "poster@example.com", "password": PASSWORD}}
    response = await client.post("/graphql", json={"query": LOGIN, "variables": variables})
    token: str = response.json()["data"]["login"]["token"]
    return token


class Posting:
    """Posters posting roots and replies at once, until the server goes away."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.acknowledged: dict[str, str] = {}  # id -> body
        self.roots: list[str] = []
        self.enough = asyncio.Event()

    async def poster(self, token: str, name: str) -> None:
        for n in range(10_000):
            extra = {"parentId": self.roots[n % len(self.roots)]} if self.roots and n % 2 else {}
            variables = {"input": {"articleId": "story-1", "body": f"{name}:{n}", **extra}}
            try:
                response = await self.client.post(
                    "/graphql",
                    json={"query": POST, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            except httpx.TransportError:
                return  # killed: this post may or may not be stored, it was not acknowledged
            posted = response.json()["data"]["postComment"]
            assert posted["__typename"] == "Comment", posted
            self.acknowledged[posted["id"]] = posted["body"]
            if not extra:
                self.roots.append(posted["id"])
            if len(self.acknowledged) >= KILL_AFTER:
                self.enough.set()


def _rows_sqlite(path: Path) -> tuple[list[dict[str, Any]], dict[str, int]]:
    with sqlite3.connect(path) as database:
        database.row_factory = sqlite3.Row
        comments = database.execute(
            "SELECT id, body, ancestry, status, reply_count, article_id FROM comments"
        ).fetchall()
        articles = database.execute("SELECT id, comment_count FROM articles").fetchall()
    return [dict(row) for row in comments], {a["id"]: a["comment_count"] for a in articles}


async def _rows_postgres(url: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        comments = await conn.fetch(
            "SELECT id, body, ancestry, status, reply_count, article_id FROM comments"
        )
        articles = await conn.fetch("SELECT id, comment_count FROM articles")
    finally:
        await conn.close()
    return [dict(row) for row in comments], {a["id"]: a["comment_count"] for a in articles}


def _assert_counters_match(comments: list[dict[str, Any]], articles: dict[str, int]) -> None:
    published = [row for row in comments if row["status"] == "PUBLISHED"]
    replies = Counter(
        int(ancestor) for row in published for ancestor in row["ancestry"].split("/") if ancestor
    )
    assert {row["id"]: row["reply_count"] for row in comments} == {
        row["id"]: replies[row["id"]] for row in comments
    }
    assert articles == {
        article: sum(row["article_id"] == article for row in published) for article in articles
    }


async def test_sigkill_in_the_middle_of_posting_loses_nothing_acknowledged(
    tmp_path: Path, served_database: dict[str, str]
) -> None:
    # given: a served btl, and posters posting roots and replies at once
    settings = {"BTL_RATE_LIMIT_COMMENTS": "100000/60", **served_database}
    with serve(tmp_path, **settings) as served:
        create_user(served, "poster@example.com", PASSWORD, "Poster", "moderator")
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            tokens = [await _login(client) for _ in range(POSTERS)]
            posting = Posting(client)
            posters = asyncio.gather(
                *(posting.poster(token, f"p{n}") for n, token in enumerate(tokens))
            )

            # when: the server is killed outright while they post
            await asyncio.wait_for(posting.enough.wait(), 60)
            os.kill(served.pid, signal.SIGKILL)
            await asyncio.wait_for(posters, 30)

    # then: restarted, it serves every acknowledged comment as acknowledged
    with serve(tmp_path, **settings) as again:
        reads = await _read_all(again, list(posting.acknowledged))
    assert {read["id"]: read["body"] for read in reads} == posting.acknowledged
    # and the counters stored are those a recount of the rows gives
    if "BTL_DATABASE_URL" in served_database:
        comments, articles = await _rows_postgres(served_database["BTL_DATABASE_URL"])
    else:
        comments, articles = _rows_sqlite(tmp_path / "served.sqlite3")
    _assert_counters_match(comments, articles)
    assert len(comments) >= len(posting.acknowledged)
    assert any(read["replyCount"] > 0 for read in reads)  # replies were counted


async def _read_all(served: Served, ids: list[str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        reads = []
        for comment_id in ids:
            response = await client.post(
                "/graphql", json={"query": READ, "variables": {"id": comment_id}}
            )
            assert response.status_code == 200, response.text
            reads.append(response.json()["data"]["comment"])
        count = await client.get("/graphql", params={"query": COUNT})
    assert count.json()["data"]["article"]["commentCount"] >= len(ids)
    return reads
