"""A full disk answers a typed 503 (UNAVAILABLE), and /readyz sees it.

The disk is filled for real: SQLite's `PRAGMA max_page_count` caps the test database at
the pages it has, and filler rows use up the room left, so writes fail with SQLITE_FULL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from tortoise import connections
from tortoise.exceptions import OperationalError

from schema.unavailable import STORAGE_MESSAGE
from service.config import RateLimit
from service.db import is_storage_failure
from tests.support import LOGIN, PASSWORD, POST, Api

UNCAPPED = 1073741823  # SQLite's default max_page_count
TRIES = 200  # writes into pages that still had room succeed until none has


@pytest.fixture
async def roomy_api(make_api: Any) -> AsyncIterator[Api]:
    api: Api = await make_api(
        rate_limit_comments=RateLimit(100_000, 60), rate_limit_login=RateLimit(100_000, 60)
    )
    async with api.client:
        yield api


@pytest.fixture
async def fill_disk(is_postgres: bool) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Call it to leave the SQLite database no room to grow; undone after the test."""
    if is_postgres:
        pytest.skip("PRAGMA max_page_count is SQLite's")
    connection = connections.get("default")

    async def fill() -> None:
        await connection.execute_script("CREATE TABLE IF NOT EXISTS disk_filler (x BLOB)")
        pages = (await connection.execute_query_dict("PRAGMA page_count"))[0]["page_count"]
        await connection.execute_script(f"PRAGMA max_page_count = {pages}")
        for size in (4000, 500, 50):  # big rows take the free pages, small ones the gaps
            try:
                while True:
                    await connection.execute_query(
                        "INSERT INTO disk_filler VALUES (randomblob(?))", [size]
                    )
            except OperationalError as exc:
                assert "full" in str(exc)

    yield fill
    await connection.execute_script(f"PRAGMA max_page_count = {UNCAPPED}")
    await connection.execute_script("DROP TABLE IF EXISTS disk_filler")


async def _first_failure(api: Api, query: str, variables: dict[str, Any], token: str | None) -> Any:
    """Repeat a write until it fails; its response."""
    for _ in range(TRIES):
        response = await api.raw(query, variables, token)
        if response.status_code != 200 or "errors" in response.json():
            return response
    raise AssertionError(f"{TRIES} writes on a full disk all succeeded")


async def test_post_on_a_full_disk_answers_unavailable(
    roomy_api: Api, fill_disk: Callable[[], Awaitable[None]]
) -> None:
    # given
    api = roomy_api
    person = await api.person(subscriber=True)
    await fill_disk()

    # when
    variables = {"input": {"articleId": "story-1", "body": "Lost in the void?"}}
    response = await _first_failure(api, POST, variables, person.token)

    # then
    assert response.status_code == 503
    assert response.json()["errors"][0]["message"] == STORAGE_MESSAGE
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}
    assert "Internal error" not in response.text


async def test_login_on_a_full_disk_answers_unavailable(
    roomy_api: Api, fill_disk: Callable[[], Awaitable[None]]
) -> None:
    # given
    api = roomy_api
    person = await api.person()
    await fill_disk()

    # when
    variables = {"input": {"email": person.email, "password": PASSWORD}}
    response = await _first_failure(api, LOGIN, variables, None)

    # then
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}
    assert "Internal error" not in response.text


async def test_readyz_fails_on_a_full_disk_and_recovers(
    api: Api, fill_disk: Callable[[], Awaitable[None]]
) -> None:
    # given
    await fill_disk()

    # when
    full = await api.client.get("/readyz")
    await connections.get("default").execute_script(f"PRAGMA max_page_count = {UNCAPPED}")
    freed = await api.client.get("/readyz")  # room again: ready again

    # then
    assert full.status_code == 503
    assert full.json() == {
        "status": "unavailable",
        "reason": "the database does not take writes (storage failure)",
    }
    assert freed.status_code == 200


def test_storage_failures_are_told_from_bugs() -> None:
    # given: what SQLite raises, as Tortoise wraps it
    def wrapped(message: str, code: int) -> OperationalError:
        error = sqlite3.OperationalError(message)
        error.sqlite_errorcode = code  # type: ignore[attr-defined]
        try:
            raise OperationalError(error) from error
        except OperationalError as exc:
            return exc

    # then
    assert is_storage_failure(wrapped("database or disk is full", 13))
    assert is_storage_failure(wrapped("disk I/O error", 10 | (3 << 8)))  # SQLITE_IOERR_WRITE
    assert is_storage_failure(ConnectionRefusedError(111, "Connection refused"))
    assert not is_storage_failure(wrapped("no such table: nothing", 1))
    assert not is_storage_failure(RuntimeError("a bug"))
