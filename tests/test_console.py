"""The moderators' console: its page and assets over HTTP, and a moderator's session in Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.served import ROOT, Served, create_user, serve
from tests.support import Api
from web import console

CHROMIUM = Path("/usr/bin/chromium")
# `make screenshot` sets it to docs/console.png; a test run writes only to its temporary folder
SCREENSHOT = os.environ.get("BTL_CONSOLE_SCREENSHOT")
MODERATOR = ("moderator@paper.example", "a long moderator passphrase", "Mod Erator")


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for console/dist, so these tests don't need npm."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "console.js").write_text("console.log('btl');\n")
    (dist / "console.css").write_text("body { margin: 0; }\n")
    monkeypatch.setattr(console, "CANDIDATE_DIRECTORIES", (dist,))
    return dist


@pytest.fixture
def not_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "CANDIDATE_DIRECTORIES", (tmp_path / "nowhere",))


def _assert_secured(response: httpx.Response) -> str:
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'self'; ")
    assert "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in policy and "unsafe" not in policy  # no other origin, no inline code
    assert response.headers["x-content-type-options"] == "nosniff"
    return policy


async def test_a_browser_gets_the_console_from_btls_own_files(api: Api, built: Path) -> None:
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    policy = _assert_secured(response)
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and f'data-style-nonce="{nonce[1]}"' in response.text
    sources = re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', response.text)
    assert [url.split("?")[0] for url, _ in sources] == [
        "/console/assets/console.css",
        "/console/assets/console.js",
    ]
    for url, integrity in sources:
        asset = await api.client.get(url)
        assert asset.status_code == 200
        _assert_secured(asset)
        digest = base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
        assert integrity == f"sha384-{digest}"
    again = await api.client.get("/graphql", headers={"Accept": "text/html"})
    assert nonce[1] not in again.headers["content-security-policy"]  # one nonce per page


async def test_without_the_build_the_page_says_how_to_make_it(api: Api, not_built: None) -> None:
    response = await api.client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 503
    assert "make console" in response.text and "npm" in response.text
    _assert_secured(response)
    asset = await api.client.get("/console/assets/console.js")
    assert asset.status_code == 404
    _assert_secured(asset)


async def test_the_assets_are_only_the_build(api: Api, built: Path) -> None:
    for path in ("/console/assets/missing.js", "/console/assets/../../pyproject.toml"):
        response = await api.client.get(path)
        assert response.status_code == 404
    assert (await api.client.post("/console/assets/console.js")).status_code == 405


async def test_api_clients_still_get_json(api: Api, built: Path) -> None:
    response = await api.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"Accept": "application/json"}
    )

    assert response.json() == {"data": {"__typename": "Query"}}


# --- a moderator's session in a real browser -------------------------------------------------


def _post(served: Served, query: str, variables: dict[str, Any], token: str = "") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{served.url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    return response.json()["data"]


def _a_reported_comment(served: Served) -> dict[str, Any]:
    """The demo thread, and one of its comments reported by a reader: the queue's one item."""
    seeded = subprocess.run(
        [sys.executable, "-m", "service", "seed-demo"],
        env=served.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    found = re.search(r"^readers\s+(\S+)\s.*/ (.+)$", seeded, re.MULTILINE)
    assert found, seeded
    login = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) {"
    login += " ... on AuthSession { token user { displayName } } } }"
    session = _post(served, login, {"e": found[1], "p": found[2]})["login"]
    thread = _post(
        served,
        '{ article(id: "demo-article") { comments(first: 10) { edges { node {'
        " id body author { displayName } } } } } }",
        {},
    )["article"]["comments"]["edges"]
    comment: dict[str, Any] = next(
        edge["node"]
        for edge in thread
        if edge["node"]["author"]["displayName"] != session["user"]["displayName"]
    )
    report = _post(
        served,
        "mutation($id: ID!) { reportComment(input: {commentId: $id, reason: ABUSE,"
        ' note: "Personal attack on another reader."}) { __typename } }',
        {"id": comment["id"]},
        session["token"],
    )
    assert report == {"reportComment": {"__typename": "Report"}}
    return comment


def _browser_or_skip() -> Any:
    if not CHROMIUM.is_file():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Python playwright is not installed (pip install -e '.[dev]')")
    if console.assets_directory() is None:
        pytest.skip("the console is not built: `make console` needs npm")
    return sync_playwright


def test_a_moderator_signs_in_and_runs_the_queue_in_chromium(tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    with serve(tmp_path) as served, sync_playwright() as playwright:
        page_html = httpx.get(f"{served.url}/graphql", headers={"Accept": "text/html"}).text
        assert "moderators' console" in page_html, "is web.console wired into web/graphql_http.py?"
        create_user(served, *MODERATOR, "MODERATOR")
        comment = _a_reported_comment(served)
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            requests: list[str] = []
            problems: list[str] = []
            context.on("request", lambda request: requests.append(request.url))
            page = context.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))

            page.goto(f"{served.url}/graphql")
            page.wait_for_selector(".graphiql-tab")
            tabs = page.locator(".graphiql-tab").all_inner_texts()
            for name in (
                "Queue",
                "Pending",
                "Approve",
                "Feature",
                "Amend",
                "Remove",
                "Restore",
                "Dismiss",
                "Suspend",
            ):
                assert any(name in tab for tab in tabs), tabs

            page.fill("input[name=email]", MODERATOR[0])
            page.fill("input[name=password]", "not the passphrase")
            page.click(".btl-signin button[type=submit]")
            page.wait_for_selector(".btl-signin [role=alert]")
            page.fill("input[name=password]", MODERATOR[1])
            page.click(".btl-signin button[type=submit]")
            page.wait_for_selector(".btl-viewer")
            assert "Mod Erator" in page.inner_text(".btl-viewer")
            token = page.evaluate("sessionStorage.getItem('btl:console:token')")
            assert token
            assert token not in json.dumps(page.evaluate("({...localStorage})"))

            with page.expect_response(
                lambda r: r.request.method == "POST" and "Queue" in (r.request.post_data or "")
            ) as q:
                page.click(".graphiql-execute-button")
            assert q.value.request.all_headers()["authorization"] == f"Bearer {token}"
            queue = q.value.json()["data"]["moderationQueue"]
            assert queue["totalCount"] > 1  # the demo's reports and this one
            reported = [e["node"]["comment"] for e in queue["edges"]]
            assert any(
                c["id"] == comment["id"]
                and "Personal attack" in json.dumps(c["reports"])
                for c in reported
            ), reported
            # locators, not wait_for_function: the page's CSP forbids the eval it polls with
            page.locator(".result-window", has_text="totalCount").wait_for()
            # the editor is wide enough for the examples' longest lines at 1400 px
            scroller = page.locator(".graphiql-query-editor .CodeMirror-scroll").first
            widths = scroller.evaluate("(s) => [s.scrollWidth, s.clientWidth]")
            assert widths[0] <= widths[1] + 1, widths
            page.screenshot(path=SCREENSHOT or str(tmp_path / "console.png"))

            # a tab run unchanged acts on nothing: its ids are placeholders
            page.locator(".graphiql-tab", has_text="Amend").click()
            page.locator(".graphiql-query-editor", has_text="mutation Amend").wait_for()
            with page.expect_response(
                lambda r: r.request.method == "POST" and "Amend" in (r.request.post_data or "")
            ) as amended:
                page.click(".graphiql-execute-button")
            answer = amended.value.json()
            amend = (answer.get("data") or {}).get("amendComment") or {}
            assert amend.get("__typename") == "NotFound", answer

            page.click(".btl-signedin button")
            page.wait_for_selector(".btl-signin")
            assert page.evaluate("sessionStorage.getItem('btl:console:token')") is None
        finally:
            browser.close()

    assert requests and all(url.startswith(f"{served.url}/") for url in requests), requests
    assert problems == []  # among them: any Content-Security-Policy violation
