"""Erasure reaches every instance at once: live events over real websockets (through Redis
when BTL_TEST_REDIS_URL is set), and signed-out answers cached in the shared Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from service.config import Settings
from service.models import Role
from tests.conftest import REDIS_URL
from tests.live_support import live_server, next_event, subscribe, until_closed
from tests.schema.privacy.helpers import ERASE, posted
from tests.schema.reader.helpers import signed_out_get
from tests.support import Api
from web.app import create_app

EVENTS = """
subscription { commentEvents(articleId: "story-1") {
  kind comment { id body status author { id displayName } }
} }
"""
THREAD = """
query Thread($id: ID!) {
  article(id: $id) { commentCount comments(first: 5) { edges { node {
    id body status author { displayName }
  } } } }
}
"""


@pytest.fixture
def make_live(database_url: str) -> Callable[..., Any]:
    return live_server(database_url)


async def test_live_events_after_an_erasure_show_nothing_of_the_person(make_live: Any) -> None:
    async with make_live(redis_url=REDIS_URL) as live:
        # given: a signed-out reader, a moderator and Eve herself watching story-1
        api: Api = live.api
        eve = await api.person(subscriber=True, name="Eve Erased")
        olga = await api.person(subscriber=True, name="Olga Other")
        moderator = await api.person(Role.MODERATOR)
        admin = await api.person(Role.ADMIN)
        sockets = [await live.connect(), await live.connect(moderator.token)]
        own = await live.connect(eve.token)
        for socket in [*sockets, own]:
            await subscribe(socket, EVENTS)
        await asyncio.sleep(0.3)  # the subscriptions are registered
        eve_comment = await posted(api, eve, "Eve's live words")
        for socket in sockets:
            assert (await next_event(socket))["comment"]["author"]["displayName"] == "Eve Erased"

        # when
        erased = await api.data(
            ERASE, {"input": {"userId": eve.id, "reason": "By post"}}, token=admin.token
        )
        assert erased["eraseUser"]["__typename"] == "User"
        reply = await posted(api, olga, "Olga carries on")

        # then: the erased comment comes again without her or any text (for staff too);
        # nothing after shows her
        for socket in sockets:
            updated = await next_event(socket)
            assert updated == {
                "kind": "UPDATED",
                "comment": {"id": eve_comment, "body": None, "status": "WITHDRAWN", "author": None},
            }
            added = await next_event(socket)
            assert added["comment"]["id"] == reply
            assert "Eve" not in json.dumps(updated) + json.dumps(added)
        # her own socket has no session left: closed
        messages, code, _ = await until_closed(own)
        assert code == 4401 and "Eve's live words" not in str(messages[1:])


async def test_an_answer_cached_in_redis_before_the_erasure_is_served_fresh_everywhere(
    make_api: Callable[..., Any], database_url: str
) -> None:
    if not REDIS_URL:
        pytest.skip("BTL_TEST_REDIS_URL is not set: the shared cache is not tested")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    # given: two instances sharing the database and Redis; the second cached the thread
    first: Api = await make_api(redis_url=REDIS_URL)
    app = create_app(
        replace(Settings(database_url=database_url), redis_url=REDIS_URL), manage_database=False
    )
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    async with (
        first.client,
        httpx.AsyncClient(transport=transport, base_url="http://btl.test") as client,
    ):
        second = Api(client, app)
        eve = await first.person(subscriber=True, name="Eve Erased")
        admin = await first.person(Role.ADMIN)
        await posted(first, eve, "Eve's cached words")
        for instance in (second, second, first):
            assert "Eve Erased" in str(await signed_out_get(instance, THREAD, {"id": "story-1"}))

        # when: the first instance erases her
        await first.data(
            ERASE, {"input": {"userId": eve.id, "reason": "By post"}}, token=admin.token
        )

        # then: neither instance serves the cached answer
        for instance in (second, first):
            answer = await signed_out_get(instance, THREAD, {"id": "story-1"})
            assert answer["article"]["commentCount"] == 0
            assert "Eve" not in str(answer)
