"""Migrations apply to a database that already holds comments, not only to an empty one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.served import ROOT

POSTGRES_URL = os.environ.get("BTL_TEST_POSTGRES_URL")

# run in a process of its own: migrating re-initialises Tortoise, which the suite is using
SCRIPT = """
import asyncio, sys
from datetime import UTC, datetime
from tortoise import Tortoise, connections
from tortoise.migrations.api.migrate import migrate
from service.db import tortoise_config

URL = sys.argv[1]


async def run(sql: str, *values: object) -> list[dict]:
    await Tortoise.init(config=tortoise_config(URL))
    try:
        return await connections.get("default").execute_query_dict(sql, list(values))
    finally:
        await Tortoise.close_connections()


async def main() -> None:
    await migrate(config=tortoise_config(URL), target="models.0003_public_epoch")
    await Tortoise.close_connections()
    mark = "$1" if URL.startswith("postgres") else "?"
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    await run(
        "INSERT INTO articles (id, closed, comment_count, version, created_at) "
        f"VALUES ('story', FALSE, 1, 0, {mark})",
        moment,
    )
    await run(
        "INSERT INTO comments (article_id, ancestry, depth, body, status, created_at, "
        "amended_by_moderator, reply_count, open_report_count, idempotency_key) "
        f"VALUES ('story', '', 0, 'kept', 'PUBLISHED', {mark}, FALSE, 0, 0, 'k')",
        moment,
    )
    await migrate(config=tortoise_config(URL))
    await Tortoise.close_connections()
    print(await run("SELECT moderation_mode FROM articles"))
    print(await run("SELECT body, recommend_count, featured_at FROM comments"))


asyncio.run(main())
"""


def _migrate_with_rows(url: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_migrations_keep_existing_rows_on_sqlite(tmp_path: Path) -> None:
    lines = _migrate_with_rows(f"sqlite://{tmp_path / 'old.sqlite3'}")

    assert lines == [
        "[{'moderation_mode': 'POST'}]",
        "[{'body': 'kept', 'recommend_count': 0, 'featured_at': None}]",
    ]


async def test_migrations_keep_existing_rows_on_postgres() -> None:
    if not POSTGRES_URL:
        pytest.skip("BTL_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    import asyncpg

    server, _, name = POSTGRES_URL.rpartition("/")
    scratch = f"{name}_migrations"
    admin = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        await admin.execute(f'CREATE DATABASE "{scratch}"')
        lines = _migrate_with_rows(f"{server}/{scratch}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        await admin.close()

    assert lines == [
        "[{'moderation_mode': 'POST'}]",
        "[{'body': 'kept', 'recommend_count': 0, 'featured_at': None}]",
    ]
