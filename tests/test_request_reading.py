"""Reading a request before GraphQL runs it: bounded in size, depth, bytes kept, and time."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from schema.requests import PersistedQueries
from tests.served import serve
from tests.support import Api


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


def test_persisted_queries_are_bounded_in_bytes() -> None:
    store = PersistedQueries(max_bytes=100_000)
    queries = [f"{{ me {{ id }} }} # {n:05d}" + " " * 10_000 for n in range(50)]

    for query in queries:
        digest = hashlib.sha256(query.encode()).hexdigest()
        assert store.resolve(query, persisted(query, digest)["extensions"]) == query

    assert store.size <= 100_000
    assert 5 <= len(store.queries) < 10
    newest = hashlib.sha256(queries[-1].encode()).hexdigest()
    assert store.resolve(None, persisted(None, newest)["extensions"]) == queries[-1]


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


def test_a_body_that_trickles_in_gets_a_408_and_the_connection_closes(tmp_path: Path) -> None:
    with serve(tmp_path, BTL_BODY_READ_TIMEOUT_SECONDS="1") as served:
        port = int(served.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            # given a request whose headers promise 100 bytes, of which 10 arrive
            client.sendall(
                b"POST /graphql HTTP/1.1\r\nHost: btl\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100\r\n\r\n" + b'{"query": '
            )
            started = time.monotonic()

            # when the client sends nothing more
            answer = b""
            while chunk := client.recv(65536):  # until the server closes the connection
                answer += chunk

    # then
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), answer
    assert b"connection: close" in head.lower()
    error = json.loads(body)["errors"][0]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert "BTL_BODY_READ_TIMEOUT_SECONDS" in error["message"]
    assert time.monotonic() - started < 9  # not the socket's own 10 s timeout
