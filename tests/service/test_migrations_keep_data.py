"""Migrating an existing SQLite database keeps its rows: altering a column rebuilds the table,
and with foreign keys enforced the old table's drop would cascade to every row that refers to
it (sessions, entitlements) or be refused (the moderation log)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.served import ROOT

BEFORE_PUBLISHER_INTEGRATION = "models.0005_legal_duties"
MIGRATE_TO = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from service.db import tortoise_config

async def main():
    await migrate(config=tortoise_config(sys.argv[1]), target=sys.argv[2])
    await Tortoise.close_connections()

asyncio.run(main())
"""
ROWS = """
INSERT INTO users (id, email, display_name, display_name_key, password_hash, role, banned,
                   created_at)
    VALUES (1, 'ada@example.com', 'Ada', 'ada', 'x', 'ADMIN', 0, '2024-01-01');
INSERT INTO sessions (user_id, token_hash, created_at, expires_at)
    VALUES (1, 'h', '2024-01-01', '2099-01-01');
INSERT INTO entitlements (user_id, product, starts_at, created_at)
    VALUES (1, 'digital', '2024-01-01', '2024-01-01');
INSERT INTO articles (id, closed, comment_count, version, created_at)
    VALUES ('story-1', 0, 1, 1, '2024-01-01');
INSERT INTO comments (id, article_id, author_id, body, status, created_at, depth, ancestry,
                      amended_by_moderator, reply_count, open_report_count)
    VALUES (1, 'story-1', 1, 'hello', 'PUBLISHED', '2024-01-01', 0, '', 0, 0, 0);
INSERT INTO moderation_actions (kind, moderator_id, comment_id, target_user_id, article_id,
                                reason, created_at)
    VALUES ('REMOVE', 1, 1, 1, 'story-1', 'spam', '2024-01-01');
"""


def test_migrating_an_sqlite_database_keeps_every_row(tmp_path: Path) -> None:
    # given a database as the previous release left it, with rows that refer to a user
    path = tmp_path / "old.sqlite3"
    url = f"sqlite://{path}"
    subprocess.run(
        [sys.executable, "-c", MIGRATE_TO, url, BEFORE_PUBLISHER_INTEGRATION],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with sqlite3.connect(path) as db:
        db.executescript(ROWS)

    # when
    migrated = subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        cwd=ROOT,
        env={"BTL_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    # then
    assert migrated.returncode == 0, migrated.stderr
    with sqlite3.connect(path) as db:
        counts = {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("users", "sessions", "entitlements", "comments", "moderation_actions")
        }
        author = db.execute("SELECT author_id FROM comments").fetchone()[0]
        source = db.execute("SELECT source FROM entitlements").fetchone()[0]
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
    assert counts == dict.fromkeys(counts, 1)
    assert (author, source, broken) == (1, "ADMIN", [])
