"""Reads shared by the requests that want the same row at the same moment.

When a story breaks, many readers and commenters ask for the same article, the same
community rules and the same thread version at once; on SQLite their reads queue on one
connection. A request joins the read of its key that has not started yet — never one
already running, which could predate a write the reader has seen commit — so one read
serves everyone who arrived while the previous one ran, and every result still reflects
every write that finished before its request arrived. Only for reads outside a
transaction, and only for results nobody changes (they are handed to many callers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class SharedReads:
    def __init__(self) -> None:
        self._next: dict[Hashable, asyncio.Future[Any]] = {}
        self._running: dict[Hashable, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def read(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        batch = self._next.get(key)
        if batch is None:
            batch = self._next[key] = asyncio.get_running_loop().create_future()
            task = asyncio.create_task(self._run(key, batch, load))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        result: T = await asyncio.shield(batch)
        return result

    async def _run(
        self, key: Hashable, batch: asyncio.Future[Any], load: Callable[[], Awaitable[Any]]
    ) -> None:
        running = self._running.get(key)
        if running is not None:
            await asyncio.wait([running])
        del self._next[key]  # from here on, new arrivals wait for the read after this one
        self._running[key] = batch
        try:
            batch.set_result(await load())
        except asyncio.CancelledError:
            batch.cancel()  # shutting down: nobody waits for a read that will not come
            raise
        except Exception as exc:
            batch.set_exception(exc)
            batch.exception()  # marked retrieved: every waiter gets it, none may be left
        finally:
            if self._running.get(key) is batch:
                del self._running[key]
