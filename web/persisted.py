"""Apollo's automatic persisted queries: a client sends a document's SHA-256 alone, and the
full document only when the service does not know it yet.

The documents are kept in the database (service/persisted_queries.py), so a hash registered
through one worker or instance is served by every other; each process keeps the ones it
used recently in front of it, in an LRU bounded in bytes.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any

from starlette.responses import Response

from service import persisted_queries
from web.responses import refuse

NOT_FOUND = "PersistedQueryNotFound"


class PersistedQueries:
    """Only documents within BTL_MAX_DOCUMENT_CHARS reach it (read_operation checks first)."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.recent: OrderedDict[str, str] = OrderedDict()

    async def resolve(self, query: str | None, extensions: Any) -> str | Response | None:
        """The query to run, a refusal, or None when the request uses no persisted query."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if not isinstance(persisted, dict):
            return query
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            return refuse(400, "persistedQuery needs a sha256Hash (64 hex digits).")
        if query is None:
            known = self.recent.get(digest)
            if known is not None:
                self.recent.move_to_end(digest)
                return known
            known = await persisted_queries.find(digest)
            if known is None:  # the client sends the full query next (the APQ round trip)
                return refuse(200, NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND")
            self._remember(digest, known)
            return known
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            return refuse(400, "provided sha does not match query", "INVALID_PERSISTED_QUERY")
        if digest not in self.recent:
            await persisted_queries.keep(digest, query)
            self._remember(digest, query)
        return query

    def _remember(self, digest: str, query: str) -> None:
        self.recent[digest] = query
        self.size += _footprint(digest, query)
        while self.size > self.max_bytes and self.recent:
            evicted, evicted_query = self.recent.popitem(last=False)
            self.size -= _footprint(evicted, evicted_query)


def _footprint(digest: str, query: str) -> int:
    # a str of code points < 256 takes a byte each, others 2 or 4; ~100 bytes of overhead
    return len(digest) + len(query.encode()) + 100
