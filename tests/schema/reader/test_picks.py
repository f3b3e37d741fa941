"""Editors' picks: moderators feature published comments (logged); readers see `featured`
and the article's picks, most recently featured first."""

from __future__ import annotations

from typing import Any

from service.clock import clock
from service.models import Role
from tests.schema.moderation.helpers import REMOVE, moderate
from tests.schema.reader.helpers import THREAD, set_mode, signed_out_get
from tests.support import Api, Person, post_comment

FEATURE = """
mutation Feature($input: ModerateCommentInput!) {
  featureComment(input: $input) {
    __typename ... on Comment { id featured } ... on InvalidInput { field message }
    ... on Error { message }
  }
}
"""
UNFEATURE = FEATURE.replace("featureComment", "unfeatureComment").replace("Feature(", "Unf(")
PICKS = """
query Picks($first: Int, $after: String) {
  article(id: "story-1") {
    featuredComments(first: $first, after: $after) {
      edges { node { id featured } } pageInfo { hasNextPage endCursor }
    }
  }
}
"""
LOG = "{ moderationLog(first: 10) { edges { node { kind reason comment { id } } } } }"


async def pick(api: Api, moderator: Person, comment_id: str, document: str = FEATURE) -> Any:
    result = await api.data(
        document, {"input": {"commentId": comment_id, "reason": "insightful"}}, moderator.token
    )
    return next(iter(result.values()))


async def picks(api: Api, **variables: Any) -> list[str]:
    result = await signed_out_get(api, PICKS, variables)
    return [e["node"]["id"] for e in result["article"]["featuredComments"]["edges"]]


async def test_featured_comments_list_most_recently_featured_first(api: Api) -> None:
    # given
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = [(await post_comment(api, author, f"c{n}"))["id"] for n in range(3)]
    assert await picks(api) == []  # cached, empty

    # when
    for comment_id in (posted[1], posted[0], posted[2]):
        assert await pick(api, moderator, comment_id) == {
            "__typename": "Comment",
            "id": comment_id,
            "featured": True,
        }
        clock.advance(1)
    clock.reset()

    # then
    assert await picks(api) == [posted[2], posted[0], posted[1]]
    first = await signed_out_get(api, PICKS, {"first": 2})
    after = first["article"]["featuredComments"]["pageInfo"]["endCursor"]
    assert await picks(api, first=2, after=after) == [posted[1]]
    page = await signed_out_get(api, THREAD, {"id": "story-1"})
    assert [e["node"]["featured"] for e in page["article"]["comments"]["edges"]] == [True] * 3
    log = await api.data(LOG, token=moderator.token)
    assert [e["node"]["kind"] for e in log["moderationLog"]["edges"]] == ["FEATURE"] * 3


async def test_unfeaturing_takes_a_pick_away_and_is_logged(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "good")
    await pick(api, moderator, posted["id"])
    assert await picks(api) == [posted["id"]]

    answer = await pick(api, moderator, posted["id"], UNFEATURE)

    assert (answer["__typename"], answer["featured"]) == ("Comment", False)
    assert await picks(api) == []
    log = await api.data(LOG, token=moderator.token)
    assert [e["node"]["kind"] for e in log["moderationLog"]["edges"]] == ["UNFEATURE", "FEATURE"]


async def test_only_a_published_comment_not_yet_featured_can_be_featured(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    featured = await post_comment(api, author, "already")
    await pick(api, moderator, featured["id"])
    removed = await post_comment(api, author, "removed")
    await moderate(api, moderator, REMOVE, removed["id"])
    await set_mode(api, moderator, "PRE")
    pending = await post_comment(api, author, "pending")

    answers = {
        name: (await pick(api, moderator, comment_id))["__typename"]
        for name, comment_id in (
            ("twice", featured["id"]),
            ("removed", removed["id"]),
            ("pending", pending["id"]),
            ("unknown", "999999"),
        )
    }
    not_featured = await pick(api, moderator, removed["id"], UNFEATURE)

    assert answers == {
        "twice": "InvalidInput",
        "removed": "InvalidInput",
        "pending": "InvalidInput",
        "unknown": "NotFound",
    }
    assert not_featured["__typename"] == "InvalidInput"
    log = await api.data(LOG, token=moderator.token)
    kinds = [e["node"]["kind"] for e in log["moderationLog"]["edges"]]
    assert kinds.count("FEATURE") == 1


async def test_a_removed_pick_leaves_the_picks(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "good, then not")
    await pick(api, moderator, posted["id"])
    assert await picks(api) == [posted["id"]]

    await moderate(api, moderator, REMOVE, posted["id"])

    assert await picks(api) == []


async def test_readers_cannot_feature(api: Api) -> None:
    author = await api.person(subscriber=True)
    posted = await post_comment(api, author, "mine")

    code = await api.error_code(
        FEATURE, {"input": {"commentId": posted["id"], "reason": "me"}}, token=author.token
    )

    assert code == "FORBIDDEN"
