"""Every moderation action that restricts a user issues exactly one statement of reasons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from service.clock import clock, now
from service.models import Role
from tests.schema.legal.helpers import inbox_of, posted, statements_of
from tests.schema.moderation.helpers import (
    DISMISS,
    REINSTATE,
    RESTORE,
    SATURDAY_NOON_LONDON,
    moderate,
    report,
)
from tests.support import Api, Person

PUBLISH_RULES = """
mutation($body: String!) { publishCommunityRules(body: $body) { __typename } }
"""
AMEND = """
mutation($input: AmendCommentInput!) { amendComment(input: $input) { __typename } }
"""
REMOVE = """
mutation($input: ModerateCommentInput!) { removeComment(input: $input) { __typename } }
"""
SUSPEND = """
mutation($input: SuspendUserInput!) { suspendUser(input: $input) { __typename } }
"""
BAN = "mutation($input: ModerateUserInput!) { banUser(input: $input) { __typename } }"


async def _amend(api: Api, moderator: Person, author: Person, comment_id: str) -> None:
    variables = {"input": {"commentId": comment_id, "body": "[removed]", "reason": "Doxxing"}}
    await api.data(AMEND, variables, token=moderator.token)


async def _remove(api: Api, moderator: Person, author: Person, comment_id: str) -> None:
    variables = {"input": {"commentId": comment_id, "reason": "Abuse"}}
    await api.data(REMOVE, variables, token=moderator.token)


async def _suspend(api: Api, moderator: Person, author: Person, comment_id: str) -> None:
    until = (now() + timedelta(days=3)).isoformat()
    variables = {"input": {"userId": author.id, "until": until, "reason": "Cooling off"}}
    await api.data(SUSPEND, variables, token=moderator.token)


async def _ban(api: Api, moderator: Person, author: Person, comment_id: str) -> None:
    variables = {"input": {"userId": author.id, "reason": "Repeated abuse"}}
    await api.data(BAN, variables, token=moderator.token)


ACTIONS: list[tuple[Any, str, str, str]] = [
    (_amend, "COMMENT_AMENDED", "Doxxing", "COMMENT_RESTRICTED"),
    (_remove, "COMMENT_REMOVED", "Abuse", "COMMENT_RESTRICTED"),
    (_suspend, "ACCOUNT_SUSPENDED", "Cooling off", "ACCOUNT_RESTRICTED"),
    (_ban, "ACCOUNT_BANNED", "Repeated abuse", "ACCOUNT_RESTRICTED"),
]


@pytest.mark.parametrize(
    ("action", "restriction", "reason", "notification"),
    ACTIONS,
    ids=["amend", "remove", "suspend", "ban"],
)
async def test_a_restricting_action_issues_one_statement_and_tells_the_user(
    api: Api, action: Any, restriction: str, reason: str, notification: str
) -> None:
    # given published rules, version 2, and a comment
    admin = await api.person(Role.ADMIN)
    for body in ("Be kind.", "Be kind. No doxxing."):
        await api.data(PUBLISH_RULES, {"body": body}, token=admin.token)
    moderator = await api.person(Role.MODERATOR)
    author = await api.person(subscriber=True)
    await api.data(
        "mutation { acceptCommunityRules(version: 2) { __typename } }", token=author.token
    )
    comment_id = await posted(api, author)

    # when a moderator restricts the author
    await action(api, moderator, author, comment_id)

    # then the author holds exactly one statement, saying why, on which rules
    [statement] = await statements_of(api, author)
    assert statement["restriction"] == restriction
    assert (statement["ground"], statement["rulesVersion"]) == ("COMMUNITY_RULES", 2)
    assert statement["reason"] == reason
    assert statement["automated"] is False
    issued = datetime.fromisoformat(statement["createdAt"])
    appealable_for = datetime.fromisoformat(statement["appealableUntil"]) - issued
    assert timedelta(days=181) <= appealable_for <= timedelta(days=184)  # six months
    comment_statement = restriction.startswith("COMMENT")
    assert (statement["comment"] is not None) == comment_statement
    inbox = await inbox_of(api, author)
    [line] = [e["node"] for e in inbox["notifications"]["edges"]]
    assert line["kind"] == notification
    assert line["statement"] == {"id": statement["id"], "restriction": restriction}


async def test_auto_hide_issues_one_automated_statement(api: Api) -> None:
    clock.set(SATURDAY_NOON_LONDON)  # part-time moderation: three reporters hide a comment
    author = await api.person(subscriber=True)
    comment_id = await posted(api, author)
    for _ in range(3):
        await report(api, await api.person(), comment_id)

    [statement] = await statements_of(api, author)

    assert statement["restriction"] == "COMMENT_HIDDEN"
    assert statement["automated"] is True
    assert statement["comment"] == {"id": comment_id, "status": "HIDDEN"}
    assert statement["reason"] == "3 readers reported it while moderation was part-time"


async def test_actions_that_restrict_no_one_issue_no_statement(api: Api) -> None:
    clock.set(SATURDAY_NOON_LONDON)
    moderator = await api.person(Role.MODERATOR)
    author = await api.person(subscriber=True)
    hidden = await posted(api, author, "One")
    for _ in range(3):
        await report(api, await api.person(), hidden)
    reported = await posted(api, author, "Two")
    await report(api, await api.person(), reported)

    await moderate(api, moderator, RESTORE, hidden)
    await moderate(api, moderator, DISMISS, reported)
    await api.data(
        REINSTATE, {"input": {"userId": author.id, "reason": "Fine"}}, token=moderator.token
    )

    assert [s["restriction"] for s in await statements_of(api, author)] == ["COMMENT_HIDDEN"]


async def test_statements_are_their_users_and_staffs_only(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    author = await api.person(subscriber=True)
    stranger = await api.person()
    await _remove(api, moderator, author, await posted(api, author))
    query = "query($id: ID!) { user(id: $id) { statements { edges { node { id } } } } }"

    as_stranger = await api.data(query, {"id": author.id}, token=stranger.token)
    as_moderator = await api.data(query, {"id": author.id}, token=moderator.token)
    signed_out = await api.data(query, {"id": author.id})

    assert as_stranger["user"]["statements"] is None
    assert signed_out["user"]["statements"] is None
    assert len(as_moderator["user"]["statements"]["edges"]) == 1
