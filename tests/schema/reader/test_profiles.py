"""Profiles: a new display name (unique by the registration rule, shown at once in cached
answers everywhere) and a reader's public history (never served stale)."""

from __future__ import annotations

from typing import Any

import pytest

from service.config import RateLimit
from service.models import Role
from tests.schema.reader.helpers import THREAD, signed_out_get
from tests.support import Api, post_comment

UPDATE = """
mutation Update($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    __typename ... on User { id displayName } ... on InvalidInput { field message }
    ... on RateLimited { retryAfterSeconds } ... on Error { message }
  }
}
"""
HISTORY = """
query History($id: ID!, $first: Int, $after: String) {
  user(id: $id) {
    displayName
    comments(first: $first, after: $after) {
      edges { node { id body article { id } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def update(api: Api, token: str, name: str) -> dict[str, Any]:
    result = await api.data(UPDATE, {"input": {"displayName": name}}, token=token)
    answer: dict[str, Any] = result["updateProfile"]
    return answer


async def test_a_new_display_name_shows_at_once_in_cached_signed_out_pages(api: Api) -> None:
    # given: a signed-out thread page showing the author's name, cached
    author = await api.person(subscriber=True, name="Old Name")
    await post_comment(api, author, "hello")
    before = await signed_out_get(api, THREAD, {"id": "story-1"})
    assert before == await signed_out_get(api, THREAD, {"id": "story-1"})

    # when
    updated = await update(api, author.token, "  New Name ")

    # then
    assert updated == {"__typename": "User", "id": author.id, "displayName": "New Name"}
    after = await signed_out_get(api, THREAD, {"id": "story-1"})
    [edge] = after["article"]["comments"]["edges"]
    assert edge["node"]["author"]["displayName"] == "New Name"
    assert (await api.data("{ me { displayName } }", token=author.token))["me"] == {
        "displayName": "New Name"
    }


@pytest.mark.parametrize(
    "taken",
    ["maggie", "MAGGIE", "Ｍａｇｇｉｅ", "Mággie", "Magg\u200bie", "Maggie "],
    ids=["case", "upper", "width", "accent", "zero width", "trailing space"],
)
async def test_a_name_another_reader_has_up_to_case_width_or_accents_is_taken(
    api: Api, taken: str
) -> None:
    await api.person(name="Maggie")
    reader = await api.person()

    refused = await update(api, reader.token, taken)

    assert (refused["__typename"], refused["field"]) == ("InvalidInput", "displayName")


async def test_registering_follows_the_same_rule(api: Api) -> None:
    await api.person(name="Maggie")

    result = await api.data(
        "mutation R($input: RegisterInput!) { register(input: $input) "
        "{ __typename ... on InvalidInput { field } } }",
        {
            "input": {
                "email": "new@example.com",
                "password": "a long enough passphrase",
                "displayName": "Mággie",
            }
        },
    )

    assert result["register"] == {"__typename": "InvalidInput", "field": "displayName"}


async def test_a_reader_may_change_the_case_of_their_own_name(api: Api) -> None:
    reader = await api.person(name="maggie")

    assert (await update(api, reader.token, "Maggie"))["displayName"] == "Maggie"


@pytest.mark.parametrize("name", ["", "   ", "x" * 51, "tab\there"])
async def test_a_bad_display_name_is_refused(api: Api, name: str) -> None:
    reader = await api.person()

    refused = await update(api, reader.token, name)

    assert (refused["__typename"], refused["field"]) == ("InvalidInput", "displayName")


async def test_profile_changes_are_rate_limited(make_api: Any) -> None:
    api: Api = await make_api(rate_limit_profile=RateLimit(2, 3600))
    async with api.client:
        reader = await api.person()

        answers = [(await update(api, reader.token, f"Name {n}"))["__typename"] for n in range(3)]

    assert answers == ["User", "User", "RateLimited"]


async def test_signed_out_readers_cannot_update_a_profile(api: Api) -> None:
    code = await api.error_code(UPDATE, {"input": {"displayName": "Anyone"}})

    assert code == "UNAUTHENTICATED"


async def test_a_readers_history_lists_published_comments_newest_first_across_articles(
    make_api: Any,
) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(100, 60))
    async with api.client:
        author = await api.person(subscriber=True)
        moderator = await api.person(Role.MODERATOR)
        posted = [
            await post_comment(api, author, f"c{n}", article=f"story-{n % 3}") for n in range(5)
        ]
        await api.data(
            'mutation R($id: ID!) { removeComment(input: {commentId: $id, reason: "x"}) '
            "{ __typename } }",
            {"id": posted[2]["id"]},
            token=moderator.token,
        )

        walked, after = [], None
        while True:
            page = (await api.data(HISTORY, {"id": author.id, "first": 2, "after": after}))["user"][
                "comments"
            ]
            walked += [(e["node"]["id"], e["node"]["article"]["id"]) for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]

    expected = [(c["id"], f"story-{n % 3}") for n, c in enumerate(posted) if n != 2]
    assert walked == expected[::-1]


async def test_a_signed_out_history_is_never_served_stale(api: Api) -> None:
    # given: a signed-out read of the history, twice (it would be cached if it could be)
    author = await api.person(subscriber=True)
    await post_comment(api, author, "first", article="story-1")
    for _ in range(2):
        await signed_out_get(api, HISTORY, {"id": author.id})

    # when: a comment on another article, whose version the history never read
    later = await post_comment(api, author, "second", article="story-2")

    # then
    history = await signed_out_get(api, HISTORY, {"id": author.id})
    assert history["user"]["comments"]["edges"][0]["node"]["id"] == later["id"]


async def test_an_empty_signed_out_history_is_not_cached_either(api: Api) -> None:
    author = await api.person(subscriber=True)
    empty = await signed_out_get(api, HISTORY, {"id": author.id})
    assert empty["user"]["comments"]["edges"] == []

    posted = await post_comment(api, author, "at last")

    history = await signed_out_get(api, HISTORY, {"id": author.id})
    assert [e["node"]["id"] for e in history["user"]["comments"]["edges"]] == [posted["id"]]
