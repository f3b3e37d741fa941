"""asyncpg client whose transactions a cancelled operation cannot leave holding a pooled
connection (see service/transactions.py), and whose connections go back to the pool within
a bound even when PostgreSQL stops answering.

A query cancelled by the operation timeout leaves asyncpg sending PostgreSQL a cancel
request, and Tortoise's release waits for it with no limit: with the server or network
hung, the cancelled request would wait for as long as that lasts. Here the release waits
at most STEP_SECONDS, then the connection is terminated (the pool opens another)."""

from __future__ import annotations

from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import PoolConnectionWrapper

from service.metrics import CountingLog
from service.transactions import SafePooledTransactionContext, release_bounded


class BoundedPoolConnection(PoolConnectionWrapper[Any]):
    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        await release_bounded(self.client._pool, self.connection)


class SafeAsyncpgClient(AsyncpgDBClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log = CountingLog(self.log)  # type: ignore[assignment]  # its transactions share it

    def acquire_connection(self) -> BoundedPoolConnection:
        return BoundedPoolConnection(self, self._pool_init_lock)

    def _in_transaction(self) -> SafePooledTransactionContext:
        return SafePooledTransactionContext(TransactionWrapper(self), self._pool_init_lock)


client_class = SafeAsyncpgClient
