"""An exact cache of signed-out answers.

Most readers are signed out and read the same thread page. Their answer is stored with
the versions it depends on (schema/freshness.py: its articles' versions, the public epoch)
and the moment it stops being true by itself (a `closesAt` passing). A hit re-reads those
versions (one small indexed query), so an answer is served only while a fresh one would be
identical, on every instance. Entries live in a memory-bounded LRU, or in Redis when
BTL_REDIS_URL is set so instances share them.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from redis.exceptions import RedisError

from schema.freshness import CacheDeps
from service import public_versions
from service.clock import now
from service.redis_outage import Outage, redis_client
from service.shared_reads import SharedReads

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    body: bytes
    status_code: int
    media_type: str
    article_versions: dict[str, int]
    epoch: int | None  # None: the answer shows no person and no rules
    expires_at: datetime | None


def cache_key(query: str, operation_name: str | None, variables: Any, media_type: str) -> str:
    canonical = json.dumps([_digest(query), operation_name, variables, media_type], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


@lru_cache(maxsize=256)
def is_query(query: str, operation_name: str | None) -> bool:
    """Whether the operation run is a query (a mutation's answer is never shared)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        d
        for d in operations
        if operation_name is None or (d.name is not None and d.name.value == operation_name)
    ]
    return len(chosen) == 1 and chosen[0].operation == OperationType.QUERY


@lru_cache(maxsize=1024)
def _digest(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


# the answer object, its (answer, size) pair and its place in the LRU (node and hash slot)
_ENTRY_OVERHEAD = 200


def entry_size(key: str, answer: CachedAnswer) -> int:
    """What one entry holds in memory: every part and the containers, not the body alone.

    A fair estimate (a little over what tracemalloc counts for tiny answers): 100,000 tiny
    answers counted by their bodies alone held nine times their bound.
    """
    versions = sum(
        sys.getsizeof(article_id) + sys.getsizeof(version)
        for article_id, version in answer.article_versions.items()
    )
    return (
        _ENTRY_OVERHEAD
        + sys.getsizeof(key)
        + sys.getsizeof(answer.body)
        + sys.getsizeof(answer.media_type)
        + sys.getsizeof(answer.article_versions)
        + versions
        + (sys.getsizeof(answer.expires_at) if answer.expires_at is not None else 0)
    )


class MemoryStore:
    """LRU bounded by the memory its entries hold (`entry_size`)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, tuple[CachedAnswer, int]] = OrderedDict()

    async def get(self, key: str) -> CachedAnswer | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        self.entries.move_to_end(key)
        return entry[0]

    async def put(self, key: str, answer: CachedAnswer) -> None:
        size = entry_size(key, answer)
        if size > self.max_bytes // 10:
            return
        await self.drop(key)
        self.entries[key] = (answer, size)
        self.size += size
        while self.size > self.max_bytes:
            _, (_, evicted) = self.entries.popitem(last=False)
            self.size -= evicted

    async def drop(self, key: str) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old[1]


def encode(answer: CachedAnswer) -> bytes:
    """A line of JSON (status, media type, versions, expiry), then the body as it is."""
    header = {
        "format": 1,
        "status": answer.status_code,
        "media": answer.media_type,
        "versions": answer.article_versions,
        "epoch": answer.epoch,
        "expires": answer.expires_at.isoformat() if answer.expires_at is not None else None,
    }
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + answer.body


def decode(raw: bytes) -> CachedAnswer | None:
    """The answer `encode` wrote, or None for anything else (never code: no pickle here)."""
    line, newline, body = raw.partition(b"\n")
    try:
        header = json.loads(line) if newline else None
        if not isinstance(header, dict) or header.get("format") != 1:
            return None
        status, media, versions = header["status"], header["media"], header["versions"]
        epoch, expires = header["epoch"], header["expires"]
        expires_at = datetime.fromisoformat(expires) if expires is not None else None
    except (ValueError, KeyError, TypeError):
        return None
    well_formed = (
        type(status) is int
        and isinstance(media, str)
        and isinstance(versions, dict)
        and all(isinstance(k, str) and type(v) is int for k, v in versions.items())
        and (epoch is None or type(epoch) is int)
        and (expires_at is None or expires_at.tzinfo is not None)
    )
    return CachedAnswer(body, status, media, versions, epoch, expires_at) if well_formed else None


class RedisStore:
    """Shared by every instance; entries expire after a while even if never invalidated.

    Whoever can write to this Redis can change what readers are shown, but not run code in
    btl: entries are plain bytes. While Redis does not answer, every read is a miss (the
    database answers) and nothing is kept.
    """

    def __init__(self, url: str, ttl_seconds: int = 3600) -> None:
        self.redis = redis_client(url)
        self.ttl_seconds = ttl_seconds
        self.outage = Outage(
            "the public cache", "signed-out answers read from the database", redis_url=url
        )

    async def _call(self, command: Callable[[], Awaitable[T]]) -> T | None:
        if self.outage.skipping:
            return None
        try:
            answer = await command()
        except (RedisError, OSError, TimeoutError) as exc:
            self.outage.failed(exc)
            return None
        self.outage.answered()
        return answer

    async def get(self, key: str) -> CachedAnswer | None:
        raw = await self._call(lambda: self.redis.get(f"btl:answer:{key}"))
        return decode(raw) if isinstance(raw, bytes) else None

    async def put(self, key: str, answer: CachedAnswer) -> None:
        await self._call(
            lambda: self.redis.set(f"btl:answer:{key}", encode(answer), ex=self.ttl_seconds)
        )

    async def drop(self, key: str) -> None:
        await self._call(lambda: self.redis.delete(f"btl:answer:{key}"))


class PublicCache:
    def __init__(self, store: MemoryStore | RedisStore, shared: SharedReads) -> None:
        self.store = store
        self.shared = shared  # a burst of readers shares each version read

    async def answer(self, key: str) -> CachedAnswer | None:
        """The stored answer, if it is still exactly what a fresh one would be."""
        cached = await self.store.get(key)
        if cached is None:
            return None
        if cached.expires_at is not None and now() >= cached.expires_at:
            await self.store.drop(key)
            return None
        if await self.versions(sorted(cached.article_versions), cached.epoch is not None) != (
            cached.article_versions,
            cached.epoch,
        ):
            await self.store.drop(key)
            return None
        return cached

    async def versions(
        self, article_ids: list[str], epoch: bool
    ) -> tuple[dict[str, int], int | None]:
        """The current versions, one read shared by a burst of readers asking for the same."""
        return await self.shared.read(
            ("versions", epoch, *article_ids),
            lambda: public_versions.read(article_ids, epoch=epoch),
        )

    async def computed_once(
        self, key: str, compute: Callable[[], Awaitable[CachedAnswer | None]]
    ) -> CachedAnswer | None:
        """After a miss: the answer computed once for every reader who missed `key` meanwhile.

        A write empties an article's entries; without this, every reader of the article
        arriving before the new answer is kept computed it again, a burst of identical work.
        Readers join the computation that has not started yet, never one already running
        (it may have read the thread before a write a late reader has seen commit), so an
        answer still reflects every write that returned before its request arrived. The
        computation looks in the cache first: the one before it may have kept the answer.
        None: no answer to share (an error): each reader computes their own."""

        async def load() -> CachedAnswer | None:
            cached = await self.answer(key)
            return cached if cached is not None else await compute()

        return await self.shared.read(("answer", key), load)

    async def begin(self) -> CacheDeps:
        """The dependencies of an answer about to be computed: the epoch is read first, so
        no change to a person can slip between the rows read and the version kept."""
        _, epoch = await self.versions([], True)
        return CacheDeps(epoch=epoch)

    async def keep(
        self, key: str, deps: CacheDeps, body: bytes, status: int, media: str
    ) -> CachedAnswer:
        """The answer, stored when every version it depends on was read."""
        answer = CachedAnswer(
            body,
            status,
            media,
            dict(deps.article_versions),
            deps.epoch if deps.uses_epoch else None,
            deps.expires_at,
        )
        if deps.complete():
            await self.store.put(key, answer)
        return answer
