from __future__ import annotations

from service.models import Role
from tests.support import Api

SET_ROLE = """
mutation SetRole($userId: ID!, $role: Role!) {
  setUserRole(userId: $userId, role: $role) {
    __typename
    ... on User { id role }
    ... on InvalidInput { field }
    ... on NotFound { message }
  }
}
"""
PUBLISH = """
mutation Publish($body: String!) {
  publishCommunityRules(body: $body) {
    __typename
    ... on CommunityRules { version body updatedAt }
    ... on InvalidInput { field }
  }
}
"""
RULES = "{ communityRules { version body updatedAt } }"
ACCEPT = """
mutation Accept($version: Int!) {
  acceptCommunityRules(version: $version) {
    __typename
    ... on User { acceptedRulesVersion }
    ... on InvalidInput { field }
  }
}
"""


async def test_admin_promotes_a_reader_to_moderator(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    reader = await api.person()

    result = await api.data(SET_ROLE, {"userId": reader.id, "role": "MODERATOR"}, token=admin.token)

    assert result["setUserRole"] == {"__typename": "User", "id": reader.id, "role": "MODERATOR"}


async def test_the_last_admin_cannot_be_demoted(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    result = await api.data(SET_ROLE, {"userId": admin.id, "role": "READER"}, token=admin.token)

    assert result["setUserRole"] == {"__typename": "InvalidInput", "field": "role"}


async def test_an_admin_can_be_demoted_while_another_remains(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    other = await api.person(Role.ADMIN)

    result = await api.data(SET_ROLE, {"userId": other.id, "role": "READER"}, token=admin.token)

    assert result["setUserRole"]["role"] == "READER"


async def test_set_role_of_an_unknown_user_is_not_found(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    result = await api.data(SET_ROLE, {"userId": "777", "role": "READER"}, token=admin.token)

    assert result["setUserRole"]["__typename"] == "NotFound"


async def test_set_role_is_admin_only(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)

    code = await api.error_code(
        SET_ROLE, {"userId": moderator.id, "role": "ADMIN"}, moderator.token
    )

    assert code == "FORBIDDEN"


async def test_rules_are_null_until_published_then_versioned(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    assert (await api.data(RULES))["communityRules"] is None

    first = await api.data(PUBLISH, {"body": "Be civil."}, token=admin.token)
    second = await api.data(PUBLISH, {"body": "Be civil.\nNo spam."}, token=admin.token)

    assert first["publishCommunityRules"]["version"] == 1
    assert second["publishCommunityRules"]["version"] == 2
    current = (await api.data(RULES))["communityRules"]
    assert current["version"] == 2
    assert current["body"] == "Be civil.\nNo spam."
    assert current["updatedAt"] == second["publishCommunityRules"]["updatedAt"]


async def test_publish_rules_with_bad_bodies(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    for body in ("  ", "x" * 20_001, "bad \x00 byte"):
        result = await api.data(PUBLISH, {"body": body}, token=admin.token)
        assert result["publishCommunityRules"] == {"__typename": "InvalidInput", "field": "body"}


async def test_publish_rules_is_admin_only(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)

    assert await api.error_code(PUBLISH, {"body": "x"}, moderator.token) == "FORBIDDEN"


async def test_accept_only_the_current_version(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    reader = await api.person()
    assert (await api.data(ACCEPT, {"version": 1}, token=reader.token))["acceptCommunityRules"][
        "__typename"
    ] == "InvalidInput"
    await api.data(PUBLISH, {"body": "v1"}, token=admin.token)
    await api.data(PUBLISH, {"body": "v2"}, token=admin.token)

    old = await api.data(ACCEPT, {"version": 1}, token=reader.token)
    current = await api.data(ACCEPT, {"version": 2}, token=reader.token)

    assert old["acceptCommunityRules"] == {"__typename": "InvalidInput", "field": "version"}
    assert current["acceptCommunityRules"] == {"__typename": "User", "acceptedRulesVersion": 2}


async def test_accept_rules_needs_a_signed_in_user(api: Api) -> None:
    assert await api.error_code(ACCEPT, {"version": 1}) == "UNAUTHENTICATED"
