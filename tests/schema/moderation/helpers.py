"""Documents and set-up shared by the moderation tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support import Api, Person

# London is on GMT in late November, so these read the same in UTC and local time.
TUESDAY_11_LONDON = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)  # FULL coverage
SATURDAY_NOON_LONDON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # PARTIAL coverage

REPORT = """
mutation Report($input: ReportCommentInput!) {
  reportComment(input: $input) {
    __typename
    ... on Report { id reason note status resolution reporter { id } comment { id } }
    ... on InvalidInput { field message }
    ... on RateLimited { retryAfterSeconds message }
    ... on Error { message }
  }
}
"""
COMMENT = """
query Comment($id: ID!) {
  comment(id: $id) {
    id status body replyCount amendedByModerator viewerHasReported openReportCount
    reports { edges { node { reason status resolution reporter { id } } } }
  }
}
"""
ARTICLE = """
query Article($id: ID!) {
  article(id: $id) {
    title url closesAt commentsOpen commentCount commentPermission { allowed reason }
  }
}
"""
REMOVE = """
mutation Remove($input: ModerateCommentInput!) {
  removeComment(input: $input) {
    __typename ... on Comment { id status } ... on InvalidInput { field } ... on Error { message }
  }
}
"""
RESTORE = """
mutation Restore($input: ModerateCommentInput!) {
  restoreComment(input: $input) {
    __typename ... on Comment { id status } ... on InvalidInput { field } ... on Error { message }
  }
}
"""
DISMISS = """
mutation Dismiss($input: ModerateCommentInput!) {
  dismissReports(input: $input) {
    __typename ... on Comment { id status } ... on InvalidInput { field } ... on Error { message }
  }
}
"""
# the user and article actions, asking only which union member came back
SUSPEND = """
mutation Suspend($input: SuspendUserInput!) { suspendUser(input: $input) { __typename } }
"""
BAN = "mutation Ban($input: ModerateUserInput!) { banUser(input: $input) { __typename } }"
REINSTATE = """
mutation Reinstate($input: ModerateUserInput!) { reinstateUser(input: $input) { __typename } }
"""
SET_COMMENTING = """
mutation Set($input: SetCommentingInput!) { setCommenting(input: $input) { __typename } }
"""
QUEUE_TOTAL = "{ moderationQueue { totalCount edges { node { comment { id } } } } }"


async def report(
    api: Api, reader: Person, comment_id: str, reason: str = "SPAM", note: str | None = None
) -> dict[str, Any]:
    variables = {"input": {"commentId": comment_id, "reason": reason, "note": note}}
    result: dict[str, Any] = (await api.data(REPORT, variables, token=reader.token))[
        "reportComment"
    ]
    return result


async def comment_as(api: Api, person: Person | None, comment_id: str) -> dict[str, Any] | None:
    result = await api.data(COMMENT, {"id": comment_id}, token=person.token if person else None)
    found: dict[str, Any] | None = result["comment"]
    return found


async def article_as(api: Api, person: Person | None, article: str = "story-1") -> dict[str, Any]:
    result = await api.data(ARTICLE, {"id": article}, token=person.token if person else None)
    found: dict[str, Any] = result["article"]
    return found


async def moderate(
    api: Api, moderator: Person, document: str, comment_id: str, reason: str = "House rules"
) -> dict[str, Any]:
    """Run REMOVE, RESTORE or DISMISS; return the result-union value."""
    variables = {"input": {"commentId": comment_id, "reason": reason}}
    result = await api.data(document, variables, token=moderator.token)
    value: dict[str, Any] = next(iter(result.values()))
    return value


async def queue_ids(api: Api, moderator: Person) -> list[str]:
    result = await api.data(QUEUE_TOTAL, token=moderator.token)
    queue = result["moderationQueue"]
    ids = [edge["node"]["comment"]["id"] for edge in queue["edges"]]
    assert queue["totalCount"] == len(ids)
    return ids


async def set_commenting(api: Api, moderator: Person, *, open: bool, reason: str) -> None:
    await api.data(
        SET_COMMENTING,
        {"input": {"articleId": "story-1", "open": open, "reason": reason}},
        token=moderator.token,
    )
