"""The /graphql endpoint: strawberry's ASGI view with btl's context, errors and caching."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, cast

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from schema.audience import Audience, DocumentAudiences
from schema.context import Context
from schema.freshness import CacheDeps, noting
from schema.loaders import Loaders
from schema.permissions import OUTSIDE_SCOPES
from schema.schema import BtlSchema
from schema.unavailable import is_unavailable
from service import api_keys, sessions
from service.accounts import is_staff
from service.api_keys import ApiKeyCaller
from service.clock import now
from service.errors import DomainError
from service.live import LiveConnection, LiveConnections
from service.models import User
from service.runtime import Runtime
from web import websocket as sockets
from web.console import console_page
from web.operations import (
    Operation,
    PersistedQueries,
    bearer_token,
    client_address,
    read_operation,
    refuse,
)
from web.public_cache import PublicCache, cache_key
from web.viewer_overlay import Plan, Planner, Templates, fill

logger = logging.getLogger("btl.http")
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"
_UNREAD: Any = object()
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")
SHAREABLE = frozenset({Audience.PUBLIC, Audience.VIEWER})
VARY = "Authorization, Accept"


def wants_graphql_response(connection: HTTPConnection) -> bool:
    """GraphQL over HTTP: answer with application/graphql-response+json when accepted."""
    return "application/graphql-response+json" in connection.headers.get("accept", "").lower()


def format_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    # no "Did you mean ...?" for fields, arguments, types or enum values: don't map the schema
    formatted["message"] = _SUGGESTION.sub("", formatted["message"])
    original = error.original_error
    if isinstance(original, DomainError):
        formatted["extensions"] = {**formatted.get("extensions", {}), "code": original.code}
    return formatted


def for_api_key(formatted: dict[str, Any]) -> dict[str, Any]:
    """A key is no user: what needs one is outside the key's scopes (FORBIDDEN), not a
    request to sign in."""
    if formatted.get("extensions", {}).get("code") != "UNAUTHENTICATED":
        return formatted
    return {**formatted, "message": OUTSIDE_SCOPES, "extensions": {"code": "FORBIDDEN"}}


def _timed_out(timeout: float) -> JSONResponse:
    message = (
        f"The operation ran longer than {timeout:g} s and was cancelled "
        "(BTL_OPERATION_TIMEOUT_SECONDS)."
    )
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]},
        status_code=503,
    )


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = sockets.TransportWSHandler
    graphql_ws_handler_class = sockets.LegacyWSHandler
    websocket_adapter_class = sockets.SocketAdapter

    def __init__(self, runtime: Runtime, public_cache: PublicCache, **kwargs: Any) -> None:
        # a socket's operations are counted in web/websocket.py, under a BTL_ limit
        super().__init__(max_subscriptions_per_connection=None, **kwargs)
        self.runtime = runtime
        self.live = LiveConnections(runtime.settings.ws_session_check_seconds)
        self.public_cache = public_cache
        self.persisted = PersistedQueries()
        schema = cast(BtlSchema, self.schema)
        self.planner = Planner(schema._schema, schema.checker)
        self.templates = Templates()
        self.document_audiences = DocumentAudiences(schema._schema, schema.checker.bounded)

    def shareable(self, query: str) -> bool:
        """Whether a signed-out answer to this document may be kept for every signed-out
        reader: it asks for PUBLIC fields, and VIEWER ones (the same for everyone signed
        out); never for a SELF or STAFF field, nor an undeclared one."""
        found = self.document_audiences.of(query)
        return found is not None and found <= SHAREABLE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._serve_websocket(WebSocket(scope, receive, send))
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        settings = self.runtime.settings
        operation = await read_operation(
            request,
            max_body_bytes=settings.max_body_bytes,
            max_document_chars=settings.max_document_chars,
            read_timeout_seconds=settings.read_timeout_seconds,
            persisted=self.persisted,
        )
        if operation is None:  # a browser asking for the console, or a bare GET
            response = await self._run(request)
        elif isinstance(operation, Response):
            # a refusal, or PersistedQueryNotFound: a cache keeping it would answer it again
            # after the client registered the query (as Apollo Server marks it)
            response = operation
            response.headers.setdefault("cache-control", "private, no-store")
        else:
            response = await self._answer(operation)
        response.headers.setdefault("x-content-type-options", "nosniff")
        # the answer depends on who asks and on the media type asked for, whatever it is
        response.headers["vary"] = VARY
        await response(scope, receive, send)

    async def _answer(self, operation: Operation) -> Response:
        request = operation.request
        token = bearer_token(request)
        if token is not None:
            response = await self._guarded(lambda: self._signed_in(operation, token))
            response.headers["cache-control"] = "private, no-store"
            return response
        key = cache_key(
            operation.query,
            operation.operation_name,
            operation.variables,
            "graphql-response" if wants_graphql_response(request) else "json",
        )
        cached = await self.public_cache.answer(key)
        expires_at = None
        if cached is not None:
            response = Response(cached.body, cached.status_code, media_type=cached.media_type)
            expires_at = cached.expires_at
        else:
            response = await self._guarded(lambda: self._fresh(operation))
            deps: CacheDeps | None = getattr(request.state, "cache_deps", None)
            expires_at = deps.expires_at if deps is not None else None
            if deps is not None and response.status_code == 200:
                await self.public_cache.keep(
                    key,
                    deps,
                    bytes(response.body),
                    response.status_code,
                    response.headers.get("content-type", "application/json"),
                )
        return self._http_caching(request, response, expires_at)

    async def _fresh(self, operation: Operation) -> Response:
        """A signed-out answer computed now, noting what it depends on when it may be kept."""
        if self.shareable(operation.query):
            operation.request.state.cache_deps = await self.public_cache.begin()
        return await self._execute(operation.request)

    def _http_caching(
        self, request: Request, response: Response, expires_at: datetime | None = None
    ) -> Response:
        """Signed-out GET answers can sit in a CDN for a few seconds, with an ETag; never past
        the moment the answer stops being true (a count allowed to lag, a closing)."""
        if request.method != "GET" or response.status_code != 200:
            response.headers["cache-control"] = "no-store"
            return response
        etag = '"' + hashlib.sha256(bytes(response.body)).hexdigest()[:32] + '"'
        max_age = self.runtime.settings.public_max_age
        if expires_at is not None:
            max_age = max(0, min(max_age, int((expires_at - now()).total_seconds())))
        caching = {
            "etag": etag,
            "cache-control": f"public, max-age={max_age}",
            "vary": VARY,  # a 304 carries it too
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=caching)
        response.headers.update(caching)
        return response

    async def _signed_in(self, operation: Operation, token: str) -> Response:
        request = operation.request
        key = await api_keys.authenticate(token) if api_keys.looks_like_key(token) else None
        request.state.api_key = key
        found = await sessions.authenticate(token) if key is None else None
        request.state.session = found  # get_context takes it from here
        viewer = found[0] if found is not None else None
        if (
            viewer is not None
            and not is_staff(viewer)
            and self.runtime.settings.viewer_overlay
        ):
            plan = self.planner.plan(operation.query)
            response = await self._overlaid(operation, viewer, plan) if plan else None
            if response is not None:
                return response
        return await self._execute(request)

    async def _overlaid(self, operation: Operation, viewer: User, plan: Plan) -> Response | None:
        """The shared signed-out answer with the viewer's fields laid over; None: run it."""
        key = cache_key(plan.query, operation.operation_name, operation.variables, "overlay")
        cached = await self.public_cache.answer(key)
        if cached is not None:
            body = cached.body
        else:
            deps = await self.public_cache.begin()
            context = self._context(operation.request, None, None, None, deps)
            try:
                result = await self.schema.execute(
                    plan.query,
                    variable_values=operation.variables,
                    context_value=context,
                    operation_name=operation.operation_name,
                )
            finally:
                noting(None)  # the reader's own part is not the shared answer's
            if result.errors or result.extensions:
                return None  # the ordinary way gives the right errors
            body = self.encode_json_bytes({"data": result.data})
            await self.public_cache.keep(key, deps, body, 200, "application/json")
        text = await fill(self.runtime, viewer, self.templates.of(plan, body))
        if text is None:
            return None  # the reader has a PENDING comment: their answer is their own
        media = (
            GRAPHQL_RESPONSE_JSON
            if wants_graphql_response(operation.request)
            else "application/json"
        )
        return Response(text.encode(), 200, media_type=media)

    def encode_json_bytes(self, data: object) -> bytes:
        encoded = self.encode_json(data)
        return encoded.encode() if isinstance(encoded, str) else encoded

    async def _run(self, request: Request) -> Response:
        return await self._guarded(lambda: self._execute(request))

    async def _execute(self, request: Request) -> Response:
        response = await self.run(request)
        if getattr(request.state, "graphql_response", False):
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if request.state.request_error:
                response.status_code = 400
        if getattr(request.state, "storage_failed", False):
            response.status_code = 503  # a full disk or a lost database: try again later
        return response

    async def _guarded(self, answer: Callable[[], Awaitable[Response]]) -> Response:
        """The operation timeout, and a 503 for what fails outside GraphQL execution."""
        timeout = self.runtime.settings.operation_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                return await answer()
        except HTTPException as exc:  # strawberry's own refusals, as JSON like ours
            return refuse(exc.status_code, exc.reason)
        except TimeoutError:
            return _timed_out(timeout)
        except Exception:  # e.g. the database went away while reading the session
            logger.exception("request failed outside GraphQL execution")
            return refuse(503, "The service is temporarily unavailable.", "UNAVAILABLE")

    async def _serve_websocket(self, websocket: WebSocket) -> None:
        """One context for the socket's life; who it is comes at connection_init."""
        live = LiveConnection(sockets.socket_closer(websocket), self.live)
        context = self._context(websocket, websocket, None, None, None)
        context.live = live
        try:
            await self.run(websocket, context=context)
        finally:
            self.live.forget(live)

    async def on_ws_connect(self, context: Context) -> UnsetType:
        await sockets.sign_in(context)
        return UNSET

    async def render_graphql_ide(self, request: Request) -> Response:
        return console_page(request)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        viewer, session_id = None, None
        api_key: ApiKeyCaller | None = getattr(request.state, "api_key", None)
        token = bearer_token(request)
        if token and api_key is None:
            # _signed_in has read it already for an HTTP request
            found = getattr(request.state, "session", _UNREAD)
            if found is _UNREAD:
                found = await sessions.authenticate(token)
            if found:
                viewer, session_id = found
        # what a signed-out answer reads, so it can be cached exactly (_answer decided)
        deps = getattr(request.state, "cache_deps", None) if token is None else None
        return self._context(request, response, viewer, session_id, deps, api_key)

    def _context(
        self,
        request: Request | WebSocket,
        response: Response | WebSocket | None,
        viewer: User | None,
        session_id: int | None,
        deps: CacheDeps | None,
        api_key: ApiKeyCaller | None = None,
    ) -> Context:
        noting(deps)  # the objects made for this answer note what it depends on
        return Context(
            runtime=self.runtime,
            request=request,
            response=response,
            viewer=viewer,
            session_id=session_id,
            client_address=client_address(request, self.runtime.settings.trusted_proxies),
            loaders=Loaders(viewer),
            cache_deps=deps,
            api_key=api_key,
        )

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # a request error (parse, validation, variables, limits) has no path and no data;
        # with application/graphql-response+json it is a 400 without a `data` entry
        request_error = (
            result.data is None
            and bool(result.errors)
            and all(e.path is None for e in result.errors or ())
        )
        graphql_response = wants_graphql_response(request)
        request.state.graphql_response = graphql_response
        request.state.request_error = request_error
        request.state.storage_failed = is_unavailable(result.errors)
        deps: CacheDeps | None = getattr(request.state, "cache_deps", None)
        if deps is not None and result.errors:
            deps.not_cacheable()
        data: GraphQLHTTPResponse = {}
        if not (graphql_response and request_error):
            data["data"] = result.data
        if result.errors:
            by_key = getattr(request.state, "api_key", None) is not None
            data["errors"] = [
                for_api_key(format_error(e)) if by_key else format_error(e) for e in result.errors
            ]
        if result.extensions:
            data["extensions"] = result.extensions
        return data
