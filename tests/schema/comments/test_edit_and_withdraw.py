from __future__ import annotations

from service.clock import clock
from service.models import Role
from tests.support import Api, post_comment

EDIT = """
mutation Edit($input: EditCommentInput!) {
  editComment(input: $input) {
    __typename
    ... on Comment { id body editedAt viewerCanEdit }
    ... on InvalidInput { field }
    ... on Error { message }
  }
}
"""
WITHDRAW = """
mutation Withdraw($id: ID!) {
  deleteComment(id: $id) { __typename ... on Comment { id status body } ... on Error { message } }
}
"""
HISTORY = """
query H($id: ID!) { comment(id: $id) { body editedAt viewerCanEdit
  revisions { body replacedAt replacedBy { id } } } }
"""


async def test_the_author_edits_within_the_window_and_the_old_text_is_kept(api: Api) -> None:
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, reader, "teh original")

    edited = await api.data(
        EDIT, {"input": {"commentId": posted["id"], "body": "the original"}}, token=reader.token
    )
    as_author = (await api.data(HISTORY, {"id": posted["id"]}, token=reader.token))["comment"]
    as_moderator = (await api.data(HISTORY, {"id": posted["id"]}, token=moderator.token))["comment"]

    assert edited["editComment"]["__typename"] == "Comment"
    assert edited["editComment"]["body"] == "the original"
    assert edited["editComment"]["editedAt"] is not None
    assert as_author["revisions"] is None
    assert as_moderator["revisions"][0]["body"] == "teh original"
    assert as_moderator["revisions"][0]["replacedBy"] == {"id": reader.id}


async def test_editing_after_the_window_is_not_allowed(api: Api) -> None:
    reader = await api.person(subscriber=True)
    posted = await post_comment(api, reader, "original")
    assert (await api.data(HISTORY, {"id": posted["id"]}, token=reader.token))["comment"][
        "viewerCanEdit"
    ] is True

    clock.advance(301)
    edited = await api.data(
        EDIT, {"input": {"commentId": posted["id"], "body": "late"}}, token=reader.token
    )
    state = (await api.data(HISTORY, {"id": posted["id"]}, token=reader.token))["comment"]

    assert edited["editComment"]["__typename"] == "NotAllowed"
    assert "window" in edited["editComment"]["message"]
    assert state["viewerCanEdit"] is False
    assert state["body"] == "original"


async def test_someone_else_cannot_edit_or_withdraw(api: Api) -> None:
    author = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    posted = await post_comment(api, author, "mine")

    edited = await api.data(
        EDIT, {"input": {"commentId": posted["id"], "body": "yours"}}, token=other.token
    )
    withdrawn = await api.data(WITHDRAW, {"id": posted["id"]}, token=other.token)
    flags = (await api.data(HISTORY, {"id": posted["id"]}, token=other.token))["comment"]

    assert edited["editComment"]["__typename"] == "NotAllowed"
    assert withdrawn["deleteComment"]["__typename"] == "NotAllowed"
    assert flags["viewerCanEdit"] is False


async def test_edit_validates_like_posting(api: Api) -> None:
    reader = await api.person(subscriber=True)
    posted = await post_comment(api, reader, "original")

    edited = await api.data(
        EDIT, {"input": {"commentId": posted["id"], "body": "  "}}, token=reader.token
    )
    missing = await api.data(
        EDIT, {"input": {"commentId": "99999", "body": "x"}}, token=reader.token
    )

    assert edited["editComment"]["__typename"] == "InvalidInput"
    assert edited["editComment"]["field"] == "body"
    assert missing["editComment"]["__typename"] == "NotFound"


async def test_withdraw_keeps_the_text_for_moderators_and_twice_is_unchanged(api: Api) -> None:
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, reader, "regret")

    first = (await api.data(WITHDRAW, {"id": posted["id"]}, token=reader.token))["deleteComment"]
    again = (await api.data(WITHDRAW, {"id": posted["id"]}, token=reader.token))["deleteComment"]
    as_moderator = await api.data(HISTORY, {"id": posted["id"]}, token=moderator.token)

    assert first == {
        "__typename": "Comment",
        "id": posted["id"],
        "status": "WITHDRAWN",
        "body": None,
    }
    assert again == first
    assert as_moderator["comment"]["body"] == "regret"
    count = await api.data('{ article(id: "story-1") { commentCount } }')
    assert count["article"]["commentCount"] == 0


async def test_a_withdrawn_comment_cannot_be_edited(api: Api) -> None:
    reader = await api.person(subscriber=True)
    posted = await post_comment(api, reader, "regret")
    await api.data(WITHDRAW, {"id": posted["id"]}, token=reader.token)

    edited = await api.data(
        EDIT, {"input": {"commentId": posted["id"], "body": "x"}}, token=reader.token
    )

    assert edited["editComment"]["__typename"] == "NotAllowed"


async def test_edit_and_withdraw_need_a_signed_in_user(api: Api) -> None:
    assert await api.error_code(WITHDRAW, {"id": "1"}) == "UNAUTHENTICATED"
    assert (
        await api.error_code(EDIT, {"input": {"commentId": "1", "body": "x"}}) == "UNAUTHENTICATED"
    )
