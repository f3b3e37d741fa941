"""SQLite client that starts write transactions with BEGIN IMMEDIATE, that a cancelled
operation cannot leave holding the connection (see service/transactions.py), and whose
reads outside a transaction run on connections of their own.

A deferred BEGIN that reads and then writes can fail at once with "database is
locked" when another process holds the write lock (the busy timeout does not
apply to that upgrade). IMMEDIATE takes the write lock up front, so concurrent
writers wait for the busy timeout instead.

Tortoise gives a SQLite database one connection, and a write transaction holds it from
BEGIN to COMMIT: every read of every other request queued behind each post. In WAL mode
readers proceed beside a writer, but only on connections of their own, so a SELECT outside
a transaction goes to one of READERS read-only connections. Each such statement is its own
read transaction, begun when it starts: it sees every write committed before — a read that
starts after a write returned sees it — and never a write still open. Inside a transaction
every statement stays on the transaction's connection (Tortoise hands it out there). An
in-memory database is private to its connection: it keeps the one.

Handing a statement to a connection's thread and waking the event loop with its rows costs
more than the small indexed reads every page makes (a session, a thread page, a version),
and on a busy machine each hop waits for the thread to be scheduled. `read_now` runs such a
read on the event loop's own thread (service/sql.py `fetch`, the hand-written hot reads;
the ORM's reads keep to the threads). It never waits: a read that would (SQLITE_BUSY, rare
in WAL mode) goes to a read connection's thread instead, which waits the busy timeout.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.exceptions import OperationalError, TransactionManagementError

from service.metrics import CountingLog
from service.transactions import SafeSqliteTransactionContext, uninterrupted

_WOULD_WAIT = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    """A write transaction, run at once on the event loop's thread. A statement handed to
    the connection's thread came back only after the event loop's next turn through every
    other request, and the write lock was held that much longer by each: under load, writes
    queued behind each other. Once BEGIN IMMEDIATE holds the write lock nothing waits (WAL:
    readers never block the writer); BEGIN itself tries without waiting and, when another
    process holds the lock, waits the busy timeout on the connection's thread. A COMMIT no
    longer checkpoints (copying the WAL into the database and syncing the disk, which the
    event loop must not wait for): the client does that on a thread of its own, every
    CHECKPOINT_EVERY commits."""

    def begin_now(self) -> bool:
        """BEGIN IMMEDIATE at once; False: another process holds the write lock, and `begin`
        must wait for it (on the connection's thread)."""
        raw = self._raw()
        try:
            if raw.in_transaction:  # left open by a failure: never acknowledged
                raw.rollback()
            pragmas: dict[str, Any] = getattr(self._parent, "pragmas", {})
            return _begin_at_once(raw, pragmas.get("busy_timeout", 10_000))
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc

    async def begin(self) -> None:
        try:
            if self._connection.in_transaction:  # left open by a failure: never acknowledged
                await self._connection.rollback()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc

    def end_now(self, *, failed: bool) -> None:
        """COMMIT (ROLLBACK when `failed`) at once; a COMMIT that fails (a full disk) leaves
        no transaction open behind it."""
        raw = self._raw()
        try:
            if not self._finalized:
                self._finalized = True
                if failed:
                    raw.rollback()
                else:
                    raw.commit()
                    parent = self._parent
                    if isinstance(parent, ImmediateSqliteClient):
                        parent.committed()
        finally:
            if raw.in_transaction:
                raw.rollback()

    async def commit(self) -> None:
        if self._finalized:
            raise TransactionManagementError("Transaction already finalised")
        self.end_now(failed=False)

    async def rollback(self) -> None:
        if self._finalized:
            raise TransactionManagementError("Transaction already finalised")
        self.end_now(failed=True)

    def _raw(self) -> sqlite3.Connection:
        raw: sqlite3.Connection = self._connection._conn
        return raw

    @translate_exceptions
    async def execute_insert(self, query: str, values: list[Any]) -> int:
        self.log.debug("%s: %s", query, values)
        cursor = self._raw().execute(query, values)
        cursor.fetchall()  # an INSERT ... RETURNING finishes its statement
        return cursor.lastrowid or 0

    @translate_exceptions
    async def execute_query(
        self, query: str, values: list[Any] | None = None
    ) -> tuple[int, Sequence[dict[str, Any]]]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        self.log.debug("%s: %s", query, values)
        raw = self._raw()
        start = raw.total_changes
        rows: list[Any] = raw.execute(query, values or []).fetchall()
        return (raw.total_changes - start) or len(rows), rows

    @translate_exceptions
    async def execute_query_dict(
        self, query: str, values: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        self.log.debug("%s: %s", query, values)
        return list(map(dict, self._raw().execute(query, values or []).fetchall()))

    @translate_exceptions
    async def execute_many(self, query: str, values: list[list[Any]]) -> None:
        self.log.debug("%s: %s", query, values)
        self._raw().executemany(query, values)


def _begin_at_once(raw: sqlite3.Connection, busy_timeout: int) -> bool:
    """BEGIN IMMEDIATE without waiting; False: another process holds the write lock."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        raw.execute("BEGIN IMMEDIATE")
        return True
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _WOULD_WAIT:
            return False
        raise
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")


# SQLite's own auto-checkpoint comes every 1,000 pages of WAL; a post writes a few
CHECKPOINT_EVERY = 200


# two cores' worth: SQLite runs a statement without the GIL, so reads overlap each other
# and the event loop; more connections only queue in more threads
READERS = 2
_READ_PREFIXES = ("select", "with")


def is_read(query: str) -> bool:
    """A statement that only reads (SELECT, or WITH ... SELECT: no writing CTE in btl)."""
    return query.lstrip()[:6].lower().startswith(_READ_PREFIXES)


class ImmediateSqliteClient(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self.log = CountingLog(self.log)  # type: ignore[assignment]  # its transactions share it
        self._idle_readers: list[aiosqlite.Connection] = []
        self._all_readers: list[aiosqlite.Connection] = []
        self._reader_slots = asyncio.Semaphore(READERS)
        self._shared = ":memory:" not in file_path and "mode=memory" not in file_path
        self._at_once: sqlite3.Connection | None = None
        self._commits = 0
        self._checkpointing: asyncio.Task[None] | None = None

    async def create_connection(self, with_db: bool) -> None:
        # Tortoise's, but usable from the event loop's thread too (transactions' statements)
        if not self._connection:
            self._connection = await aiosqlite.connect(
                self.filename, isolation_level=None, check_same_thread=False
            )
            self._connection._conn.row_factory = sqlite3.Row
            pragmas = dict(self.pragmas)
            if self._shared:  # checkpoints on a thread of their own (`committed`)
                pragmas["wal_autocheckpoint"] = 0
            for pragma, value in pragmas.items():
                await (await self._connection.execute(f"PRAGMA {pragma}={value}")).close()
            await self._post_connect()

    def committed(self) -> None:
        """A transaction committed on the event loop's thread: now and then, copy the WAL
        into the database on a connection and thread of its own, while this process's
        writes wait (PASSIVE: it waits for no reader, nor for another process)."""
        self._commits += 1
        if not self._shared or self._commits % CHECKPOINT_EVERY:
            return
        if self._checkpointing is None or self._checkpointing.done():
            self._checkpointing = asyncio.create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        try:
            # no write of this process beside it: a checkpoint that catches up with the WAL
            # lets the next write start it again from the beginning (else it grows)
            async with (
                aiosqlite.connect(self.filename, isolation_level=None) as checkpointer,
                self._lock,
            ):
                await (await checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")).close()
        except sqlite3.Error as exc:  # the next one tries again; SQLite's data is safe
            self.log.warning("WAL checkpoint failed: %r", exc)

    async def _open_reader(self) -> aiosqlite.Connection:
        reader = await aiosqlite.connect(self.filename, isolation_level=None)
        reader._conn.row_factory = sqlite3.Row
        busy = self.pragmas.get("busy_timeout", 10_000)
        for pragma in (f"busy_timeout={busy}", "query_only=ON"):
            await (await reader.execute(f"PRAGMA {pragma}")).close()
        self._all_readers.append(reader)
        return reader

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._reader_slots:
            reader = self._idle_readers.pop() if self._idle_readers else await self._open_reader()
            try:
                yield reader
            finally:
                # a statement cancelled mid-way still finishes in the connection's thread
                # before the next one starts there (aiosqlite runs them in order)
                self._idle_readers.append(reader)

    def read_now(self, query: str, values: list[Any]) -> list[dict[str, Any]] | None:
        """The rows of a small read, run at once on this thread; None when it would wait
        (or cannot run here): the caller awaits `execute_query_dict` instead."""
        if not (self._shared and is_read(query)):
            return None
        if self._at_once is None:
            at_once = sqlite3.connect(self.filename, isolation_level=None)
            at_once.row_factory = sqlite3.Row
            at_once.execute("PRAGMA busy_timeout=0")  # never wait on the event loop's thread
            at_once.execute("PRAGMA query_only=ON")
            self._at_once = at_once
        self.log.debug("%s: %s", query, values)
        try:
            return list(map(dict, self._at_once.execute(query, values).fetchall()))
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _WOULD_WAIT:
                return None
            raise OperationalError(exc) from exc

    @translate_exceptions
    async def execute_query(
        self, query: str, values: list[Any] | None = None
    ) -> tuple[int, Sequence[dict[str, Any]]]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        if not (self._shared and is_read(query)):
            async with self.acquire_connection() as connection:  # waiting may be cancelled
                self.log.debug("%s: %s", query, values)
                start = connection.total_changes
                written = list(await uninterrupted(connection.execute_fetchall(query, values)))
                return (connection.total_changes - start) or len(written), written
        async with self._reader() as reader:
            self.log.debug("%s: %s", query, values)
            rows: list[Any] = list(await reader.execute_fetchall(query, values))
            return len(rows), rows

    @translate_exceptions
    async def execute_query_dict(
        self, query: str, values: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        query = query.replace("\x00", "'||CHAR(0)||'")
        if not (self._shared and is_read(query)):
            async with self.acquire_connection() as connection:  # waiting may be cancelled
                self.log.debug("%s: %s", query, values)
                return list(
                    map(dict, await uninterrupted(connection.execute_fetchall(query, values)))
                )
        async with self._reader() as reader:
            self.log.debug("%s: %s", query, values)
            return list(map(dict, await reader.execute_fetchall(query, values)))

    @translate_exceptions
    async def execute_insert(self, query: str, values: list[Any]) -> int:
        async with self.acquire_connection() as connection:  # waiting may be cancelled
            self.log.debug("%s: %s", query, values)
            inserted = await uninterrupted(connection.execute_insert(query, values))
            return int(inserted[0]) if inserted else 0

    @translate_exceptions
    async def execute_script(self, query: str) -> None:
        async with self.acquire_connection() as connection:  # waiting may be cancelled
            self.log.debug(query)
            await uninterrupted(connection.executescript(query))

    async def close(self) -> None:
        if self._checkpointing is not None:
            await asyncio.wait([self._checkpointing])
        if self._at_once is not None:
            self._at_once.close()
            self._at_once = None
        readers, self._all_readers, self._idle_readers = self._all_readers, [], []
        for reader in readers:
            await reader.close()
        await super().close()

    def _in_transaction(self) -> SafeSqliteTransactionContext:
        return SafeSqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    @translate_exceptions
    async def execute_many(self, query: str, values: list[list[object]]) -> None:
        async with self.acquire_connection() as connection:  # waiting may be cancelled
            self.log.debug("%s: %s", query, values)
            # its own BEGIN ... COMMIT on the shared connection: never left half-way
            await uninterrupted(_many_at_once(connection, query, values))


client_class = ImmediateSqliteClient


async def _many_at_once(connection: aiosqlite.Connection, query: str, values: Any) -> None:
    await connection.execute("BEGIN")
    try:
        await connection.executemany(query, values)
    except Exception:
        await connection.rollback()
        raise
    await connection.commit()
