"""When Redis stops answering, btl goes on without it.

Redis shares rate limits, cached signed-out answers and live events between instances; none
of them is worth failing a request for. Each user of Redis keeps an `Outage`: after a
failure it skips Redis for a moment (a Redis that hangs would otherwise cost every request
the timeout), falls back to its own way (count in the process, read from the database), and
says so in the log once a minute, not once a request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

# connect and read: a Redis that does not answer costs a request at most about this much
REDIS_TIMEOUT_SECONDS = 2.0
# connections per client: a burst beyond this waits its turn (at most the timeout above)
# instead of failing, as redis-py's default pool does at 100
REDIS_MAX_CONNECTIONS = 32

logger = logging.getLogger("btl.redis")

# Redis URL -> until when every user of it skips it: one request that meets a hanging Redis
# in its rate limit must not meet it again in its live event (each wait adds up)
_down_until: dict[str, float] = {}


def redis_client(url: str) -> Any:
    """A redis-py asyncio client that gives up after REDIS_TIMEOUT_SECONDS."""
    from redis.asyncio import BlockingConnectionPool, Redis

    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=REDIS_MAX_CONNECTIONS,
        timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    return Redis(connection_pool=pool)


class Outage:
    """One user of Redis: whether to try it now, and a log that does not flood."""

    def __init__(
        self,
        user: str,
        fallback: str,
        *,
        redis_url: str | None = None,
        retry_after: float = 2.0,
        log_every: float = 60.0,
    ) -> None:
        self.user = user  # e.g. "rate limits"
        self.fallback = fallback  # e.g. "counted in this process meanwhile"
        self.redis_url = redis_url  # given: a failure makes every user of it skip it too
        self.retry_after = retry_after
        self.log_every = log_every
        self._skip_until = 0.0
        self._failing = False
        self._logged_at = -log_every
        self._unlogged = 0

    @property
    def skipping(self) -> bool:
        """True for a moment after a failure (this user's, or another's of the same Redis):
        don't even try Redis."""
        at = time.monotonic()
        shared = _down_until.get(self.redis_url, 0.0) if self.redis_url else 0.0
        return at < self._skip_until or at < shared

    def failed(self, error: BaseException) -> None:
        at = time.monotonic()
        self._failing = True
        self._skip_until = at + self.retry_after
        if self.redis_url is not None:
            shared = _down_until.get(self.redis_url, 0.0)
            _down_until[self.redis_url] = max(shared, self._skip_until)
        self._unlogged += 1
        if at - self._logged_at >= self.log_every:
            logger.warning(
                "%s: Redis did not answer (%s: %s; %d time(s) since the last report), %s",
                self.user,
                type(error).__name__,
                error,
                self._unlogged,
                self.fallback,
            )
            self._logged_at, self._unlogged = at, 0

    def answered(self) -> None:
        if self._failing:
            self._failing = False
            logger.info("%s: Redis answers again", self.user)
