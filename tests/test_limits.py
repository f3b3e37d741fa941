"""Abusive operations are refused before execution with an error naming the limit."""

from __future__ import annotations

import asyncio

import pytest

from service.config import Settings
from tests.support import Api

THREAD_LEVEL = "replies(first: 3) { edges { node { id body author { displayName } %s } } }"


def thread_query(reply_levels: int) -> str:
    inner = ""
    for _ in range(reply_levels):
        inner = THREAD_LEVEL % inner
    return (
        '{ article(id: "story-1") { comments(first: 20) { edges { node { id body '
        f"author {{ displayName }} {inner} }} }} }} }} }}"
    )


def messages(body: dict[str, object]) -> str:
    return " ".join(e["message"] for e in body.get("errors", []))  # type: ignore[attr-defined, index]


async def test_the_deepest_legitimate_thread_passes_and_one_level_more_is_refused(api: Api) -> None:
    deepest = await api.gql(thread_query(Settings().max_reply_depth))
    deeper = await api.gql(thread_query(Settings().max_reply_depth + 1))

    assert "errors" not in deepest
    assert "BTL_MAX_REPLY_DEPTH" in messages(deeper)
    assert deeper.get("data") is None


async def test_aliases_up_to_the_limit_pass_and_more_are_refused(api: Api) -> None:
    def aliased(count: int) -> str:
        return "{ " + " ".join(f"a{n}: me {{ id }}" for n in range(count)) + " }"

    assert "errors" not in await api.gql(aliased(15))
    assert "aliases" in messages(await api.gql(aliased(16))).lower()


async def test_directives_up_to_the_limit_pass_and_more_are_refused(api: Api) -> None:
    def directed(count: int) -> str:
        return "{ me { " + " ".join(f"i{n}: id @include(if: true)" for n in range(count)) + " } }"

    ok = await api.gql(directed(15))
    refused = await api.gql(directed(51))

    assert "errors" not in ok
    assert "BTL_MAX_DIRECTIVES" in messages(refused)


async def test_a_costly_listing_is_refused_and_a_thread_page_is_not(api: Api) -> None:
    costly = (
        '{ article(id: "s") { comments(first: 100) { edges { node { id body '
        "replies(first: 100) { edges { node { id body author { displayName } } } } } } } } }"
    )

    page = await api.gql(thread_query(1))
    refused = await api.gql(costly)

    assert "errors" not in page
    assert "BTL_MAX_COST" in messages(refused)
    assert refused["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"  # type: ignore[index]


async def test_too_many_tokens_are_refused(api: Api) -> None:
    query = "{ me { " + "id " * 2100 + "} }"

    body = await api.gql(query)

    assert "tokens" in messages(body).lower()


async def test_a_document_over_the_character_limit_is_refused(api: Api) -> None:
    query = "{ me { id } }" + " " * 15_001

    response = await api.raw(query)

    assert response.status_code == 413
    assert "BTL_MAX_DOCUMENT_CHARS" in response.text


async def test_a_slow_operation_is_cancelled_with_a_clear_error(
    make_api: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service import rules

    async def slow() -> None:
        await asyncio.sleep(5)

    monkeypatch.setattr(rules, "current", slow)
    api: Api = await make_api(operation_timeout_seconds=0.2)  # type: ignore[operator]
    async with api.client:
        response = await api.raw("{ communityRules { version } }")

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "BTL_OPERATION_TIMEOUT_SECONDS" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "{ mee { id } }",
        '{ article(idd: "x") { id } }',
        '{ article(id: "x") { comments(orderBy: NEWES) { edges { cursor } } } }',
        "{ me { ... on Usr { id } } }",
    ],
)
async def test_errors_never_suggest_schema_names(api: Api, query: str) -> None:
    body = await api.gql(query)

    assert body["errors"]
    assert "Did you mean" not in messages(body)


async def test_introspection_is_on_by_default_and_can_be_turned_off(make_api: object) -> None:
    query = "{ __schema { queryType { name } } }"
    on: Api = await make_api()  # type: ignore[operator]
    async with on.client:
        assert (await on.gql(query))["data"]["__schema"]["queryType"]["name"] == "Query"
    off: Api = await make_api(introspection=False)  # type: ignore[operator]
    async with off.client:
        assert "introspection" in messages(await off.gql(query)).lower()
