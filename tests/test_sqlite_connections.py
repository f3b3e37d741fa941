"""SQLite: reads beside a write transaction, read-your-writes, another process's write lock,
and one computation of a signed-out page for the readers who missed it together."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from service import sql
from tests.support import Api, post_comment

PAGE = "query P($id: ID!) { article(id: $id) { comments(first: 20) { edges { node { body } } } } }"
TOP_LEVEL_READ = "FROM comments c LEFT JOIN users u ON u.id = c.author_id WHERE c.article_id"


@pytest.fixture
def sqlite_path(database_url: str, is_postgres: bool) -> str:
    if is_postgres:
        pytest.skip("SQLite's connections")
    return database_url.removeprefix("sqlite://")


def bodies(answer: dict[str, Any]) -> list[str]:
    return [edge["node"]["body"] for edge in answer["article"]["comments"]["edges"]]


async def test_pages_are_read_while_a_write_transaction_is_open_and_show_what_committed(
    api: Api, sqlite_path: str
) -> None:
    # given: a thread with one comment, and a write transaction left open on it
    author = await api.person(subscriber=True)
    await post_comment(api, author, "committed before")
    entered, done = asyncio.Event(), asyncio.Event()

    async def hold_open() -> None:
        async with in_transaction():
            await sql.execute(
                "UPDATE comments SET body = {} WHERE body = {}", "not committed", "committed before"
            )
            entered.set()
            await done.wait()
            raise RuntimeError("rolled back")  # the change never commits

    holder = asyncio.create_task(hold_open())
    await entered.wait()

    # when: readers read meanwhile (they queued behind the transaction before)
    try:
        async with asyncio.timeout(10):  # a guard against hanging, not a measurement
            signed_out = await api.data(PAGE, {"id": "story-1"})
            signed_in = await api.data(PAGE, {"id": "story-1"}, token=author.token)
    finally:
        done.set()
        with pytest.raises(RuntimeError):
            await holder

    # then: they answered with what had committed, not the open change
    assert bodies(signed_out) == bodies(signed_in) == ["committed before"]

    # and a read that starts after a post returned shows it
    await post_comment(api, author, "just posted")
    assert bodies(await api.data(PAGE, {"id": "story-1"}))[0] == "just posted"
    assert bodies(await api.data(PAGE, {"id": "story-1"}, token=author.token))[0] == "just posted"


async def test_a_post_waits_for_another_process_holding_the_write_lock(
    api: Api, sqlite_path: str
) -> None:
    # given: another process (a CLI, a second worker) in the middle of a write
    author = await api.person(subscriber=True)
    other = sqlite3.connect(sqlite_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    # when: a reader posts, and the other process commits a moment later
    posting = asyncio.create_task(post_comment(api, author, "after the other writer"))
    await asyncio.sleep(0.3)
    assert not posting.done()  # waiting for the lock, not failed at once
    other.execute("COMMIT")
    other.close()

    # then: the post went through, and the page shows it
    async with asyncio.timeout(10):
        posted = await posting
    assert posted["__typename"] == "Comment"
    assert bodies(await api.data(PAGE, {"id": "story-1"})) == ["after the other writer"]


async def test_readers_missing_a_page_together_share_one_computation(
    api: Api, sql_counter: Any
) -> None:
    # given: a cached thread page, emptied by a post
    author = await api.person(subscriber=True)
    await post_comment(api, author, "first")
    await api.data(PAGE, {"id": "story-1"})
    await post_comment(api, author, "second")
    sql_counter.statements.clear()

    # when: twelve signed-out readers ask for it at once
    answers = await asyncio.gather(*(api.data(PAGE, {"id": "story-1"}) for _ in range(12)))

    # then: all see the post, and the page was read from the database once or twice (a
    # computation already running is never joined), not once per reader
    assert all(bodies(answer) == ["second", "first"] for answer in answers)
    page_reads = [s for s in sql_counter.statements if TOP_LEVEL_READ in s]
    assert 1 <= len(page_reads) <= 2
