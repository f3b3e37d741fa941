"""SQLite client that starts write transactions with BEGIN IMMEDIATE, and that a cancelled
operation cannot leave holding the connection (see service/transactions.py).

A deferred BEGIN that reads and then writes can fail at once with "database is
locked" when another process holds the write lock (the busy timeout does not
apply to that upgrade). IMMEDIATE takes the write lock up front, so concurrent
writers wait for the busy timeout instead.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError

from service.metrics import CountingLog
from service.transactions import SafeSqliteTransactionContext, uninterrupted


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            if self._connection.in_transaction:  # left open by a failure: never acknowledged
                await self._connection.rollback()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log = CountingLog(self.log)  # type: ignore[assignment]  # its transactions share it

    def _in_transaction(self) -> SafeSqliteTransactionContext:
        return SafeSqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    async def execute_many(self, query: str, values: list[list[object]]) -> None:
        # its own BEGIN ... COMMIT on the shared connection: never left half-way
        await uninterrupted(super().execute_many(query, values))


client_class = ImmediateSqliteClient
