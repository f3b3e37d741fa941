"""asyncpg client whose transactions a cancelled operation cannot leave holding a pooled
connection (see service/transactions.py)."""

from __future__ import annotations

from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper

from service.metrics import CountingLog
from service.transactions import SafePooledTransactionContext


class SafeAsyncpgClient(AsyncpgDBClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log = CountingLog(self.log)  # type: ignore[assignment]  # its transactions share it

    def _in_transaction(self) -> SafePooledTransactionContext:
        return SafePooledTransactionContext(TransactionWrapper(self), self._pool_init_lock)


client_class = SafeAsyncpgClient
