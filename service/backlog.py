"""The backlog /metrics reports: work waiting for people or for the schedulers, read when
scraped (a few counts on indexed columns), never by a request."""

from __future__ import annotations

from dataclasses import dataclass

from service import jobs, notices, queue
from service.clock import now


@dataclass(frozen=True, slots=True)
class Backlog:
    """Work waiting for people or for the schedulers, as the scrape found it."""

    open_queue: int  # comments with open reports
    oldest_report_age_seconds: float  # 0 when the queue is empty
    notices_overdue: int
    jobs_due: int
    jobs_failing: int


async def backlog() -> Backlog:
    moment = now()
    oldest = await queue.oldest_open_report_at()
    return Backlog(
        open_queue=await queue.total(),
        oldest_report_age_seconds=(moment - oldest).total_seconds() if oldest else 0.0,
        notices_overdue=await notices.overdue_count(moment),
        jobs_due=await jobs.due_count(),
        jobs_failing=await jobs.failing_count(),
    )
