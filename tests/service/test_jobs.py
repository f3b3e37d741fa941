"""Due jobs: each done once however many schedulers share the database, retried with
backoff when it fails, taken again when the scheduler that claimed it died."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from service import jobs
from service.clock import clock
from service.models import Job
from tests.support import Api

KIND = "test.count"


def counting(calls: list[int], failures: int = 0) -> jobs.Handler:
    """A handler that records each run (failing the first `failures` times)."""

    async def handler(payload: jobs.Payload) -> None:
        await asyncio.sleep(0)  # let the other scheduler run in between
        calls.append(int(payload["n"]))
        if len(calls) <= failures:
            raise ConnectionError("the mail server is away")

    return handler


async def test_two_schedulers_on_one_database_do_each_job_once(api: Api) -> None:
    # given forty due jobs
    for n in range(40):
        await jobs.schedule(KIND, {"n": n})
    calls: list[int] = []
    first = jobs.Scheduler({KIND: counting(calls)}, name="first")
    second = jobs.Scheduler({KIND: counting(calls)}, name="second")

    # when two instances' schedulers run at once, twice over
    done = await asyncio.gather(first.run_due(), second.run_due())
    done_again = await asyncio.gather(first.run_due(), second.run_due())

    # then each job ran exactly once, and is done
    assert sorted(calls) == list(range(40))
    assert sum(done) == 40 and done_again == [0, 0]
    assert await Job.filter(done_at=None).count() == 0


async def test_a_job_not_due_yet_waits(api: Api) -> None:
    calls: list[int] = []
    scheduler = jobs.Scheduler({KIND: counting(calls)})
    await jobs.schedule(KIND, {"n": 1}, due_at=clock.now() + timedelta(seconds=30))

    before = await scheduler.run_due()
    clock.advance(31)
    after = await scheduler.run_due()

    assert (before, after, calls) == (0, 1, [1])


async def test_a_job_claimed_by_a_killed_scheduler_is_done_once_after_the_claim_expires(
    api: Api,
) -> None:
    # given a job claimed by a scheduler that then died without finishing it
    await jobs.schedule(KIND, {"n": 7})
    calls: list[int] = []
    killed = jobs.Scheduler({KIND: counting(calls)}, lease_seconds=60, name="killed")
    [claimed] = await killed.claim()

    # when the instance restarts and its scheduler runs, before and after the claim expires
    restarted = jobs.Scheduler({KIND: counting(calls)}, name="restarted")
    while_claimed = await restarted.run_due()
    clock.advance(61)
    after_expiry = await restarted.run_due()
    later = await restarted.run_due()

    # then the job was done once, by the restarted scheduler
    assert (while_claimed, after_expiry, later) == (0, 1, 0)
    assert calls == [7]
    job = await Job.get(id=claimed.id)
    assert job.done_at is not None and job.attempts == 2


async def test_a_failing_job_is_retried_with_backoff_and_loses_nothing(api: Api) -> None:
    await jobs.schedule(KIND, {"n": 3})
    calls: list[int] = []
    scheduler = jobs.Scheduler({KIND: counting(calls, failures=2)})

    first = await scheduler.run_due()
    failed = await Job.get(kind=KIND)
    immediately = await scheduler.run_due()
    clock.advance(31)
    second = await scheduler.run_due()
    clock.advance(61)
    third = await scheduler.run_due()

    assert (first, immediately, second, third) == (0, 0, 0, 1)
    assert calls == [3, 3, 3]
    assert failed.last_error == "ConnectionError: the mail server is away"
    done = await Job.get(kind=KIND)
    assert done.done_at is not None and done.last_error is None and done.attempts == 3


def test_the_backoff_doubles_up_to_an_hour() -> None:
    delays = [jobs.retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)]

    assert delays == [30, 60, 120, 3600, 3600]


async def test_a_kind_without_a_handler_is_left_for_a_scheduler_that_has_one(api: Api) -> None:
    await jobs.schedule("someone.elses", {})
    scheduler = jobs.Scheduler({KIND: counting([])})

    assert await scheduler.run_due() == 0
    assert await Job.filter(done_at=None).count() == 1
