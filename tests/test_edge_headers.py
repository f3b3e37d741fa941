"""Headers every /graphql answer carries, whoever asks and however it is answered."""

from __future__ import annotations

import hashlib
import json

from tests.support import Api

ARTICLE = '{ article(id: "story-1") { commentCount } }'
ME = "{ me { id } }"


async def test_signed_in_answers_vary_on_authorization_and_accept(api: Api) -> None:
    # given
    person = await api.person()
    signed_in = {"Authorization": f"Bearer {person.token}"}

    # when
    by_get = await api.client.get("/graphql", params={"query": ME}, headers=signed_in)
    by_post = await api.client.post("/graphql", json={"query": ME}, headers=signed_in)

    # then: a shared cache that ignored Authorization could hand one reader's answer to another
    for response in (by_get, by_post):
        assert response.status_code == 200, response.text
        assert response.headers["vary"] == "Authorization, Accept"
        assert response.headers["cache-control"] == "private, no-store"


async def test_signed_out_answers_and_refusals_vary_on_authorization_and_accept(
    api: Api,
) -> None:
    # when
    answered = await api.client.get("/graphql", params={"query": ARTICLE})
    refused = await api.client.post(
        "/graphql", content=b"{", headers={"Content-Type": "application/json"}
    )

    # then
    assert answered.headers["vary"] == "Authorization, Accept"
    assert refused.status_code == 400
    assert refused.headers["vary"] == "Authorization, Accept"


async def test_persisted_query_not_found_is_never_stored(api: Api) -> None:
    # given: a hash the server has not seen
    digest = hashlib.sha256(ARTICLE.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})

    # when
    unknown = await api.client.get("/graphql", params={"extensions": extensions})

    # then: a cache keeping it would answer "not found" after the client registered the query
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.headers["cache-control"] == "private, no-store"
    assert unknown.headers["vary"] == "Authorization, Accept"
