"""Documents and set-up shared by the privacy tests."""

from __future__ import annotations

import json
from typing import Any

from tests.schema.legal.helpers import DECIDE, act, illegal_content, submit
from tests.schema.moderation.helpers import report
from tests.support import Api, Person, post_comment

MY_DATA = "{ myData }"
DELETE = """
mutation Delete($password: String) {
  deleteMyAccount(password: $password) {
    __typename ... on User { id deletionScheduledAt } ... on Error { message }
  }
}
"""
CANCEL = "mutation { cancelAccountDeletion { id deletionScheduledAt } }"
ERASE = """
mutation Erase($input: ModerateUserInput!) {
  eraseUser(input: $input) {
    __typename ... on User { id displayName } ... on InvalidInput { field message }
    ... on Error { message }
  }
}
"""
EDIT = """
mutation Edit($input: EditCommentInput!) {
  editComment(input: $input) { __typename ... on Error { message } }
}
"""
WITHDRAW = "mutation Withdraw($id: ID!) { deleteComment(id: $id) { __typename } }"
RECOMMEND = "mutation R($id: ID!) { recommendComment(commentId: $id) { __typename } }"
IGNORE = "mutation I($id: ID!) { ignoreUser(userId: $id) { __typename } }"


async def my_data(api: Api, person: Person) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((await api.data(MY_DATA, token=person.token))["myData"])
    return document


async def posted(api: Api, person: Person, body: str, **extra: Any) -> str:
    comment = await post_comment(api, person, body, **extra)
    assert comment["__typename"] == "Comment", comment
    comment_id: str = comment["id"]
    return comment_id


async def a_full_life(api: Api, author: Person, other: Person, moderator: Person) -> dict[str, str]:
    """The author comments, edits, withdraws, replies, reports, recommends, ignores, and has a
    comment taken down on a legal notice (a statement and a notification); the other reader
    replies to and reports the author. Returns the ids of the author's comments."""
    first = await posted(api, author, "Author's first words")
    await api.data(
        EDIT, {"input": {"commentId": first, "body": "Author's edited words"}}, token=author.token
    )
    withdrawn = await posted(api, author, "Author's withdrawn words")
    await api.data(WITHDRAW, {"id": withdrawn}, token=author.token)
    others = await posted(api, other, "Other's own words")
    await posted(api, other, "Other's reply words", parentId=first)
    await report(api, other, first, "ABUSE", "other's private note")
    await report(api, author, others, "SPAM", "author's own note")
    await api.data(RECOMMEND, {"id": others}, token=author.token)
    await api.data(IGNORE, {"id": other.id}, token=author.token)
    noticed = await posted(api, author, "Author's noticed words")
    receipt = await submit(api, illegal_content(noticed))
    decided = await act(
        api,
        moderator,
        DECIDE,
        noticeId=receipt["id"],
        decision="CONTENT_REMOVED",
        reason="Unlawful under s.18",
    )
    assert decided["__typename"] == "LegalNotice", decided
    return {"first": first, "withdrawn": withdrawn, "noticed": noticed, "others": others}
