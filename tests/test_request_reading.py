"""Reading a request before GraphQL runs it: bounded in size, depth, bytes kept, and time."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service import persisted_queries
from service.clock import clock
from service.config import Settings
from tests.served import Served, serve
from tests.support import Api
from web.app import create_app
from web.persisted import PersistedQueries


def persisted(query: str | None, digest: str) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


async def test_a_persisted_query_over_the_document_limit_is_not_kept(api: Api) -> None:
    # given a document over BTL_MAX_DOCUMENT_CHARS, sent with its right hash
    query = "{ me { id } }" + " " * 20_000
    digest = hashlib.sha256(query.encode()).hexdigest()
    refused = await api.client.post("/graphql", json=persisted(query, digest))

    # when the client asks for it by hash alone
    by_hash = await api.client.post("/graphql", json=persisted(None, digest))

    # then it was refused, and never kept
    assert refused.status_code == 413
    assert "BTL_MAX_DOCUMENT_CHARS" in refused.text
    assert by_hash.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_persisted_queries_are_bounded_in_bytes_in_each_process(api: Api) -> None:
    store = PersistedQueries(max_bytes=100_000)
    queries = [f"{{ me {{ id }} }} # {n:05d}" + " " * 10_000 for n in range(50)]

    for query in queries:
        digest = hashlib.sha256(query.encode()).hexdigest()
        assert await store.resolve(query, persisted(query, digest)["extensions"]) == query

    assert store.size <= 100_000
    assert 5 <= len(store.recent) < 10
    newest = hashlib.sha256(queries[-1].encode()).hexdigest()
    assert await store.resolve(None, persisted(None, newest)["extensions"]) == queries[-1]


async def test_persisted_queries_keep_the_newest_documents_in_the_database(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(persisted_queries, "MAX_DOCUMENTS", 3)
    queries = [f"{{ me {{ id }} }} # {n}" for n in range(5)]
    for query in queries:
        await PersistedQueries().resolve(query, persisted(query, _digest(query))["extensions"])
        clock.advance(1)

    kept = [await persisted_queries.find(_digest(q)) for q in queries]

    assert kept == [None, None, *queries[2:]]


async def test_a_query_persisted_through_one_worker_is_served_by_another(
    api: Api, database_url: str
) -> None:
    # given a document registered through one process (its own app and memory)
    query = "query Count { article(id: \"story-1\") { commentCount } }"
    registered = await api.client.post("/graphql", json=persisted(query, _digest(query)))
    other = create_app(Settings(database_url=database_url), manage_database=False)
    transport = httpx.ASGITransport(app=other, client=("203.0.113.8", 50000))

    # when another worker, which has never seen it, is asked by hash alone
    async with httpx.AsyncClient(transport=transport, base_url="http://btl.test") as client:
        by_hash = await client.get(
            "/graphql",
            params={"extensions": json.dumps(persisted(None, _digest(query))["extensions"])},
        )

    # then it answers it
    assert registered.json() == {"data": {"article": {"commentCount": 0}}}
    assert by_hash.json() == {"data": {"article": {"commentCount": 0}}}


def _digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("where", ["body", "variables", "extensions"])
@pytest.mark.parametrize("levels", [100, 1_500])
async def test_json_nested_too_deep_is_a_400_saying_so(api: Api, where: str, levels: int) -> None:
    # given JSON nested deeper than a request needs, within BTL_MAX_BODY_BYTES
    deep = nested(levels)
    body = {
        "body": f'{{"query": "{{ __typename }}", "deep": {deep}}}',
        "variables": f'{{"query": "{{ __typename }}", "variables": {{"v": {deep}}}}}',
        "extensions": f'{{"query": "{{ __typename }}", "extensions": {{"e": {deep}}}}}',
    }[where]

    # when
    response = await api.client.post(
        "/graphql", content=body.encode(), headers={"content-type": "application/json"}
    )

    # then
    assert response.status_code == 400
    assert "nests JSON deeper than 64 levels" in response.json()["errors"][0]["message"]


async def test_variables_nested_too_deep_in_a_get_are_a_400(api: Api) -> None:
    response = await api.client.get(
        "/graphql", params={"query": "{ __typename }", "variables": '{"v": ' + nested(1_500) + "}"}
    )

    assert response.status_code == 400
    assert "nests JSON deeper" in response.text


async def test_json_nested_as_a_request_needs_is_read(api: Api) -> None:
    body = json.dumps({"query": "{ __typename }", "variables": {"v": json.loads(nested(60))}})

    response = await api.client.post(
        "/graphql", content=body.encode(), headers={"content-type": "application/json"}
    )

    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_content_length_that_is_not_ascii_digits_is_not_a_500(api: Api) -> None:
    superscript_two = b"\xb2"  # in latin-1, as headers are read: str.isdigit() says yes
    response = await api.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json", "content-length": superscript_two},
    )

    assert response.status_code < 500


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("served"), BTL_READ_TIMEOUT_SECONDS="1") as running:
        yield running


def exchange(served: Served, request: bytes) -> tuple[bytes, dict[str, Any], float]:
    """Send `request`, then nothing: the answer's head and JSON body, and how long it took."""
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        started = time.monotonic()
        client.sendall(request)
        answer = b""
        while chunk := client.recv(65536):  # until the server closes the connection
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, json.loads(body), time.monotonic() - started


def test_a_body_that_trickles_in_gets_a_408_and_the_connection_closes(served: Served) -> None:
    # given headers that promise 100 bytes of body, of which 10 arrive, then nothing
    head, body, seconds = exchange(
        served,
        b"POST /graphql HTTP/1.1\r\nHost: btl\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n" + b'{"query": ',
    )

    assert head.startswith(b"HTTP/1.1 408"), head
    assert b"connection: close" in head.lower()
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "BTL_READ_TIMEOUT_SECONDS" in body["errors"][0]["message"]
    assert seconds < 9  # the server's 1 s, not the client's own 10 s


def test_headers_that_trickle_in_get_a_408_and_the_connection_closes(served: Served) -> None:
    head, body, seconds = exchange(served, b"POST /graphql HTTP/1.1\r\nHost: btl\r\nX-Slow: ")

    assert head.startswith(b"HTTP/1.1 408"), head
    assert "BTL_READ_TIMEOUT_SECONDS" in body["errors"][0]["message"]
    assert seconds < 9


def test_a_connection_that_sends_nothing_is_closed(served: Served) -> None:
    head, _, seconds = exchange(served, b"")

    assert head.startswith(b"HTTP/1.1 408"), head
    assert seconds < 9


def test_headers_over_64_kib_are_refused(served: Served) -> None:
    head, body, _ = exchange(
        served, b"GET /healthz HTTP/1.1\r\nHost: btl\r\nX-Big: " + b"x" * 100_000 + b"\r\n"
    )

    assert head.startswith(b"HTTP/1.1 431"), head
    assert "headers are larger" in body["errors"][0]["message"]


def test_requests_within_the_bounds_are_answered_on_one_connection(served: Served) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as client:
        for _ in range(3):
            answer = client.post("/graphql", json={"query": "{ __typename }"})
            assert answer.json() == {"data": {"__typename": "Query"}}
        big = client.get("/healthz", headers={"X-Big": "x" * 30_000})
        assert big.status_code == 200
