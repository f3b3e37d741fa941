"""Shared reads: requests that arrive while a read runs share the next one, never that one."""

from __future__ import annotations

import asyncio

import pytest

from service.shared_reads import SharedReads


async def test_requests_arriving_during_a_read_share_the_next_one_never_that_one() -> None:
    reads: list[int] = []
    first_started, first_may_finish = asyncio.Event(), asyncio.Event()

    async def read() -> dict[str, int]:
        reads.append(len(reads) + 1)
        number = len(reads)
        if number == 1:
            first_started.set()
            await first_may_finish.wait()  # a write could commit while this read runs
        return {"story-1": number}

    shared = SharedReads()
    first = asyncio.create_task(shared.read("versions", read))
    await first_started.wait()
    late = [asyncio.create_task(shared.read("versions", read)) for _ in range(5)]
    await asyncio.sleep(0)
    first_may_finish.set()

    assert await first == {"story-1": 1}
    assert [await t for t in late] == [{"story-1": 2}] * 5  # one read, begun after they came
    assert reads == [1, 2]


async def test_a_failed_read_fails_each_of_its_requests_and_the_next_read_is_fresh() -> None:
    attempts: list[int] = []

    async def read() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("database went away")
        return 42

    shared = SharedReads()
    together = [asyncio.create_task(shared.read("rules", read)) for _ in range(3)]
    for task in together:
        with pytest.raises(ConnectionError):
            await task

    assert await shared.read("rules", read) == 42
    assert len(attempts) == 2
