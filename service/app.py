"""The ASGI application: /graphql, /healthz, /readyz, and the database lifespan.

This module is the composition root: it mounts the GraphQL view from `schema/`.
The domain modules beside it never import `schema` or strawberry.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from service import db, events
from service.config import Settings
from service.events import MemoryBroadcaster, RedisBroadcaster
from service.readiness import Readiness
from service.runtime import Runtime

logger = logging.getLogger("btl")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def readiness_endpoint(readiness: Readiness) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def readyz(request: Request) -> JSONResponse:
        problem = await readiness.problem()
        if problem is None:
            return JSONResponse({"status": "ok"})
        logger.warning("not ready: %s", problem)
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)

    return readyz


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
            Route("/readyz", readiness_endpoint(Readiness())),
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
