"""A btl served by uvicorn inside the test's event loop (same database, same clock), and a
websocket client speaking graphql-transport-ws or the older graphql-ws to it."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection

from service.config import Settings
from tests.conftest import _truncate
from tests.served import free_port
from tests.support import Api
from web.app import create_app
from web.serving import uvicorn_config

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
WAIT = 10  # seconds a test waits for a message that should come


@dataclass
class Live:
    url: str
    api: Api

    async def connect(
        self,
        token: str | None = None,
        *,
        protocol: str = TRANSPORT_WS,
        payload: dict[str, Any] | None = None,
        **options: Any,
    ) -> ClientConnection:
        """A socket past connection_init (the ack is read here); see `open_socket` for less."""
        socket = await self.open_socket(token, protocol=protocol, payload=payload, **options)
        ack = await receive(socket)
        assert ack["type"] == "connection_ack", ack
        return socket

    async def open_socket(
        self,
        token: str | None = None,
        *,
        protocol: str = TRANSPORT_WS,
        payload: dict[str, Any] | None = None,
        **options: Any,
    ) -> ClientConnection:
        socket = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/graphql", subprotocols=[protocol], **options
        )
        init = dict(payload or {})
        if token:
            init["authorization"] = f"Bearer {token}"
        await socket.send(json.dumps({"type": "connection_init", "payload": init}))
        return socket


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[Live]:
    """The app served on a free port with the serving module's own uvicorn settings."""
    app = create_app(settings, manage_database=False)
    port = free_port()
    config = uvicorn_config(  # the test process's logging stays as pytest set it (caplog)
        app,
        settings,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        log_config=None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield Live(url, Api(client, app))
    finally:
        server.should_exit = True
        await task


def live_server(database_url: str) -> Callable[..., Any]:
    """`async with make_live(**overrides) as live:` on an emptied database."""

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[Live]:
        await _truncate(database_url)
        async with serving(replace(Settings(database_url=database_url), **overrides)) as live:
            yield live

    return make


async def receive(socket: ClientConnection) -> dict[str, Any]:
    """The next protocol message other than keep-alives (waiting at most WAIT seconds)."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
        if message["type"] not in {"ping", "pong", "ka"}:
            return message


async def subscribe(
    socket: ClientConnection,
    query: str,
    operation_id: str = "1",
    variables: dict[str, Any] | None = None,
    protocol: str = TRANSPORT_WS,
) -> None:
    kind = "subscribe" if protocol == TRANSPORT_WS else "start"
    payload = {"query": query, "variables": variables or {}}
    await socket.send(json.dumps({"id": operation_id, "type": kind, "payload": payload}))


async def next_event(socket: ClientConnection) -> dict[str, Any]:
    """The next commentEvents payload; fails on anything else."""
    message = await receive(socket)
    assert message["type"] in {"next", "data"}, message
    event: dict[str, Any] = message["payload"]["data"]["commentEvents"]
    return event


async def until_closed(
    socket: ClientConnection,
) -> tuple[list[dict[str, Any]], int | None, str]:
    """Read until the server closes the socket (at most WAIT seconds): the messages before,
    the close code and reason."""
    seen: list[dict[str, Any]] = []

    async def drain() -> None:
        with contextlib.suppress(websockets.ConnectionClosed):  # any code but 1000 raises
            async for message in socket:
                seen.append(json.loads(message))

    try:
        await asyncio.wait_for(drain(), WAIT)
    except TimeoutError:
        raise AssertionError(f"the socket is still open; it sent {seen}") from None
    return seen, socket.close_code, socket.close_reason or ""
