"""Migration 0004 recomputes users.display_name_key for the accounts that already exist."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from service.display_names import display_name_key

ROOT = Path(__file__).resolve().parents[2]
BEFORE = "models.0003_public_epoch"
POSTGRES_URL = os.environ.get("BTL_TEST_POSTGRES_URL")
# registered before 0004, with the old casefolded keys: the second and third pass for the first
EXISTING = [(1, "Ada"), (2, "\u0410da"), (3, "\uff21\uff44\uff41"), (4, "Zoë")]


def migrate(url: str, target: str | None = None) -> None:
    code = (
        "import asyncio, sys\n"
        "from tortoise import Tortoise\n"
        "from tortoise.migrations.api import migrate\n"
        "from service.db import tortoise_config\n"
        "async def main():\n"
        "    await migrate(config=tortoise_config(sys.argv[1]), target=sys.argv[2] or None)\n"
        "    await Tortoise.close_connections()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, url, target or ""],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )


INSERT = (
    "INSERT INTO users (id, email, display_name, display_name_key, password_hash, role, banned,"
    " created_at) VALUES ({}, {}, {}, {}, 'x', 'READER', false, '2026-01-01 00:00:00+00:00')"
)


@pytest.fixture(params=["sqlite", "postgres"])
async def scratch_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[str, Any]]:
    """A database of the test's own, and a function running SQL on it ({} for each value)."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'old.sqlite3'}"

        async def run_sqlite(sql: str, *args: object) -> list[Any]:
            with sqlite3.connect(tmp_path / "old.sqlite3") as conn:
                return conn.execute(sql.format(*["?"] * len(args)), args).fetchall()

        yield url, run_sqlite
        return
    if not POSTGRES_URL:
        pytest.skip("BTL_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    import asyncpg

    admin_dsn = POSTGRES_URL.replace("postgres://", "postgresql://", 1)
    name = admin_dsn.rsplit("/", 1)[1] + "_migration"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = admin_dsn.rsplit("/", 1)[0] + "/" + name

    async def run_postgres(sql: str, *args: object) -> list[Any]:
        conn = await asyncpg.connect(dsn)
        try:
            placeholders = [f"${n + 1}" for n in range(len(args))]
            rows = await conn.fetch(sql.format(*placeholders), *args)
            return [tuple(row) for row in rows]
        finally:
            await conn.close()

    try:
        yield dsn.replace("postgresql://", "postgres://", 1), run_postgres
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.close()


async def test_migration_recomputes_keys_and_keeps_look_alikes_apart(
    scratch_database: tuple[str, Any],
) -> None:
    url, run = scratch_database
    # given: accounts made before 0004, keyed by their casefolded names
    migrate(url, BEFORE)
    for user_id, name in EXISTING:
        await run(INSERT, user_id, f"u{user_id}@example.com", name, name.casefold())

    # when
    migrate(url)

    # then: the oldest of the look-alikes holds the key, the others a key of their own
    keys = dict(await run("SELECT id, display_name_key FROM users ORDER BY id"))
    ada = display_name_key("Ada")
    assert keys == {1: ada, 2: f"{ada}:2", 3: f"{ada}:3", 4: display_name_key("Zoë")}


async def test_migration_back_restores_casefolded_keys(scratch_database: tuple[str, Any]) -> None:
    # given
    url, run = scratch_database
    migrate(url, BEFORE)
    for user_id, name in EXISTING:
        await run(INSERT, user_id, f"u{user_id}@example.com", name, name.casefold())
    migrate(url)

    # when
    migrate(url, BEFORE)

    # then
    keys = dict(await run("SELECT id, display_name_key FROM users ORDER BY id"))
    assert keys == {user_id: name.casefold() for user_id, name in EXISTING}
