from __future__ import annotations

from typing import Any

import pytest

from service.models import Article, Comment, Role
from tests.support import Api, Person, post_comment

THREAD = """
query Thread($id: ID!, $first: Int, $after: String, $order: CommentOrder) {
  article(id: $id) {
    id commentCount commentsOpen
    comments(first: $first, after: $after, orderBy: $order) {
      edges { cursor node { id body status replyCount
        replies(first: 10) { edges { node { id body status } } pageInfo { hasNextPage } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
ARTICLES = "query Many($ids: [ID!]!) { articles(ids: $ids) { id commentCount } }"
WITHDRAW = "mutation W($id: ID!) { deleteComment(id: $id) { __typename } }"


async def thread(api: Api, token: str | None = None, **variables: Any) -> dict[str, Any]:
    result = await api.data(THREAD, {"id": "story-1", **variables}, token=token)
    article: dict[str, Any] = result["article"]
    return article


def bodies(article: dict[str, Any]) -> list[str]:
    return [edge["node"]["body"] for edge in article["comments"]["edges"]]


async def seed(api: Api, reader: Person, count: int) -> list[str]:
    return [(await post_comment(api, reader, f"c{n}"))["id"] for n in range(count)]


async def test_an_unknown_article_reads_as_open_and_empty_and_writes_nothing(api: Api) -> None:
    article = await thread(api)

    assert article["commentCount"] == 0
    assert article["commentsOpen"] is True
    assert article["comments"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
    assert await Article.filter(id="story-1").count() == 0


async def test_pages_walk_newest_first_with_cursors(make_api: object) -> None:
    from service.config import RateLimit

    api: Api = await make_api(rate_limit_comments=RateLimit(100, 60))  # type: ignore[operator]
    async with api.client:
        reader = await api.person(subscriber=True)
        await seed(api, reader, 5)

        first = await thread(api, first=2)
        second = await thread(api, first=2, after=first["comments"]["pageInfo"]["endCursor"])
        third = await thread(api, first=2, after=second["comments"]["pageInfo"]["endCursor"])
        oldest = await thread(api, first=3, order="OLDEST")

    assert bodies(first) == ["c4", "c3"]
    assert bodies(second) == ["c2", "c1"]
    assert bodies(third) == ["c0"]
    assert third["comments"]["pageInfo"]["hasNextPage"] is False
    assert first["comments"]["pageInfo"]["hasNextPage"] is True
    assert bodies(oldest) == ["c0", "c1", "c2"]


@pytest.mark.parametrize("first", [0, 101, -1])
async def test_first_outside_the_range_is_bad_user_input(api: Api, first: int) -> None:
    assert await api.error_code(THREAD, {"id": "story-1", "first": first}) == "BAD_USER_INPUT"


@pytest.mark.parametrize("cursor", ["garbage", "Zm9vfGJhcg==", "", "%%%"])
async def test_a_cursor_that_does_not_decode_is_bad_user_input(api: Api, cursor: str) -> None:
    body = await api.gql(THREAD, {"id": "story-1", "after": cursor})

    if cursor == "":  # an empty cursor means "from the start"
        assert "errors" not in body
    else:
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_withdrawn_comments_vanish_or_stay_as_tombstones(api: Api) -> None:
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    lonely = await post_comment(api, reader, "lonely")
    parent = await post_comment(api, reader, "parent")
    await post_comment(api, reader, "reply", parentId=parent["id"])

    await api.data(WITHDRAW, {"id": lonely["id"]}, token=reader.token)
    await api.data(WITHDRAW, {"id": parent["id"]}, token=reader.token)
    as_reader = await thread(api)
    as_moderator = await thread(api, token=moderator.token)

    nodes = [e["node"] for e in as_reader["comments"]["edges"]]
    assert [(n["status"], n["body"]) for n in nodes] == [("WITHDRAWN", None)]
    assert nodes[0]["replies"]["edges"][0]["node"]["body"] == "reply"
    assert as_reader["commentCount"] == 1
    assert bodies(as_moderator) == ["parent", "lonely"]


async def test_replies_are_oldest_first_and_paged(make_api: object) -> None:
    from service.config import RateLimit

    api: Api = await make_api(rate_limit_comments=RateLimit(100, 60))  # type: ignore[operator]
    async with api.client:
        reader = await api.person(subscriber=True)
        parent = await post_comment(api, reader, "parent")
        for n in range(12):
            await post_comment(api, reader, f"r{n}", parentId=parent["id"])
        replies_query = """
        query R($id: ID!, $after: String) { comment(id: $id) { replyCount
          replies(first: 5, after: $after) {
            edges { node { body } } pageInfo { hasNextPage endCursor } } } }
        """
        first = (await api.data(replies_query, {"id": parent["id"]}))["comment"]
        cursor = first["replies"]["pageInfo"]["endCursor"]
        second = (await api.data(replies_query, {"id": parent["id"], "after": cursor}))["comment"]
        article = await thread(api)

    assert first["replyCount"] == 12
    assert [e["node"]["body"] for e in first["replies"]["edges"]] == [f"r{n}" for n in range(5)]
    assert [e["node"]["body"] for e in second["replies"]["edges"]] == [
        f"r{n}" for n in range(5, 10)
    ]
    top = article["comments"]["edges"][0]["node"]
    assert len(top["replies"]["edges"]) == 10
    assert top["replies"]["pageInfo"]["hasNextPage"] is True


async def test_articles_answer_in_the_order_given(api: Api) -> None:
    reader = await api.person(subscriber=True)
    await post_comment(api, reader, article="b")
    await post_comment(api, reader, article="b")
    await post_comment(api, reader, article="a")

    result = await api.data(ARTICLES, {"ids": ["b", "unknown", "a"]})

    assert result["articles"] == [
        {"id": "b", "commentCount": 2},
        {"id": "unknown", "commentCount": 0},
        {"id": "a", "commentCount": 1},
    ]


async def test_more_than_a_hundred_articles_is_bad_user_input(api: Api) -> None:
    ids = [f"a{n}" for n in range(101)]

    assert await api.error_code(ARTICLES, {"ids": ids}) == "BAD_USER_INPUT"


async def test_a_hidden_comment_without_replies_is_null_for_readers(api: Api) -> None:
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, reader, "gone")
    await Comment.filter(id=int(posted["id"])).update(status="HIDDEN")
    query = "query C($id: ID!) { comment(id: $id) { body status } }"

    assert (await api.data(query, {"id": posted["id"]}))["comment"] is None
    as_moderator = await api.data(query, {"id": posted["id"]}, token=moderator.token)
    assert as_moderator["comment"] == {"body": "gone", "status": "HIDDEN"}
