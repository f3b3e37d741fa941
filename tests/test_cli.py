"""The CLI as an operator runs it: a subprocess, one clear line on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"BTL_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3"}


def test_migrate_then_create_an_admin(sqlite_env: dict[str, str]) -> None:
    assert run_cli("migrate", env=sqlite_env).returncode == 0

    created = run_cli(
        "create-user",
        "--email",
        "Boss@Example.com",
        "--password",
        "a long admin secret",
        "--display-name",
        "Boss",
        "--role",
        "admin",
        env=sqlite_env,
    )

    assert created.returncode == 0, created.stderr
    assert "ADMIN boss@example.com" in created.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--password", "short"), "password"),
        (("--role", "emperor"), "unknown role"),
        (("--email", "nope"), "email"),
    ],
)
def test_create_user_errors_are_one_line(
    sqlite_env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    run_cli("migrate", env=sqlite_env)
    base = {
        "--email": "a@example.com",
        "--password": "a long admin secret",
        "--display-name": "A",
        "--role": "ADMIN",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [part for pair in base.items() for part in pair]

    result = run_cli("create-user", *flat, env=sqlite_env)

    assert result.returncode != 0
    assert message in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_duplicate_email_is_one_line(sqlite_env: dict[str, str]) -> None:
    run_cli("migrate", env=sqlite_env)
    args = (
        "create-user",
        "--email",
        "a@example.com",
        "--password",
        "a long admin secret",
        "--display-name",
        "A",
    )
    run_cli(*args, env=sqlite_env)

    result = run_cli(*args, env=sqlite_env)

    assert result.returncode != 0
    assert result.stderr.strip() == "error: An account with that email already exists."


def test_a_bad_setting_stops_start_up_with_one_line() -> None:
    result = run_cli("serve", env={"BTL_PORT": "abc"})

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: BTL_PORT='abc' is invalid: expected a port number 1..65535"
    ]


def test_an_unreachable_database_is_one_line() -> None:
    result = run_cli("migrate", env={"BTL_DATABASE_URL": "postgres://postgres@127.0.0.1:1/x"})

    assert result.returncode != 0
    assert "cannot reach the database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
