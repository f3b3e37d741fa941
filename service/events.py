"""Live thread events: in-process broadcast by default, Redis pub/sub across instances.

Domain functions publish after their transaction commits; a subscriber gets the ids of
comments that were added or changed on one article and reads them fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

logger = logging.getLogger("btl.events")
QUEUE_SIZE = 256


class EventKind(StrEnum):
    ADDED = "ADDED"
    UPDATED = "UPDATED"


@dataclass(frozen=True, slots=True)
class CommentEvent:
    kind: EventKind
    article_id: str
    comment_id: int


@dataclass(frozen=True, slots=True)
class NotificationEvent:
    """A user's inbox got a notification (a hint: the subscriber reads it from the database)."""

    user_id: int
    notification_id: int


class Broadcaster(Protocol):
    async def publish(self, event: CommentEvent) -> None: ...

    def subscribe(self, article_id: str) -> AsyncIterator[CommentEvent]: ...

    async def publish_notification(self, event: NotificationEvent) -> None: ...

    def subscribe_notifications(self, user_id: int) -> AsyncIterator[NotificationEvent]: ...


class MemoryBroadcaster:
    def __init__(self) -> None:
        self.queues: dict[str, set[asyncio.Queue[CommentEvent]]] = defaultdict(set)
        self.inboxes: dict[int, set[asyncio.Queue[NotificationEvent]]] = defaultdict(set)

    async def publish(self, event: CommentEvent) -> None:
        for queue in list(self.queues.get(event.article_id, ())):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled reader misses events
                queue.put_nowait(event)

    async def subscribe(self, article_id: str) -> AsyncIterator[CommentEvent]:
        queue: asyncio.Queue[CommentEvent] = asyncio.Queue(QUEUE_SIZE)
        self.queues[article_id].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self.queues[article_id].discard(queue)
            if not self.queues[article_id]:
                del self.queues[article_id]

    async def publish_notification(self, event: NotificationEvent) -> None:
        for queue in list(self.inboxes.get(event.user_id, ())):
            with contextlib.suppress(asyncio.QueueFull):  # the subscriber reads them all anyway
                queue.put_nowait(event)

    async def subscribe_notifications(self, user_id: int) -> AsyncIterator[NotificationEvent]:
        queue: asyncio.Queue[NotificationEvent] = asyncio.Queue(QUEUE_SIZE)
        self.inboxes[user_id].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self.inboxes[user_id].discard(queue)
            if not self.inboxes[user_id]:
                del self.inboxes[user_id]


class RedisBroadcaster:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self.redis: Any = Redis.from_url(url)

    async def publish(self, event: CommentEvent) -> None:
        message = json.dumps([event.kind, event.article_id, event.comment_id])
        await self.redis.publish(f"btl:events:{event.article_id}", message)

    async def subscribe(self, article_id: str) -> AsyncIterator[CommentEvent]:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(f"btl:events:{article_id}")
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                kind, article, comment_id = json.loads(message["data"])
                yield CommentEvent(EventKind(kind), article, int(comment_id))
        finally:
            await pubsub.aclose()

    async def publish_notification(self, event: NotificationEvent) -> None:
        await self.redis.publish(f"btl:inbox:{event.user_id}", str(event.notification_id))

    async def subscribe_notifications(self, user_id: int) -> AsyncIterator[NotificationEvent]:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(f"btl:inbox:{user_id}")
        try:
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    yield NotificationEvent(user_id, int(message["data"]))
        finally:
            await pubsub.aclose()


broadcaster: Broadcaster = MemoryBroadcaster()


def use(chosen: Broadcaster) -> None:
    global broadcaster
    broadcaster = chosen


async def publish(kind: EventKind, article_id: str, comment_id: int) -> None:
    """Tell live readers; a failure here never fails the change that was already committed."""
    try:
        await broadcaster.publish(CommentEvent(kind, article_id, comment_id))
    except Exception:
        logger.warning("could not publish a comment event", exc_info=True)


def subscribe(article_id: str) -> AsyncIterator[CommentEvent]:
    return broadcaster.subscribe(article_id)


async def publish_notification(user_id: int, notification_id: int) -> None:
    """Wake the user's live inbox; a failure here never fails the change that made it."""
    try:
        await broadcaster.publish_notification(NotificationEvent(user_id, notification_id))
    except Exception:
        logger.warning("could not publish a notification event", exc_info=True)


def subscribe_notifications(user_id: int) -> AsyncIterator[NotificationEvent]:
    return broadcaster.subscribe_notifications(user_id)
