"""Documents registered by their SHA-256 (automatic persisted queries), in the database so
that every worker and instance serves a hash any of them was told.

At most MAX_DOCUMENTS are kept (the oldest go first), each within BTL_MAX_DOCUMENT_CHARS
(checked before a document gets here): the table is bounded.
"""

from __future__ import annotations

from service import sql
from service.clock import now
from service.models import PersistedQuery

MAX_DOCUMENTS = 5_000


async def find(digest: str) -> str | None:
    rows = await sql.fetch("SELECT query FROM persisted_queries WHERE digest = {}", digest)
    return str(rows[0]["query"]) if rows else None


async def keep(digest: str, query: str) -> None:
    """Register a document (a second registration of the same one changes nothing)."""
    await PersistedQuery.bulk_create(
        [PersistedQuery(digest=digest, query=query, created_at=now())], ignore_conflicts=True
    )
    # the oldest past the bound go (a document is registered once, so this is rare)
    everything = "LIMIT -1 " if sql.dialect() == "sqlite" else ""  # SQLite needs a LIMIT
    await sql.execute(
        "DELETE FROM persisted_queries WHERE digest IN (SELECT digest FROM persisted_queries "
        f"ORDER BY created_at DESC, digest {everything}OFFSET {MAX_DOCUMENTS})"
    )
