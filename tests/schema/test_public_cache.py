"""Signed-out answers are cached exactly: after every change a thread shows, the next
signed-out read equals what a fresh server (empty cache) answers."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from datetime import timedelta
from typing import Any

import httpx
import pytest

from service.clock import clock, now
from service.config import RateLimit, Settings
from service.models import Role
from tests.schema.moderation.helpers import report, set_commenting
from tests.support import Api, post_comment
from web.app import create_app

THREAD = """
query Thread($id: ID!) {
  article(id: $id) {
    title url commentsOpen closesAt commentCount commentPermission { allowed reason }
    comments(first: 20) { edges { node {
      id body status editedAt amendedByModerator replyCount viewerCanEdit author { displayName }
      replies(first: 5) { edges { node { id body status replyCount } } }
    } } }
  }
}
"""
REDIS_URL = os.environ.get("BTL_TEST_REDIS_URL")


async def read(client: httpx.AsyncClient) -> Any:
    response = await client.get(
        "/graphql", params={"query": THREAD, "variables": json.dumps({"id": "story-1"})}
    )
    assert response.status_code == 200
    return response.json()


async def fresh_read(settings: Settings) -> Any:
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fresh") as client:
        return await read(client)


@pytest.fixture(params=["memory", "redis"])
def cache_settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("BTL_TEST_REDIS_URL is not set: the shared cache is not tested")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        return Settings(
            database_url=database_url,
            redis_url=REDIS_URL,
            rate_limit_comments=RateLimit(1000, 60),
            rate_limit_reports=RateLimit(1000, 60),
        )
    return Settings(
        database_url=database_url,
        rate_limit_comments=RateLimit(1000, 60),
        rate_limit_reports=RateLimit(1000, 60),
    )


async def test_every_change_reaches_the_next_signed_out_read(
    make_api: object, cache_settings: Settings
) -> None:
    api: Api = await make_api(
        **{  # type: ignore[operator]
            "redis_url": cache_settings.redis_url,
            "rate_limit_comments": cache_settings.rate_limit_comments,
            "rate_limit_reports": cache_settings.rate_limit_reports,
            "auto_hide_full": 2,
            "auto_hide_partial": 2,
        }
    )
    settings = api.app.state.runtime.settings
    async with api.client:
        author = await api.person(subscriber=True)
        moderator = await api.person(Role.MODERATOR)
        admin = await api.person(Role.ADMIN)
        readers = [await api.person() for _ in range(2)]

        async def check(step: str) -> None:
            first = await read(api.client)
            again = await read(api.client)  # served from the cache
            assert first == again == await fresh_read(settings), step

        async def moderate(mutation: str, comment_id: str, extra: str = "") -> None:
            await api.data(
                f'mutation {{ {mutation}(input: {{commentId: "{comment_id}", '
                f'reason: "house rules"{extra}}}) {{ __typename }} }}',
                token=moderator.token,
            )

        await check("unknown article")
        top = await post_comment(api, author, "top")
        await check("post")
        reply = await post_comment(api, author, "reply", parentId=top["id"])
        await check("reply")
        await api.data(
            'mutation E($id: ID!) { editComment(input: {commentId: $id, body: "edited"}) '
            "{ __typename } }",
            {"id": top["id"]},
            token=author.token,
        )
        await check("edit")
        await moderate("amendComment", top["id"], ', body: "amended"')
        await check("amend")
        await moderate("removeComment", reply["id"])
        await check("remove")
        await moderate("restoreComment", reply["id"])
        await check("restore")
        for reader in readers:  # auto-hide at two reporters
            await report(api, reader, reply["id"])
        await check("auto-hide")
        await moderate("dismissReports", reply["id"])
        await check("dismiss")
        await api.data(
            "mutation W($id: ID!) { deleteComment(id: $id) { __typename } }",
            {"id": reply["id"]},
            token=author.token,
        )
        await check("withdraw")
        await set_commenting(api, moderator, open=False, reason="legal")
        await check("close")
        await set_commenting(api, moderator, open=True, reason="cleared")
        await check("open")
        closes = (now() + timedelta(minutes=5)).isoformat()
        await api.data(
            "mutation C($at: DateTime) { configureArticle(input: "
            '{id: "story-1", title: "A title", url: "https://news.example/a", closesAt: $at}) '
            "{ __typename } }",
            {"at": closes},
            token=admin.token,
        )
        await check("configure")
        clock.advance(301)  # closesAt passes: no write, the entry's life was bounded
        await check("closesAt passed")
    clock.reset()


async def test_signed_out_get_has_an_etag_and_a_matching_one_gets_304(api: Api) -> None:
    params = {"query": '{ article(id: "story-1") { commentCount } }'}

    first = await api.client.get("/graphql", params=params)
    again = await api.client.get(
        "/graphql", params=params, headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.headers["cache-control"] == "public, max-age=5"
    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]


async def test_signed_in_answers_are_never_shared(api: Api) -> None:
    reader = await api.person()

    response = await api.client.get(
        "/graphql",
        params={"query": "{ me { id } }"},
        headers={"Authorization": f"Bearer {reader.token}"},
    )

    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


async def test_a_signed_out_mutation_is_never_served_from_the_cache(api: Api) -> None:
    login = (
        'mutation { login(input: {email: "x@example.com", password: "wrong wrong"}) '
        "{ __typename } }"
    )
    await api.data(login)
    person = await api.person()  # now the account exists

    retry = await api.data(
        login.replace("x@example.com", person.email).replace("wrong wrong", person.password)
    )

    assert retry["login"]["__typename"] == "AuthSession"


async def test_automatic_persisted_queries_round_trip(api: Api) -> None:
    query = '{ article(id: "story-1") { commentCount } }'
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})

    unknown = await api.client.get("/graphql", params={"extensions": extensions})
    registered = await api.client.get("/graphql", params={"query": query, "extensions": extensions})
    by_hash = await api.client.get("/graphql", params={"extensions": extensions})
    wrong = await api.client.get(
        "/graphql", params={"query": "{ me { id } }", "extensions": extensions}
    )

    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.json() == {"data": {"article": {"commentCount": 0}}}
    assert by_hash.json() == registered.json()
    assert by_hash.headers["cache-control"] == "public, max-age=5"
    assert wrong.status_code == 400


async def test_a_read_that_starts_after_a_post_shows_it_while_other_reads_are_in_flight(
    make_api: Any,
) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(1000, 60))
    author = await api.person(subscriber=True)
    await post_comment(api, author, "first")
    await read(api.client)  # the answer is cached

    for n in range(15):
        in_flight = [asyncio.create_task(read(api.client)) for _ in range(8)]
        await asyncio.sleep(0)  # they have started and wait on the version read
        posted = await post_comment(api, author, f"comment {n}")
        after = await read(api.client)
        await asyncio.gather(*in_flight)

        shown = [e["node"]["id"] for e in after["data"]["article"]["comments"]["edges"]]
        assert posted["id"] in shown, n
