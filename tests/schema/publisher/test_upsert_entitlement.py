"""upsertEntitlement: the subscription system's changes, keyed by its own id, in any order."""

from __future__ import annotations

from typing import Any

import pytest

from service.api_keys import Scope
from service.models import Entitlement, EntitlementSource, Role
from tests.schema.publisher.test_sign_in_with_publisher_token import sign_in
from tests.sso_support import SigningKey, api_key, mint
from tests.support import Api

UPSERT = """
mutation Upsert($input: UpsertEntitlementInput!) {
  upsertEntitlement(input: $input) {
    __typename
    ... on Entitlement { id product startsAt endsAt revokedAt active source ref }
    ... on InvalidInput { field message }
  }
}
"""
MY_ENTITLEMENTS = "{ me { isSubscriber entitlements { product source ref active } } }"


def change(**overrides: Any) -> dict[str, Any]:
    values = {
        "ref": "sub_1",
        "product": "digital",
        "startsAt": "2020-01-01T00:00:00Z",
        "endsAt": None,
        "updatedAt": "2024-05-01T10:00:00Z",
        **overrides,
    }
    return {"input": {key: value for key, value in values.items() if value != "-"}}


async def upsert(api: Api, token: str, **overrides: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(UPSERT, change(**overrides), token=token))[
        "upsertEntitlement"
    ]
    return result


async def test_an_upsert_creates_then_updates_the_entitlement_by_ref(publisher_api: Api) -> None:
    key = await api_key(Scope.ENTITLEMENTS)
    reader = await publisher_api.person()

    created = await upsert(publisher_api, key, userId=reader.id)
    updated = await upsert(
        publisher_api,
        key,
        userId=reader.id,
        product="print+digital",
        updatedAt="2024-05-02T10:00:00Z",
    )

    assert created["__typename"] == "Entitlement"
    assert (created["source"], created["ref"]) == ("SUBSCRIPTION_SYSTEM", "sub_1")
    assert updated["id"] == created["id"]
    assert updated["product"] == "print+digital"
    me = (await publisher_api.data(MY_ENTITLEMENTS, token=reader.token))["me"]
    assert me["entitlements"] == [
        {
            "product": "print+digital",
            "source": "SUBSCRIPTION_SYSTEM",
            "ref": "sub_1",
            "active": True,
        }
    ]


async def test_an_older_update_arriving_late_is_ignored(publisher_api: Api) -> None:
    key = await api_key(Scope.ENTITLEMENTS)
    reader = await publisher_api.person()
    await upsert(publisher_api, key, userId=reader.id, revoked=True, updatedAt="2024-05-02T00:00Z")

    # when the earlier change (still active) arrives after it
    late = await upsert(publisher_api, key, userId=reader.id, updatedAt="2024-05-01T00:00Z")

    # then the stored, newer one stands
    assert late["revokedAt"] is not None
    assert late["active"] is False
    assert (await publisher_api.data(MY_ENTITLEMENTS, token=reader.token))["me"][
        "isSubscriber"
    ] is False


async def test_the_same_update_twice_changes_nothing(publisher_api: Api) -> None:
    key = await api_key(Scope.ENTITLEMENTS)
    reader = await publisher_api.person()

    first = await upsert(publisher_api, key, userId=reader.id)
    again = await upsert(publisher_api, key, userId=reader.id)

    assert again == first
    assert await Entitlement.all().count() == 1


async def test_a_revoked_entitlement_can_be_reinstated_by_a_newer_update(
    publisher_api: Api,
) -> None:
    key = await api_key(Scope.ENTITLEMENTS)
    reader = await publisher_api.person()
    await upsert(publisher_api, key, userId=reader.id, revoked=True, updatedAt="2024-05-01T00:00Z")

    reinstated = await upsert(publisher_api, key, userId=reader.id, updatedAt="2024-06-01T00:00Z")

    assert (reinstated["revokedAt"], reinstated["active"]) == (None, True)


async def test_an_upsert_by_subject_reaches_a_reader_who_signed_in(
    publisher_api: Api, key_a: SigningKey
) -> None:
    session = await sign_in(publisher_api, mint(key_a, sub="reader-9"))
    key = await api_key(Scope.ENTITLEMENTS)

    await upsert(publisher_api, key, subject="reader-9")

    me = (await publisher_api.data(MY_ENTITLEMENTS, token=session["token"]))["me"]
    assert me["isSubscriber"] is True
    stored = await Entitlement.get(ref="sub_1")
    assert (stored.user_id, stored.source) == (
        int(session["user"]["id"]),
        EntitlementSource.SUBSCRIPTION_SYSTEM,
    )


async def test_an_admin_may_upsert_too(publisher_api: Api) -> None:
    admin = await publisher_api.person(Role.ADMIN)
    reader = await publisher_api.person()

    assert (await upsert(publisher_api, admin.token, userId=reader.id))["__typename"] == (
        "Entitlement"
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"userId": "-", "subject": "-"}, "userId"),
        ({"subject": "reader-1"}, "userId"),  # and userId: both
        ({"userId": "999999"}, "userId"),
        ({"userId": "99999999999999999999"}, "userId"),  # past the id column: not a 500
        ({"userId": "²"}, "userId"),  # a digit int() cannot read
        ({"endsAt": "2019-01-01T00:00:00Z"}, "endsAt"),
        ({"ref": "r" * 256}, "ref"),
        ({"ref": " "}, "ref"),
        ({"ref": "bad\u0000ref"}, "ref"),
        ({"product": ""}, "product"),
        ({"subject": "s" * 256, "userId": "-"}, "subject"),
        ({"updatedAt": "2024-05-01T10:00:00"}, "updatedAt"),  # no time zone
    ],
)
async def test_bad_input_is_invalid_input_and_stores_nothing(
    publisher_api: Api, overrides: dict[str, Any], field: str
) -> None:
    key = await api_key(Scope.ENTITLEMENTS)
    reader = await publisher_api.person()
    overrides = {"userId": reader.id, **overrides}

    result = await upsert(publisher_api, key, **overrides)

    assert result["__typename"] == "InvalidInput"
    assert result["field"] == field
    assert await Entitlement.all().count() == 0


async def test_readers_and_keys_without_the_scope_are_refused(publisher_api: Api) -> None:
    reader = await publisher_api.person()
    articles_key = await api_key(Scope.ARTICLES, name="cms")

    assert await publisher_api.error_code(UPSERT, change(userId=reader.id)) == "UNAUTHENTICATED"
    for token in (reader.token, articles_key):
        code = await publisher_api.error_code(UPSERT, change(userId=reader.id), token=token)
        assert code == "FORBIDDEN"
    assert await Entitlement.all().count() == 0
