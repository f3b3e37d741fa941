from __future__ import annotations

import pytest

from tests.support import Api

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    __typename
    ... on AuthSession { token expiresAt user { id displayName email role status isSubscriber } }
    ... on InvalidInput { message field }
    ... on Error { message }
    ... on RateLimited { retryAfterSeconds }
  }
}
"""
ME = "{ me { id email displayName } }"


def registration(**overrides: str) -> dict[str, dict[str, str]]:
    values = {"email": "ada@example.com", "password": "a long enough secret", "displayName": "Ada"}
    return {"input": {**values, **overrides}}


async def test_register_returns_a_working_session(api: Api) -> None:
    # when
    result = (await api.data(REGISTER, registration(email="  Ada@Example.COM ")))["register"]

    # then
    assert result["__typename"] == "AuthSession"
    assert result["user"]["email"] == "ada@example.com"
    assert result["user"]["role"] == "READER"
    assert result["user"]["status"] == "ACTIVE"
    assert result["user"]["isSubscriber"] is False
    assert len(result["token"]) >= 43
    me = (await api.data(ME, token=result["token"]))["me"]
    assert me["displayName"] == "Ada"


async def test_register_with_a_taken_email_is_email_taken(api: Api) -> None:
    await api.data(REGISTER, registration())

    result = await api.data(REGISTER, registration(email="ADA@example.com", displayName="B"))

    assert result["register"]["__typename"] == "EmailTaken"


async def test_register_with_a_taken_display_name_in_other_case_is_invalid(api: Api) -> None:
    await api.data(REGISTER, registration())

    result = await api.data(REGISTER, registration(email="b@example.com", displayName=" aDA "))

    assert result["register"] == {
        "__typename": "InvalidInput",
        "message": "That display name is taken.",
        "field": "displayName",
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 250 + "@example.com"}, "email"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 1025}, "password"),
        ({"password": "ada@example.com"}, "password"),
        ({"password": "Ada Lovelace", "displayName": "ada lovelace"}, "password"),
        ({"displayName": "   "}, "displayName"),
        ({"displayName": "x" * 51}, "displayName"),
        ({"displayName": "Ada\x00"}, "displayName"),
        ({"displayName": "Ada\u0007Bell"}, "displayName"),
    ],
)
async def test_register_with_bad_input_names_the_field(
    api: Api, overrides: dict[str, str], field: str
) -> None:
    result = (await api.data(REGISTER, registration(**overrides)))["register"]

    assert result["__typename"] == "InvalidInput"
    assert result["field"] == field


async def test_register_with_a_wrong_type_is_a_graphql_error_not_a_500(api: Api) -> None:
    response = await api.raw(REGISTER, {"input": {"email": 5, "password": None}})

    assert response.status_code == 200
    assert response.json()["errors"]
    assert "Traceback" not in response.text


async def test_register_is_rate_limited_per_address(make_api: object) -> None:
    from service.config import RateLimit

    api: Api = await make_api(rate_limit_register=RateLimit(2, 3600))  # type: ignore[operator]
    async with api.client:
        for n in range(2):
            await api.data(REGISTER, registration(email=f"r{n}@example.com", displayName=f"R{n}"))

        result = await api.data(REGISTER, registration(email="r9@example.com", displayName="R9"))

    assert result["register"]["__typename"] == "RateLimited"
    assert 3500 < result["register"]["retryAfterSeconds"] <= 3600
