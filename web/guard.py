"""The one error guard around answering an operation over HTTP.

Everything after the request is read — who is asking, the public cache, the overlay, the
execution, keeping the answer — runs inside it: within BTL_OPERATION_TIMEOUT_SECONDS, and
a failure outside GraphQL execution (a cache backend, the database gone while reading the
session) is a 503 with `extensions.code`, never a 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.responses import Response

from web.responses import refuse, timed_out

logger = logging.getLogger("btl.http")


async def guarded(seconds: float, answer: Callable[[], Awaitable[Response]]) -> Response:
    try:
        async with asyncio.timeout(seconds):
            return await answer()
    except TimeoutError:
        return timed_out(seconds)
    except Exception:
        logger.exception("request failed outside GraphQL execution")
        return refuse(503, "The service is temporarily unavailable.", "UNAVAILABLE")
