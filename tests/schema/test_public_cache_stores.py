"""Where cached signed-out answers live: memory bounded by what it really holds, and a
Redis whose contents are data, never code."""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tracemalloc
from pathlib import Path

import pytest

from schema.freshness import CacheDeps
from service.shared_reads import SharedReads
from tests.support import Api
from web.public_cache import MemoryStore, PublicCache, cache_key

REDIS_URL = os.environ.get("BTL_TEST_REDIS_URL")
ARTICLE = '{ article(id: "story-1") { commentCount } }'


class CreatesAFile:
    """Unpickling this runs open(path, "w"): the proof that a read executed code."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.path), "w"))


async def test_a_pickle_planted_in_redis_is_a_miss_not_code(
    make_api: object, tmp_path: Path
) -> None:
    if not REDIS_URL:
        pytest.skip("BTL_TEST_REDIS_URL is not set: the shared cache is not tested")
    import redis

    # given: whoever can write to btl's Redis plants a pickle under the key of a thread read
    shared = redis.Redis.from_url(REDIS_URL)
    shared.flushdb()
    proof = tmp_path / "code-ran"
    stored_key = f"btl:answer:{cache_key(ARTICLE, None, None, 'json')}"
    shared.set(stored_key, pickle.dumps(CreatesAFile(proof)))
    api: Api = await make_api(redis_url=REDIS_URL)  # type: ignore[operator]

    # when
    async with api.client:
        response = await api.client.get("/graphql", params={"query": ARTICLE})

    # then: read as a miss, answered from the database, and the key now holds btl's own answer
    assert response.json() == {"data": {"article": {"commentCount": 0}}}
    assert not proof.exists()
    kept = shared.get(stored_key)
    assert isinstance(kept, bytes) and kept.startswith(b'{"format":1')


async def test_memory_store_holds_tiny_answers_within_its_bound() -> None:
    # given: a store of 1 MB and answers of ~40 bytes, each reading one article
    bound = 1_000_000
    cache = PublicCache(MemoryStore(bound), SharedReads())
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]

        # when: far more tiny answers than fit are kept
        for n in range(20_000):
            deps = CacheDeps()
            deps.read_article(f"story-{n}", 1)
            body = b'{"data":{"article":{"commentCount":%d}}}' % n
            key = hashlib.sha256(str(n).encode()).hexdigest()
            await cache.keep(key, deps, body, 200, "application/json")
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    # then: what the entries really hold stays near the bound (counting bodies alone: ~15x)
    assert held < bound * 1.5, f"{held:,} bytes held for a bound of {bound:,}"


async def test_a_burst_beyond_the_redis_pool_waits_its_turn_instead_of_failing(
    make_api: object, caplog: pytest.LogCaptureFixture
) -> None:
    if not REDIS_URL:
        pytest.skip("BTL_TEST_REDIS_URL is not set: the shared cache is not tested")
    import asyncio

    import redis

    # given: signed-out readers share the cache through Redis
    redis.Redis.from_url(REDIS_URL).flushdb()
    api: Api = await make_api(redis_url=REDIS_URL)  # type: ignore[operator]

    # when: far more readers arrive at once than the client keeps connections to Redis
    async with api.client:
        answers = await asyncio.gather(
            *(
                api.client.get("/graphql", params={"query": ARTICLE, "variables": f'{{"n":{n}}}'})
                for n in range(150)
            )
        )

    # then: every one is answered, and Redis was never given up on as if it were down
    # (redis-py's default pool refused the 101st: btl fell back to the database and warned)
    assert [a.status_code for a in answers] == [200] * 150
    assert [r.getMessage() for r in caplog.records if r.name == "btl.redis"] == []
    assert {a.text for a in answers} == {'{"data":{"article":{"commentCount":0}}}'}
