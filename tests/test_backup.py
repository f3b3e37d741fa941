"""`python -m service backup PATH`: an online copy of the SQLite database while posts arrive,
that opens, passes SQLite's integrity check, holds every comment acknowledged before it
began, and serves again after a restore. Bad input is one line."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import httpx
import pytest

from tests.served import ROOT, Served, create_user, serve
from tests.support import LOGIN, PASSWORD, POST
from tests.test_cli import run_cli

POSTERS = 3
ENOUGH_BEFORE = 30  # comments acknowledged before the backup starts


async def _login(client: httpx.AsyncClient, email: str) -> str:
    variables = {"input": {"email": email, "password": PASSWORD}}
    response = await client.post("/graphql", json={"query": LOGIN, "variables": variables})
    token: str = response.json()["data"]["login"]["token"]
    return token


async def _post_until(
    client: httpx.AsyncClient,
    token: str,
    name: str,
    acknowledged: list[str],
    enough: asyncio.Event,
    stop: asyncio.Event,
) -> None:
    """Post one comment after another until told to stop; bodies acknowledged go in the list
    (`enough` is set once it holds ENOUGH_BEFORE)."""
    n = 0
    while not stop.is_set():
        body = f"{name} says {n}"
        n += 1
        response = await client.post(
            "/graphql",
            json={"query": POST, "variables": {"input": {"articleId": "story-1", "body": body}}},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer = response.json() if response.status_code == 200 else {}
        if answer.get("data", {}).get("postComment", {}).get("__typename") == "Comment":
            acknowledged.append(body)
            if len(acknowledged) >= ENOUGH_BEFORE:
                enough.set()


async def _backup(served: Served, target: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        "backup",
        str(target),
        env=served.env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, (out + err).decode()


async def test_a_backup_while_posts_arrive_holds_every_acknowledged_comment(
    tmp_path: Path,
) -> None:
    # given: a served btl, and posters posting as fast as it answers
    live, restored = tmp_path / "live", tmp_path / "restored"
    live.mkdir()
    restored.mkdir()
    target = tmp_path / "backups" / "btl-copy.sqlite3"
    target.parent.mkdir()
    acknowledged: list[str] = []
    enough, stop = asyncio.Event(), asyncio.Event()
    with serve(live, BTL_RATE_LIMIT_COMMENTS="100000/60") as served:
        create_user(served, "poster@example.com", PASSWORD, "Poster", "moderator")
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            tokens = [await _login(client, "poster@example.com") for _ in range(POSTERS)]
            posting = asyncio.gather(
                *(
                    _post_until(client, token, f"p{n}", acknowledged, enough, stop)
                    for n, token in enumerate(tokens)
                )
            )
            try:
                await asyncio.wait_for(enough.wait(), 30)

                # when: a backup is taken while they go on posting
                before = list(acknowledged)
                code, output = await _backup(served, target)
                during = len(acknowledged) - len(before)
            finally:
                stop.set()
                await posting

    # then: it succeeded while the service kept acknowledging posts
    assert code == 0, output
    assert f"to {target}" in output
    assert during > 0
    # the copy is sound and holds everything acknowledged before it began
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = {body for (body,) in copy.execute("SELECT body FROM comments")}
    assert set(before) <= stored
    assert stored <= set(acknowledged)  # and nothing that was not posted
    assert not list(target.parent.glob(".*partial"))  # nothing half-written is left

    # and: restored (copied into place, migrated), it serves what it holds
    shutil.copy(target, restored / "served.sqlite3")
    with serve(restored) as again:
        async with httpx.AsyncClient(base_url=again.url, timeout=30) as client:
            read = await client.get(
                "/graphql", params={"query": '{ article(id: "story-1") { commentCount } }'}
            )
    assert read.json()["data"]["article"]["commentCount"] == len(stored)


@pytest.fixture
def migrated(tmp_path: Path) -> dict[str, str]:
    """A small SQLite database in WAL mode, as btl keeps it (made here: migrating takes long)."""
    with sqlite3.connect(tmp_path / "btl.sqlite3") as database:
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
        database.executemany("INSERT INTO users (email) VALUES (?)", [("a@x",), ("b@x",)])
    return {"BTL_DATABASE_URL": f"sqlite://{tmp_path}/btl.sqlite3"}


def test_backup_of_an_idle_database_is_a_checked_copy(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "copy.sqlite3"
    target.write_bytes(b"an older backup")  # replaced

    done = run_cli("backup", str(target), env=migrated)

    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM users").fetchone() == (2,)


@pytest.mark.parametrize(
    ("database_url", "target", "message"),
    [
        ("postgres://postgres@127.0.0.1:5432/btl", "copy.sqlite3", "use pg_dump"),
        ("sqlite://{tmp}/nothing-here.sqlite3", "copy.sqlite3", "no SQLite database at"),
        ("sqlite://{tmp}/btl.sqlite3", "missing-folder/copy.sqlite3", "does not exist"),
        ("sqlite://{tmp}/btl.sqlite3", ".", "is a folder"),
        ("sqlite://{tmp}/btl.sqlite3", "btl.sqlite3", "overwrite the database itself"),
        ("sqlite://{tmp}/not-a-database.sqlite3", "copy.sqlite3", "not a readable SQLite"),
    ],
)
def test_backup_errors_are_one_line(
    migrated: dict[str, str], tmp_path: Path, database_url: str, target: str, message: str
) -> None:
    (tmp_path / "not-a-database.sqlite3").write_bytes(b"hello, this is no database" * 200)
    env = {"BTL_DATABASE_URL": database_url.format(tmp=tmp_path)}

    failed = run_cli("backup", str(tmp_path / target), env=env)

    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), failed.stderr
    assert message in lines[0]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc (unwritable)")
def test_backup_to_an_unwritable_place_is_one_line(migrated: dict[str, str]) -> None:
    failed = run_cli("backup", "/proc/btl-backup.sqlite3", env=migrated)

    assert failed.returncode == 1
    assert failed.stderr.strip().startswith("error: cannot write '/proc/btl-backup.sqlite3'")
    assert len(failed.stderr.strip().splitlines()) == 1
