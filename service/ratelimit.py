"""Rate limits over the `limits` library: in-process, or Redis when configured."""

from __future__ import annotations

import math
import time
from typing import cast

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from service.config import RateLimit
from service.errors import RateLimited


class RateLimiter:
    """Named limits (`login`, `comments`, ...) counted per key (a user id, an address)."""

    def __init__(self, limits: dict[str, RateLimit], redis_url: str | None = None) -> None:
        storage: Storage
        if redis_url:
            storage = cast(Storage, storage_from_string("async+" + redis_url, key_prefix="btl"))
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._items: dict[str, RateLimitItem] = {
            name: RateLimitItemPerSecond(limit.amount, limit.seconds)
            for name, limit in limits.items()
        }

    async def _retry_after(self, item: RateLimitItem, keys: tuple[str, ...]) -> int:
        stats = await self._limiter.get_window_stats(item, *keys)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check(self, name: str, *keys: str) -> None:
        """Raise RateLimited when the limit is already used up, without counting."""
        item = self._items[name]
        if not await self._limiter.test(item, *keys):
            raise RateLimited(
                "Too many attempts; try again later.", await self._retry_after(item, keys)
            )

    async def hit(self, name: str, *keys: str) -> None:
        """Count one event; raise RateLimited when it is over the limit."""
        item = self._items[name]
        if not await self._limiter.hit(item, *keys):
            raise RateLimited(
                "Too many requests; try again later.", await self._retry_after(item, keys)
            )

    async def reset(self) -> None:
        await self._storage.reset()
