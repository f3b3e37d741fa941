"""A websocket runs its operations within the same limits as HTTP, plus its own: the size of
a message, subscriptions per connection and per process, and a queue per subscriber."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from service import events
from service.events import EventKind
from tests.conftest import SqlCounter
from tests.live_support import (
    LEGACY_WS,
    TRANSPORT_WS,
    live_server,
    next_event,
    receive,
    subscribe,
    until_closed,
)
from tests.support import post_comment

EVENTS = 'subscription { commentEvents(articleId: "story-1") { kind comment { id body } } }'
# refused over HTTP at cost 2,050,502; one post made 22 s of work for 100 of them
COSTLY = """
subscription { commentEvents(articleId: "story-1") { comment { article {
  comments(first: 100) { edges { node { id body
    replies(first: 100) { edges { node { id body
      replies(first: 100) { edges { node { id body } } } } } } } } } } } } }
"""
DEEP = (
    'subscription { commentEvents(articleId: "story-1") { comment { '
    + "parent { " * 14
    + "id"
    + " }" * 14
    + " } } }"
)
ALIASED = (
    'subscription { commentEvents(articleId: "story-1") { comment { '
    + " ".join(f"a{n}: id" for n in range(16))
    + " } } }"
)
DIRECTED = (
    'subscription { commentEvents(articleId: "story-1") { comment { '
    + " ".join("id @include(if: true)" for _ in range(51))
    + " } } }"
)
TOKENS = 'subscription { commentEvents(articleId: "story-1") { comment { ' + "id " * 2100 + "} } }"
LONG = EVENTS + " " * 15_001


@pytest.fixture
def make_live(database_url: str) -> Callable[..., Any]:
    return live_server(database_url)


@pytest.mark.parametrize(
    ("document", "named"),
    [
        (COSTLY, "BTL_MAX_COST"),
        (TOKENS, "BTL_MAX_TOKENS"),
        (LONG, "BTL_MAX_DOCUMENT_CHARS"),
        (DEEP, "BTL_MAX_REPLY_DEPTH"),
        (ALIASED, "aliases"),
        (DIRECTED, "BTL_MAX_DIRECTIVES"),
    ],
    ids=["cost", "tokens", "characters", "depth", "aliases", "directives"],
)
async def test_websocket_subscription_over_a_limit_gets_an_error_naming_it(
    make_live: Any, document: str, named: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with make_live() as live:
        socket = await live.connect()

        await subscribe(socket, document)

        refused = await receive(socket)
        # the socket is still open: a subscription within the limits runs
        await subscribe(socket, EVENTS, operation_id="2")
        await asyncio.sleep(0.3)
        reader = await live.api.person(subscriber=True)
        await post_comment(live.api, reader, "Still here")
        event = await next_event(socket)
    assert refused["type"] == "error"
    assert refused["id"] == "1"
    assert named in refused["payload"][0]["message"]
    assert event["comment"]["body"] == "Still here"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_websocket_legacy_protocol_keeps_the_limits(make_live: Any) -> None:
    async with make_live() as live:
        socket = await live.connect(protocol=LEGACY_WS)

        await subscribe(socket, COSTLY, protocol=LEGACY_WS)

        refused = await receive(socket)
    assert refused["type"] == "error"
    assert "BTL_MAX_COST" in refused["payload"]["message"]


async def test_websocket_message_over_the_size_limit_closes_the_socket(make_live: Any) -> None:
    async with make_live(ws_max_message_bytes=65_536) as live:
        socket = await live.connect()

        # a 15-million-character string literal stalled the server 4 s; refused unread
        literal = "x" * 100_000
        await subscribe(socket, f'subscription {{ commentEvents(articleId: "{literal}") }}')

        _, code, _ = await until_closed(socket)
    assert code == 1009


async def test_websocket_subscriptions_per_connection_are_capped(make_live: Any) -> None:
    async with make_live(ws_max_subscriptions_per_connection=3) as live:
        socket = await live.connect()
        for operation in "123":
            await subscribe(socket, EVENTS, operation_id=operation)

        await subscribe(socket, EVENTS, operation_id="4")
        refused = await receive(socket)
        await socket.send(json.dumps({"id": "1", "type": "complete"}))
        await asyncio.sleep(0.3)
        await subscribe(socket, EVENTS, operation_id="5")
        await asyncio.sleep(0.3)
        reader = await live.api.person(subscriber=True)
        await post_comment(live.api, reader, "Counted")
        delivered = {(await receive(socket))["id"] for _ in range(3)}
    assert refused["type"] == "error"
    assert refused["id"] == "4"
    assert "BTL_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION" in refused["payload"][0]["message"]
    assert delivered == {"2", "3", "5"}  # a completed subscription gave its place back


async def test_websocket_subscriptions_per_process_are_capped(make_live: Any) -> None:
    async with make_live(ws_max_subscriptions=2) as live:
        first, second, third = [await live.connect() for _ in range(3)]
        await subscribe(first, EVENTS)
        await subscribe(second, EVENTS)
        await asyncio.sleep(0.3)

        await subscribe(third, EVENTS)
        refused = await receive(third)
        await first.close()
        await asyncio.sleep(0.3)
        await subscribe(third, EVENTS, operation_id="2")
        await asyncio.sleep(0.3)
        reader = await live.api.person(subscriber=True)
        await post_comment(live.api, reader, "Room again")
        event = await next_event(third)
    assert refused["type"] == "error"
    assert "BTL_WS_MAX_SUBSCRIPTIONS" in refused["payload"][0]["message"]
    assert refused["payload"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert event["comment"]["body"] == "Room again"


async def test_websocket_slow_consumer_is_dropped_not_buffered(make_live: Any) -> None:
    async with make_live(ws_queue_events=8) as live:
        reader = await live.api.person(subscriber=True)
        posted = await post_comment(live.api, reader, "Long " * 900)
        # a client that stops reading: its own buffers and the server's fill, then the queue
        socket = await live.connect(max_queue=1)
        await subscribe(socket, EVENTS)
        await asyncio.sleep(0.3)

        published = 3000
        for _ in range(published):
            await events.publish(EventKind.UPDATED, "story-1", int(posted["id"]))
        seen, code, reason = await until_closed(socket)
    assert (code, reason) == (1013, "Events waited past BTL_WS_QUEUE_EVENTS; reconnect")
    assert len(seen) < published


async def test_websocket_fan_out_reads_the_comment_once(
    make_live: Any, sql_counter: SqlCounter
) -> None:
    async with make_live() as live:
        reader = await live.api.person(subscriber=True)
        posted = await post_comment(live.api, reader, "Read me once")
        sockets = [await live.connect() for _ in range(5)]
        for socket in sockets:
            await subscribe(socket, EVENTS)
        await asyncio.sleep(0.3)
        before = sql_counter.count

        await events.publish(EventKind.UPDATED, "story-1", int(posted["id"]))
        bodies = [(await next_event(socket))["comment"]["body"] for socket in sockets]
        statements = sql_counter.statements[before:]
    assert bodies == ["Read me once"] * 5
    assert len([s for s in statements if "comments" in s]) == 1


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_websocket_within_limits_still_subscribes(make_live: Any, protocol: str) -> None:
    async with make_live() as live:
        socket = await live.connect(protocol=protocol)
        await subscribe(socket, EVENTS, protocol=protocol)
        await asyncio.sleep(0.3)
        reader = await live.api.person(subscriber=True)

        posted = await post_comment(live.api, reader, "Hello")

        event = await next_event(socket)
    assert event == {"kind": "ADDED", "comment": {"id": posted["id"], "body": "Hello"}}
