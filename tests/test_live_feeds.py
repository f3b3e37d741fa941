"""A live thread's events are executed once per audience and fanned out (schema/live_feeds.py):
sockets asking the same thing get the same bytes, each audience gets its own answer, and the
SQL an event costs does not grow with the sockets listening."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection

from service import events
from service.events import EventKind
from service.models import Role
from tests.conftest import SqlCounter
from tests.live_support import WAIT, Live, live_server, next_event, subscribe, until_closed
from tests.schema.moderation.helpers import REMOVE
from tests.schema.reader.helpers import approve, set_mode
from tests.support import post_comment

SHOWN = "kind comment { id body status openReportCount author { displayName } parent { id } }"
EVENTS = f'subscription {{ commentEvents(articleId: "story-1") {{ {SHOWN} }} }}'


@pytest.fixture
def make_live(database_url: str) -> Callable[..., Any]:
    return live_server(database_url)


async def raw_next(socket: ClientConnection) -> str:
    """The next `next` message, as the bytes the server sent."""
    while True:
        text = await asyncio.wait_for(socket.recv(), WAIT)
        assert isinstance(text, str)
        if json.loads(text)["type"] == "next":
            return text


async def watching(live: Live, count: int, token: str | None = None) -> list[ClientConnection]:
    sockets = [await live.connect(token) for _ in range(count)]
    for socket in sockets:
        await subscribe(socket, EVENTS)
    await asyncio.sleep(0.3)  # the subscriptions are registered
    return sockets


async def test_sockets_with_the_same_document_get_the_same_bytes(make_live: Any) -> None:
    async with make_live() as live:
        reader = await live.api.person(subscriber=True)
        moderator = await live.api.person(Role.MODERATOR)
        signed_out = await watching(live, 3)
        staff = await watching(live, 2, moderator.token)

        posted = await post_comment(live.api, reader, "Same for all")
        anonymous_texts = [await raw_next(socket) for socket in signed_out]
        staff_texts = [await raw_next(socket) for socket in staff]
    assert len(set(anonymous_texts)) == 1
    assert len(set(staff_texts)) == 1
    assert json.loads(anonymous_texts[0])["payload"]["data"]["commentEvents"] == {
        "kind": "ADDED",
        "comment": {
            "id": posted["id"],
            "body": "Same for all",
            "status": "PUBLISHED",
            "openReportCount": None,  # staff only
            "author": {"displayName": reader.display_name},
            "parent": None,
        },
    }
    staff_comment = json.loads(staff_texts[0])["payload"]["data"]["commentEvents"]["comment"]
    assert staff_comment["openReportCount"] == 0


async def test_staff_and_signed_out_sockets_get_their_own_answers(make_live: Any) -> None:
    async with make_live() as live:
        author = await live.api.person(subscriber=True)
        moderator = await live.api.person(Role.MODERATOR)
        posted = await post_comment(live.api, author, "Removed later")
        [signed_out] = await watching(live, 1)
        [staff] = await watching(live, 1, moderator.token)
        [own] = await watching(live, 1, author.token)

        removed = await live.api.data(
            REMOVE, {"input": {"commentId": posted["id"], "reason": "Rules"}}, token=moderator.token
        )
        after_removal = [await next_event(s) for s in (signed_out, staff, own)]
        await set_mode(live.api, moderator, "PRE")
        held = await post_comment(live.api, author, "Held for a moderator")
        held_for = [await next_event(s) for s in (staff, own)]
        await approve(live.api, moderator, held["id"])
        approved_for = [await next_event(s) for s in (signed_out, staff, own)]
    assert removed["removeComment"]["__typename"] == "Comment"
    reader_view = {"status": "REMOVED", "body": None, "openReportCount": None}
    staff_view = {"status": "REMOVED", "body": "Removed later", "openReportCount": 0}
    assert [{k: e["comment"][k] for k in staff_view} for e in after_removal] == [
        reader_view,
        staff_view,
        reader_view,
    ]
    # a PENDING comment is news to its author and staff only, with its text
    assert [(e["kind"], e["comment"]["status"], e["comment"]["body"]) for e in held_for] == [
        ("ADDED", "PENDING", "Held for a moderator")
    ] * 2
    # approval adds it for everyone: the signed-out socket's next event, as it never saw
    # the PENDING one
    assert [(e["kind"], e["comment"]["id"], e["comment"]["status"]) for e in approved_for] == [
        ("ADDED", held["id"], "PUBLISHED")
    ] * 3


async def test_a_socket_leaving_its_feed_does_not_end_it_for_the_others(make_live: Any) -> None:
    async with make_live() as live:
        reader = await live.api.person(subscriber=True)
        first, second = await watching(live, 2)
        await first.send(json.dumps({"id": "1", "type": "complete"}))
        await first.close()
        await asyncio.sleep(0.2)

        posted = await post_comment(live.api, reader, "Still live")
        event = await next_event(second)
    assert event["comment"]["id"] == posted["id"]


async def statements_per_event(
    sql_counter: SqlCounter, comment_id: str, sockets: list[ClientConnection]
) -> int:
    """The fewest statements of three events (the app's job scheduler may query meanwhile;
    it only ever adds)."""
    counts = []
    for _ in range(3):
        before = sql_counter.count
        await events.publish(EventKind.UPDATED, "story-1", int(comment_id))
        for socket in sockets:
            await next_event(socket)
        counts.append(sql_counter.count - before)
    return min(counts)


async def test_sql_per_event_does_not_grow_with_the_sockets_listening(
    make_live: Any, sql_counter: SqlCounter
) -> None:
    async with make_live() as live:
        reader = await live.api.person(subscriber=True)
        moderator = await live.api.person(Role.MODERATOR)
        parent = await post_comment(live.api, reader, "A parent")
        reply = await post_comment(live.api, reader, "A reply", parentId=parent["id"])
        alone = await watching(live, 1)
        one = await statements_per_event(sql_counter, reply["id"], alone)
        one_each = [*alone, *await watching(live, 1, moderator.token)]
        two_audiences = await statements_per_event(sql_counter, reply["id"], one_each)

        crowd = [*one_each, *await watching(live, 5), *await watching(live, 5, moderator.token)]
        many = await statements_per_event(sql_counter, reply["id"], crowd)
    # the comment, then its author and parent once per audience
    assert 0 < one < two_audiences == many


async def test_a_frame_made_once_equals_the_message_sent_the_ordinary_way(make_live: Any) -> None:
    async with make_live(ws_per_message_deflate=True) as live:
        reader = await live.api.person(subscriber=True)
        # a socket that negotiated compression is sent each message the ASGI way; one
        # without gets the feed's frame as it was made for every socket
        compressed = await live.connect()
        plain = await live.connect(compression=None)
        for socket in (compressed, plain):
            await subscribe(socket, EVENTS)
        await asyncio.sleep(0.3)

        await post_comment(live.api, reader, "Either way")
        texts = [await raw_next(compressed), await raw_next(plain)]
    assert compressed.response is not None and plain.response is not None
    assert "permessage-deflate" in compressed.response.headers.get("Sec-WebSocket-Extensions", "")
    assert "Sec-WebSocket-Extensions" not in plain.response.headers
    assert texts[0] == texts[1]
    assert json.loads(texts[0])["payload"]["data"]["commentEvents"]["comment"]["body"] == (
        "Either way"
    )


async def test_permessage_deflate_is_off_unless_configured(make_live: Any) -> None:
    async with make_live() as live:
        socket = await live.connect()  # offers permessage-deflate, as browsers do
    assert socket.response is not None
    assert "Sec-WebSocket-Extensions" not in socket.response.headers


async def test_a_stalled_socket_is_dropped_while_its_feed_goes_on(make_live: Any) -> None:
    async with make_live(ws_queue_events=8) as live:
        reader = await live.api.person(subscriber=True)
        posted = await post_comment(live.api, reader, "Long " * 900)
        # a client that stops reading: its buffers and the server's fill, then its queue
        stalled = await live.connect(max_queue=1)
        await subscribe(stalled, EVENTS)
        [reading] = await watching(live, 1)

        events_sent = 2000
        for _ in range(events_sent // 5):  # five at a time: within the feed's own queue
            for _ in range(5):
                await events.publish(EventKind.UPDATED, "story-1", int(posted["id"]))
            for _ in range(5):
                await next_event(reading)  # the feed keeps up with the socket that reads
        seen, code, reason = await until_closed(stalled)
        still = await post_comment(live.api, reader, "Still going")
        event = await next_event(reading)
    assert (code, reason) == (1013, "Events waited past BTL_WS_QUEUE_EVENTS; reconnect")
    assert len(seen) < events_sent
    assert event["comment"]["id"] == still["id"]
