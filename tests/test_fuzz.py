"""schemathesis generates GraphQL operations against a served btl, anonymous and as an admin:
no response is a server error, and none carries exception text or a masked internal error.

`make fuzz` runs the long form (BTL_FUZZ_EXAMPLES=40: more than 1,000 operations for each
of the two viewers); the suite runs a short one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from tests.served import Served, create_user, serve  # noqa: E402

EXAMPLES = int(os.environ.get("BTL_FUZZ_EXAMPLES", "4"))
# the long form (make fuzz) must send at least 1,000 operations for each viewer
MINIMUM = 1000 if EXAMPLES >= 40 else 31 * EXAMPLES // 2
LEAKS = ("Traceback", "Internal error", 'File "', "sqlite3.", "asyncpg.", "tortoise.")
ADMIN_EMAIL, ADMIN_PASSWORD = "fuzz-admin@example.com", "a long fuzzing passphrase"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    limits = {
        "BTL_RATE_LIMIT_LOGIN": "100000/60",
        "BTL_RATE_LIMIT_REGISTER": "100000/60",
        "BTL_RATE_LIMIT_COMMENTS": "100000/60",
        "BTL_RATE_LIMIT_REPORTS": "100000/60",
    }
    with serve(directory, **limits) as running:
        create_user(running, ADMIN_EMAIL, ADMIN_PASSWORD, "Fuzz Admin", "ADMIN")
        yield running


@pytest.fixture(scope="module")
def admin_token(served: Served) -> str:
    import httpx

    login = (
        f'mutation {{ login(input: {{email: "{ADMIN_EMAIL}", password: "{ADMIN_PASSWORD}"}}) '
        "{ ... on AuthSession { token } } }"
    )
    answer = httpx.post(f"{served.url}/graphql", json={"query": login}, timeout=30).json()
    token: str = answer["data"]["login"]["token"]
    return token


def fuzz(served: Served, headers: dict[str, str]) -> int:
    """Run generated operations for every field of the schema; return how many were sent."""
    graphql_schema = schemathesis.graphql.from_url(f"{served.url}/graphql")
    sent = 0
    for result in graphql_schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            nonlocal sent
            sent += 1
            assert_no_server_error(case.call(headers=headers))

        call()
    return sent


def assert_no_server_error(response: Any) -> None:
    assert response.status_code < 500, response.text
    for leak in LEAKS:
        assert leak not in response.text, response.text


def test_anonymous_operations_never_fail_on_the_server(served: Served) -> None:
    assert fuzz(served, {}) >= MINIMUM


def test_admin_operations_never_fail_on_the_server(served: Served, admin_token: str) -> None:
    assert fuzz(served, {"Authorization": f"Bearer {admin_token}"}) >= MINIMUM
