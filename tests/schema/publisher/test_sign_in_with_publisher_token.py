"""signInWithPublisherToken: the publisher's login token becomes a btl session."""

from __future__ import annotations

from typing import Any

from service import display_names
from service.api_keys import Scope
from service.models import Role, User
from tests.schema.publisher.conftest import MakeApi
from tests.sso_support import ISSUER, SigningKey, api_key, mint, mint_hs256
from tests.support import PASSWORD, Api

SIGN_IN = """
mutation SignIn($token: String!) {
  signInWithPublisherToken(token: $token) {
    __typename
    ... on AuthSession {
      token
      user { id displayName email externalSubject isSubscriber
             entitlements { product source ref active } }
    }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""
ME = "{ me { id displayName externalSubject entitlements { product source ref } } }"
REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { __typename ... on Error { message } }
}
"""
UPSERT = """
mutation Upsert($input: UpsertEntitlementInput!) {
  upsertEntitlement(input: $input) { __typename ... on Entitlement { id ref } }
}
"""


async def sign_in(api: Api, token: str) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(SIGN_IN, {"token": token}))["signInWithPublisherToken"]
    return result


async def test_first_sign_in_creates_the_account_and_a_working_session(
    publisher_api: Api, key_a: SigningKey
) -> None:
    # when
    result = await sign_in(publisher_api, mint(key_a, sub="reader-42", name="Ada Reader"))

    # then
    assert result["__typename"] == "AuthSession"
    user = result["user"]
    assert user["displayName"] == "Ada Reader"
    assert user["email"] == "ada@example.com"
    assert user["externalSubject"] == "reader-42"
    me = (await publisher_api.data(ME, token=result["token"]))["me"]
    assert me["id"] == user["id"]
    stored = await User.get(id=int(user["id"]))
    assert (stored.external_issuer, stored.password_hash) == (ISSUER, None)


async def test_signing_in_again_finds_the_account_by_issuer_and_subject(
    publisher_api: Api, key_a: SigningKey
) -> None:
    first = await sign_in(publisher_api, mint(key_a, sub="reader-7", email="old@example.com"))

    again = await sign_in(
        publisher_api, mint(key_a, sub="reader-7", name="Another Name", email="new@example.com")
    )

    assert again["user"]["id"] == first["user"]["id"]
    assert again["user"]["displayName"] == first["user"]["displayName"]  # chosen once
    assert again["user"]["email"] == "new@example.com"
    assert await User.filter(external_subject="reader-7").count() == 1


async def test_a_local_account_is_never_taken_over_by_email(
    publisher_api: Api, key_a: SigningKey
) -> None:
    # given a local account with the email the token brings
    local = await publisher_api.person(name="Local Ada")

    # when
    result = await sign_in(publisher_api, mint(key_a, sub="sso-ada", email=local.email))

    # then a separate account, without the email another account holds
    assert result["user"]["id"] != local.id
    assert result["user"]["email"] is None
    local_user = await User.get(id=int(local.id))
    assert (local_user.email, local_user.external_subject) == (local.email, None)
    login = await publisher_api.data(
        """mutation($i: LoginInput!) { login(input: $i) { __typename } }""",
        {"i": {"email": local.email, "password": PASSWORD}},
    )
    assert login["login"]["__typename"] == "AuthSession"


async def test_a_taken_display_name_gets_a_numeric_suffix(
    publisher_api: Api, key_a: SigningKey
) -> None:
    await publisher_api.person(name="ada reader")  # taken, ignoring case

    first = await sign_in(publisher_api, mint(key_a, sub="one", name="Ada Reader"))
    second = await sign_in(publisher_api, mint(key_a, sub="two", name="Ada Reader"))

    assert first["user"]["displayName"] == "Ada Reader 2"
    assert second["user"]["displayName"] == "Ada Reader 3"


async def test_a_long_name_is_cut_to_leave_room_for_the_suffix(
    publisher_api: Api, key_a: SigningKey
) -> None:
    long_name = "N" * 80
    await sign_in(publisher_api, mint(key_a, sub="one", name=long_name))

    second = await sign_in(publisher_api, mint(key_a, sub="two", name=long_name))

    name = second["user"]["displayName"]
    assert len(name) <= display_names.MAX_DISPLAY_NAME
    assert name.endswith(" 2")


async def test_a_name_with_control_characters_falls_back_to_reader(
    publisher_api: Api, key_a: SigningKey
) -> None:
    result = await sign_in(publisher_api, mint(key_a, sub="odd", name="Evil\u0007\u001bName"))

    assert result["__typename"] == "AuthSession"
    assert result["user"]["displayName"] == "Reader"


async def test_a_token_without_a_name_gets_a_unique_fallback(
    publisher_api: Api, key_a: SigningKey
) -> None:
    first = await sign_in(publisher_api, mint(key_a, sub="a", name=None, email=None))
    second = await sign_in(publisher_api, mint(key_a, sub="b", name=None, email=None))

    assert [first["user"]["displayName"], second["user"]["displayName"]] == ["Reader", "Reader 2"]
    assert first["user"]["email"] is None


async def test_the_entitlements_claim_replaces_the_readers_sso_entitlements(
    publisher_api: Api, key_a: SigningKey
) -> None:
    digital = {"product": "digital", "startsAt": "2020-01-01T00:00:00Z", "endsAt": None}
    first = await sign_in(publisher_api, mint(key_a, entitlements=[digital]))
    assert first["user"]["isSubscriber"] is True
    assert first["user"]["entitlements"] == [
        {"product": "digital", "source": "SSO", "ref": None, "active": True}
    ]

    # when the next token says the subscription is gone
    again = await sign_in(publisher_api, mint(key_a, entitlements=[]))

    # then
    assert again["user"]["isSubscriber"] is False
    assert again["user"]["entitlements"] == []


async def test_a_token_without_the_claim_keeps_the_sso_entitlements(
    publisher_api: Api, key_a: SigningKey
) -> None:
    digital = {"product": "digital", "startsAt": 1577836800}  # a NumericDate works too
    await sign_in(publisher_api, mint(key_a, entitlements=[digital]))

    again = await sign_in(publisher_api, mint(key_a))

    assert [e["source"] for e in again["user"]["entitlements"]] == ["SSO"]


async def test_the_claim_leaves_other_sources_alone(publisher_api: Api, key_a: SigningKey) -> None:
    first = await sign_in(publisher_api, mint(key_a))
    admin = await publisher_api.person(Role.ADMIN)
    await publisher_api.data(
        """mutation($i: GrantEntitlementInput!) { grantEntitlement(input: $i) { __typename } }""",
        {"i": {"userId": first["user"]["id"], "product": "print", "startsAt": "2020-01-01T00:00Z"}},
        token=admin.token,
    )

    again = await sign_in(publisher_api, mint(key_a, entitlements=[]))

    assert [(e["product"], e["source"]) for e in again["user"]["entitlements"]] == [
        ("print", "ADMIN")
    ]


async def test_subscription_entitlements_sent_before_first_sign_in_are_attached(
    publisher_api: Api, key_a: SigningKey
) -> None:
    # given the subscription system names a reader who has never signed in
    key = await api_key(Scope.ENTITLEMENTS)
    upsert = {
        "ref": "sub_123",
        "subject": "reader-new",
        "product": "digital",
        "startsAt": "2020-01-01T00:00:00Z",
        "updatedAt": "2024-05-01T10:00:00Z",
    }
    sent = await publisher_api.data(UPSERT, {"input": upsert}, token=key)
    assert sent["upsertEntitlement"]["__typename"] == "Entitlement"

    # when they sign in for the first time
    result = await sign_in(publisher_api, mint(key_a, sub="reader-new"))

    # then
    assert result["user"]["isSubscriber"] is True
    assert result["user"]["entitlements"] == [
        {"product": "digital", "source": "SUBSCRIPTION_SYSTEM", "ref": "sub_123", "active": True}
    ]


async def test_an_hs256_token_signed_with_the_secret_works(publisher_api: Api) -> None:
    result = await sign_in(publisher_api, mint_hs256(sub="hs-reader"))

    assert result["__typename"] == "AuthSession"
    assert result["user"]["externalSubject"] == "hs-reader"


async def test_sign_in_without_sso_set_up_is_not_allowed(api: Api, key_a: SigningKey) -> None:
    result = await sign_in(api, mint(key_a))

    assert result["__typename"] == "NotAllowed"
    assert await User.all().count() == 0


async def test_register_is_off_when_local_sign_up_is(
    make_publisher_api: MakeApi, key_a: SigningKey
) -> None:
    api = await make_publisher_api(local_signup=False)
    registration = {
        "email": "x@example.com",
        "password": "a long enough secret",
        "displayName": "X",
    }

    result = await api.data(REGISTER, {"input": registration})

    assert result["register"]["__typename"] == "NotAllowed"
    assert await User.all().count() == 0
    # staff accounts made by the operator still sign in, and SSO still works
    await api.person(Role.ADMIN)
    assert (await sign_in(api, mint(key_a)))["__typename"] == "AuthSession"
