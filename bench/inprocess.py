"""Measurements inside one process: SQL statements per request, a request's median time
executed in full, and where a request's CPU goes (cProfile grouped by area)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any


def executed_ms(
    db: Path, query: str, variables: dict[str, Any], token: str, runs: int = 30
) -> float:
    """The median time of a request executed in process, every time (signed in, and a
    document without viewer fields: neither the public cache nor the overlay serves it)."""
    return executed_each_ms(db, [{"query": query, "variables": variables}], token, runs)[0]


def executed_each_ms(
    db: Path, bodies: list[dict[str, Any]], token: str, runs: int = 30
) -> list[float]:
    """executed_ms for each of `bodies`, in one process."""
    import httpx

    from service import db as database
    from service.config import load_settings
    from web.app import create_app

    async def run() -> list[float]:
        settings = load_settings({"BTL_DATABASE_URL": f"sqlite://{db}"})
        await database.start(settings.database_url)
        try:
            app = create_app(settings, manage_database=False)
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as client:
                for body in bodies:
                    for _ in range(3):
                        answer = await client.post("/graphql", json=body, headers=headers)
                        assert "errors" not in answer.json(), answer.text[:300]
                # in rounds, every body once per round: a machine whose load changes during
                # the measurement changes every body's times alike
                times: list[list[float]] = [[] for _ in bodies]
                for _ in range(runs):
                    for body, measured in zip(bodies, times, strict=True):
                        started = time.perf_counter()
                        await client.post("/graphql", json=body, headers=headers)
                        measured.append(1000 * (time.perf_counter() - started))
                medians = [sorted(measured)[runs // 2] for measured in times]
                return medians
        finally:
            await database.stop()

    return asyncio.run(run())


def cursors(
    db: Path, query: str, variables: dict[str, Any], token: str, path: list[str]
) -> list[str | None]:
    """The `after` of every page of a connection (at `path` in the answer), walked in process."""
    import httpx

    from service import db as database
    from service.config import load_settings
    from web.app import create_app

    async def run() -> list[str | None]:
        settings = load_settings({"BTL_DATABASE_URL": f"sqlite://{db}"})
        await database.start(settings.database_url)
        try:
            app = create_app(settings, manage_database=False)
            headers = {"Authorization": f"Bearer {token}"}
            found: list[str | None] = [None]
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as client:
                while True:
                    body = {"query": query, "variables": {**variables, "after": found[-1]}}
                    answer = (await client.post("/graphql", json=body, headers=headers)).json()
                    node = answer["data"]
                    for key in path:
                        node = node[key]
                    if not node["pageInfo"]["hasNextPage"]:
                        return found
                    found.append(node["pageInfo"]["endCursor"])
        finally:
            await database.stop()

    return asyncio.run(run())


def sql_per_request(db: Path, query: str, variables: dict[str, Any], token: str | None) -> int:
    """Run one request in-process and count the SQL statements Tortoise sends."""
    import httpx

    from service import db as database
    from service.config import load_settings
    from web.app import create_app

    statements: list[str] = []

    class Counter(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            statements.append(record.getMessage())

    async def run() -> int:
        settings = load_settings({"BTL_DATABASE_URL": f"sqlite://{db}"})
        await database.start(settings.database_url)
        try:
            app = create_app(settings, manage_database=False)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as client:
                await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )  # warm
                logger = logging.getLogger("tortoise.db_client")
                logger.setLevel(logging.DEBUG)
                logger.addHandler(Counter())
                statements.clear()
                await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
                return len(statements)
        finally:
            await database.stop()

    return asyncio.run(run())


def profile(db: Path, query: str, variables: dict[str, Any], token: str | None) -> str:
    """Where a request's time goes: cProfile over 50 in-process requests, grouped by area."""
    import cProfile
    import pstats

    import httpx

    from service import db as database
    from service.config import load_settings
    from web.app import create_app

    async def run() -> pstats.Stats:
        settings = load_settings(
            {"BTL_DATABASE_URL": f"sqlite://{db}", "BTL_RATE_LIMIT_COMMENTS": "100000000/60"}
        )
        await database.start(settings.database_url)
        try:
            app = create_app(settings, manage_database=False)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            body = {"query": query, "variables": variables}
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as client:
                for _ in range(5):
                    await client.post("/graphql", json=body, headers=headers)
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(50):
                    await client.post("/graphql", json=body, headers=headers)
                profiler.disable()
                return pstats.Stats(profiler)
        finally:
            await database.stop()

    stats = asyncio.run(run())
    areas = {
        "graphql-core execution": "graphql/execution",
        "strawberry (resolver wrapping, view)": "strawberry/",
        "tortoise + pypika (query building, model instances)": "tortoise",
        "date parsing (iso8601)": "iso8601",
        "aiosqlite": "aiosqlite",
        "btl code": "/work/",
        "starlette / httpx transport": "starlette",
    }
    own: dict[str, float] = dict.fromkeys(areas, 0.0)
    total = 0.0
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        for area, marker in areas.items():
            if marker in filename and (marker != "/work/" or "site-packages" not in filename):
                own[area] += tottime
                break
    own["other: asyncio, json, the standard library"] = total - sum(own.values())
    lines = [
        f"    {100 * t / total:5.1f} %  {area}"
        for area, t in sorted(own.items(), key=lambda item: -item[1])
    ]
    return (
        f"    {1000 * total / 50:.1f} ms of CPU per request (profiled), own time by area:\n"
        + "\n".join(lines)
    )
