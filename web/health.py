"""Probes: /healthz (the process answers) and /readyz (it can serve: service/readiness.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from service.readiness import Readiness

logger = logging.getLogger("btl")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def readyz(readiness: Readiness) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def answer(request: Request) -> JSONResponse:
        problem = await readiness.problem()
        if problem is None:
            return JSONResponse({"status": "ok"})
        logger.warning("not ready: %s", problem)
        return JSONResponse({"status": "unavailable", "reason": problem}, status_code=503)

    return answer
