"""`python -m service backup PATH`: a consistent copy of the SQLite database while it serves.

SQLite's online backup API copies the database page by page; between steps the source is
free, so the service keeps reading and writing (WAL: a reader never blocks a writer). A
write by another connection between two steps makes SQLite start the copy over; when that
keeps happening the copy is taken in one step instead (one read transaction: consistent,
and writers still go on). The copy is written next to PATH, checked with `PRAGMA
quick_check`, and only then renamed onto PATH, so PATH is never a half-written file.

PostgreSQL has its own tools for this (`pg_dump`, `pg_basebackup`): btl does not copy it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

PAGES_PER_STEP = 1024  # 4 MiB of 4 KiB pages, then a pause for the service
PAUSE_SECONDS = 0.01
RESTARTS_BEFORE_ONE_STEP = 3


class BackupError(Exception):
    """A backup that cannot be made; the message says why, in a line."""


@dataclass(frozen=True)
class BackupDone:
    source: Path
    target: Path
    pages: int
    restarts: int


def sqlite_path(database_url: str) -> Path:
    """The file behind a sqlite:// URL, or why there is none to copy."""
    if database_url.startswith(("postgres://", "asyncpg://")):
        raise BackupError(
            "BTL_DATABASE_URL is PostgreSQL, which btl does not copy: use pg_dump (or "
            "pg_basebackup), and pg_restore to restore (README: Production, Backups)"
        )
    path = database_url.removeprefix("sqlite://").split("?")[0]
    if path == ":memory:":
        raise BackupError("BTL_DATABASE_URL is an in-memory SQLite database: nothing to copy")
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"no SQLite database at {str(source)!r} (BTL_DATABASE_URL)")
    return source


class _Restarted(Exception):
    """Raised from the progress callback to stop a copy that keeps starting over."""


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, pages: int) -> int:
    """Copy; the number of restarts seen (raises _Restarted past the allowed number)."""
    restarts = 0
    remaining_before: int | None = None

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal restarts, remaining_before
        if remaining_before is not None and remaining > remaining_before:
            restarts += 1
            if restarts >= RESTARTS_BEFORE_ONE_STEP:
                raise _Restarted
        remaining_before = remaining

    source.backup(target, pages=pages, progress=progress, sleep=PAUSE_SECONDS)
    return restarts


def backup(database_url: str, target: Path) -> BackupDone:
    """Copy the SQLite database of `database_url` to `target` (replaced if it exists)."""
    source_path = sqlite_path(database_url)
    if target.is_dir():
        raise BackupError(f"{str(target)!r} is a folder: give a file name")
    if target.exists() and target.resolve() == source_path.resolve():
        raise BackupError("the backup would overwrite the database itself: give another path")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {str(target.parent)!r} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"cannot write {str(target)!r}: {exc}") from exc
    try:
        with contextlib.closing(_open(source_path)) as source:
            try:
                restarts = _copy(source, copy, PAGES_PER_STEP)
            except _Restarted:  # written to all the time: one read transaction, one step
                restarts = RESTARTS_BEFORE_ONE_STEP
                source.backup(copy, pages=-1)
        (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise BackupError(f"the copy failed its check ({verdict}): the source may be damaged")
        (pages,) = copy.execute("PRAGMA page_count").fetchone()
        copy.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy {str(source_path)!r} to {str(target)!r}: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from exc
    finally:
        copy.close()
        partial.unlink(missing_ok=True)
    return BackupDone(source_path, target, int(pages), restarts)


def _open(path: Path) -> sqlite3.Connection:
    """The live database (only read from); waits out a writer's lock like the service does."""
    connection = sqlite3.connect(path, timeout=10)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        connection.close()
        raise BackupError(f"{str(path)!r} is not a readable SQLite database: {exc}") from exc
    return connection
