"""Readiness: the database answers within a second, and takes writes.

A full disk, a read-only volume or a wedged connection can leave reads working while every
post and sign-in fails; `/readyz` should say so, so the instance leaves the load balancer.
The write probe commits a row of 64 KiB — more than a comment or a session needs, so it
fails when they would (SQLite: no room to grow the file or its WAL) — and deletes the
previous one. A green probe is trusted for a few seconds; a red one is retried each time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from tortoise.transactions import in_transaction

from service import db
from service.clock import now
from service.models import WriteProbe
from service.redis_outage import REDIS_TIMEOUT_SECONDS

logger = logging.getLogger("btl.readiness")

CONNECT_WITHIN_SECONDS = 1.0
WRITE_WITHIN_SECONDS = 5.0
GREEN_FOR_SECONDS = 5.0
PROBE_BYTES = 64 * 1024


async def probe_write() -> None:
    async with in_transaction():
        # random bytes: PostgreSQL would compress zeros to nothing
        probe = await WriteProbe.create(written_at=now(), padding=os.urandom(PROBE_BYTES))
        await WriteProbe.filter(id__lt=probe.id).delete()


class Readiness:
    """The database, and Redis when BTL_REDIS_URL is set: without Redis btl still answers
    (service/redis_outage.py), but each instance counts limits alone and caches nothing,
    which a load balancer should know."""

    def __init__(self, redis: Any | None = None) -> None:
        self.redis = redis
        self._green_until = 0.0

    async def problem(self) -> str | None:
        """None when ready; otherwise why not, in a line."""
        try:
            # a wedged pool or connection lock makes every query wait: not ready either
            async with asyncio.timeout(CONNECT_WITHIN_SECONDS):
                await db.ping()
        except TimeoutError:
            return f"no database connection within {CONNECT_WITHIN_SECONDS:g} s"
        except Exception as exc:  # any failure to answer means not ready
            logger.warning("readiness: the database did not answer: %r", exc)
            return f"database did not answer: {type(exc).__name__}"
        if self.redis is not None:
            try:
                async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                    await self.redis.ping()
            except Exception as exc:
                name = type(exc).__name__
                return f"Redis did not answer within {REDIS_TIMEOUT_SECONDS:g} s: {name}"
        if time.monotonic() < self._green_until:
            return None
        try:
            async with asyncio.timeout(WRITE_WITHIN_SECONDS):
                await probe_write()
        except TimeoutError:
            return f"a write did not finish within {WRITE_WITHIN_SECONDS:g} s"
        except Exception as exc:
            logger.warning("readiness: the write probe failed: %r", exc)
            kind = "storage failure" if db.is_storage_failure(exc) else type(exc).__name__
            return f"the database does not take writes ({kind})"
        self._green_until = time.monotonic() + GREEN_FOR_SECONDS
        return None
