"""What the domain counts for /metrics (prometheus-client): counters only, a lock and an
addition each on the hot path (the backlog is service/backlog.py's, read by the scrape)."""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import Counter

SQL_STATEMENTS = Counter("btl_sql_statements", "SQL statements sent to the database")
RATE_LIMIT_REFUSALS = Counter(
    "btl_rate_limit_refusals", "Requests refused by a rate limit", ["limit"]
)


class CountingLog:
    """Tortoise's client logger, counting the statements the client sends: every execute
    method logs its statement at DEBUG first (as `"%s: %s", query, values`, a script alone),
    whether DEBUG is on or not."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log

    def debug(self, message: str, *args: Any, **kwargs: Any) -> None:
        if not args or message == "%s: %s":  # not "Created connection ..."
            SQL_STATEMENTS.inc()
        self.log.debug(message, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)
