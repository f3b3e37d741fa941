from __future__ import annotations

from typing import Any

import pytest

from service.models import Role
from tests.schema.moderation.helpers import (
    DISMISS,
    REMOVE,
    RESTORE,
    article_as,
    comment_as,
    moderate,
    queue_ids,
    report,
)
from tests.support import Api, Person, post_comment

AMEND = """
mutation Amend($input: AmendCommentInput!) {
  amendComment(input: $input) {
    __typename
    ... on Comment { id body status amendedByModerator }
    ... on InvalidInput { field }
    ... on Error { message }
  }
}
"""
EDIT = """
mutation Edit($input: EditCommentInput!) { editComment(input: $input) { __typename } }
"""
WITHDRAW = "mutation W($id: ID!) { deleteComment(id: $id) { __typename } }"
HISTORY = """
query History($id: ID!) {
  comment(id: $id) { body amendedByModerator revisions { body replacedAt replacedBy { id } } }
}
"""


async def amend(
    api: Api, moderator: Person, comment_id: str, body: str, reason: str = "Libel removed"
) -> dict[str, Any]:
    variables = {"input": {"commentId": comment_id, "body": body, "reason": reason}}
    result: dict[str, Any] = (await api.data(AMEND, variables, token=moderator.token))[
        "amendComment"
    ]
    return result


async def test_amend_comment_after_an_edit_keeps_both_texts_oldest_first(api: Api) -> None:
    # given
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "first draft")
    await api.data(
        EDIT, {"input": {"commentId": posted["id"], "body": "second draft"}}, token=author.token
    )

    # when
    amended = await amend(api, moderator, posted["id"], "second draft [edited by a moderator]")

    # then
    assert amended == {
        "__typename": "Comment",
        "id": posted["id"],
        "status": "PUBLISHED",
        "body": "second draft [edited by a moderator]",
        "amendedByModerator": True,
    }
    history = (await api.data(HISTORY, {"id": posted["id"]}, token=moderator.token))["comment"]
    revisions = history["revisions"]
    assert [r["body"] for r in revisions] == ["first draft", "second draft"]
    assert [r["replacedBy"]["id"] for r in revisions] == [author.id, moderator.id]
    assert revisions[0]["replacedAt"] <= revisions[1]["replacedAt"]
    as_reader = (await api.data(HISTORY, {"id": posted["id"]}, token=reader.token))["comment"]
    assert as_reader == {
        "body": "second draft [edited by a moderator]",
        "amendedByModerator": True,
        "revisions": None,
    }


async def test_amend_comment_resolves_open_reports_as_amended(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "a rude word")
    await report(api, reader, posted["id"], "ABUSE")

    await amend(api, moderator, posted["id"], "a polite word")

    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert seen["openReportCount"] == 0
    assert [e["node"]["status"] for e in seen["reports"]["edges"]] == ["RESOLVED"]
    assert seen["reports"]["edges"][0]["node"]["resolution"] == "AMENDED"
    assert await queue_ids(api, moderator) == []


async def test_amend_comment_with_an_empty_body_is_invalid_input(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "kept")

    amended = await amend(api, moderator, posted["id"], "   ")

    assert amended["__typename"] == "InvalidInput"
    assert amended["field"] == "body"
    assert (await comment_as(api, author, posted["id"]) or {})["body"] == "kept"


async def test_remove_and_restore_move_the_counters(api: Api) -> None:
    # given: a comment with one reply
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    parent = await post_comment(api, author, "parent")
    reply = await post_comment(api, author, "reply", parentId=parent["id"])

    # when the reply is removed
    removed = await moderate(api, moderator, REMOVE, reply["id"])

    # then readers no longer count it
    assert removed == {"__typename": "Comment", "id": reply["id"], "status": "REMOVED"}
    assert (await article_as(api, None))["commentCount"] == 1
    assert (await comment_as(api, None, parent["id"]) or {})["replyCount"] == 0
    assert await comment_as(api, author, reply["id"]) is None

    # when it is restored, it counts again
    restored = await moderate(api, moderator, RESTORE, reply["id"])

    assert restored == {"__typename": "Comment", "id": reply["id"], "status": "PUBLISHED"}
    assert (await article_as(api, None))["commentCount"] == 2
    assert (await comment_as(api, None, parent["id"]) or {})["replyCount"] == 1
    assert (await comment_as(api, author, reply["id"]) or {})["body"] == "reply"


async def test_remove_comment_resolves_open_reports_as_removed(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)
    await report(api, reader, posted["id"])

    await moderate(api, moderator, REMOVE, posted["id"])

    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert seen["body"] == "First!"  # moderators still read what was removed
    assert seen["reports"]["edges"][0]["node"]["resolution"] == "REMOVED"
    assert await queue_ids(api, moderator) == []


async def test_dismiss_reports_resolves_them_and_leaves_the_comment_published(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)
    await report(api, reader, posted["id"])

    dismissed = await moderate(api, moderator, DISMISS, posted["id"])

    assert dismissed == {"__typename": "Comment", "id": posted["id"], "status": "PUBLISHED"}
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert seen["openReportCount"] == 0
    assert seen["reports"]["edges"][0]["node"]["resolution"] == "DISMISSED"
    assert (await article_as(api, None))["commentCount"] == 1


@pytest.mark.parametrize(
    "document", [AMEND, REMOVE, RESTORE, DISMISS], ids=["amend", "remove", "restore", "dismiss"]
)
async def test_moderating_a_withdrawn_comment_is_invalid_input(api: Api, document: str) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)
    await api.data(WITHDRAW, {"id": posted["id"]}, token=author.token)
    variables = {"input": {"commentId": posted["id"], "reason": "r", "body": "b"}}
    if document is not AMEND:
        del variables["input"]["body"]

    result = next(iter((await api.data(document, variables, token=moderator.token)).values()))

    assert result["__typename"] == "InvalidInput"
    assert result["field"] == "commentId"
    assert (await comment_as(api, moderator, posted["id"]) or {})["status"] == "WITHDRAWN"


@pytest.mark.parametrize(
    "document", [AMEND, REMOVE, RESTORE, DISMISS], ids=["amend", "remove", "restore", "dismiss"]
)
async def test_moderating_an_unknown_comment_is_not_found(api: Api, document: str) -> None:
    moderator = await api.person(Role.MODERATOR)
    variables = {"input": {"commentId": "99999", "reason": "r", "body": "b"}}
    if document is not AMEND:
        del variables["input"]["body"]

    result = next(iter((await api.data(document, variables, token=moderator.token)).values()))

    assert result["__typename"] == "NotFound"


async def test_restoring_a_published_or_removing_a_removed_comment_is_invalid_input(
    api: Api,
) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)

    restored = await moderate(api, moderator, RESTORE, posted["id"])
    await moderate(api, moderator, REMOVE, posted["id"])
    removed_again = await moderate(api, moderator, REMOVE, posted["id"])

    for result in (restored, removed_again):
        assert (result["__typename"], result["field"]) == ("InvalidInput", "commentId")
    assert (await article_as(api, None))["commentCount"] == 0


@pytest.mark.parametrize("reason", ["", "  \n ", "r" * 501], ids=["empty", "blank", "too-long"])
async def test_moderation_reason_empty_or_too_long_is_invalid_input(api: Api, reason: str) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)

    removed = await moderate(api, moderator, REMOVE, posted["id"], reason=reason)
    amended = await amend(api, moderator, posted["id"], "new text", reason=reason)

    for result in (removed, amended):
        assert (result["__typename"], result["field"]) == ("InvalidInput", "reason")
    assert (await comment_as(api, None, posted["id"]) or {})["body"] == "First!"


async def test_moderation_reason_of_500_chars_is_accepted(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)

    removed = await moderate(api, moderator, REMOVE, posted["id"], reason="r" * 500)

    assert removed["__typename"] == "Comment"
