"""The HTTP edge's own answers: operations HTTP does not carry, and the one error guard."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from tests.support import Api
from web.graphql_http import GraphQLHTTP

MUTATION = "mutation { logout }"
SUBSCRIPTION = 'subscription { commentEvents(articleId: "story-1") { kind } }'
THREAD = '{ article(id: "story-1") { commentCount } }'


def graphql_http(api: Api) -> GraphQLHTTP:
    route = next(r for r in api.app.routes if isinstance(r, Route) and r.path == "/graphql")
    endpoint = route.endpoint
    assert isinstance(endpoint, GraphQLHTTP)
    return endpoint


async def test_a_mutation_over_get_is_405_naming_post(api: Api) -> None:
    response = await api.client.get("/graphql", params={"query": MUTATION})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "POST" in response.json()["errors"][0]["message"]


async def test_a_subscription_over_http_says_where_it_runs(api: Api) -> None:
    response = await api.client.post("/graphql", json={"query": SUBSCRIPTION})

    assert response.status_code == 400
    assert "websocket" in response.json()["errors"][0]["message"]


async def test_an_unknown_operation_name_is_a_400_naming_it(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": THREAD, "operationName": "Missing"}
    )

    assert response.status_code == 400
    assert "Missing" in response.json()["errors"][0]["message"]


class FailingStore:
    """A cache backend that has gone away."""

    async def get(self, key: str) -> Any:
        raise ConnectionError("the cache backend is down")

    async def put(self, key: str, answer: Any) -> None:
        raise ConnectionError("the cache backend is down")

    async def drop(self, key: str) -> None:
        raise ConnectionError("the cache backend is down")


async def test_a_failing_cache_backend_is_a_503_with_a_code_not_a_500(api: Api) -> None:
    graphql_http(api).public_cache.store = FailingStore()  # type: ignore[assignment]

    response = await api.client.get("/graphql", params={"query": THREAD})

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert response.headers["vary"] == "Authorization, Accept"
