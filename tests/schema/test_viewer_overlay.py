"""Signed-in thread pages built from the shared signed-out answer equal, byte for byte, what
executing the page for that reader gives, whatever state the reader's flags are in."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx
import pytest

from schema.schema import schema
from service.clock import clock
from service.config import RateLimit, Settings
from service.models import Role
from tests.conftest import SqlCounter
from tests.schema.moderation.helpers import BAN, SUSPEND, report, set_commenting
from tests.schema.reader.helpers import recommend, set_mode
from tests.support import Api, Person, post_comment
from web.app import create_app
from web.viewer_overlay import Planner, Templates

# aliases, a fragment, the viewer fields at two depths, and two articles at once
THREAD = """
query Thread($id: ID!) {
  article(id: $id) {
    id commentCount commentsOpen
    mayI: commentPermission { reason ok: allowed __typename }
    comments(first: 20) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        ...Shown
        mine: viewerCanEdit
        liked: viewerHasRecommended
        replies(first: 5) { edges { node {
          ...Shown viewerHasReported viewerCanEdit viewerIgnoresAuthor
        } } }
      } }
    }
  }
  other: articles(ids: ["story-2", $id]) { id commentPermission { allowed } }
}
fragment Shown on Comment {
  id body status editedAt replyCount amendedByModerator author { id displayName }
  recommendCount featured viewerHasReported viewerHasRecommended viewerIgnoresAuthor
}
"""


IGNORE = "mutation I($id: ID!) { ignoreUser(userId: $id) { __typename } }"


async def executed_for(settings: Settings, person: Person) -> bytes:
    """The page executed the ordinary way for this reader (no overlay, nothing cached)."""
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://plain") as client:
        response = await client.post(
            "/graphql",
            json={"query": THREAD, "variables": {"id": "story-1"}},
            headers={"Authorization": f"Bearer {person.token}"},
        )
    return response.content


async def test_each_readers_page_equals_executing_it_for_them(make_api: Any) -> None:
    api: Api = await make_api(
        rate_limit_comments=RateLimit(1000, 60), rate_limit_reports=RateLimit(1000, 60)
    )
    plain = replace(api.app.state.runtime.settings, viewer_overlay=False)
    async with api.client:
        author = await api.person(subscriber=True)
        reporter = await api.person(subscriber=True)
        outsider = await api.person()  # no subscription
        moderator = await api.person(Role.MODERATOR)
        admin = await api.person(Role.ADMIN)
        readers = [author, reporter, outsider]

        async def check(step: str) -> None:
            for reader in readers:
                overlaid = await api.raw(THREAD, {"id": "story-1"}, token=reader.token)
                assert overlaid.status_code == 200
                assert "errors" not in overlaid.json(), overlaid.json()
                assert overlaid.content == await executed_for(plain, reader), (step, reader)

        await check("no comments yet")
        top = await post_comment(api, author, "top")
        reply = await post_comment(api, reporter, "reply", parentId=top["id"])
        await post_comment(api, author, "own reply", parentId=top["id"])
        await check("own comments in the edit window")
        for comment in (top, reply):
            await report(api, reporter, comment["id"])
        await check("reported")
        await recommend(api, reporter, top["id"])
        await recommend(api, outsider, top["id"])
        await recommend(api, author, reply["id"])
        # the shared answer's counts may lag; a reader's page shows the counts of now
        await check("recommended")
        await api.data(IGNORE, {"id": author.id}, token=reporter.token)
        await api.data(IGNORE, {"id": reporter.id}, token=outsider.token)
        await check("ignored")
        await set_mode(api, moderator, "PRE")
        await post_comment(api, author, "waiting for a moderator")
        await post_comment(api, reporter, "a reply, waiting too", parentId=top["id"])
        await check("own comments pending")
        clock.advance(301)
        await check("edit window passed")
        await api.data(
            'mutation { publishCommunityRules(body: "Be kind.") { __typename } }',
            token=admin.token,
        )
        await check("new rules not accepted yet")
        await api.data(
            "mutation { acceptCommunityRules(version: 1) { __typename } }", token=author.token
        )
        await api.data(
            SUSPEND,
            {"input": {"userId": reporter.id, "until": "2099-01-01T00:00:00+00:00", "reason": "x"}},
            token=moderator.token,
        )
        await api.data(
            BAN, {"input": {"userId": outsider.id, "reason": "x"}}, token=moderator.token
        )
        await check("suspended and banned")
        await set_commenting(api, moderator, open=False, reason="legal")
        await check("closed")
    clock.reset()


async def test_a_second_reader_reuses_the_shared_answer(api: Api, sql_counter: SqlCounter) -> None:
    author = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    await post_comment(api, author, "top")
    await api.data(THREAD, {"id": "story-1"}, token=author.token)

    sql_counter.statements.clear()
    page = await api.data(THREAD, {"id": "story-1"}, token=other.token)

    assert page["article"]["comments"]["edges"][0]["node"]["mine"] is False
    assert not [s for s in sql_counter.statements if "LEFT JOIN users" in s]  # no page query


async def test_a_reader_sees_recommendation_counts_of_now_over_a_lagging_shared_answer(
    api: Api,
) -> None:
    author = await api.person(subscriber=True)
    liker = await api.person()
    other = await api.person(subscriber=True)
    top = await post_comment(api, author, "top")
    reply = await post_comment(api, other, "reply", parentId=top["id"])
    before = await api.data(THREAD, {"id": "story-1"}, token=other.token)  # the shared answer
    get = {"query": THREAD, "variables": json.dumps({"id": "story-1"})}
    await api.client.get("/graphql", params=get)  # and the signed-out one, cached

    await recommend(api, liker, top["id"])
    await recommend(api, author, reply["id"])
    pages = [await api.data(THREAD, {"id": "story-1"}, token=p.token) for p in (liker, other)]
    signed_out = await api.client.get("/graphql", params=get)

    def counts(page: dict[str, Any]) -> tuple[int, int]:
        node = page["article"]["comments"]["edges"][0]["node"]
        return node["recommendCount"], node["replies"]["edges"][0]["node"]["recommendCount"]

    assert counts(before) == (0, 0)
    assert [counts(page) for page in pages] == [(1, 1), (1, 1)]
    assert pages[0]["article"]["comments"]["edges"][0]["node"]["liked"] is True
    # signed out, the cached answer may lag (at most BTL_PUBLIC_MAX_AGE)
    assert counts(signed_out.json()["data"]) == (0, 0)


async def test_a_reader_with_a_pending_comment_gets_their_own_page(
    api: Api, sql_counter: SqlCounter
) -> None:
    # given: a pre-moderated thread where one reader's comment waits
    author = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await post_comment(api, other, "live")
    await set_mode(api, moderator, "PRE")
    held = await post_comment(api, author, "held")
    await api.data(THREAD, {"id": "story-1"}, token=other.token)  # the shared answer

    # when
    sql_counter.statements.clear()
    for_author = await api.data(THREAD, {"id": "story-1"}, token=author.token)
    author_ran_the_page = [s for s in sql_counter.statements if "LEFT JOIN users" in s]
    sql_counter.statements.clear()
    for_other = await api.data(THREAD, {"id": "story-1"}, token=other.token)

    # then: the author's page was executed for them and shows their comment; the other
    # reader's came from the shared answer, without it
    shown = [e["node"]["id"] for e in for_author["article"]["comments"]["edges"]]
    assert held["id"] in shown
    assert author_ran_the_page
    assert held["id"] not in [e["node"]["id"] for e in for_other["article"]["comments"]["edges"]]
    assert not [s for s in sql_counter.statements if "LEFT JOIN users" in s]


@pytest.mark.parametrize(
    "query",
    [
        # a field outside the thread: run the ordinary way
        '{ me { id } article(id: "story-1") { commentPermission { allowed } } }',
        # a directive could drop a viewer field: run the ordinary way
        'query($x: Boolean!) { article(id: "story-1") { commentPermission @include(if: $x) '
        "{ allowed } } }",
    ],
)
async def test_documents_it_does_not_cover_still_answer_for_the_viewer(
    api: Api, query: str
) -> None:
    reader = await api.person(subscriber=True)

    data = await api.data(query, {"x": True} if "$x" in query else None, token=reader.token)

    assert data["article"]["commentPermission"]["allowed"] is True


async def test_staff_see_what_readers_do_not(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    comment = await post_comment(api, author, "to be removed")
    await api.data(
        'mutation R($id: ID!) { removeComment(input: {commentId: $id, reason: "spam"}) '
        "{ __typename } }",
        {"id": comment["id"]},
        token=moderator.token,
    )

    for_author = await api.data(THREAD, {"id": "story-1"}, token=author.token)
    for_moderator = await api.data(THREAD, {"id": "story-1"}, token=moderator.token)

    assert for_author["article"]["comments"]["edges"] == []
    [edge] = for_moderator["article"]["comments"]["edges"]
    assert (edge["node"]["body"], edge["node"]["status"]) == ("to be removed", "REMOVED")


def test_templates_stay_within_their_memory_bound() -> None:
    plan = Planner(schema._schema, schema.checker).plan(
        '{ article(id: "a") { commentPermission { allowed } } }'
    )
    assert plan is not None
    templates = Templates(max_bytes=2_000)

    for n in range(100):
        body = {"data": {"article": {"commentPermission": {"allowed": False}, "btl__v0": f"a{n}"}}}
        template = templates.of(plan, json.dumps(body).encode())
        assert [slot.entity_id for slot in template.slots] == [f"a{n}"]

    assert templates.size <= 2_000
    assert 1 < len(templates.entries) < 100
