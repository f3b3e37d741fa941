"""A btl served by uvicorn in a subprocess, on a fresh SQLite file, for out-of-process clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Served:
    url: str
    env: dict[str, str]
    pid: int = 0  # the uvicorn process (one worker: it serves itself), e.g. to SIGKILL it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Until something accepts on 127.0.0.1:`port`; RuntimeError if `process` exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before listening")
        time.sleep(0.1)


@contextmanager
def serve(directory: Path, *, migrate: bool = True, **settings: str) -> Iterator[Served]:
    """`migrate=False` for a second instance on a database the first has migrated."""
    port = free_port()
    env = {
        **os.environ,
        "BTL_DATABASE_URL": f"sqlite://{directory}/served.sqlite3",
        "BTL_PORT": str(port),
        **settings,
    }
    if migrate:
        subprocess.run(
            [sys.executable, "-m", "service", "migrate"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=60,
        )
    log = open(directory / "served.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    try:
        try:
            wait_for_port(port, process)
        except RuntimeError:
            raise RuntimeError((directory / "served.log").read_text()) from None
        yield Served(f"http://127.0.0.1:{port}", env, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def fresh_postgres(base_url: str, suffix: str) -> str:
    """An empty database `<base>_<suffix>` beside the test database (created when missing), for
    served processes that must not share the suite's tables; its URL."""
    import asyncpg

    base = base_url.replace("postgres://", "postgresql://", 1)
    head, _, name = base.rpartition("/")
    database = f"{name}_{suffix}"
    admin = await asyncpg.connect(base)
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    except asyncpg.DuplicateDatabaseError:
        pass
    finally:
        await admin.close()
    url = f"{head}/{database}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    return url.replace("postgresql://", "postgres://", 1)


def create_user(served: Served, email: str, password: str, name: str, role: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "service",
            "create-user",
            "--email",
            email,
            "--password",
            password,
            "--display-name",
            name,
            "--role",
            role,
        ],
        env=served.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
