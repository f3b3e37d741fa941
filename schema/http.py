"""The /graphql endpoint: strawberry's ASGI view with btl's context and error codes."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from schema.context import Context
from schema.loaders import Loaders
from service import sessions
from service.errors import DomainError
from service.runtime import Runtime


def client_address(connection: HTTPConnection, trusted_proxies: frozenset[str]) -> str:
    """The peer address, or X-Forwarded-For's nearest untrusted hop behind trusted proxies."""
    peer = connection.client.host if connection.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    forwarded = [hop.strip() for hop in connection.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in forwarded if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        if hop not in trusted_proxies:
            return hop
    return peer


def bearer_token(
    connection: HTTPConnection, init_payload: dict[str, Any] | None = None
) -> str | None:
    header = connection.headers.get("authorization")
    if header is None and init_payload:
        value = init_payload.get("authorization") or init_payload.get("Authorization")
        header = value if isinstance(value, str) else None
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"


def wants_graphql_response(connection: HTTPConnection) -> bool:
    """GraphQL over HTTP: answer with application/graphql-response+json when accepted."""
    accept = connection.headers.get("accept", "")
    return "application/graphql-response+json" in accept.lower()


def format_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    # no "Did you mean ...?" for fields, arguments, types or enum values: don't map the schema
    formatted["message"] = _SUGGESTION.sub("", formatted["message"])
    original = error.original_error
    if isinstance(original, DomainError):
        formatted["extensions"] = {**formatted.get("extensions", {}), "code": original.code}
    return formatted


JSON_TYPES = ("application/json", "application/graphql-response+json")


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it grows past `limit` bytes (never buffered past that)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # strawberry reads the body again from this request
    return body


async def screen_post(
    request: Request, max_body_bytes: int, max_document_chars: int
) -> Response | None:
    """Refuse, before any GraphQL work, what a browser form or a flood could send."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES:
        return _refuse(415, "POST a JSON body with Content-Type: application/json.")
    body = await _read_body(request, max_body_bytes)
    if body is None:
        return _refuse(413, f"The request body is larger than {max_body_bytes} bytes.")
    try:
        payload = json.loads(body)
    except ValueError:
        return _refuse(400, "The request body is not valid JSON.")
    if not isinstance(payload, dict):
        return _refuse(400, "The request body must be one JSON object (no batching).")
    if not isinstance(payload.get("query"), str):
        return _refuse(400, "The request has no query string.")
    return screen_document(payload["query"], max_document_chars)


def screen_document(query: str, max_document_chars: int) -> Response | None:
    if len(query) > max_document_chars:
        return _refuse(
            413,
            f"The document has {len(query)} characters; the limit is {max_document_chars} "
            "(BTL_MAX_DOCUMENT_CHARS).",
        )
    return None


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        response: Response | None = None
        settings = self.runtime.settings
        if scope["method"] == "POST":
            response = await screen_post(
                request, settings.max_body_bytes, settings.max_document_chars
            )
        elif "query" in request.query_params:
            response = screen_document(request.query_params["query"], settings.max_document_chars)
        if response is None:
            response = await self._execute(request)
        await response(scope, receive, send)

    async def _execute(self, request: Request) -> Response:
        timeout = self.runtime.settings.operation_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                response = await self.run(request)
        except HTTPException as exc:  # strawberry's own refusals, as JSON like ours
            return _refuse(exc.status_code, exc.reason)
        except TimeoutError:
            return JSONResponse(
                {
                    "data": None,
                    "errors": [
                        {
                            "message": f"The operation ran longer than {timeout:g} s and was "
                            "cancelled (BTL_OPERATION_TIMEOUT_SECONDS).",
                            "extensions": {"code": "TIMEOUT"},
                        }
                    ],
                },
                status_code=503,
            )
        if getattr(request.state, "graphql_response", False):
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if request.state.request_error:
                response.status_code = 400
        return response

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        viewer, session_id = None, None
        token = bearer_token(request)
        if token:
            found = await sessions.authenticate(token)
            if found:
                viewer, session_id = found
        return Context(
            runtime=self.runtime,
            request=request,
            response=response,
            viewer=viewer,
            session_id=session_id,
            client_address=client_address(request, self.runtime.settings.trusted_proxies),
            loaders=Loaders.for_viewer(viewer),
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
        data: GraphQLHTTPResponse = {}
        if not (graphql_response and request_error):
            data["data"] = result.data
        if result.errors:
            data["errors"] = [format_error(e) for e in result.errors]
        if result.extensions:
            data["extensions"] = result.extensions
        return data
