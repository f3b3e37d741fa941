"""Transactions that a cancellation cannot leave half-open.

An operation is cancelled at whatever await it has reached: by the operation timeout, by a
client that went away, by shutdown. Tortoise's transaction contexts take the connection
(SQLite: the one connection's lock; PostgreSQL: a pooled connection) and then await BEGIN;
a cancellation there never gives it back, and on SQLite every later query waits for a lock
nobody holds. A cancellation during COMMIT or ROLLBACK can also leave the connection inside
a transaction for the next user. Here BEGIN, COMMIT, ROLLBACK and the release run to their
end whatever happens to the caller, and the cancellation goes on once they have.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.backends.base.client import TransactionalDBClient, TransactionContextPooled
from tortoise.backends.sqlite.client import SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections

logger = logging.getLogger("btl.db")
T = TypeVar("T")


async def uninterrupted(step: Awaitable[T]) -> T:
    """Await `step` to its end even when the caller is cancelled meanwhile; then the
    cancellation goes on."""
    task = asyncio.ensure_future(step)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        while not task.done():
            try:
                await asyncio.wait([task])
            except asyncio.CancelledError:  # cancelled again: still finish the step first
                continue
        if not task.cancelled():
            task.exception()  # seen: the cancellation is what the caller gets
        raise


class SafeSqliteTransactionContext(SqliteTransactionContext):
    connection: SqliteTransactionWrapper

    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            # at once when the connection can (service/sqlite_backend.py): nothing to
            # interrupt, and no turn of the event loop while the write lock is held
            if not self._begin_now():
                await uninterrupted(self._begin())
        except BaseException:
            # BEGIN failed, or finished after its caller was cancelled: end it, let others in
            # (in `finally`: the caller may be cancelled again while it ends)
            try:
                await uninterrupted(self._end_open_transaction())
            finally:
                self._trxlock.release()
            raise
        self.token = get_connections().set(self.connection_name, self.connection)
        return self.connection

    def _begin_now(self) -> bool:
        begin_now = getattr(self.connection, "begin_now", None)
        return begin_now is not None and self.connection._connection is not None and begin_now()

    async def _begin(self) -> None:
        await self.ensure_connection()
        await self.connection.begin()

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            end_now = getattr(self.connection, "end_now", None)
            if end_now is not None:
                end_now(failed=exc_type is not None)
            else:
                await uninterrupted(self._end(failed=exc_type is not None))
        finally:
            try:
                get_connections().reset(self.token)
            finally:
                self._trxlock.release()

    async def _end(self, *, failed: bool) -> None:
        try:
            if not self.connection._finalized:
                if failed:
                    await self.connection.rollback()
                else:
                    await self.connection.commit()
        finally:
            # a COMMIT that failed (a full disk, a busy database) leaves the transaction open
            await self._end_open_transaction()

    async def _end_open_transaction(self) -> None:
        raw = self.connection._connection
        if raw is not None and raw.in_transaction:
            await raw.rollback()


class SafePooledTransactionContext(TransactionContextPooled):
    """PostgreSQL: the pooled connection goes back to the pool whatever happens; asyncpg's
    release resets it (a ROLLBACK when it is still inside a transaction).

    Each of BEGIN, COMMIT, ROLLBACK and the release gets STEP_SECONDS: a server or network
    that stops answering without closing anything (a partition, a hung server) would
    otherwise hold the cancelled operation, and its client, for as long as it lasts. Past
    that the connection is terminated (the pool opens a new one when one is needed) and the
    operation fails as a storage failure; a COMMIT cut short was never acknowledged."""

    client: TransactionWrapper

    async def __aenter__(self) -> TransactionalDBClient:
        await self.ensure_connection()
        pool = self.client._parent._pool
        assert pool is not None
        connection = await pool.acquire()  # asyncpg's acquire is cancel-safe
        self.client._connection = connection
        try:
            await uninterrupted(_within_step(self.client.begin(), connection))
        except BaseException:
            await uninterrupted(release_bounded(pool, connection))
            raise
        self.token = get_connections().set(self.connection_name, self.client)
        return self.client

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        connection = self.client._connection
        try:
            await uninterrupted(_within_step(self._end(failed=exc_type is not None), connection))
        finally:
            try:
                get_connections().reset(self.token)
            finally:
                pool = self.client._parent._pool
                if pool is not None:
                    await uninterrupted(release_bounded(pool, connection))

    async def _end(self, *, failed: bool) -> None:
        if self.client._finalized:
            return
        if not failed:
            await self.client.commit()
            return
        try:
            await self.client.rollback()
        except Exception as exc:  # e.g. a query cancelled mid-way: the release resets it
            logger.warning("rollback failed, the connection is reset instead: %r", exc)


# a BEGIN, COMMIT, ROLLBACK or reset takes milliseconds; this long means nobody answers
STEP_SECONDS = 5.0


async def _within_step(step: Awaitable[T], connection: Any) -> T:
    """`step` on `connection`, or the connection terminated once STEP_SECONDS have passed."""
    try:
        async with asyncio.timeout(STEP_SECONDS):
            return await step
    except TimeoutError:
        connection.terminate()
        raise ConnectionAbortedError(
            f"PostgreSQL did not answer within {STEP_SECONDS:g} s: connection closed"
        ) from None


async def release_bounded(pool: Any, connection: Any) -> None:
    """Back to the pool; asyncpg terminates a connection whose reset fails or takes longer
    than STEP_SECONDS (a new one is opened when needed), which is nothing to raise about."""
    try:
        await pool.release(connection, timeout=STEP_SECONDS)
    except Exception as exc:
        logger.warning("a connection that could not be reset was closed: %r", exc)
