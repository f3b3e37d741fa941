"""Live events: in-process broadcast by default, Redis pub/sub across instances.

Domain functions publish after their transaction commits: a comment added or changed on
an article, a notification for a user's inbox, or an account changed (signed out, new
password, role, ban...) so that its open websockets are checked again. Each process fans
events out to its own subscribers, one bounded queue each; with Redis, one connection per
process reads every channel in publish order, so an account signal is handled before any
event published after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from service.models import Comment

logger = logging.getLogger("btl.events")
QUEUE_SIZE = 256
EVENTS_CHANNEL = "btl:events:"  # + the article id
ACCOUNTS_CHANNEL = "btl:accounts"
INBOX_CHANNEL = "btl:inbox:"  # + the user id
AccountWatcher = Callable[[int], None]


class EventKind(StrEnum):
    ADDED = "ADDED"
    UPDATED = "UPDATED"


class SubscriberTooSlow(Exception):
    """A subscriber left a queue's worth of events unread: it is dropped, not buffered."""


@dataclass(slots=True)
class CommentEvent:
    kind: EventKind
    article_id: str
    comment_id: int
    # one object per event in a process, handed to every subscriber: the read is shared
    _comment: asyncio.Future[Comment] | None = field(default=None, compare=False, repr=False)

    async def comment(self, load: Callable[[int], Awaitable[Comment]]) -> Comment:
        """The event's comment, read once for all of this process's subscribers."""
        if self._comment is None:
            self._comment = asyncio.ensure_future(load(self.comment_id))
        return await asyncio.shield(self._comment)


@dataclass(frozen=True, slots=True)
class NotificationEvent:
    """A user's inbox got a notification (a hint: the subscriber reads it from the database)."""

    user_id: int
    notification_id: int


class Broadcaster(Protocol):
    async def publish(self, event: CommentEvent) -> None: ...

    async def publish_account(self, user_id: int) -> None: ...

    async def publish_notification(self, event: NotificationEvent) -> None: ...

    def subscribe(self, article_id: str) -> AsyncIterator[CommentEvent]: ...

    def subscribe_notifications(self, user_id: int) -> AsyncIterator[NotificationEvent]: ...

    def watch_accounts(self, watcher: AccountWatcher) -> Callable[[], None]: ...


Topic = tuple[str, str | int]  # ("article", article id) or ("inbox", user id)
Event = CommentEvent | NotificationEvent


class LocalFanout:
    """This process's subscribers (a bounded queue each, by topic) and account watchers."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self.queues: dict[Topic, set[asyncio.Queue[Any]]] = {}
        self.watchers: set[AccountWatcher] = set()

    def deliver(self, event: CommentEvent) -> None:
        self._deliver(("article", event.article_id), event)

    def deliver_notification(self, event: NotificationEvent) -> None:
        self._deliver(("inbox", event.user_id), event)

    def _deliver(self, topic: Topic, event: Event) -> None:
        for queue in list(self.queues.get(topic, ())):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self._drop(topic, queue)

    def _drop(self, topic: Topic, queue: asyncio.Queue[Any]) -> None:
        """Free what a stalled subscriber holds; it learns why at its next read."""
        self._forget(topic, queue)
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)

    def deliver_account(self, user_id: int) -> None:
        # synchronous: the watchers mark the user's sockets before the next event is delivered
        for watcher in list(self.watchers):
            try:
                watcher(user_id)
            except Exception:
                logger.exception("an account watcher failed")

    def subscribe(self, article_id: str) -> AsyncIterator[CommentEvent]:
        return self._subscribe(("article", article_id))

    def subscribe_notifications(self, user_id: int) -> AsyncIterator[NotificationEvent]:
        return self._subscribe(("inbox", user_id))

    async def _subscribe(self, topic: Topic) -> AsyncIterator[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue(self.queue_size)
        self.queues.setdefault(topic, set()).add(queue)
        self.demand_changed()
        try:
            while True:
                event = await queue.get()
                if event is None:
                    raise SubscriberTooSlow(f"more than {self.queue_size} events were waiting")
                yield event
        finally:
            self._forget(topic, queue)

    def _forget(self, topic: Topic, queue: asyncio.Queue[Any]) -> None:
        subscribers = self.queues.get(topic)
        if subscribers is None or queue not in subscribers:
            return
        subscribers.discard(queue)
        if not subscribers:
            del self.queues[topic]
        self.demand_changed()

    def watch_accounts(self, watcher: AccountWatcher) -> Callable[[], None]:
        self.watchers.add(watcher)
        self.demand_changed()

        def unwatch() -> None:
            if watcher in self.watchers:
                self.watchers.discard(watcher)
                self.demand_changed()

        return unwatch

    def demand_changed(self) -> None:
        """Someone in this process started or stopped listening."""

    @property
    def listened_to(self) -> bool:
        return bool(self.queues or self.watchers)


class MemoryBroadcaster(LocalFanout):
    async def publish(self, event: CommentEvent) -> None:
        self.deliver(event)

    async def publish_account(self, user_id: int) -> None:
        self.deliver_account(user_id)

    async def publish_notification(self, event: NotificationEvent) -> None:
        self.deliver_notification(event)


class RedisBroadcaster(LocalFanout):
    """Publish to Redis; one reader per process, running while anyone here listens.

    While Redis is away (service/redis_outage.py) an event is delivered to this process's
    own subscribers instead, and the reader reconnects every second; once Redis answers
    again, events cross instances again. Events other instances published meanwhile are
    not replayed (a client that must not miss one re-reads the thread on reconnecting)."""

    def __init__(self, url: str, queue_size: int = QUEUE_SIZE) -> None:
        super().__init__(queue_size)
        from redis.asyncio import Redis

        from service.redis_outage import REDIS_TIMEOUT_SECONDS, Outage

        # no read timeout: the reader waits for messages as long as anyone listens
        self.redis: Any = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
        self.publish_timeout = REDIS_TIMEOUT_SECONDS
        self.publishing = Outage(
            "live events", "delivered to this instance's subscribers only", redis_url=url
        )
        self.reading = Outage("live events", "reconnecting every second", retry_after=0)
        self.reader: asyncio.Task[None] | None = None

    async def _publish(self, channel: str, message: str, here: Callable[[], None]) -> None:
        if self.publishing.skipping:
            here()
            return
        try:
            async with asyncio.timeout(self.publish_timeout):
                await self.redis.publish(channel, message)
        except Exception as exc:  # Redis away or hanging: this instance's subscribers only
            self.publishing.failed(exc)
            here()
            return
        self.publishing.answered()

    async def publish(self, event: CommentEvent) -> None:
        message = json.dumps([event.kind, event.article_id, event.comment_id])
        await self._publish(EVENTS_CHANNEL + event.article_id, message, lambda: self.deliver(event))

    async def publish_account(self, user_id: int) -> None:
        await self._publish(ACCOUNTS_CHANNEL, str(user_id), lambda: self.deliver_account(user_id))

    async def publish_notification(self, event: NotificationEvent) -> None:
        await self._publish(
            f"{INBOX_CHANNEL}{event.user_id}",
            str(event.notification_id),
            lambda: self.deliver_notification(event),
        )

    def demand_changed(self) -> None:
        if self.listened_to and self.reader is None:
            self.reader = asyncio.get_running_loop().create_task(self._read())
        elif not self.listened_to and self.reader is not None:
            self.reader.cancel()
            self.reader = None

    async def _read(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.psubscribe(EVENTS_CHANNEL + "*", INBOX_CHANNEL + "*")
                await pubsub.subscribe(ACCOUNTS_CHANNEL)
                self.reading.answered()
                async for message in pubsub.listen():
                    self._dispatch(message)
            except Exception as exc:  # logged once a minute, not once a retry
                self.reading.failed(exc)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(1)

    def _dispatch(self, message: dict[str, Any]) -> None:
        try:
            channel = message.get("channel", b"")
            channel = channel.decode() if isinstance(channel, bytes) else str(channel)
            if message.get("type") == "pmessage" and channel.startswith(INBOX_CHANNEL):
                user_id = int(channel.removeprefix(INBOX_CHANNEL))
                self.deliver_notification(NotificationEvent(user_id, int(message["data"])))
            elif message.get("type") == "pmessage":
                kind, article, comment_id = json.loads(message["data"])
                self.deliver(CommentEvent(EventKind(kind), article, int(comment_id)))
            elif message.get("type") == "message":
                self.deliver_account(int(message["data"]))
        except (ValueError, TypeError):
            logger.warning("ignored a malformed live event: %r", message.get("data"))


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


async def account_changed(user_id: int) -> None:
    """The user's sessions or what they may see changed: check their open websockets now
    (the periodic check catches it later if this is lost)."""
    try:
        await broadcaster.publish_account(user_id)
    except Exception:
        logger.warning("could not publish an account change", exc_info=True)


def subscribe(article_id: str) -> AsyncIterator[CommentEvent]:
    return broadcaster.subscribe(article_id)


def watch_accounts(watcher: AccountWatcher) -> Callable[[], None]:
    return broadcaster.watch_accounts(watcher)


async def publish_notification(user_id: int, notification_id: int) -> None:
    """Wake the user's live inbox; a failure here never fails the change that made it."""
    try:
        await broadcaster.publish_notification(NotificationEvent(user_id, notification_id))
    except Exception:
        logger.warning("could not publish a notification event", exc_info=True)


def subscribe_notifications(user_id: int) -> AsyncIterator[NotificationEvent]:
    return broadcaster.subscribe_notifications(user_id)
