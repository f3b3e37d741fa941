"""Time-driven work kept in the database: due jobs, each done once by whichever scheduler
claims it first.

`schedule()` writes a job inside the caller's transaction, so it exists exactly when the
change that asked for it does. Every instance runs a `Scheduler` that claims due jobs in a
short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two instances never wait for
or take the same row; a conditional UPDATE on SQLite, whose writes are serialised anyway),
runs the handler registered for the job's kind, and marks it done, or due again later with
backoff. A claim lasts `lease_seconds`: the job of a scheduler that died mid-job is taken
again after that, so handlers must be idempotent (each checks the state it would change).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from service.clock import now
from service.models import Job

logger = logging.getLogger("btl.jobs")

Payload = dict[str, Any]
Handler = Callable[[Payload], Awaitable[None]]

BATCH = 20
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600


async def schedule(kind: str, payload: Payload, due_at: datetime | None = None) -> Job:
    """A job to run at `due_at` (now when None), inside the caller's transaction if any."""
    moment = now()
    return await Job.create(
        kind=kind,
        payload=json.dumps(payload, sort_keys=True),
        due_at=due_at or moment,
        created_at=moment,
    )


async def due_count() -> int:
    """Jobs due now and not done (claimed ones included): a growing number says the
    schedulers fall behind."""
    return await Job.filter(done_at=None, due_at__lte=now()).count()


async def failing_count() -> int:
    """Jobs not done whose last attempt failed (each is due again later, with backoff)."""
    return await Job.filter(done_at=None, last_error__isnull=False).count()


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour: an outage loses nothing."""
    seconds = min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS)
    return timedelta(seconds=seconds)


class Scheduler:
    """One instance's runner of due jobs."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        *,
        interval_seconds: float = 5.0,
        lease_seconds: float = 300.0,
        name: str | None = None,
    ) -> None:
        self.handlers = dict(handlers)
        self.interval_seconds = interval_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"

    async def claim(self, limit: int = BATCH) -> list[Job]:
        """Take up to `limit` due jobs nobody holds, for `lease_seconds`."""
        moment = now()
        free = Q(claimed_until=None) | Q(claimed_until__lte=moment)
        async with in_transaction():
            due = (
                Job.filter(done_at=None, due_at__lte=moment, kind__in=list(self.handlers))
                .filter(free)
                .order_by("due_at", "id")
                .limit(limit)
            )
            if connections.get("default").capabilities.dialect == "postgres":
                due = due.select_for_update(skip_locked=True)
            candidates = await due
            claimed = []
            for job in candidates:
                # conditional: on SQLite another scheduler may have taken it since the SELECT
                taken = (
                    await Job.filter(id=job.id, done_at=None)
                    .filter(free)
                    .update(
                        claimed_until=moment + self.lease,
                        claimed_by=self.name,
                        attempts=F("attempts") + 1,
                    )
                )
                if taken:
                    job.attempts += 1
                    claimed.append(job)
        return claimed

    async def run(self, job: Job) -> bool:
        """Run one claimed job; True when it is done."""
        try:
            await self.handlers[job.kind](json.loads(job.payload))
        except Exception as exc:  # any failure: the job is due again later, nothing is lost
            logger.warning("job %s (%s) failed: %s", job.id, job.kind, exc, exc_info=True)
            await Job.filter(id=job.id, claimed_by=self.name).update(
                due_at=now() + retry_delay(job.attempts),
                claimed_until=None,
                claimed_by=None,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            return False
        await Job.filter(id=job.id).update(done_at=now(), claimed_until=None, last_error=None)
        return True

    async def run_due(self) -> int:
        """Claim and run what is due now, batch after batch; how many jobs were done."""
        done = 0
        while True:
            jobs = await self.claim()
            for job in jobs:
                done += await self.run(job)
            if len(jobs) < BATCH:
                return done

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_due()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be away for a moment: try again next round
                logger.warning("the job scheduler could not run", exc_info=True)
            await asyncio.sleep(self.interval_seconds)
