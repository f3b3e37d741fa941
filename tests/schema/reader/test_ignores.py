"""Ignoring a reader: the ignorer's pages flag that author's comments; the ignored reader
is not told, and nobody else (staff included) sees the list."""

from __future__ import annotations

from typing import Any

from service.models import Role
from tests.support import Api, Person, post_comment

IGNORE = """
mutation Ignore($id: ID!) {
  ignoreUser(userId: $id) {
    __typename ... on User { id displayName } ... on InvalidInput { field } ... on Error { message }
  }
}
"""
UNIGNORE = """
mutation Unignore($id: ID!) {
  unignoreUser(userId: $id) { __typename ... on User { id } ... on Error { message } }
}
"""
IGNORED = "{ me { ignoredUsers { id displayName } } }"
OTHERS_LIST = "query U($id: ID!) { user(id: $id) { ignoredUsers { id } } }"
PAGE = """
query Page {
  article(id: "story-1") {
    comments { edges { node { body author { id } viewerIgnoresAuthor } } }
  }
}
"""


async def ignore(api: Api, reader: Person, user_id: str) -> dict[str, Any]:
    answer: dict[str, Any] = (await api.data(IGNORE, {"id": user_id}, token=reader.token))[
        "ignoreUser"
    ]
    return answer


def flags(page: dict[str, Any]) -> dict[str, bool]:
    return {
        e["node"]["body"]: e["node"]["viewerIgnoresAuthor"]
        for e in page["article"]["comments"]["edges"]
    }


async def test_a_reader_ignores_a_troll_and_changes_their_mind(api: Api) -> None:
    # given
    troll = await api.person(subscriber=True, name="Troll")
    friend = await api.person(subscriber=True)
    reader = await api.person()
    await post_comment(api, troll, "bait")
    await post_comment(api, friend, "sense")

    # when
    ignored = await ignore(api, reader, troll.id)
    again = await ignore(api, reader, troll.id)  # twice: the same answer

    # then
    assert ignored == again == {"__typename": "User", "id": troll.id, "displayName": "Troll"}
    assert (await api.data(IGNORED, token=reader.token))["me"]["ignoredUsers"] == [
        {"id": troll.id, "displayName": "Troll"}
    ]
    assert flags(await api.data(PAGE, token=reader.token)) == {"bait": True, "sense": False}
    assert flags(await api.data(PAGE)) == {"bait": False, "sense": False}
    unignored = await api.data(UNIGNORE, {"id": troll.id}, token=reader.token)
    assert unignored["unignoreUser"] == {"__typename": "User", "id": troll.id}
    assert flags(await api.data(PAGE, token=reader.token)) == {"bait": False, "sense": False}
    assert (await api.data(IGNORED, token=reader.token))["me"]["ignoredUsers"] == []


async def test_the_ignored_reader_is_not_told_and_staff_do_not_see_the_list(api: Api) -> None:
    troll = await api.person(subscriber=True)
    reader = await api.person(subscriber=True)
    admin = await api.person(Role.ADMIN)
    await post_comment(api, reader, "hello")
    await ignore(api, reader, troll.id)

    troll_view = await api.data(PAGE, token=troll.token)
    their_list = await api.data(IGNORED, token=troll.token)

    assert flags(troll_view) == {"hello": False}
    assert their_list["me"]["ignoredUsers"] == []
    for person in (troll, admin, None):
        seen = await api.data(
            OTHERS_LIST, {"id": reader.id}, token=person.token if person else None
        )
        assert seen["user"]["ignoredUsers"] is None


async def test_ignoring_oneself_or_nobody_is_refused(api: Api) -> None:
    reader = await api.person()

    assert (await ignore(api, reader, reader.id))["__typename"] == "InvalidInput"
    assert (await ignore(api, reader, "999999"))["__typename"] == "NotFound"
    assert (await ignore(api, reader, "not-a-number"))["__typename"] == "NotFound"
    assert await api.error_code(IGNORE, {"id": reader.id}) == "UNAUTHENTICATED"
    assert (await api.data(IGNORED, token=reader.token))["me"]["ignoredUsers"] == []
