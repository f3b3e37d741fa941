from __future__ import annotations

import asyncio
import os

import pytest

from service.events import CommentEvent, EventKind, MemoryBroadcaster, RedisBroadcaster


async def receive_one(broadcaster: object, publisher: object) -> CommentEvent:
    stream = broadcaster.subscribe("a-1")  # type: ignore[attr-defined]
    first = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)  # the subscription is in place
    await publisher.publish(CommentEvent(EventKind.ADDED, "a-2", 1))  # type: ignore[attr-defined]
    await publisher.publish(CommentEvent(EventKind.ADDED, "a-1", 7))  # type: ignore[attr-defined]
    event: CommentEvent = await asyncio.wait_for(first, timeout=5)
    await stream.aclose()
    return event


async def test_memory_broadcast_reaches_only_that_articles_subscribers() -> None:
    broadcaster = MemoryBroadcaster()

    event = await receive_one(broadcaster, broadcaster)

    assert event == CommentEvent(EventKind.ADDED, "a-1", 7)
    assert broadcaster.queues == {}  # the subscription cleaned up after itself


async def test_redis_broadcast_crosses_instances() -> None:
    url = os.environ.get("BTL_TEST_REDIS_URL")
    if not url:
        pytest.skip("BTL_TEST_REDIS_URL is not set: live events across instances not tested")

    event = await receive_one(RedisBroadcaster(url), RedisBroadcaster(url))

    assert event == CommentEvent(EventKind.ADDED, "a-1", 7)
