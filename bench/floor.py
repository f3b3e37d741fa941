"""The floor: the same thread page from a minimal Starlette + aiosqlite endpoint, one SQL query.

Run as `python bench/floor.py DB_PATH PORT`. It answers POST /graphql with the shape btl
gives for the bench's thread-page query, without GraphQL, an ORM or anything else, on the
same server stack as btl (uvicorn with uvloop and httptools).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator

import aiosqlite
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# `+status`: not the (status, created_at) index, which walks every newer comment of every
# article first (thousands once the bench has posted) — the thread index, as btl uses
PAGE_SQL = """
SELECT a.comment_count, c.id, c.body, c.created_at, c.reply_count, u.display_name
FROM articles a
LEFT JOIN comments c ON c.id IN (
    SELECT id FROM comments
    WHERE article_id = a.id AND parent_id IS NULL AND +status = 'PUBLISHED'
    ORDER BY created_at DESC, id DESC LIMIT 20)
LEFT JOIN users u ON u.id = c.author_id
WHERE a.id = ?
ORDER BY c.created_at DESC, c.id DESC
"""


def build(db_path: str) -> Starlette:
    state: dict[str, aiosqlite.Connection] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["db"] = await aiosqlite.connect(db_path)
        yield
        await state["db"].close()

    async def thread(request: Request) -> JSONResponse:
        payload = await request.json()
        article_id = payload.get("variables", {}).get("id", "bench-article")
        async with state["db"].execute(PAGE_SQL, (article_id,)) as cursor:
            rows = await cursor.fetchall()
        edges = [
            {
                "node": {
                    "id": str(r[1]),
                    "body": r[2],
                    "createdAt": r[3],
                    "replyCount": r[4],
                    "author": {"displayName": r[5]},
                }
            }
            for r in rows
            if r[1] is not None
        ]
        count = rows[0][0] if rows else 0
        return JSONResponse(
            {"data": {"article": {"commentCount": count, "comments": {"edges": edges}}}}
        )

    return Starlette(routes=[Route("/graphql", thread, methods=["POST"])], lifespan=lifespan)


if __name__ == "__main__":
    uvicorn.run(
        build(sys.argv[1]),
        host="127.0.0.1",
        port=int(sys.argv[2]),
        log_level="warning",
        loop="uvloop",
        http="httptools",
    )
