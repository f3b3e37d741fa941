from __future__ import annotations

from typing import Any

import pytest

from service.models import Role
from tests.schema.moderation.helpers import (
    BAN,
    DISMISS,
    REINSTATE,
    REMOVE,
    RESTORE,
    SET_COMMENTING,
    SUSPEND,
)
from tests.support import Api, post_comment

AMEND = """
mutation Amend($input: AmendCommentInput!) { amendComment(input: $input) { __typename } }
"""
CONFIGURE = """
mutation Configure($input: ConfigureArticleInput!) {
  configureArticle(input: $input) { __typename ... on Article { title } }
}
"""
QUEUE = "{ moderationQueue { totalCount } }"
LOG = "{ moderationLog { edges { node { kind } } } }"
STATE = """
query State($comment: ID!, $user: ID!) {
  comment(id: $comment) { body status }
  user(id: $user) { status }
  article(id: "story-1") { title commentsOpen }
}
"""

COMMENT_INPUT = {"commentId": "{comment}", "reason": "because"}
USER_INPUT = {"userId": "{user}", "reason": "because"}
CLOSE_INPUT = {"articleId": "story-1", "open": False, "reason": "because"}
MODERATOR_OPERATIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("amendComment", AMEND, {"input": {**COMMENT_INPUT, "body": "amended"}}),
    ("removeComment", REMOVE, {"input": COMMENT_INPUT}),
    ("restoreComment", RESTORE, {"input": COMMENT_INPUT}),
    ("dismissReports", DISMISS, {"input": COMMENT_INPUT}),
    ("suspendUser", SUSPEND, {"input": {**USER_INPUT, "until": "2099-01-01T00:00:00+00:00"}}),
    ("banUser", BAN, {"input": USER_INPUT}),
    ("reinstateUser", REINSTATE, {"input": USER_INPUT}),
    ("setCommenting", SET_COMMENTING, {"input": CLOSE_INPUT}),
    ("moderationQueue", QUEUE, None),
    ("moderationLog", LOG, None),
]
CONFIGURE_VARIABLES = {"input": {"id": "story-1", "title": "Renamed"}}


def fill(variables: dict[str, Any] | None, comment: str, user: str) -> dict[str, Any] | None:
    """Put real ids where the operation table says {comment} and {user}."""
    if variables is None:
        return None
    given = variables["input"]
    filled = {
        k: v.format(comment=comment, user=user) if isinstance(v, str) else v
        for k, v in given.items()
    }
    return {"input": filled}


async def test_moderator_operations_are_forbidden_to_readers(api: Api) -> None:
    # given: a real comment and author, so a missed role check would change them
    author = await api.person(subscriber=True)
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "original")
    before = await api.data(STATE, {"comment": posted["id"], "user": author.id})

    # when
    codes = {
        name: await api.error_code(
            document, fill(variables, posted["id"], author.id), token=reader.token
        )
        for name, document, variables in MODERATOR_OPERATIONS
    }

    # then
    assert codes == {name: "FORBIDDEN" for name, _, _ in MODERATOR_OPERATIONS}
    assert await api.data(STATE, {"comment": posted["id"], "user": author.id}) == before
    log = await api.data(LOG, token=moderator.token)
    assert log["moderationLog"]["edges"] == []


@pytest.mark.parametrize("role", [Role.READER, Role.MODERATOR])
async def test_configure_article_is_forbidden_below_admin(api: Api, role: Role) -> None:
    person = await api.person(role)

    code = await api.error_code(CONFIGURE, CONFIGURE_VARIABLES, token=person.token)

    assert code == "FORBIDDEN"
    article = await api.data('{ article(id: "story-1") { title } }')
    assert article["article"]["title"] is None


async def test_every_moderation_operation_needs_a_signed_in_user(api: Api) -> None:
    operations = [*MODERATOR_OPERATIONS, ("configureArticle", CONFIGURE, CONFIGURE_VARIABLES)]

    codes = {
        name: await api.error_code(document, fill(variables, "1", "1"))
        for name, document, variables in operations
    }

    assert codes == {name: "UNAUTHENTICATED" for name, _, _ in operations}


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
async def test_moderator_operations_are_open_to_staff(api: Api, role: Role) -> None:
    staff = await api.person(role)

    queue = await api.data(QUEUE, token=staff.token)
    closed = await api.data(SET_COMMENTING, {"input": CLOSE_INPUT}, token=staff.token)

    assert queue["moderationQueue"]["totalCount"] == 0
    assert closed["setCommenting"]["__typename"] == "Article"


async def test_configure_article_is_open_to_admins(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    result = await api.data(CONFIGURE, CONFIGURE_VARIABLES, token=admin.token)

    assert result["configureArticle"] == {"__typename": "Article", "title": "Renamed"}
