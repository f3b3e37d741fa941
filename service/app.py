"""The ASGI application: /graphql, /healthz, /readyz, and the database lifespan.

This module is the composition root: it mounts the GraphQL view from `schema/`.
The domain modules beside it never import `schema` or strawberry.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from service import db, events
from service.config import Settings
from service.events import MemoryBroadcaster, RedisBroadcaster
from service.runtime import Runtime

logger = logging.getLogger("btl")
READY_WITHIN_SECONDS = 1.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    try:
        # a wedged pool or connection lock makes every query wait: not ready either
        async with asyncio.timeout(READY_WITHIN_SECONDS):
            await db.ping()
    except TimeoutError:
        logger.warning("readiness check failed: no database connection within 1 s")
        return _unavailable(f"no database connection within {READY_WITHIN_SECONDS:g} s")
    except Exception as exc:  # any failure to answer means not ready
        logger.warning("readiness check failed: %s", exc)
        return _unavailable(f"database did not answer: {type(exc).__name__}")
    return JSONResponse({"status": "ok"})


def _unavailable(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """Build the app; `manage_database=False` leaves Tortoise to the caller (tests)."""
    from schema.console import console_routes
    from schema.http import GraphQLView
    from schema.public_cache import MemoryStore, PublicCache, RedisStore
    from schema.schema import build_schema

    runtime = Runtime.from_settings(settings)
    events.use(RedisBroadcaster(settings.redis_url) if settings.redis_url else MemoryBroadcaster())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.start(settings.database_url)
        # what start-up built lives as long as the process: keep it out of every collection
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if manage_database:
                await db.stop()

    store = RedisStore(settings.redis_url) if settings.redis_url else MemoryStore(64 * 1024 * 1024)
    graphql = GraphQLView(
        runtime,
        PublicCache(store, runtime.shared),
        schema=build_schema(settings),
        graphql_ide="graphiql",
    )
    middleware = []
    if settings.cors_origins:  # browsers may call /graphql only from these origins
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        )
    app = Starlette(
        middleware=middleware,
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *console_routes,
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app


def create_app_from_environment() -> Starlette:
    """Factory for uvicorn: settings from the BTL_ variables."""
    from service.config import load_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return create_app(load_settings())
