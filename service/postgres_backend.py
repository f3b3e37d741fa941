"""asyncpg client whose transactions a cancelled operation cannot leave holding a pooled
connection (see service/transactions.py)."""

from __future__ import annotations

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper

from service.transactions import SafePooledTransactionContext


class SafeAsyncpgClient(AsyncpgDBClient):
    def _in_transaction(self) -> SafePooledTransactionContext:
        return SafePooledTransactionContext(TransactionWrapper(self), self._pool_init_lock)


client_class = SafeAsyncpgClient
