from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.config import Settings
from tests.support import Api
from web.app import create_app


async def test_healthz_answers_while_the_process_runs(api: Api) -> None:
    response = await api.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ok_with_a_database(api: Api) -> None:
    response = await api.client.get("/readyz")

    assert response.status_code == 200


async def test_readyz_is_503_with_a_reason_when_the_database_is_gone(tmp_path: Any) -> None:
    # an app whose database was never opened stands for one that has gone away
    settings = Settings(database_url=f"sqlite://{tmp_path}/missing/nowhere.sqlite3")
    from tortoise.context import _current_context

    app = create_app(settings, manage_database=False)
    token = _current_context.set(None)
    import tortoise.context as tortoise_context

    saved, tortoise_context._global_context = tortoise_context._global_context, None
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://btl.test") as client:
            response = await client.get("/readyz")
    finally:
        tortoise_context._global_context = saved
        _current_context.reset(token)

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "database" in response.json()["reason"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"query": "{ me { id } }"}'),
        ("application/x-www-form-urlencoded", "query=%7Bme%7Bid%7D%7D"),
        ("application/json", "{not json"),
        ("application/json", "[]"),
        ("application/json", '"just a string"'),
    ],
)
async def test_bad_requests_get_a_4xx_never_a_500(api: Api, content_type: str, body: str) -> None:
    response = await api.client.post(
        "/graphql", content=body, headers={"content-type": content_type}
    )

    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text


async def test_get_runs_queries_but_not_mutations(api: Api) -> None:
    query = await api.client.get("/graphql", params={"query": "{ me { id } }"})
    mutation = await api.client.get("/graphql", params={"query": "mutation { logout }"})

    assert query.status_code == 200
    assert query.json() == {"data": {"me": None}}
    assert 400 <= mutation.status_code < 500


async def test_an_unexpected_exception_is_masked_and_logged_with_a_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from service import rules

    async def explode() -> None:
        raise RuntimeError("secret detail /srv/btl/service/x.py SELECT * FROM users")

    monkeypatch.setattr(rules, "current", explode)

    response = await api.raw("{ communityRules { version } }")

    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "Internal error."
    assert "secret" not in response.text
    assert "SELECT" not in response.text
    assert any("request " in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_body_over_the_limit_is_413_before_parsing(api: Api) -> None:
    response = await api.client.post(
        "/graphql",
        content=b'{"query": "' + b"x" * 200_000 + b'"}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]


async def test_batched_requests_are_refused(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json=[{"query": "{ me { id } }"}, {"query": "{ me { id } }"}]
    )

    assert response.status_code == 400
    assert "batching" in response.json()["errors"][0]["message"]


async def test_cors_allows_only_configured_origins(make_api: object) -> None:
    api: Api = await make_api(cors_origins=("https://news.example",))  # type: ignore[operator]
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    async with api.client:
        allowed = await api.client.options(
            "/graphql", headers={"Origin": "https://news.example", **preflight}
        )
        refused = await api.client.options(
            "/graphql", headers={"Origin": "https://evil.example", **preflight}
        )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://news.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_no_cors_headers_without_configured_origins(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Origin": "https://evil.example"}
    )

    assert "access-control-allow-origin" not in response.headers


async def test_a_failure_before_execution_is_a_503_without_details(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service import sessions

    async def database_gone(token: str) -> None:
        raise ConnectionError("connection to 10.0.0.5:5432 refused")

    monkeypatch.setattr(sessions, "authenticate", database_gone)

    response = await api.raw("{ me { id } }", token="some-token")

    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert "10.0.0.5" not in response.text
