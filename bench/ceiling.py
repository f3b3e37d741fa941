"""The ceiling: Starlette answering the thread page's bytes, computed once before the run.

Run as `python bench/ceiling.py BODY_FILE PORT`. The same server stack as btl and the floor
(uvicorn with uvloop and httptools): no Python web app can answer faster per process, so a
row's share of this is how much of the stack's capacity btl leaves unused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def build(body: bytes) -> Starlette:
    async def thread(request: Request) -> Response:
        await request.body()  # read like any endpoint must
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/graphql", thread, methods=["POST"])])


if __name__ == "__main__":
    uvicorn.run(
        build(Path(sys.argv[1]).read_bytes()),
        host="127.0.0.1",
        port=int(sys.argv[2]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
    )
