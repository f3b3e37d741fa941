"""A banned or suspended moderator or admin keeps the role but loses its powers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from service.clock import now
from service.models import Role, User
from tests.schema.moderation.helpers import BAN, SUSPEND, comment_as, report
from tests.schema.moderation.test_roles import (
    CONFIGURE,
    CONFIGURE_VARIABLES,
    LOG,
    MODERATOR_OPERATIONS,
    STATE,
    fill,
)
from tests.support import Api, Person, post_comment


async def _errors(api: Api, person: Person, comment_id: str, user_id: str) -> dict[str, Any]:
    """Per operation, the code and message of its first GraphQL error."""
    answers = {}
    for name, document, variables in [
        *MODERATOR_OPERATIONS,
        ("configureArticle", CONFIGURE, CONFIGURE_VARIABLES),
    ]:
        body = await api.gql(document, fill(variables, comment_id, user_id), token=person.token)
        error = body["errors"][0]
        answers[name] = (error["extensions"]["code"], error["message"])
    return answers


@pytest.mark.parametrize("sanction", ["banned", "suspended"])
async def test_staff_operations_are_forbidden_to_a_sanctioned_moderator(
    api: Api, sanction: str
) -> None:
    # given: a moderator an admin has banned or suspended, and a reported comment
    admin = await api.person(Role.ADMIN)
    moderator = await api.person(Role.MODERATOR)
    author = await api.person(subscriber=True)
    posted = await post_comment(api, author, "original")
    await report(api, await api.person(), posted["id"])
    if sanction == "banned":
        variables: dict[str, Any] = {"input": {"userId": moderator.id, "reason": "abuse"}}
        banned = await api.data(BAN, variables, token=admin.token)
        assert banned["banUser"]["__typename"] == "User"
    else:
        until = (now() + timedelta(days=30)).isoformat()
        variables = {"input": {"userId": moderator.id, "reason": "abuse", "until": until}}
        suspended = await api.data(SUSPEND, variables, token=admin.token)
        assert suspended["suspendUser"]["__typename"] == "User"
    before = await api.data(STATE, {"comment": posted["id"], "user": author.id})

    # when
    answers = await _errors(api, moderator, posted["id"], author.id)

    # then: every staff operation is refused with a message saying why, and nothing changed
    message = f"Your account is {sanction}: staff actions are not available."
    expected = {name: ("FORBIDDEN", message) for name, _, _ in MODERATOR_OPERATIONS}
    # the role check comes first
    expected["configureArticle"] = (
        "FORBIDDEN",
        "Admins and API keys with the `articles` scope only.",
    )
    assert answers == expected
    assert await api.data(STATE, {"comment": posted["id"], "user": author.id}) == before
    log = await api.data(LOG, token=admin.token)
    assert [edge["node"]["kind"] for edge in log["moderationLog"]["edges"]] == [
        "BAN_USER" if sanction == "banned" else "SUSPEND_USER"
    ]
    # nor does the role show them what only staff see
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None and seen["openReportCount"] is None


async def test_admin_operations_are_forbidden_to_a_banned_admin(api: Api) -> None:
    # given: admins cannot ban each other through the API; the account is banned in storage
    admin = await api.person(Role.ADMIN)
    await User.filter(id=int(admin.id)).update(banned=True)

    # when
    body = await api.gql(CONFIGURE, CONFIGURE_VARIABLES, token=admin.token)

    # then
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["message"] == (
        "Your account is banned: staff actions are not available."
    )
    article = await api.data('{ article(id: "story-1") { title } }')
    assert article["article"]["title"] is None
