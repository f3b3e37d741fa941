"""The websocket side of /graphql: who a socket signs in as, and closing it when that ends.

The limits a socket's operations run under are the schema's (schema/streams.py); uvicorn
closes a message over BTL_WS_MAX_MESSAGE_BYTES (1009) unread.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator
from contextlib import suppress
from json import JSONDecodeError
from typing import Any

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)
from strawberry.types.unset import UNSET, UnsetType

from schema.context import Context
from schema.live_feeds import SharedAnswer
from schema.loaders import Loaders
from schema.schema import BtlSchema
from service import sessions
from service.live import CloseSocket, LiveConnection, LiveConnections
from service.runtime import Runtime
from web import feed_members
from web.callers import NOBODY, context_for
from web.metrics import OPEN_WEBSOCKETS

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
    websocket = context.connection
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
    had to say (`complete`) goes nowhere instead of failing as a traceback; and an idle
    socket does not keep the text of the last message it read (thousands of them idle)."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                try:
                    message = self.view.decode_json(await self.ws.receive_text())
                except JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
                    continue
                yield message
                message = None
        except KeyError as error:
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Any) -> None:
        if self.ws.application_state != WebSocketState.CONNECTED:
            return
        payload = message.get("payload") if isinstance(message, dict) else None
        answer = payload.get("data") if isinstance(payload, dict) else None
        if isinstance(answer, SharedAnswer):  # serialised once for all of its feed
            with suppress(WebSocketDisconnect):  # strawberry's own send_json ignores it too
                await self.ws.send_text(feed_members.next_message(message["id"], answer))
            return
        await super().send_json(message)

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state == WebSocketState.CONNECTED:
            await super().close(code, reason)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        # thousands of sockets send the same document: one copy of its text (freed with
        # the last socket that holds it)
        payload = message.get("payload")
        query = payload.get("query") if isinstance(payload, dict) else None
        if isinstance(query, str):
            payload["query"] = sys.intern(query)
        if not feed_members.join(self, message):  # a live thread's: run by its feed
            await super().handle_subscribe(message)
        # strawberry's read loop keeps the last message until the next one arrives
        message.clear()  # type: ignore[attr-defined]

    async def cleanup_operation(self, operation_id: str) -> None:
        if not feed_members.leave(self, operation_id):
            await super().cleanup_operation(operation_id)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Unauthorized:
            await self.websocket.close(*UNAUTHORIZED)
        finally:
            # cancelled by now: not kept for the socket's life (thousands of idle sockets)
            if self.connection_init_received:
                self.connection_init_timeout_task = None


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    async def handle_connection_init(self, message: LegacyConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except Unauthorized:
            await self.send_message(
                {"type": "connection_error", "payload": {"message": UNAUTHORIZED[1]}}
            )
            await self.websocket.close(*UNAUTHORIZED)


class GraphQLWebSocket(GraphQL[Context, None]):
    """Strawberry's websocket protocols (graphql-transport-ws and graphql-ws) on /graphql,
    with one context for a socket's life: who it is comes at connection_init."""

    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler
    websocket_adapter_class = SocketAdapter

    def __init__(self, runtime: Runtime, schema: BtlSchema) -> None:
        # a socket's operations are counted in stream_within_limits, under a BTL_ limit
        super().__init__(schema, max_subscriptions_per_connection=None)
        self.runtime = runtime
        self.live = LiveConnections(runtime.settings.ws_session_check_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        live = LiveConnection(socket_closer(websocket), self.live)
        context = context_for(self.runtime, websocket, NOBODY, live=live)
        OPEN_WEBSOCKETS.inc()
        try:
            await self.run(websocket, context=context)
        finally:
            OPEN_WEBSOCKETS.dec()
            self.live.forget(live)

    async def on_ws_connect(self, context: Context) -> UnsetType:
        await sign_in(context)
        return UNSET
