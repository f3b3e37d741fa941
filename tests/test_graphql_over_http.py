"""The graphql-http audit suite (npm `graphql-http`) against a served btl: every MUST and SHOULD."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.served import ROOT, serve

AUDIT = ROOT / "tests" / "http_audit"


def test_every_must_and_should_audit_passes(tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the graphql-http audit needs it")
    if not (AUDIT / "node_modules" / "graphql-http").exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: cannot install graphql-http")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=AUDIT,
            check=True,
            capture_output=True,
            timeout=300,
        )

    with serve(tmp_path) as served:
        output = subprocess.run(
            ["node", "audit.mjs", f"{served.url}/graphql"],
            cwd=AUDIT,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout

    results = json.loads(output)
    failing = [
        f"{r['id']} {r['status']}: {r['name']} ({r['reason']})"
        for r in results
        if r["status"] != "ok"
    ]
    assert len(results) > 50
    assert failing == []


async def test_graphql_response_json_gives_400_and_no_data_on_a_parse_error(
    api: object,
) -> None:
    from tests.support import Api

    assert isinstance(api, Api)
    headers = {"Accept": "application/graphql-response+json"}

    parse_error = await api.client.post("/graphql", json={"query": "{ me {"}, headers=headers)
    ok = await api.client.post("/graphql", json={"query": "{ me { id } }"}, headers=headers)
    legacy = await api.client.post("/graphql", json={"query": "{ me {"})

    assert parse_error.status_code == 400
    assert parse_error.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in parse_error.json()
    assert ok.status_code == 200
    assert ok.json() == {"data": {"me": None}}
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None
