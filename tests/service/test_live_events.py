"""The broadcaster's fan-out: a stalled subscriber is dropped, and an account signal reaches
this process's watchers before any event published after it (in process and via Redis)."""

from __future__ import annotations

import asyncio

import pytest

from service.config import ConfigError, load_settings
from service.events import (
    CommentEvent,
    EventKind,
    LocalFanout,
    MemoryBroadcaster,
    RedisBroadcaster,
    SubscriberTooSlow,
)
from tests.conftest import REDIS_URL


async def test_memory_subscriber_that_falls_behind_is_dropped() -> None:
    broadcaster = MemoryBroadcaster(queue_size=2)
    stream = broadcaster.subscribe("a-1")
    reading = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0)  # subscribed; its reader does not get to run before the burst

    for comment_id in range(1, 5):
        await broadcaster.publish(CommentEvent(EventKind.ADDED, "a-1", comment_id))

    with pytest.raises(SubscriberTooSlow):
        await reading
    assert broadcaster.queues == {}  # nothing kept for it any more


async def signal_then_event(publisher: LocalFanout, listener: LocalFanout) -> list[str]:
    seen: list[str] = []
    unwatch = listener.watch_accounts(lambda user_id: seen.append(f"account {user_id}"))
    stream = listener.subscribe("a-1")
    event = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.2)  # the subscription is in place

    await publisher.publish_account(7)  # type: ignore[attr-defined]
    await publisher.publish(CommentEvent(EventKind.UPDATED, "a-1", 3))  # type: ignore[attr-defined]
    seen.append(f"event {(await asyncio.wait_for(event, 5)).comment_id}")
    await stream.aclose()
    unwatch()
    return seen


async def test_memory_account_signal_comes_before_later_events() -> None:
    broadcaster = MemoryBroadcaster()

    assert await signal_then_event(broadcaster, broadcaster) == ["account 7", "event 3"]


async def test_redis_account_signal_comes_before_later_events_across_instances() -> None:
    if not REDIS_URL:
        pytest.skip("BTL_TEST_REDIS_URL is not set: live events across instances not tested")
    publisher, listener = RedisBroadcaster(REDIS_URL), RedisBroadcaster(REDIS_URL)

    seen = await signal_then_event(publisher, listener)

    assert seen == ["account 7", "event 3"]
    await asyncio.sleep(0)
    assert listener.reader is None  # nobody listens here any more: no Redis reader either


async def test_event_comment_is_read_once_for_every_subscriber() -> None:
    reads: list[int] = []

    async def load(comment_id: int) -> object:
        reads.append(comment_id)
        await asyncio.sleep(0.01)
        return object()

    event = CommentEvent(EventKind.ADDED, "a-1", 9)
    found = await asyncio.gather(*(event.comment(load) for _ in range(50)))  # type: ignore[arg-type]

    assert reads == [9]
    assert all(comment is found[0] for comment in found)


def test_websocket_limits_have_defaults_and_read_their_variables() -> None:
    defaults = load_settings({})
    chosen = load_settings(
        {
            "BTL_WS_MAX_MESSAGE_BYTES": "1024",
            "BTL_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION": "5",
            "BTL_WS_MAX_SUBSCRIPTIONS": "100",
            "BTL_WS_QUEUE_EVENTS": "16",
            "BTL_WS_SESSION_CHECK_SECONDS": "2.5",
        }
    )

    assert (
        defaults.ws_max_message_bytes,
        defaults.ws_max_subscriptions_per_connection,
        defaults.ws_max_subscriptions,
        defaults.ws_queue_events,
        defaults.ws_session_check_seconds,
    ) == (65_536, 20, 10_000, 256, 60.0)
    assert (
        chosen.ws_max_message_bytes,
        chosen.ws_max_subscriptions_per_connection,
        chosen.ws_max_subscriptions,
        chosen.ws_queue_events,
        chosen.ws_session_check_seconds,
    ) == (1024, 5, 100, 16, 2.5)


@pytest.mark.parametrize(
    "variable",
    [
        "BTL_WS_MAX_MESSAGE_BYTES",
        "BTL_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        "BTL_WS_MAX_SUBSCRIPTIONS",
        "BTL_WS_QUEUE_EVENTS",
        "BTL_WS_SESSION_CHECK_SECONDS",
    ],
)
def test_websocket_limit_of_zero_names_its_variable(variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: "0"})

    assert caught.value.variable == variable
