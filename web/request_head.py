"""uvicorn's HTTP protocol with a request's head (request line and headers) bounded in time
and size.

uvicorn waits for a request's headers forever and buffers them without bound, so clients that
open connections and send a header byte now and then hold every connection (slowloris), and
one that sends an endless header holds memory. Here a head has BTL_READ_TIMEOUT_SECONDS to
arrive, counted from the connection or from the request's first byte, and at most
MAX_HEAD_BYTES; the body has the same time again (web/operations.py).
"""

from __future__ import annotations

import asyncio
import json
from functools import cache

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.config import load_settings

MAX_HEAD_BYTES = 64 * 1024


@cache
def read_timeout_seconds() -> float:
    # read in each worker process, where uvicorn builds the protocol (and the app) again
    return load_settings().read_timeout_seconds


class BoundedHeadProtocol(HttpToolsProtocol):
    head_timer: asyncio.TimerHandle | None = None
    head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._expect_head()

    def on_headers_complete(self) -> None:
        self._head_arrived()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.head_timer is None:  # no head being read: it arrived within this data
            return
        self.head_bytes += len(data)
        if self.head_bytes > MAX_HEAD_BYTES:
            self._refuse(
                431,
                b"Request Header Fields Too Large",
                f"The request's headers are larger than {MAX_HEAD_BYTES} bytes.",
            )

    def _expect_head(self) -> None:
        if self.head_timer is None:
            self.head_bytes = 0
            self.head_timer = self.loop.call_later(read_timeout_seconds(), self._head_late)

    def _head_arrived(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_late(self) -> None:
        self.head_timer = None
        self._refuse(
            408,
            b"Request Timeout",
            f"The request's headers did not arrive within {read_timeout_seconds():g} s "
            "(BTL_READ_TIMEOUT_SECONDS).",
        )

    def _refuse(self, status: int, reason: bytes, message: str) -> None:
        self._head_arrived()
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # no answer is being written
            body = json.dumps({"errors": [{"message": message}]}).encode()
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                % (status, reason, len(body), body)
            )
        self.transport.close()
