from __future__ import annotations

from service.clock import clock
from tests.support import LOGIN, PASSWORD, Api

ME = "{ me { id } }"
LOGOUT = "mutation { logout }"
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) {
    __typename
    ... on User { id }
    ... on InvalidInput { field }
    ... on Error { message }
  }
}
"""
ACCEPT_RULES = "mutation { acceptCommunityRules(version: 1) { __typename } }"


async def test_token_expires_after_the_configured_lifetime(api: Api) -> None:
    person = await api.person()
    clock.advance(30 * 86400 - 60)
    assert (await api.data(ME, token=person.token))["me"] == {"id": person.id}

    clock.advance(120)

    assert (await api.data(ME, token=person.token))["me"] is None
    assert await api.error_code(ACCEPT_RULES, token=person.token) == "UNAUTHENTICATED"


async def test_logout_revokes_only_the_presented_token(api: Api) -> None:
    person = await api.person()
    other = await api.data(LOGIN, {"input": {"email": person.email, "password": PASSWORD}})
    other_token = other["login"]["token"]

    assert (await api.data(LOGOUT, token=person.token))["logout"] is True

    assert (await api.data(ME, token=person.token))["me"] is None
    assert (await api.data(ME, token=other_token))["me"] == {"id": person.id}


async def test_a_garbage_token_is_anonymous(api: Api) -> None:
    assert (await api.data(ME, token="not-a-token"))["me"] is None


async def test_change_password_revokes_other_sessions_and_keeps_this_one(api: Api) -> None:
    person = await api.person()
    other = await api.data(LOGIN, {"input": {"email": person.email, "password": PASSWORD}})

    result = await api.data(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"}},
        token=person.token,
    )

    assert result["changePassword"] == {"__typename": "User", "id": person.id}
    assert (await api.data(ME, token=person.token))["me"] == {"id": person.id}
    assert (await api.data(ME, token=other["login"]["token"]))["me"] is None
    relogin = await api.data(
        LOGIN, {"input": {"email": person.email, "password": "a brand new passphrase"}}
    )
    assert relogin["login"]["__typename"] == "AuthSession"


async def test_change_password_with_a_wrong_current_password(api: Api) -> None:
    person = await api.person()

    result = await api.data(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": "wrong wrong", "newPassword": "a brand new passphrase"}},
        token=person.token,
    )

    assert result["changePassword"]["__typename"] == "InvalidCredentials"


async def test_change_password_to_a_short_one_is_invalid(api: Api) -> None:
    person = await api.person()

    result = await api.data(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": PASSWORD, "newPassword": "short"}},
        token=person.token,
    )

    assert result["changePassword"]["__typename"] == "InvalidInput"
    assert result["changePassword"]["field"] == "newPassword"


async def test_change_password_needs_a_signed_in_user(api: Api) -> None:
    variables = {"input": {"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"}}
    assert await api.error_code(CHANGE_PASSWORD, variables) == "UNAUTHENTICATED"
