"""X-Forwarded-For is believed only from BTL_TRUSTED_PROXIES, never by uvicorn on its own."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.served import serve
from tests.support import LOGIN


@pytest.mark.parametrize("forwarded_allow_ips", [None, "*"])
async def test_login_throttle_ignores_forwarded_for_without_trusted_proxies(
    tmp_path: Path, forwarded_allow_ips: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a served btl with no trusted proxies (and uvicorn's own variable unset, or "*")
    if forwarded_allow_ips is None:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    else:
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", forwarded_allow_ips)
    assert "BTL_TRUSTED_PROXIES" not in os.environ
    with serve(tmp_path, BTL_RATE_LIMIT_LOGIN="2/300") as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            answers = []
            # when: a client on 127.0.0.1 claims a new address (and email) on every attempt
            for attempt in range(3):
                response = await client.post(
                    "/graphql",
                    headers={"X-Forwarded-For": f"198.51.100.{attempt + 1}"},
                    json={
                        "query": LOGIN,
                        "variables": {
                            "input": {"email": f"who{attempt}@example.com", "password": "nope"}
                        },
                    },
                )
                answers.append(response.json()["data"]["login"]["__typename"])

    # then: the address throttle still counts 127.0.0.1
    assert answers == ["InvalidCredentials", "InvalidCredentials", "RateLimited"]
