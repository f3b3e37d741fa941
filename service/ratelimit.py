"""Rate limits: moving windows counted per key (a user id, an address).

In one process they live in memory; with BTL_REDIS_URL they are shared through Redis by
the `limits` library. The in-memory windows are ours: `limits`' asyncio memory storage
sweeps every key, each through a worker thread, on every hit — hundreds of thread hops
per comment once hundreds of readers are commenting. While Redis does not answer, each
process counts in its own windows (service/redis_outage.py): a limit never fails a request.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from service.config import RateLimit
from service.errors import RateLimited
from service.metrics import RATE_LIMIT_REFUSALS
from service.redis_outage import REDIS_TIMEOUT_SECONDS, Outage

T = TypeVar("T")


class _Windows(Protocol):
    async def test(self, limit: RateLimit, key: str) -> bool: ...
    async def hit(self, limit: RateLimit, key: str) -> bool: ...
    async def retry_after(self, limit: RateLimit, key: str) -> int: ...
    async def refund(self, limit: RateLimit, key: str) -> None: ...
    async def reset(self) -> None: ...


class MemoryWindows:
    """The times of the accepted events in each key's window (at most `amount` per key)."""

    SWEEP_EVERY = 10_000  # hits between sweeps of keys that have gone quiet

    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = {}
        self._longest = 0.0
        self._hits = 0

    def _window(self, limit: RateLimit, key: str, at: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
        while events and events[0] <= at - limit.seconds:
            events.popleft()
        return events

    async def test(self, limit: RateLimit, key: str) -> bool:
        return len(self._window(limit, key, time.time())) < limit.amount

    async def hit(self, limit: RateLimit, key: str) -> bool:
        at = time.time()
        self._longest = max(self._longest, limit.seconds)
        self._hits += 1
        if self._hits % self.SWEEP_EVERY == 0:
            self._sweep(at)
        events = self._window(limit, key, at)
        if len(events) >= limit.amount:
            return False
        events.append(at)
        return True

    async def retry_after(self, limit: RateLimit, key: str) -> int:
        at = time.time()
        events = self._window(limit, key, at)
        if not events:
            return 1
        return max(1, math.ceil(events[0] + limit.seconds - at))

    async def refund(self, limit: RateLimit, key: str) -> None:
        events = self._events.get(key)
        if events:
            events.pop()  # the newest: any of the key's events counts the same

    async def reset(self) -> None:
        self._events.clear()

    def _sweep(self, at: float) -> None:
        quiet = [
            key
            for key, events in self._events.items()
            if not events or events[-1] <= at - self._longest
        ]
        for key in quiet:
            del self._events[key]


class RedisWindows:
    """The same windows in Redis, through `limits`, so every instance counts together."""

    def __init__(self, redis_url: str) -> None:
        storage = storage_from_string(
            "async+" + redis_url,
            key_prefix="btl",
            wrap_exceptions=True,  # any failure of Redis is a StorageError
            connect_timeout=REDIS_TIMEOUT_SECONDS,
            stream_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.url = redis_url
        self._storage = cast(Storage, storage)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._items: dict[RateLimit, RateLimitItem] = {}

    def _item(self, limit: RateLimit) -> RateLimitItem:
        item = self._items.get(limit)
        if item is None:
            item = self._items[limit] = RateLimitItemPerSecond(limit.amount, limit.seconds)
        return item

    async def test(self, limit: RateLimit, key: str) -> bool:
        return await self._limiter.test(self._item(limit), key)

    async def hit(self, limit: RateLimit, key: str) -> bool:
        return await self._limiter.hit(self._item(limit), key)

    async def retry_after(self, limit: RateLimit, key: str) -> int:
        stats = await self._limiter.get_window_stats(self._item(limit), key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def refund(self, limit: RateLimit, key: str) -> None:
        # `limits` keeps a moving window as a Redis list of times, newest first
        bridge = cast(RedisStorage, self._storage).bridge
        window = bridge.prefixed_key(self._item(limit).key_for(key))
        # each bridge (coredis, redis-py, valkey) has get_connection; their base does not say so
        await cast(Any, bridge).get_connection().lpop(window)

    async def reset(self) -> None:
        await self._storage.reset()


class RedisOrMemoryWindows:
    """The Redis windows while Redis answers; this process's own windows while it does not."""

    def __init__(self, redis: RedisWindows) -> None:
        self._redis = redis
        self._memory = MemoryWindows()
        self._outage = Outage(
            "rate limits", "counted in this process meanwhile", redis_url=redis.url
        )

    async def _either(self, call: Callable[[_Windows], Awaitable[T]]) -> T:
        if not self._outage.skipping:
            try:
                async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                    answer = await call(self._redis)
            except (StorageError, OSError, TimeoutError) as exc:
                self._outage.failed(exc)
            else:
                self._outage.answered()
                return answer
        return await call(self._memory)

    async def test(self, limit: RateLimit, key: str) -> bool:
        return await self._either(lambda windows: windows.test(limit, key))

    async def hit(self, limit: RateLimit, key: str) -> bool:
        return await self._either(lambda windows: windows.hit(limit, key))

    async def retry_after(self, limit: RateLimit, key: str) -> int:
        return await self._either(lambda windows: windows.retry_after(limit, key))

    async def refund(self, limit: RateLimit, key: str) -> None:
        await self._either(lambda windows: windows.refund(limit, key))

    async def reset(self) -> None:
        await self._memory.reset()
        await self._either(lambda windows: windows.reset())


class RateLimiter:
    """Named limits (`login`, `comments`, ...) counted per key."""

    def __init__(self, limits: dict[str, RateLimit], redis_url: str | None = None) -> None:
        self._limits = limits
        self._windows: _Windows = (
            RedisOrMemoryWindows(RedisWindows(redis_url)) if redis_url else MemoryWindows()
        )

    async def check(self, name: str, key: str) -> None:
        """Raise RateLimited when the limit is already used up, without counting."""
        limit, counted = self._limits[name], f"{name}/{key}"
        if not await self._windows.test(limit, counted):
            RATE_LIMIT_REFUSALS.labels(name).inc()
            raise RateLimited(
                "Too many attempts; try again later.",
                await self._windows.retry_after(limit, counted),
            )

    async def hit(self, name: str, key: str) -> None:
        """Count one event; raise RateLimited when it is over the limit."""
        limit, counted = self._limits[name], f"{name}/{key}"
        if not await self._windows.hit(limit, counted):
            RATE_LIMIT_REFUSALS.labels(name).inc()
            raise RateLimited(
                "Too many requests; try again later.",
                await self._windows.retry_after(limit, counted),
            )

    async def reserve(self, name: str, key: str) -> None:
        """Count an attempt before making it (raise RateLimited when none is left), so that
        a burst of concurrent attempts is limited like a sequence; `release` gives it back."""
        limit, counted = self._limits[name], f"{name}/{key}"
        if not await self._windows.hit(limit, counted):
            RATE_LIMIT_REFUSALS.labels(name).inc()
            raise RateLimited(
                "Too many attempts; try again later.",
                await self._windows.retry_after(limit, counted),
            )

    async def release(self, name: str, key: str) -> None:
        """Give back an attempt `reserve` counted (it succeeded, or was never made)."""
        await self._windows.refund(self._limits[name], f"{name}/{key}")

    async def reset(self) -> None:
        await self._windows.reset()
