"""A socket's operation in a live feed (schema/live_feeds.py), and where its messages go."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from service.events import SubscriberTooSlow
from service.live import TOO_SLOW, LiveConnection

if TYPE_CHECKING:
    from schema.live_feeds import Feed


class End:
    """The feed's stream ended: so does each member's operation."""


@dataclass(frozen=True, slots=True)
class Failed:
    error: BaseException


END = End()


class Sink(Protocol):
    """Where a member's items go: its socket, as its operation's messages (web/feed_members.py)."""

    def ready(self) -> bool:
        """Whether a message would go out now, without waiting for the socket to drain."""

    async def result(self, result: Any) -> None: ...

    async def results(self, results: list[Any]) -> None:
        """Several answers in order, at once if the socket can (as one write)."""

    async def end(self, error: BaseException | None) -> None:
        """The operation is over (an error, or None when it completed)."""


class Member:
    """One socket's operation in a feed. It keeps no task while idle: the feed sends each
    item straight to a socket that can take it, and only a socket that is not ready (or
    whose account check is under way) gets a task draining its queue, bounded by
    BTL_WS_QUEUE_EVENTS (past that it is closed as too slow)."""

    __slots__ = ("drain", "feed", "limit", "live", "queue", "sink")

    def __init__(self, feed: Feed, live: LiveConnection | None, limit: int, sink: Sink) -> None:
        self.feed = feed
        self.live = live
        self.limit = limit
        self.sink = sink
        self.queue: deque[Any] | None = None  # while a drain runs
        self.drain: asyncio.Task[None] | None = None

    async def deliver(self, items: list[Any]) -> None:
        """Called by the feed with the items of each round, in order."""
        if (
            self.queue is None
            and self.sink.ready()
            and self._checked()
            and not any(isinstance(item, End | Failed) for item in items)
        ):
            try:
                if self.live is not None and not await self.live.confirm():
                    await self._end(None)  # the session ended or the account changed
                else:
                    await self.sink.results(items)
            except Exception:  # the socket went away meanwhile: its handler cleans up
                self.leave()
            return
        if self.queue is None:
            self.queue = deque()
            self.drain = asyncio.get_running_loop().create_task(self._drain())
        for item in items:
            if len(self.queue) >= self.limit and item is not END:
                self.queue.clear()  # too slow: free what it holds, close it next
                self.queue.append(Failed(SubscriberTooSlow()))
                self.feed.members.discard(self)
                return
            self.queue.append(item)

    def _checked(self) -> bool:
        """No account check is pending (confirm() would not wait)."""
        return self.live is None or self.live.pending_check is None

    async def _drain(self) -> None:
        assert self.queue is not None
        while self.queue:
            await self._send(self.queue.popleft())
        self.queue = self.drain = None

    async def _send(self, item: Any) -> None:
        try:
            if item is END:
                await self._end(None)
            elif isinstance(item, Failed):
                if isinstance(item.error, SubscriberTooSlow) and self.live is not None:
                    self.live.close(*TOO_SLOW)
                await self._end(None if isinstance(item.error, SubscriberTooSlow) else item.error)
            elif self.live is not None and not await self.live.confirm():
                await self._end(None)  # the session ended or the account changed: closing
            else:
                await self.sink.result(item)
        except Exception:  # the socket went away meanwhile: its handler cleans up
            self.leave()

    async def _end(self, error: BaseException | None) -> None:
        self.leave()
        await self.sink.end(error)

    def leave(self) -> None:
        """The operation is over (completed by the client, its socket closed, or ended)."""
        self.feed.leave(self)
        if self.drain is not None and self.drain is not asyncio.current_task():
            self.drain.cancel()
        self.queue = self.drain = None
