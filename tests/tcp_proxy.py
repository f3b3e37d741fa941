"""A TCP proxy, to take a server away from btl and give it back without touching the server
(the machine's PostgreSQL is shared with other tests). It runs its own event loop in a
thread, so it keeps forwarding while the test blocks (starting a served btl does)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any

from tests.served import free_port


class TcpProxy:
    """127.0.0.1:`port` forwards to `upstream`. `cut()` drops every connection and refuses
    new ones, as a stopped or restarting server does; `restore()` forwards again.
    `freeze()` forwards nothing more, but holds every byte and connection, as a network
    partition or a hung server does; `thaw()` delivers what waited and forwards again."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.links: set[asyncio.StreamWriter] = set()
        self.thawed: asyncio.Event | None = None  # made in the proxy's loop

    def __enter__(self) -> TcpProxy:
        self.thread.start()
        self.restore()
        return self

    def __exit__(self, *_: object) -> None:
        self._run(self._shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=10)

    def cut(self) -> None:
        self._run(self._cut())

    def restore(self) -> None:
        self._run(self._listen())

    def freeze(self) -> None:
        self._run(self._freeze(True))

    def thaw(self) -> None:
        self._run(self._freeze(False))

    async def _freeze(self, frozen: bool) -> None:
        assert self.thawed is not None
        for writer in self.links:
            if frozen:
                writer.transport.pause_reading()
            else:
                writer.transport.resume_reading()
        if frozen:
            self.thawed.clear()
        else:
            self.thawed.set()

    async def _listen(self) -> None:
        if self.thawed is None:
            self.thawed = asyncio.Event()
            self.thawed.set()
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def _shutdown(self) -> None:
        await self._cut()
        if self.thawed is not None:
            self.thawed.set()  # links waiting on a freeze end too
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _cut(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.links):
            writer.transport.abort()  # a reset, not a polite goodbye
        self.links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self.thawed is not None
        await self.thawed.wait()  # frozen: accepted, and left waiting
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self.links |= {writer, up_writer}
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for each in (writer, up_writer):
                self.links.discard(each)
                each.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
