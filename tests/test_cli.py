"""The CLI as an operator runs it: a subprocess, one clear line on failure."""

from __future__ import annotations

import os
import socket
import sqlite3
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


@pytest.mark.parametrize(
    "url", ["sqlite:///nonexistent/dir/x.sqlite3", "sqlite://./no-such-folder/x.sqlite3"]
)
@pytest.mark.parametrize("command", [["migrate"], ["seed-demo"], ["serve"]])
def test_a_database_in_a_missing_folder_stops_at_once_with_one_line(
    url: str, command: list[str]
) -> None:
    finished = run_cli(*command, env={"BTL_DATABASE_URL": url})

    assert finished.returncode == 1
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    assert "BTL_DATABASE_URL" in lines[0] and "does not exist" in lines[0]


def test_serve_on_a_port_in_use_says_so_in_one_line(sqlite_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        finished = run_cli("serve", env={**sqlite_env, "BTL_PORT": str(port)})

    assert finished.returncode == 1
    assert finished.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port} (BTL_HOST, BTL_PORT): Address already in use"
    ]


def test_a_mistyped_variable_is_named_at_start(sqlite_env: dict[str, str]) -> None:
    finished = run_cli("migrate", env={**sqlite_env, "BTL_PROT": "9000"})

    assert finished.returncode == 0
    assert "warning: BTL_PROT is not a variable btl reads" in finished.stderr
    assert "did you mean BTL_PORT?" in finished.stderr


def _printed_password(output: str, who: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith(who))
    return line.rsplit(" / ", 1)[1]


def test_seed_demo_fills_the_queue_and_gives_each_staff_account_its_own_password(
    sqlite_env: dict[str, str], tmp_path: Path
) -> None:
    assert run_cli("migrate", env=sqlite_env).returncode == 0

    first = run_cli("seed-demo", env=sqlite_env)
    again = run_cli("seed-demo", env=sqlite_env)

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    admin, moderator = (_printed_password(first.stdout, w) for w in ("admin", "moderator"))
    assert admin != moderator
    # a second run prints working passwords again (new ones: the old are not kept anywhere)
    assert _printed_password(again.stdout, "admin") not in (admin, moderator)
    with sqlite3.connect(tmp_path / "cli.sqlite3") as database:
        queued = database.execute("SELECT COUNT(*) FROM comments WHERE open_report_count > 0")
        hidden = database.execute("SELECT COUNT(*) FROM comments WHERE status = 'HIDDEN'")
        auto_hides = database.execute(
            "SELECT COUNT(*) FROM moderation_actions WHERE kind = 'AUTO_HIDE'"
        )
        assert queued.fetchone()[0] > 1
        assert hidden.fetchone()[0] == auto_hides.fetchone()[0] == 1
