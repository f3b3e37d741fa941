"""Documents and set-up shared by the reader-feature tests."""

from __future__ import annotations

import json
from typing import Any

from tests.support import Api, Person

THREAD = """
query Thread($id: ID!, $first: Int, $after: String, $order: CommentOrder) {
  article(id: $id) {
    id commentCount moderationMode
    comments(first: $first, after: $after, orderBy: $order) {
      edges { cursor node {
        id body status replyCount recommendCount featured author { id displayName }
        replies(first: 10) { edges { node { id body status } } }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
SET_MODE = """
mutation Mode($input: SetModerationModeInput!) {
  setModerationMode(input: $input) {
    __typename ... on Article { id moderationMode } ... on Error { message }
  }
}
"""
APPROVE = """
mutation Approve($input: ModerateCommentInput!) {
  approveComment(input: $input) {
    __typename ... on Comment { id status } ... on InvalidInput { field message }
    ... on Error { message }
  }
}
"""
RECOMMEND = """
mutation Recommend($id: ID!) {
  recommendComment(commentId: $id) {
    __typename ... on Comment { id recommendCount viewerHasRecommended }
    ... on RateLimited { retryAfterSeconds } ... on Error { message }
  }
}
"""
UNRECOMMEND = """
mutation Unrecommend($id: ID!) {
  unrecommendComment(commentId: $id) {
    __typename ... on Comment { id recommendCount viewerHasRecommended } ... on Error { message }
  }
}
"""


async def thread(
    api: Api, person: Person | None = None, article: str = "story-1", **variables: Any
) -> dict[str, Any]:
    result = await api.data(
        THREAD, {"id": article, **variables}, token=person.token if person else None
    )
    found: dict[str, Any] = result["article"]
    return found


async def signed_out_get(api: Api, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A signed-out GET: the path the public cache serves."""
    response = await api.client.get(
        "/graphql", params={"query": query, "variables": json.dumps(variables)}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def ids(article: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in article["comments"]["edges"]]


async def set_mode(api: Api, moderator: Person, mode: str, article: str = "story-1") -> None:
    result = await api.data(
        SET_MODE,
        {"input": {"articleId": article, "mode": mode, "reason": "legal advice"}},
        token=moderator.token,
    )
    assert result["setModerationMode"]["__typename"] == "Article", result


async def approve(api: Api, moderator: Person, comment_id: str) -> dict[str, Any]:
    result = await api.data(
        APPROVE, {"input": {"commentId": comment_id, "reason": "fine"}}, token=moderator.token
    )
    approved: dict[str, Any] = result["approveComment"]
    return approved


async def recommend(api: Api, reader: Person, comment_id: str) -> dict[str, Any]:
    result = await api.data(RECOMMEND, {"id": comment_id}, token=reader.token)
    answer: dict[str, Any] = result["recommendComment"]
    return answer


async def unrecommend(api: Api, reader: Person, comment_id: str) -> dict[str, Any]:
    result = await api.data(UNRECOMMEND, {"id": comment_id}, token=reader.token)
    answer: dict[str, Any] = result["unrecommendComment"]
    return answer
