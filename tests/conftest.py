"""Fixtures: the suite runs on SQLite, and again on PostgreSQL when BTL_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from tortoise import connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from service import db
from service.clock import clock
from service.config import Settings
from tests.support import Api
from web.app import create_app

POSTGRES_URL = os.environ.get("BTL_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("BTL_TEST_REDIS_URL")

TABLES = (
    "persisted_queries",
    "recommendation_changes",
    "recommendations",
    "ignores",
    "word_lists",
    "jobs",
    "mail_outbox",
    "notifications",
    "appeals",
    "statements",
    "moderation_actions",
    "legal_notices",
    "reports",
    "comment_revisions",
    "comments",
    "articles",
    "entitlements",
    "sessions",
    "community_rules",
    "users",
    "api_keys",
    "webhook_deliveries",
)


async def _reset_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip("BTL_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
        url = POSTGRES_URL
        await _reset_postgres(url)
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'btl.sqlite3'}"
    await db.migrate(url)
    await db.start(url)
    yield url
    await db.stop()
    # Tortoise caches insert statements per connection name: the next backend needs its own.
    EXECUTOR_CACHE.clear()


@pytest.fixture
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgres")


async def _truncate(database_url: str) -> None:
    conn = connections.get("default")
    if database_url.startswith("postgres"):
        await conn.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        await conn.execute_script(
            "PRAGMA foreign_keys=OFF;"
            + "".join(f"DELETE FROM {t};" for t in TABLES)
            + "DELETE FROM sqlite_sequence;PRAGMA foreign_keys=ON;"
        )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
async def api(database_url: str, settings: Settings) -> AsyncIterator[Api]:
    await _truncate(database_url)
    clock.reset()
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://btl.test") as client:
        yield Api(client, app)
    clock.reset()


@pytest.fixture
def make_api(database_url: str) -> object:
    """Build an Api with other settings (same database), e.g. tighter limits."""

    async def build(**overrides: object) -> Api:
        await _truncate(database_url)
        app = create_app(
            replace(Settings(database_url=database_url), **overrides), manage_database=False
        )  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        client = httpx.AsyncClient(transport=transport, base_url="http://btl.test")
        return Api(client, app)

    return build


class SqlCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.append(record.getMessage())

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def sql_counter() -> Iterator[SqlCounter]:
    """Counts the SQL statements Tortoise sends while the test runs."""
    logger = logging.getLogger("tortoise.db_client")
    counter = SqlCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(previous)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
