"""uvicorn's websocket protocol (websockets' sans-I/O implementation) keeping less per socket.

Thousands of idle subscribers make a socket's resident size count (bench/live.py). uvicorn
keeps the upgrade's request and response, with their headers, for the socket's life, and
gives each socket an asyncio.Queue and an asyncio.Event: five deques of ~760 bytes each,
for a queue that holds one message at a time (uvicorn stops reading while one waits).
This protocol behaves the same with the handshake dropped once it is answered, and a list
and a future where the deques were.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class _Inbox:
    """What asyncio.Queue did for uvicorn here: put_nowait, get and empty."""

    __slots__ = ("items", "waiter")

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self.items.append(item)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def empty(self) -> bool:
        return not self.items

    async def get(self) -> Any:
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        return self.items.pop(0)


class _Flag:
    """What asyncio.Event did for uvicorn here: whether the socket may be written to."""

    __slots__ = ("value", "waiters")

    def __init__(self) -> None:
        self.value = True
        self.waiters: list[asyncio.Future[None]] = []

    def is_set(self) -> bool:
        return self.value

    def set(self) -> None:
        self.value = True
        waiters, self.waiters = self.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self.value = False

    async def wait(self) -> bool:
        if not self.value:
            waiter = asyncio.get_running_loop().create_future()
            self.waiters.append(waiter)
            await waiter
        return True


# ASGI extensions: whether a message sent now goes out without waiting for the socket to
# drain (a live feed sends to such sockets in line, and queues for the others), and the
# sending of a text frame made once for thousands of sockets (`text_frame`)
WRITABLE = "btl.websocket.writable"
SEND_FRAME = "btl.websocket.send_frame"


def text_frame(text: bytes) -> bytes:
    """A final, unmasked, uncompressed text frame (RFC 6455 5.2), as a server sends it."""
    size = len(text)
    if size < 126:
        head = bytes((0x81, size))
    elif size < 65536:
        head = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return head + text


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]
        self.writable = _Flag()  # type: ignore[assignment]

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        extensions = getattr(self, "scope", {}).get("extensions")
        if isinstance(extensions, dict):
            extensions[WRITABLE] = self.writable.is_set
            extensions[SEND_FRAME] = self.send_frame

    def send_frame(self, frame: bytes) -> bool:
        """Write a frame from `text_frame` if the socket can take it as it is now (open,
        writable, no compression negotiated); False: send the message the ASGI way."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.disconnected
            or self.initial_response is not None
            or self.conn.extensions  # permessage-deflate: each socket compresses its own
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.accept":  # answered: its headers are never read again
            self.request = None  # type: ignore[assignment]
            self.response = None  # type: ignore[assignment]
