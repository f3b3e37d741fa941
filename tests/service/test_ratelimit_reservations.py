"""Reserving an attempt counts it at once, in memory and in Redis; releasing gives it back."""

from __future__ import annotations

import asyncio
import os

import pytest

from service.config import RateLimit
from service.errors import RateLimited
from service.ratelimit import RateLimiter

REDIS_URL = os.environ.get("BTL_TEST_REDIS_URL")


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> RateLimiter:
    if request.param == "memory":
        return RateLimiter({"login": RateLimit(10, 300)})
    if not REDIS_URL:
        pytest.skip("BTL_TEST_REDIS_URL is not set: the Redis windows are not tested")
    shared = RateLimiter({"login": RateLimit(10, 300)}, REDIS_URL)
    await shared.reset()
    return shared


async def _reserved(limiter: RateLimiter, key: str) -> bool:
    try:
        await limiter.reserve("login", key)
    except RateLimited:
        return False
    return True


async def test_reserve_burst_grants_exactly_the_limit(limiter: RateLimiter) -> None:
    # when: 100 reservations at once
    granted = await asyncio.gather(*(_reserved(limiter, "email:a") for _ in range(100)))

    # then
    assert sum(granted) == 10
    assert await _reserved(limiter, "email:b")  # another key has its own window


async def test_release_gives_one_attempt_back(limiter: RateLimiter) -> None:
    # given: the window used up
    for _ in range(10):
        await limiter.reserve("login", "email:a")
    assert not await _reserved(limiter, "email:a")

    # when
    await limiter.release("login", "email:a")

    # then: exactly one more
    assert await _reserved(limiter, "email:a")
    assert not await _reserved(limiter, "email:a")
