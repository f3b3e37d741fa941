from __future__ import annotations

from datetime import timedelta

from service.clock import clock, now
from service.models import Role
from tests.support import Api

GRANT = """
mutation Grant($input: GrantEntitlementInput!) {
  grantEntitlement(input: $input) {
    __typename
    ... on Entitlement { id product startsAt endsAt revokedAt active }
    ... on InvalidInput { field }
    ... on NotFound { message }
  }
}
"""
REVOKE = """
mutation Revoke($id: ID!) {
  revokeEntitlement(id: $id) {
    __typename
    ... on Entitlement { id revokedAt active }
    ... on Error { message }
  }
}
"""
IS_SUBSCRIBER = "{ me { isSubscriber entitlements { active } } }"


def grant(user_id: str, days: int | None = 30, product: str = "digital") -> dict[str, object]:
    start = now()
    return {
        "input": {
            "userId": user_id,
            "product": product,
            "startsAt": start.isoformat(),
            "endsAt": (start + timedelta(days=days)).isoformat() if days else None,
        }
    }


async def test_admin_grants_an_entitlement_and_the_reader_becomes_a_subscriber(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    reader = await api.person()
    assert (await api.data(IS_SUBSCRIBER, token=reader.token))["me"]["isSubscriber"] is False

    result = (await api.data(GRANT, grant(reader.id), token=admin.token))["grantEntitlement"]

    assert result["__typename"] == "Entitlement"
    assert result["active"] is True
    assert (await api.data(IS_SUBSCRIBER, token=reader.token))["me"]["isSubscriber"] is True


async def test_an_entitlement_expires_as_time_passes(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    reader = await api.person()
    await api.data(GRANT, grant(reader.id, days=1), token=admin.token)

    clock.advance(86400 + 1)

    me = (await api.data(IS_SUBSCRIBER, token=reader.token))["me"]
    assert me == {"isSubscriber": False, "entitlements": [{"active": False}]}


async def test_grace_period_keeps_an_ended_entitlement_active(make_api: object) -> None:
    api: Api = await make_api(entitlement_grace_seconds=3600)  # type: ignore[operator]
    async with api.client:
        admin = await api.person(Role.ADMIN)
        reader = await api.person()
        await api.data(GRANT, grant(reader.id, days=1), token=admin.token)
        clock.advance(86400 + 1800)
        assert (await api.data(IS_SUBSCRIBER, token=reader.token))["me"]["isSubscriber"] is True
        clock.advance(3600)
        assert (await api.data(IS_SUBSCRIBER, token=reader.token))["me"]["isSubscriber"] is False
    clock.reset()


async def test_only_configured_products_entitle_commenting(make_api: object) -> None:
    api: Api = await make_api(commenting_products=frozenset({"digital"}))  # type: ignore[operator]
    async with api.client:
        admin = await api.person(Role.ADMIN)
        reader = await api.person()
        await api.data(GRANT, grant(reader.id, product="crossword"), token=admin.token)

        me = (await api.data(IS_SUBSCRIBER, token=reader.token))["me"]

    assert me == {"isSubscriber": False, "entitlements": [{"active": True}]}


async def test_revoking_ends_the_entitlement_and_twice_returns_the_same_record(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    reader = await api.person()
    granted = (await api.data(GRANT, grant(reader.id), token=admin.token))["grantEntitlement"]

    first = (await api.data(REVOKE, {"id": granted["id"]}, token=admin.token))["revokeEntitlement"]
    second = (await api.data(REVOKE, {"id": granted["id"]}, token=admin.token))["revokeEntitlement"]

    assert first["active"] is False
    assert first == second
    assert (await api.data(IS_SUBSCRIBER, token=reader.token))["me"]["isSubscriber"] is False


async def test_grant_with_bad_input(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    reader = await api.person()
    backwards = grant(reader.id)
    backwards["input"]["endsAt"] = (now() - timedelta(days=1)).isoformat()  # type: ignore[index]

    empty = await api.data(GRANT, grant(reader.id, product=" "), token=admin.token)
    long = await api.data(GRANT, grant(reader.id, product="p" * 65), token=admin.token)
    ends_first = await api.data(GRANT, backwards, token=admin.token)
    nobody = await api.data(GRANT, grant("424242"), token=admin.token)
    missing = await api.data(REVOKE, {"id": "424242"}, token=admin.token)

    assert empty["grantEntitlement"] == {"__typename": "InvalidInput", "field": "product"}
    assert long["grantEntitlement"] == {"__typename": "InvalidInput", "field": "product"}
    assert ends_first["grantEntitlement"] == {"__typename": "InvalidInput", "field": "endsAt"}
    assert nobody["grantEntitlement"]["__typename"] == "NotFound"
    assert missing["revokeEntitlement"]["__typename"] == "NotFound"


async def test_entitlements_are_admin_only(api: Api) -> None:
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)

    assert await api.error_code(GRANT, grant(reader.id)) == "UNAUTHENTICATED"
    assert await api.error_code(GRANT, grant(reader.id), token=reader.token) == "FORBIDDEN"
    assert await api.error_code(GRANT, grant(reader.id), token=moderator.token) == "FORBIDDEN"
    assert await api.error_code(REVOKE, {"id": "1"}, token=moderator.token) == "FORBIDDEN"
