"""The PostgreSQL rows (BTL_BENCH_POSTGRES_URL: a scratch database whose public schema is wiped)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mix
from documents import HASH
from harness import ROOT, Servers, free_port, wrk
from scripts import post_script


async def _seed(dsn: str, authors: int) -> tuple[list[str], dict[int, list[int]]]:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    start = datetime.now(UTC) - timedelta(days=1)
    tokens = []
    try:
        for n in range(authors):
            token = f"pg-bench-token-{n}-" + "x" * 20
            tokens.append(token)
            user_id = await conn.fetchval(
                "INSERT INTO users (email, display_name, display_name_key, password_hash, role,"
                " banned, created_at) VALUES ($1, $2, $3, $4, 'READER', false, $5) RETURNING id",
                f"pg{n}@example.com",
                f"PG {n}",
                f"pg {n}",
                HASH,
                start,
            )
            await conn.execute(
                "INSERT INTO sessions (user_id, token_hash, created_at, expires_at)"
                " VALUES ($1, $2, $3, $4)",
                user_id,
                hashlib.sha256(token.encode()).hexdigest(),
                start,
                start + timedelta(days=30),
            )
            await conn.execute(
                "INSERT INTO entitlements (user_id, product, starts_at, created_at)"
                " VALUES ($1, 'digital', $2, $3)",
                user_id,
                start - timedelta(days=1),
                start,
            )
        for statement, rows in mix.mix_rows(authors):
            if rows == [()]:
                await conn.execute(statement)
            else:
                await conn.executemany(statement, rows)
        page_ids = {}
        for k in range(1, mix.ARTICLES + 1):
            page_ids[k] = [
                r["id"]
                for r in await conn.fetch(
                    "SELECT id FROM comments WHERE article_id = $1 AND parent_id IS NULL"
                    " ORDER BY created_at DESC, id DESC LIMIT 20",
                    mix.article_id(k),
                )
            ]
    finally:
        await conn.close()
    return tokens, page_ids


def postgres_rows(url: str, work: Path, seconds: int, only: set[str]) -> dict[str, Any]:
    """postComment (16 connections) and the mixed row (64) on PostgreSQL, one process."""
    import asyncpg

    env = {
        "BTL_DATABASE_URL": url,
        "BTL_RATE_LIMIT_COMMENTS": "100000000/60",
        "BTL_RATE_LIMIT_RECOMMENDATIONS": "100000000/60",
    }
    dsn = url.replace("postgres://", "postgresql://", 1)

    async def reset() -> None:
        conn = await asyncpg.connect(dsn)
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()

    asyncio.run(reset())
    subprocess.run(
        [sys.executable, "-m", "service", "migrate"],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    tokens, page_ids = asyncio.run(_seed(dsn, 200))
    servers = Servers()
    port = free_port()
    result: dict[str, Any] = {}
    try:
        servers.start([sys.executable, "-m", "service", "serve", "--port", str(port)], env, port)
        if "post" in only:
            result["post"] = wrk(port, post_script(work, tokens), 16, seconds)
        if "mixed" in only:
            probe = mix.StaleProbe(port, tokens[-1], tokens[-2])
            probe.start()
            result["mixed"] = wrk(port, mix.script(work, tokens[:-2], page_ids), 64, seconds)
            probe.stop.set()
            probe.join()
            result["probe"] = probe
    finally:
        servers.stop_all()
    return result
