"""Every answer carries an X-Request-Id, and every request writes one JSON log line with it
(web/request_log.py): never a token, a password or an email."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.live_support import TRANSPORT_WS, live_server, until_closed
from tests.served import serve
from tests.support import LOGIN, PASSWORD, Api
from web.log_writer import JsonLinesHandler
from web.logs import json_formatter
from web.request_log import RequestLog, RequestRecord, _fields_text

GENERATED = re.compile(r"[0-9a-f]{32}")
ARTICLE = 'query Page { article(id: "story-1") { commentCount } }'
ME = "query Me { me { id email } }"


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "btl.request" and r.getMessage() == "request"]


def as_json(record: logging.LogRecord) -> dict[str, Any]:
    """The line the serving process writes for this record (web/logs.py's formatter)."""
    line: dict[str, Any] = json.loads(json_formatter().format(record))
    return line


async def written(caplog: pytest.LogCaptureFixture, kind: str) -> list[logging.LogRecord]:
    """The request lines of this kind, once there is one (the server writes it when the
    socket's handler ends, after the client saw the close)."""
    for _ in range(100):
        found = [r for r in request_lines(caplog) if r.kind == kind]  # type: ignore[attr-defined]
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {kind} line was written")


async def test_every_answer_carries_a_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: answers from every kind of route and refusal, and a failure outside GraphQL
    from web import graphql_http

    async def unreachable(token: str) -> object:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(graphql_http, "identify", unreachable)
    client = api.client

    # when
    answers = {
        "ok": await client.post("/graphql", json={"query": ARTICLE}),
        "no query (400)": await client.get("/graphql"),
        "mutation over GET (405)": await client.get(
            "/graphql", params={"query": "mutation { logout }"}
        ),
        "not JSON (415)": await client.post("/graphql", content=b"x"),
        "too large (413)": await client.post(
            "/graphql", content=b"{" + b" " * 200_000, headers={"content-type": "application/json"}
        ),
        "storage failure (503)": await client.post(
            "/graphql", json={"query": ME}, headers={"Authorization": "Bearer x"}
        ),
        "healthz": await client.get("/healthz"),
        "readyz": await client.get("/readyz"),
        "unknown path (404)": await client.get("/nowhere"),
        "wrong method (405)": await client.get("/webhooks/entitlements"),
    }

    # then
    statuses = {what: r.status_code for what, r in answers.items()}
    assert statuses["storage failure (503)"] == 503, statuses
    assert statuses["mutation over GET (405)"] == 405, statuses
    ids = {what: r.headers.get("x-request-id", "") for what, r in answers.items()}
    assert all(GENERATED.fullmatch(i) for i in ids.values()), ids
    assert len(set(ids.values())) == len(ids)


async def test_an_untrusted_peer_cannot_choose_its_request_id(api: Api) -> None:
    # when: the peer is no trusted proxy
    response = await api.client.get("/healthz", headers={"X-Request-Id": "chosen-by-client"})

    # then
    assert GENERATED.fullmatch(response.headers["x-request-id"])


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("lb-7f3a:42", True),
        ("Root=1-67891233-abcdef012345678912345678", True),
        ("has space", False),
        ("x" * 129, False),
        ('quote"d', False),
    ],
)
async def test_a_trusted_proxy_s_request_id_is_kept_when_well_formed(
    make_api: Callable[..., Any], sent: str, kept: bool
) -> None:
    # given: the test client's address is a trusted proxy
    api: Api = await make_api(trusted_proxies=frozenset({"203.0.113.7"}))

    # when
    async with api.client:
        response = await api.client.post(
            "/graphql", json={"query": ARTICLE}, headers={"X-Request-Id": sent}
        )

    # then
    answered = response.headers["x-request-id"]
    assert (answered == sent) is kept
    assert kept or GENERATED.fullmatch(answered)


async def test_the_log_line_says_what_was_asked_and_never_a_secret(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    caplog.set_level(logging.INFO, logger="btl.request")
    person = await api.person()
    caplog.clear()

    # when: a login (an email and a password in it), a signed-in query (a token), and the
    # same signed-out page twice
    login = await api.raw(LOGIN, {"input": {"email": person.email, "password": PASSWORD}})
    token = login.json()["data"]["login"]["token"]
    me = await api.raw(ME, token=token)
    first = await api.client.post("/graphql", json={"query": ARTICLE})
    second = await api.client.post("/graphql", json={"query": ARTICLE})

    # then: one line per request, with the answer's id
    lines = request_lines(caplog)
    assert [r.request_id for r in lines] == [  # type: ignore[attr-defined]
        r.headers["x-request-id"] for r in (login, me, first, second)
    ]
    logged = [as_json(r) for r in lines]
    assert {k: logged[0][k] for k in ("operation_name", "operation_type", "status")} == {
        "operation_name": "Login",
        "operation_type": "mutation",
        "status": 200,
    }
    assert logged[1]["operation_name"] == "Me"
    assert logged[1]["viewer_id"] == int(person.id)
    assert [line["cache"] for line in logged[2:]] == ["miss", "hit"]
    assert all(isinstance(line["duration_ms"], float | int) for line in logged)
    assert all(line["level"] == "INFO" and line["logger"] == "btl.request" for line in logged)
    text = "\n".join(json.dumps(line) for line in logged)
    for secret in (person.email, PASSWORD, token, person.token):
        assert secret not in text


async def test_an_unexpected_error_is_logged_once_with_the_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a resolver that fails in a way nobody meant
    from service import rules

    async def explode() -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(rules, "current", explode)

    # when
    response = await api.raw("{ communityRules { version } }")

    # then
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1
    assert response.headers["x-request-id"] in with_traceback[0].getMessage()


async def test_an_exception_no_route_caught_is_a_500_with_the_id_logged_once(
    make_api: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a route that raises (the probe, replaced before the app is built)
    from web import health

    async def broken(request: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(health, "healthz", broken)
    api: Api = await make_api()
    caplog.set_level(logging.INFO, logger="btl.request")

    # when
    async with api.client:
        response = await api.client.get("/healthz")

    # then
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    with_traceback = [r for r in caplog.records if r.exc_info]
    assert len(with_traceback) == 1
    assert with_traceback[0].request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert request_lines(caplog)[-1].status == 500  # type: ignore[attr-defined]


async def test_a_websocket_handshake_carries_a_request_id(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    caplog.set_level(logging.INFO, logger="btl.request")
    async with live_server(database_url)() as live:
        # when
        socket = await live.connect()
        request_id = socket.response.headers["x-request-id"]
        await socket.close()
        socket_lines = await written(caplog, "websocket")

    # then
    assert GENERATED.fullmatch(request_id)
    assert [r.request_id for r in socket_lines] == [request_id]  # type: ignore[attr-defined]
    assert socket_lines[0].status == 101  # type: ignore[attr-defined]


async def test_without_request_lines_the_id_stays_and_errors_are_still_logged(
    make_api: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: BTL_REQUEST_LOG=false, and a resolver that fails unexpectedly
    from service import rules

    async def explode() -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(rules, "current", explode)
    api: Api = await make_api(request_log=False)
    caplog.set_level(logging.INFO, logger="btl.request")

    # when
    async with api.client:
        answered = await api.client.post("/graphql", json={"query": ARTICLE})
        failed = await api.raw("{ communityRules { version } }")

    # then
    assert GENERATED.fullmatch(answered.headers["x-request-id"])
    assert request_lines(caplog) == []
    [error] = [r for r in caplog.records if r.exc_info]
    assert failed.headers["x-request-id"] in error.getMessage()


def test_the_short_way_writes_the_line_the_formatter_would(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a request whose names need escaping, and the serving process's handler
    caplog.set_level(logging.INFO, logger="btl.request")
    record = RequestRecord("lb-7f3a:42", operation_name='Q"\\é\n', operation_type="query")
    record.cache, record.viewer_id = "hit", 7
    scope = {"type": "websocket", "path": '/graphql/"ä"'}
    stream = io.StringIO()
    handler = JsonLinesHandler(stream)
    handler.setFormatter(json_formatter())

    # when: the line logged the general way (caplog is listening), and the short way
    RequestLog(None, frozenset())._log(record, scope, 101, 0.0123456, 1000)  # type: ignore[arg-type]
    handler.request_line(_fields_text(record, scope, 101, 0.0123456, 1000))
    handler.flush()

    # then: the same text after the time
    [logged] = request_lines(caplog)
    general = json_formatter().format(logged)
    short = stream.getvalue()
    assert short.endswith("\n") and short.count("\n") == 1
    assert short.split('", ', 1)[1].rstrip("\n") == general.split('", ', 1)[1]
    assert json.loads(short)["operation_name"] == 'Q"\\é\n'


async def test_a_served_process_writes_every_request_line_by_its_exit(tmp_path: Path) -> None:
    # given: a served btl, its stderr going to a file
    ids, log = [], tmp_path / "served.log"
    with serve(tmp_path) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            # when: a page twice, an odd path, and a websocket open when the process is told
            # to stop (it closes the socket, 1012, then exits)
            for _ in range(2):
                response = await client.post("/graphql", json={"query": ARTICLE})
                ids.append(response.headers["x-request-id"])
            odd = await client.get("/nowhere/%22q%22%5C%C3%A9")
            ids.append(odd.headers["x-request-id"])
        url = served.url.replace("http", "ws", 1) + "/graphql"
        async with websockets.connect(url, subprotocols=[TRANSPORT_WS]) as socket:
            ids.append(socket.response.headers["x-request-id"])
            os.kill(served.pid, signal.SIGTERM)
            assert (await until_closed(socket))[1] == 1012

    # then: one line per request, in order, with the general way's fields
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "btl.request"]
    assert [line["request_id"] for line in requests] == ids
    assert list(requests[0]) == [
        "time", "level", "logger", "pid", "message", "request_id", "kind", "method", "path",
        "status", "duration_ms", "operation_name", "operation_type", "cache", "viewer_id",
    ]  # fmt: skip
    assert [line["cache"] for line in requests[:2]] == ["miss", "hit"]
    assert requests[0]["operation_name"] == "Page"
    assert (requests[2]["path"], requests[2]["status"]) == ('/nowhere/"q"\\é', 404)
    assert (requests[3]["kind"], requests[3]["status"]) == ("websocket", 101)
    assert GENERATED.fullmatch(requests[3]["request_id"])
    assert lines[-1]["message"].startswith("Finished server process")
