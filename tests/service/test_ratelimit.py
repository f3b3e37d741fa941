"""In-process moving windows: the count, the wait, and keys that went quiet."""

from __future__ import annotations

import pytest

from service.config import RateLimit
from service.errors import RateLimited
from service.ratelimit import MemoryWindows, RateLimiter


async def test_a_window_refuses_the_event_over_its_amount_and_says_how_long_to_wait() -> None:
    limiter = RateLimiter({"comments": RateLimit(2, 60), "reports": RateLimit(2, 60)})
    await limiter.hit("comments", "user:1")
    await limiter.hit("comments", "user:1")

    with pytest.raises(RateLimited) as refused:
        await limiter.hit("comments", "user:1")

    assert 1 <= refused.value.retry_after_seconds <= 60
    await limiter.hit("comments", "user:2")  # another key has its own window
    await limiter.hit("reports", "user:1")  # and another limit too


async def test_quiet_keys_are_swept_so_memory_stays_bounded() -> None:
    windows = MemoryWindows()
    windows.SWEEP_EVERY = 10
    limit = RateLimit(5, 0)  # a window that ends at once: every key is quiet after its hit

    for n in range(100):
        assert await windows.hit(limit, f"user:{n}")

    assert len(windows._events) <= 10
