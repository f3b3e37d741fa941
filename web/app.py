"""The ASGI application: /graphql, /healthz, /readyz, the webhooks, and the lifespan.

This module is the composition root, where the domain (`service/`), the schema (`schema/`)
and the HTTP edge (`web/`) meet; `service/` imports nothing from the other two.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from schema.schema import build_schema
from service import db, events, job_kinds, jobs, mail
from service.config import Settings
from service.events import MemoryBroadcaster, RedisBroadcaster
from service.readiness import Readiness
from service.redis_outage import redis_client
from service.runtime import Runtime
from web import health, logs
from web.console import console_routes
from web.graphql_http import GraphQLHTTP
from web.metrics import RequestMetrics, metrics_endpoint
from web.persisted import PersistedQueries
from web.public_cache import MemoryStore, PublicCache, RedisStore
from web.request_log import RequestLog
from web.webhooks import entitlements_webhook
from web.websocket import GraphQLWebSocket


class App(Starlette):
    """Starlette, with websockets on /graphql handed straight to the request log and their
    endpoint: the error middleware and the router only pass them through, and their frames
    would stay on each of thousands of idle sockets (~3 KB apiece; bench/live.py)."""

    live: ASGIApp  # the request log around the websocket endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/graphql":
            scope["app"] = self
            await self.live(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings, *, manage_database: bool = True, query: type | None = None
) -> Starlette:
    """Build the app; `manage_database=False` leaves Tortoise to the caller, and `query`
    replaces the schema's Query type (both for tests)."""
    runtime = Runtime.from_settings(settings)
    queue_size = settings.ws_queue_events
    events.use(
        RedisBroadcaster(settings.redis_url, queue_size)
        if settings.redis_url
        else MemoryBroadcaster(queue_size)
    )
    mail.use(mail.MailConfig.of(settings))
    scheduler = jobs.Scheduler(
        job_kinds.handlers(),
        interval_seconds=settings.jobs_interval_seconds,
        lease_seconds=settings.jobs_lease_seconds,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.start(settings.database_url)
        # deadlines, mail: every instance runs due jobs, each claimed by one of them
        running_jobs = asyncio.create_task(scheduler.run_forever())
        # what start-up built lives as long as the process: keep it out of every collection
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            running_jobs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running_jobs
            if manage_database:
                await db.stop()

    schema = build_schema(settings) if query is None else build_schema(settings, query)
    store = RedisStore(settings.redis_url) if settings.redis_url else MemoryStore(64 * 1024 * 1024)
    graphql_http = GraphQLHTTP(
        runtime, schema, PublicCache(store, runtime.shared), PersistedQueries()
    )
    redis = redis_client(settings.redis_url) if settings.redis_url else None
    # the request log first: every answer, a CORS preflight's too, carries the request's id
    metrics = RequestMetrics() if settings.metrics_token else None

    def logged(app: ASGIApp) -> RequestLog:
        return RequestLog(app, settings.trusted_proxies, metrics, settings.request_log)

    middleware = [Middleware(logged)]
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
    live = GraphQLWebSocket(runtime, schema)
    app = App(
        middleware=middleware,
        routes=[
            Route("/graphql", graphql_http, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", live),
            Route("/healthz", health.healthz),
            Route("/readyz", health.readyz(Readiness(redis))),
            Route("/webhooks/entitlements", entitlements_webhook, methods=["POST"]),
            *console_routes,
            *(
                [Route("/metrics", metrics_endpoint(settings.metrics_token))]
                if settings.metrics_token
                else []
            ),
        ],
        lifespan=lifespan,
    )
    app.live = logged(live)
    app.state.runtime = runtime
    app.state.scheduler = scheduler
    return app


def create_app_from_environment() -> Starlette:
    """Factory for uvicorn: settings from the BTL_ variables."""
    from service.config import load_settings

    logs.configure()  # `serve` has: uvicorn applies web/logs.py's configuration itself
    return create_app(load_settings())
