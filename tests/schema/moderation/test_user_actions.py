from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from service.clock import clock
from service.models import Role
from tests.schema.moderation.helpers import TUESDAY_11_LONDON, article_as
from tests.support import Api, Person, post_comment

USER_RESULT = """
    __typename
    ... on User { id status suspendedUntil }
    ... on InvalidInput { field }
    ... on Error { message }
"""
SUSPEND = f"""
mutation Suspend($input: SuspendUserInput!) {{ suspendUser(input: $input) {{ {USER_RESULT} }} }}
"""
BAN = f"""
mutation Ban($input: ModerateUserInput!) {{ banUser(input: $input) {{ {USER_RESULT} }} }}
"""
REINSTATE = f"""
mutation Reinstate($input: ModerateUserInput!) {{
  reinstateUser(input: $input) {{ {USER_RESULT} }}
}}
"""
USER = "query U($id: ID!) { user(id: $id) { status suspendedUntil } }"


async def suspend(
    api: Api, actor: Person, user_id: str, until: datetime, reason: str = "Cooling off"
) -> dict[str, Any]:
    variables = {"input": {"userId": user_id, "until": until.isoformat(), "reason": reason}}
    result: dict[str, Any] = (await api.data(SUSPEND, variables, token=actor.token))["suspendUser"]
    return result


async def act(
    api: Api, actor: Person, document: str, user_id: str, reason: str = "Repeated abuse"
) -> dict[str, Any]:
    """Run BAN or REINSTATE; return the result-union value."""
    variables = {"input": {"userId": user_id, "reason": reason}}
    result = await api.data(document, variables, token=actor.token)
    value: dict[str, Any] = next(iter(result.values()))
    return value


async def status(api: Api, user_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.data(USER, {"id": user_id}))["user"]
    return found


async def test_suspend_user_ends_as_the_clock_passes_until(api: Api) -> None:
    # given
    clock.set(TUESDAY_11_LONDON)
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    until = TUESDAY_11_LONDON + timedelta(hours=1)

    # when
    suspended = await suspend(api, moderator, reader.id, until)

    # then: blocked until then
    assert suspended["__typename"] == "User"
    assert suspended["status"] == "SUSPENDED"
    assert datetime.fromisoformat(suspended["suspendedUntil"]) == until
    assert (await article_as(api, reader))["commentPermission"] == {
        "allowed": False,
        "reason": "SUSPENDED",
    }
    posted = await post_comment(api, reader)
    assert posted["__typename"] == "AccountSuspended"
    assert datetime.fromisoformat(posted["until"]) == until

    # when the hour has passed, it is over
    clock.advance(3601)

    assert (await article_as(api, reader))["commentPermission"] == {"allowed": True, "reason": None}
    assert await status(api, reader.id) == {"status": "ACTIVE", "suspendedUntil": None}
    assert (await post_comment(api, reader))["__typename"] == "Comment"


async def test_a_suspension_may_end_years_ahead(api: Api) -> None:
    # given: a moderator sets a long suspension, as a client would write it
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    until = datetime.fromisoformat("2099-01-01T00:00:00+00:00")

    # when
    suspended = await suspend(api, moderator, reader.id, until)

    # then
    assert (suspended["__typename"], suspended["status"]) == ("User", "SUSPENDED")
    assert datetime.fromisoformat(suspended["suspendedUntil"]) == until


@pytest.mark.parametrize(
    "offset",
    [timedelta(seconds=-1), timedelta(0), timedelta(days=100 * 366 + 1)],
    ids=["past", "now", "beyond-a-hundred-years"],
)
async def test_suspend_user_until_past_or_beyond_a_hundred_years_is_invalid_input(
    api: Api, offset: timedelta
) -> None:
    clock.set(TUESDAY_11_LONDON)
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)

    suspended = await suspend(api, moderator, reader.id, clock.now() + offset)

    assert suspended["__typename"] == "InvalidInput"
    assert suspended["field"] == "until"
    assert (await status(api, reader.id))["status"] == "ACTIVE"


async def test_ban_user_blocks_commenting_with_no_end(api: Api) -> None:
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)

    banned = await act(api, moderator, BAN, reader.id)

    assert banned == {
        "__typename": "User",
        "id": reader.id,
        "status": "BANNED",
        "suspendedUntil": None,
    }
    posted = await post_comment(api, reader)
    assert posted["__typename"] == "AccountSuspended"
    assert posted["until"] is None
    assert (await article_as(api, reader))["commentPermission"] == {
        "allowed": False,
        "reason": "BANNED",
    }


async def test_reinstate_user_clears_ban_and_suspension(api: Api) -> None:
    # given: suspended for a month, then banned
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await suspend(api, moderator, reader.id, clock.now() + timedelta(days=30))
    await act(api, moderator, BAN, reader.id)

    # when
    reinstated = await act(api, moderator, REINSTATE, reader.id, reason="Appeal upheld")

    # then
    assert reinstated == {
        "__typename": "User",
        "id": reader.id,
        "status": "ACTIVE",
        "suspendedUntil": None,
    }
    assert (await article_as(api, reader))["commentPermission"]["allowed"] is True
    assert (await post_comment(api, reader))["__typename"] == "Comment"


@pytest.mark.parametrize("target_role", [Role.MODERATOR, Role.ADMIN])
async def test_moderator_acting_on_staff_is_invalid_input(api: Api, target_role: Role) -> None:
    moderator = await api.person(Role.MODERATOR)
    target = await api.person(target_role)

    banned = await act(api, moderator, BAN, target.id)
    suspended = await suspend(api, moderator, target.id, clock.now() + timedelta(days=1))

    for result in (banned, suspended):
        assert (result["__typename"], result["field"]) == ("InvalidInput", "userId")
    assert (await status(api, target.id))["status"] == "ACTIVE"


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.ADMIN])
async def test_acting_on_oneself_is_invalid_input(api: Api, role: Role) -> None:
    actor = await api.person(role)

    banned = await act(api, actor, BAN, actor.id)
    reinstated = await act(api, actor, REINSTATE, actor.id)

    for result in (banned, reinstated):
        assert (result["__typename"], result["field"]) == ("InvalidInput", "userId")
    assert (await status(api, actor.id))["status"] == "ACTIVE"


async def test_admin_acts_on_moderators_but_not_on_admins(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    moderator = await api.person(Role.MODERATOR)
    other_admin = await api.person(Role.ADMIN)

    on_moderator = await act(api, admin, BAN, moderator.id)
    on_admin = await act(api, admin, BAN, other_admin.id)

    assert on_moderator["__typename"] == "User"
    assert on_moderator["status"] == "BANNED"
    assert (on_admin["__typename"], on_admin["field"]) == ("InvalidInput", "userId")
    assert (await status(api, other_admin.id))["status"] == "ACTIVE"


async def test_moderating_an_unknown_user_is_not_found(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)

    results = [
        await act(api, moderator, BAN, "99999"),
        await act(api, moderator, REINSTATE, "99999"),
        await suspend(api, moderator, "99999", clock.now() + timedelta(days=1)),
    ]

    assert [r["__typename"] for r in results] == ["NotFound"] * 3


@pytest.mark.parametrize("reason", ["", "r" * 501], ids=["empty", "too-long"])
async def test_moderating_a_user_without_a_proper_reason_is_invalid_input(
    api: Api, reason: str
) -> None:
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)

    banned = await act(api, moderator, BAN, reader.id, reason=reason)
    suspended = await suspend(api, moderator, reader.id, clock.now() + timedelta(days=1), reason)

    for result in (banned, suspended):
        assert (result["__typename"], result["field"]) == ("InvalidInput", "reason")
    assert (await status(api, reader.id))["status"] == "ACTIVE"
