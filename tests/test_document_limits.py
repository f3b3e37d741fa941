"""Documents are checked in time linear in their size, and every limit refusal names its
limit and its BTL_ variable with extensions.code LIMIT_EXCEEDED.

A fragment that spreads the previous one twice, twenty times over, selects 2^20 fields in
736 characters: strawberry's depth and alias limiters and our cost rule spread every fragment
again, which blocked the event loop for 16.5 s (76 s at 22 fragments) before this.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest

from schema.schema import schema
from service.config import ConfigError, Settings, load_settings
from service.models import Role
from tests.support import Api
from web.app import create_app
from web.viewer_overlay import Planner

# the CPU a refusal may take in these tests: ten times what it takes (a few milliseconds
# each), far below what expanding the fragments took
CPU_BOUND_SECONDS = 1.0


def doubling(count: int, on: str, leaf: str, spread: str = "...F{k} ...F{k}") -> str:
    """Fragments F0..F<count>, each spreading the one before twice: 2^count leaves."""
    fragments = [f"fragment F0 on {on}{{{leaf}}}"] + [
        f"fragment F{k + 1} on {on}{{" + spread.replace("{k}", str(k)) + "}"
        for k in range(count)
    ]
    return "".join(fragments)


FRAGMENT_BOMB = "query{...F20}" + doubling(20, "Query", "__typename")
BOMBS = {
    "fragments spreading fragments": FRAGMENT_BOMB,
    "through inline fragments": "query{...F20}"
    + doubling(20, "Query", "__typename", "...on Query{...F{k}} ...on Query{...F{k}}"),
    "under a field": 'query{comment(id:"1"){...F20}}'
    + doubling(20, "Comment", "id", "parent{...F{k}} parent{...F{k}}"),
    "of aliases": "query{...F20}" + doubling(20, "Query", "a:__typename"),
    "many small fragments": "query{"
    + "".join(f"...S{n} " for n in range(150))
    + "}"
    + "".join(f"fragment S{n} on Query{{me{{id}}}}" for n in range(150)),
    "repeated fields": "{" + " me{id}" * 249 + "}",
    "deep inline fragments": "{" + "...on Query{" * 190 + "...F18" + "}" * 190 + "}"
    + doubling(18, "Query", "__typename"),
}


def refusal(body: dict[str, Any]) -> tuple[list[str], str]:
    errors = body.get("errors") or []
    return [e.get("extensions", {}).get("code") for e in errors], " ".join(
        e["message"] for e in errors
    )


async def cpu_timed(api: Api, query: str, token: str | None = None) -> tuple[dict[str, Any], float]:
    started = time.thread_time()  # the app runs in this thread, on this event loop
    response = await api.raw(query, token=token)
    return response.json(), time.thread_time() - started


@pytest.mark.parametrize("shape", list(BOMBS))
async def test_a_document_that_multiplies_when_spread_is_refused_at_once(
    api: Api, shape: str
) -> None:
    # when
    body, cpu_seconds = await cpu_timed(api, BOMBS[shape])

    # then
    codes, message = refusal(body)
    assert body.get("data") is None, body
    assert codes and set(codes) == {"LIMIT_EXCEEDED"}, body
    assert "BTL_MAX_FIELDS" in message
    assert cpu_seconds < CPU_BOUND_SECONDS


async def test_the_fragment_bomb_is_refused_for_a_signed_in_reader_too(api: Api) -> None:
    """The overlay planner parses a reader's thread documents itself, with the same limits."""
    reader = await api.person(subscriber=True)
    bomb = 'query{article(id:"story-1"){comments{edges{node{...F20}}}}}' + doubling(
        20, "Comment", "id viewerCanEdit", "...F{k} ...F{k}"
    )

    body, cpu_seconds = await cpu_timed(api, bomb, token=reader.token)

    assert refusal(body)[0] == ["LIMIT_EXCEEDED"]
    assert "BTL_MAX_FIELDS" in refusal(body)[1]
    assert cpu_seconds < CPU_BOUND_SECONDS
    assert Planner(schema._schema, schema.checker).plan(bomb) is None


THREAD_LEVEL = "replies(first: 3) { edges { node { id body author { displayName } %s } } }"
TOO_DEEP = (
    '{ article(id: "s") { comments { edges { node { '
    + THREAD_LEVEL % (THREAD_LEVEL % (THREAD_LEVEL % (THREAD_LEVEL % "")))
    + " } } } } }"
)
LIMITS = {
    "BTL_MAX_ALIASES": "{ " + " ".join(f"a{n}: me {{ id }}" for n in range(16)) + " }",
    "BTL_MAX_TOKENS": "{ me { " + "id " * 2100 + "} }",
    "BTL_MAX_REPLY_DEPTH": TOO_DEEP,
    "BTL_MAX_DIRECTIVES": "{ me { " + "id @include(if: true) " * 51 + "} }",
    "BTL_MAX_FIELDS": "{ me { " + "id " * 501 + "} }",
    "BTL_MAX_COST": (
        '{ article(id: "s") { comments(first: 100) { edges { node { id body '
        "replies(first: 100) { edges { node { id body author { displayName } } } } } } } } }"
    ),
}


@pytest.mark.parametrize("variable", list(LIMITS))
async def test_a_limit_refusal_names_its_variable(api: Api, variable: str) -> None:
    body = await api.gql(LIMITS[variable])

    codes, message = refusal(body)
    assert codes == ["LIMIT_EXCEEDED"], body
    assert variable in message


async def test_a_body_over_its_limit_is_refused_naming_the_variable(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        content=b'{"query": "{ me { id } }", "pad": "' + b"x" * 100_001 + b'"}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert refusal(response.json())[0] == ["LIMIT_EXCEEDED"]
    assert "BTL_MAX_BODY_BYTES" in refusal(response.json())[1]


async def test_a_document_over_its_limit_is_refused_naming_the_variable(api: Api) -> None:
    response = await api.raw("{ me { id } }" + " " * 15_001)

    assert response.status_code == 413
    assert refusal(response.json()) == (
        ["LIMIT_EXCEEDED"],
        "The document has 15014 characters; the limit is 15000 (BTL_MAX_DOCUMENT_CHARS).",
    )


async def test_validation_past_its_cpu_budget_is_refused_naming_the_variable(
    make_api: Any,
) -> None:
    api: Api = await make_api(validation_timeout_seconds=1e-9)
    async with api.client:
        body = await api.gql("{ communityRules { version } }")

    assert refusal(body)[0] == ["LIMIT_EXCEEDED"]
    assert "BTL_VALIDATION_TIMEOUT_SECONDS" in refusal(body)[1]


COMMENTS_BY_DEFAULT = """
query Thread($n: Int = 100) {
  article(id: "s") {
    comments(first: $n) { edges { node { id body
      replies(first: $n) { edges { node { id body author { displayName } } } }
    } } }
  }
}
"""


async def test_the_cost_counts_a_variables_default(api: Api) -> None:
    by_default = await api.gql(COMMENTS_BY_DEFAULT)
    given_small = await api.gql(COMMENTS_BY_DEFAULT, {"n": 5})

    assert refusal(by_default)[0] == ["LIMIT_EXCEEDED"]
    assert "BTL_MAX_COST" in refusal(by_default)[1]
    assert "errors" not in given_small


async def test_a_legitimate_page_with_shared_fragments_passes(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    page = """
    query Page {
      article(id: "story-1") { ...Thread }
      moderationQueue(first: 20) { edges { node { comment { ...Shown reports { edges {
        node { reason reporter { displayName } } } } } } } }
    }
    fragment Thread on Article { id commentCount comments(first: 20) { edges { node {
      ...Shown replies(first: 5) { edges { node { ...Shown } } } } } } }
    fragment Shown on Comment { id body status author { id displayName } }
    """

    assert "errors" not in await api.gql(page, token=moderator.token)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BTL_MAX_FIELDS", "0"),
        ("BTL_VALIDATION_TIMEOUT_SECONDS", "0"),
        ("BTL_READ_TIMEOUT_SECONDS", "soon"),
    ],
)
def test_a_bad_value_of_a_new_limit_names_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})

    assert caught.value.variable == variable


def test_the_new_limits_have_their_defaults() -> None:
    settings = load_settings({})

    assert settings.max_fields == 500
    assert settings.validation_timeout_seconds == 0.5
    assert settings.read_timeout_seconds == 10.0


@pytest.mark.parametrize(
    ("document", "variable"),
    [
        ("subscription{...F20}" + doubling(20, "Subscription", "__typename"), "BTL_MAX_FIELDS"),
        ("subscription{" + "a " * 2100 + "}", "BTL_MAX_TOKENS"),
        ("subscription{__typename}" + " " * 15_001, "BTL_MAX_DOCUMENT_CHARS"),
    ],
)
def test_a_subscription_over_a_limit_is_refused_on_the_websocket(
    document: str, variable: str
) -> None:
    with warnings.catch_warnings():  # it would rather have httpx2, which we don't need
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    # nothing here reaches the database
    app = create_app(Settings(database_url="sqlite://:memory:"), manage_database=False)
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket,
    ):
        socket.send_json({"type": "connection_init"})
        assert socket.receive_json()["type"] == "connection_ack"

        socket.send_json({"type": "subscribe", "id": "1", "payload": {"query": document}})
        answer = socket.receive_json()

    assert answer["type"] == "error", answer
    [error] = answer["payload"]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert variable in error["message"]
