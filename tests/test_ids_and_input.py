"""Ids and cursors are ASCII digits within range: anything else names no row.

`str.isdigit()` accepted the Arabic-Indic and the fullwidth one (U+0661, U+FF11), both read
as 1 (`user(id: "\u0661")` was user 1, `revokeEntitlement(id: "\uff11")` revoked entitlement
1), and a superscript two, a 20-digit id or a cursor with one answered "Internal error.".
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from service.clock import now
from service.models import Role
from tests.support import Api, Person, post_comment

NOT_IDS = ["\u0661", "\uff11", "\u00b2", "99999999999999999999", "-1"]

USER = "query User($id: ID!) { user(id: $id) { id } }"
COMMENT = "query Comment($id: ID!) { comment(id: $id) { id } }"
LOG_BY_COMMENT = """
query Log($id: ID) { moderationLog(commentId: $id) { edges { node { kind } } } }
"""
LOG_BY_USER = "query Log($id: ID) { moderationLog(userId: $id) { edges { node { kind } } } }"
POST_REPLY = """
mutation Reply($id: ID) {
  postComment(input: {articleId: "story-1", body: "a reply", parentId: $id}) { __typename }
}
"""
EDIT = """
mutation Edit($id: ID!) { editComment(input: {commentId: $id, body: "edited"}) { __typename } }
"""
DELETE = "mutation Delete($id: ID!) { deleteComment(id: $id) { __typename } }"
REPORT = """
mutation Report($id: ID!) { reportComment(input: {commentId: $id, reason: SPAM}) { __typename } }
"""
AMEND = """
mutation Amend($id: ID!) {
  amendComment(input: {commentId: $id, body: "amended", reason: "test"}) { __typename }
}
"""
REMOVE = """
mutation Remove($id: ID!) { removeComment(input: {commentId: $id, reason: "test"}) { __typename } }
"""
RESTORE = """
mutation Restore($id: ID!) {
  restoreComment(input: {commentId: $id, reason: "test"}) { __typename }
}
"""
DISMISS = """
mutation Dismiss($id: ID!) {
  dismissReports(input: {commentId: $id, reason: "test"}) { __typename }
}
"""
SUSPEND = """
mutation Suspend($id: ID!, $until: DateTime!) {
  suspendUser(input: {userId: $id, until: $until, reason: "test"}) { __typename }
}
"""
BAN = """
mutation Ban($id: ID!) { banUser(input: {userId: $id, reason: "test"}) { __typename } }
"""
REINSTATE = """
mutation Reinstate($id: ID!) { reinstateUser(input: {userId: $id, reason: "test"}) { __typename } }
"""
GRANT = """
mutation Grant($id: ID!, $until: DateTime!) {
  grantEntitlement(input: {userId: $id, product: "digital", startsAt: $until}) { __typename }
}
"""
REVOKE = "mutation Revoke($id: ID!) { revokeEntitlement(id: $id) { __typename } }"
SET_ROLE = "mutation Role($id: ID!) { setUserRole(userId: $id, role: MODERATOR) { __typename } }"
STATE = """
query State {
  comment(id: "1") { body status }
  user(id: "1") { role status entitlements { revokedAt } }
}
"""


@dataclass(frozen=True)
class Case:
    document: str
    who: str  # "reader" (user 1, author of comment 1, holder of entitlement 1) or "admin"
    answer: Any  # the answer's data when the id names no row


def nothing_found(field: str) -> dict[str, Any]:
    return {field: {"__typename": "NotFound"}}


CASES = {
    "user": Case(USER, "admin", {"user": None}),
    "comment": Case(COMMENT, "admin", {"comment": None}),
    "moderationLog(commentId)": Case(LOG_BY_COMMENT, "admin", {"moderationLog": {"edges": []}}),
    "moderationLog(userId)": Case(LOG_BY_USER, "admin", {"moderationLog": {"edges": []}}),
    "postComment(parentId)": Case(POST_REPLY, "reader", nothing_found("postComment")),
    "editComment": Case(EDIT, "reader", nothing_found("editComment")),
    "deleteComment": Case(DELETE, "reader", nothing_found("deleteComment")),
    "reportComment": Case(REPORT, "admin", nothing_found("reportComment")),
    "amendComment": Case(AMEND, "admin", nothing_found("amendComment")),
    "removeComment": Case(REMOVE, "admin", nothing_found("removeComment")),
    "restoreComment": Case(RESTORE, "admin", nothing_found("restoreComment")),
    "dismissReports": Case(DISMISS, "admin", nothing_found("dismissReports")),
    "suspendUser": Case(SUSPEND, "admin", nothing_found("suspendUser")),
    "banUser": Case(BAN, "admin", nothing_found("banUser")),
    "reinstateUser": Case(REINSTATE, "admin", nothing_found("reinstateUser")),
    "grantEntitlement": Case(GRANT, "admin", nothing_found("grantEntitlement")),
    "revokeEntitlement": Case(REVOKE, "admin", nothing_found("revokeEntitlement")),
    "setUserRole": Case(SET_ROLE, "admin", nothing_found("setUserRole")),
}


async def people(api: Api) -> dict[str, Person]:
    """User 1 is a subscriber (entitlement 1) who wrote comment 1, on which admin acted."""
    reader = await api.person(subscriber=True)
    admin = await api.person(Role.ADMIN)
    comment = await post_comment(api, reader, "comment one")
    assert (reader.id, comment["id"]) == ("1", "1")
    await api.data(DISMISS, {"id": "1"}, token=admin.token)  # a log line on comment 1
    return {"reader": reader, "admin": admin}


@pytest.mark.parametrize("operation", list(CASES))
async def test_an_id_that_is_not_ascii_digits_in_range_names_no_row(
    api: Api, operation: str
) -> None:
    # given
    case = CASES[operation]
    who = await people(api)
    before = await api.data(STATE, token=who["admin"].token)

    for not_an_id in NOT_IDS:
        # when
        variables = {"id": not_an_id, "until": (now() + timedelta(days=1)).isoformat()}
        body = await api.gql(case.document, variables, token=who[case.who].token)

        # then
        assert body == {"data": case.answer}, (not_an_id, body)
    assert await api.data(STATE, token=who["admin"].token) == before


def cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode()


MOMENT = "2026-01-01T00:00:00+00:00"
THREAD_CURSORS = [
    cursor(MOMENT, "99999999999999999999"),
    cursor(MOMENT, "\u0661"),
    cursor(MOMENT, "\u00b2"),
    cursor(MOMENT, "-1"),
    cursor("0001-01-01T00:00:00+14:00", "1"),
    cursor("2026-01-01T00:00:00", "1"),
]
QUEUE_CURSORS = [
    cursor("1", MOMENT, "99999999999999999999"),
    cursor("99999999999999999999", MOMENT, "1"),
    cursor("\u0661", MOMENT, "1"),
    cursor("1", "2026-01-01T00:00:00", "1"),
]
PAGES = {
    "article.comments": (
        'query Page($after: String) { article(id: "story-1") { comments(after: $after) '
        "{ edges { cursor } } } }",
        THREAD_CURSORS,
    ),
    "comment.replies": (
        'query Page($after: String) { comment(id: "1") { replies(after: $after) '
        "{ edges { cursor } } } }",
        THREAD_CURSORS,
    ),
    "comment.reports": (
        'query Page($after: String) { comment(id: "1") { reports(after: $after) '
        "{ edges { cursor } } } }",
        THREAD_CURSORS,
    ),
    "moderationLog": (
        "query Page($after: String) { moderationLog(after: $after) { edges { cursor } } }",
        THREAD_CURSORS,
    ),
    "moderationQueue": (
        "query Page($after: String) { moderationQueue(after: $after) { edges { cursor } } }",
        QUEUE_CURSORS,
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
async def test_a_cursor_with_a_number_out_of_range_is_bad_user_input(api: Api, page: str) -> None:
    # given
    document, cursors = PAGES[page]
    who = await people(api)

    for after in cursors:
        # when
        body = await api.gql(document, {"after": after}, token=who["admin"].token)

        # then
        codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
        assert codes == ["BAD_USER_INPUT"], (after, body)
