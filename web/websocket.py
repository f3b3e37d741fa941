"""The websocket side of /graphql: who a socket signs in as, and the limits it runs under.

HTTP refuses abusive documents in web/operations.py and the limit extensions; strawberry
runs a socket's operations through `Schema.stream`, which skips the first and ignores a
refusal the cost extension makes (it sets a result that subscribe() never reads), and an
error raised while parsing escapes it as a traceback. `stream_within_limits` puts the
size and subscription caps in front of it and turns every refusal into the protocol's
`error` message; uvicorn closes a message over BTL_WS_MAX_MESSAGE_BYTES (1009) unread.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing, suppress
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError

from schema.checked_document import limit_error
from schema.context import Context
from schema.loaders import Loaders
from service import sessions
from service.live import CloseSocket, LiveConnection

Stream = AsyncGenerator[Any, None]
UNAUTHORIZED = (4401, "Unauthorized")


class Unauthorized(Exception):
    """connection_init carried credentials that sign no one in."""


def _credentials(websocket: WebSocket, init_payload: dict[str, Any]) -> object:
    header = websocket.headers.get("authorization")
    if header:
        return header
    return init_payload.get("authorization") or init_payload.get("Authorization")


async def sign_in(context: Context) -> None:
    """No credentials: anonymous. Credentials that are not a live bearer token: refused,
    never quietly anonymous."""
    websocket = context.request
    assert isinstance(websocket, WebSocket) and context.live is not None
    credentials = _credentials(websocket, context.connection_params or {})
    if credentials is None:
        return
    if not isinstance(credentials, str) or credentials[:7].lower() != "bearer ":
        raise Unauthorized
    token = credentials[7:].strip()
    found = await sessions.authenticate_session(token) if token else None
    if found is None:
        raise Unauthorized
    context.viewer, context.session_id = found.user, found.session_id
    context.loaders = Loaders(found.user)
    context.live.session = found
    context.live.registry.watch(context.live)


def socket_closer(websocket: WebSocket) -> CloseSocket:
    async def close(code: int, reason: str) -> None:
        if websocket.application_state == WebSocketState.CONNECTED:
            with suppress(RuntimeError):  # the client left meanwhile
                await websocket.close(code, reason)

    return close


class SocketAdapter(ASGIWebSocketAdapter):
    """Once a socket is closed (a session ended, a slow consumer), what the protocol still
    had to say (`complete`) goes nowhere instead of failing as a traceback."""

    async def send_json(self, message: Any) -> None:
        if self.ws.application_state == WebSocketState.CONNECTED:
            await super().send_json(message)

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state == WebSocketState.CONNECTED:
            await super().close(code, reason)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Unauthorized:
            await self.websocket.close(*UNAUTHORIZED)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    async def handle_connection_init(self, message: LegacyConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Unauthorized:
            await self.send_message(
                {"type": "connection_error", "payload": {"message": UNAUTHORIZED[1]}}
            )
            await self.websocket.close(*UNAUTHORIZED)


def _refusal(query: str | None, live: LiveConnection, context: Context) -> GraphQLError | None:
    settings = context.runtime.settings
    if query is not None and len(query) > settings.max_document_chars:
        return limit_error(
            f"The document has {len(query)} characters; the limit is "
            f"{settings.max_document_chars} (BTL_MAX_DOCUMENT_CHARS)."
        )
    per_connection = settings.ws_max_subscriptions_per_connection
    if live.subscriptions >= per_connection:
        return limit_error(
            f"This connection already runs {per_connection} subscriptions "
            "(BTL_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION)."
        )
    if live.registry.subscriptions >= settings.ws_max_subscriptions:
        return limit_error(
            f"This server already runs {settings.ws_max_subscriptions} subscriptions "
            "(BTL_WS_MAX_SUBSCRIPTIONS); try again later.",
            "UNAVAILABLE",
        )
    return None


def _as_limit(error: GraphQLError, context: Context) -> GraphQLError:
    if isinstance(error, GraphQLSyntaxError) and "tokens. Parsing aborted" in error.message:
        limit = context.runtime.settings.max_tokens
        return limit_error(f"The document has more than {limit} tokens (BTL_MAX_TOKENS).")
    return error


def _is_refusal(result: Any) -> bool:
    """A request error, as HTTP means it: no data, and no error belongs to a field."""
    return (
        isinstance(result, ExecutionResult)
        and result.data is None
        and bool(result.errors)
        and all(e.path is None for e in result.errors or ())
    )


async def stream_within_limits(
    run: Callable[[], Awaitable[Stream]], query: str | None, context: Any
) -> Stream:
    """`Schema.stream` for a socket's operation, within the socket's limits."""
    live: LiveConnection | None = getattr(context, "live", None)
    if live is None:  # not from a socket
        return await run()
    return _guarded(run, query, live, context)


async def _guarded(
    run: Callable[[], Awaitable[Stream]], query: str | None, live: LiveConnection, context: Context
) -> Stream:
    refusal = _refusal(query, live, context)
    if refusal is not None:
        yield PreExecutionError(data=None, errors=[refusal])
        return
    # counted from the first read to the close: strawberry reads a stream at once
    live.subscriptions += 1
    live.registry.subscriptions += 1
    try:
        async with aclosing(await run()) as source:
            try:
                first = await anext(source)
            except StopAsyncIteration:
                return
            except GraphQLError as error:  # raised while parsing (strawberry lets it escape)
                yield PreExecutionError(data=None, errors=[_as_limit(error, context)])
                return
            if _is_refusal(first) and not isinstance(first, PreExecutionError):
                yield PreExecutionError(data=None, errors=first.errors)
                return
            yield first
            async for result in source:
                yield result
    finally:
        live.subscriptions -= 1
        live.registry.subscriptions -= 1
