"""GET /metrics: off without BTL_METRICS_TOKEN, behind it otherwise, and the series move
with what happens (parsed with prometheus-client's own parser)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from service import jobs
from service.clock import clock
from service.config import RateLimit
from tests.live_support import Live, live_server, until_closed
from tests.schema.legal.helpers import defamation, posted, submit
from tests.schema.moderation.helpers import report
from tests.served import serve
from tests.support import LOGIN, Api, post_comment
from web.metrics import RequestMetrics, fast_inc, fast_observe
from web.request_log import RequestRecord

TOKEN = "scrape-me-0123456789abcdef"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
PAGE = 'query Page { article(id: "story-1") { commentCount } }'
THREAD = """
query Thread { article(id: "story-1") { commentCount
  comments(first: 5) { edges { node { id body viewerCanEdit viewerHasReported } } } } }
"""

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parsed(text: str) -> Samples:
    """Every sample of a scrape, by name and labels (the parser fails on a malformed one)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parsed(response.text)


@pytest.fixture
async def metered(make_api: Callable[..., Any]) -> Api:
    api: Api = await make_api(metrics_token=TOKEN, rate_limit_login=RateLimit(1, 300))
    return api


async def test_metrics_are_off_without_a_token(api: Api) -> None:
    response = await api.client.get("/metrics", headers=SCRAPER)

    assert response.status_code == 404


async def test_metrics_need_the_bearer_token(metered: Api) -> None:
    async with metered.client as client:
        without = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        right = await client.get("/metrics", headers=SCRAPER)

    assert without.status_code == 401
    assert without.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert TOKEN not in right.text


async def test_requests_caches_statements_and_refusals_move_their_series(metered: Api) -> None:
    async with metered.client as client:
        # given
        before = await scrape(client)

        # when: the same signed-out page twice (computed, then from the cache), a document
        # that does not parse, and two failed logins (the second over the limit of one)
        for _ in range(2):
            assert (await client.post("/graphql", json={"query": PAGE})).status_code == 200
        await client.post("/graphql", json={"query": "query Broken {"})
        login = {"input": {"email": "nobody@example.com", "password": "wrong"}}
        for _ in range(2):
            await metered.raw(LOGIN, login)
        after = await scrape(client)

    # then
    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("btl_graphql_requests_total", operation="Page", outcome="ok") == 2
    assert moved("btl_graphql_request_duration_seconds_count", operation="Page", outcome="ok") == 2
    assert moved("btl_graphql_requests_total", operation="other", outcome="errors") == 1
    assert moved("btl_graphql_requests_total", operation="Login", outcome="ok") == 2
    assert moved("btl_public_cache_misses_total") == 1
    assert moved("btl_public_cache_hits_total") == 1
    assert moved("btl_sql_statements_total") > 0
    assert moved("btl_rate_limit_refusals_total", limit="login") == 1


async def test_overlay_answers_move_the_overlay_series(metered: Api) -> None:
    async with metered.client as client:
        # given: a comment on the article, and a reader
        author = await metered.person(subscriber=True)
        await post_comment(metered, author)
        reader = await metered.person()
        before = await scrape(client)

        # when: the reader reads the thread twice
        for _ in range(2):
            await metered.data(THREAD, token=reader.token)
        after = await scrape(client)

    # then: the first laid over a signed-out answer computed for it, the second a cached one
    assert value(after, "btl_overlay_misses_total") - value(before, "btl_overlay_misses_total") == 1
    assert value(after, "btl_overlay_hits_total") - value(before, "btl_overlay_hits_total") == 1


async def test_the_backlog_is_read_when_scraped(metered: Api) -> None:
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=UTC))  # a Friday afternoon in London
    async with metered.client as client:
        # given: an empty backlog
        empty = await scrape(client)
        # when: a comment is reported, a defamation notice arrives about another, and a job
        # fails once
        poster = await metered.person(subscriber=True)
        reader = await metered.person()
        reported = (await post_comment(metered, poster))["id"]
        await report(metered, reader, reported)
        receipt = await submit(metered, defamation(await posted(metered, poster)))
        assert receipt["__typename"] == "NoticeReceipt", receipt

        async def failing(payload: dict[str, Any]) -> None:
            raise RuntimeError("the mail server said no")

        await jobs.schedule("metrics-test-failing", {})
        await jobs.Scheduler({"metrics-test-failing": failing}).run_due()
        reported_now = await scrape(client)
        # ... and five days pass with nobody acting
        clock.set(datetime(2026, 12, 2, 16, 0, tzinfo=UTC))
        later = await scrape(client)

    # then
    assert value(empty, "btl_moderation_queue_depth") == 0
    assert value(empty, "btl_legal_notices_overdue") == 0
    assert value(empty, "btl_jobs_failing") == 0
    assert value(reported_now, "btl_moderation_queue_depth") == 1
    assert value(reported_now, "btl_jobs_failing") == 1
    assert value(reported_now, "btl_legal_notices_overdue") == 0
    assert value(later, "btl_legal_notices_overdue") == 1
    assert value(later, "btl_moderation_oldest_report_age_seconds") >= timedelta(days=5).seconds
    assert value(later, "btl_jobs_due") >= 1  # the failed job, due again after its backoff


async def test_open_websockets_are_counted(database_url: str) -> None:
    async with live_server(database_url)(metrics_token=TOKEN) as live:
        client = live.api.client
        before = value(await scrape(client), "btl_open_websockets")
        socket = await live.connect()
        during = value(await scrape(client), "btl_open_websockets")
        await socket.close()

    assert during - before == 1


def test_operation_names_are_labels_only_when_known_and_few() -> None:
    # given: room for two names
    metrics = RequestMetrics(max_names=2)

    def label(name: str | None, kind: str | None = "query", result: str = "ok") -> str:
        return metrics.label(RequestRecord("id", operation_name=name, operation_type=kind), result)

    # then
    assert label("Thread") == "Thread"
    assert label("Broken", kind=None, result="errors") == "other"  # never parsed or answered
    assert label("Refused", result="refused") == "other"
    assert label(None) == "anonymous"
    assert label("Profile") == "Profile"
    assert label("Third") == "other"  # no more room
    assert label("Thread", result="refused") == "Thread"  # a known name stays itself


def test_the_short_way_to_the_values_counts_as_the_public_methods() -> None:
    # given: the same series twice, in registries of their own
    def series() -> tuple[CollectorRegistry, Counter, Histogram]:
        registry = CollectorRegistry()
        counter = Counter("c", "c", ["k"], registry=registry)
        histogram = Histogram("h", "h", ["k"], buckets=(0.01, 0.1, 1), registry=registry)
        return registry, counter, histogram

    (public, counter, histogram), (short, counter_2, histogram_2) = series(), series()
    inc, observe = fast_inc(counter_2.labels("x")), fast_observe(histogram_2.labels("x"))

    # when: amounts on, between and past the buckets' bounds
    for amount in (0.0, 0.01, 0.010001, 0.5, 1, 7.5):
        counter.labels("x").inc()
        histogram.labels("x").observe(amount)
        inc(1)
        observe(amount)

    # then: the same exposition, but for the times the series were made
    def samples(registry: CollectorRegistry) -> list[str]:
        lines = generate_latest(registry).decode().splitlines()
        return [line for line in lines if "_created" not in line]

    assert samples(short) == samples(public)


def answering_workers(log: Path) -> set[int]:
    """The processes that wrote a /graphql request line in the served log."""
    lines = (json.loads(line) for line in log.read_text().splitlines() if line.startswith("{"))
    return {line["pid"] for line in lines if line.get("path") == "/graphql"}


def test_every_worker_s_counts_are_in_one_scrape(tmp_path: Path) -> None:
    # given: two workers sharing the listening socket (multiprocess mode)
    with (
        serve(tmp_path, BTL_WORKERS="2", BTL_METRICS_TOKEN=TOKEN) as served,
        httpx.Client(base_url=served.url, timeout=30) as client,
    ):
        # when: requests on fresh connections until both workers have answered some
        sent, deadline = 0, time.monotonic() + 60
        while len(answering_workers(tmp_path / "served.log")) < 2:
            assert time.monotonic() < deadline, "one worker answered everything"
            response = client.post(
                "/graphql", json={"query": PAGE}, headers={"Connection": "close"}
            )
            assert response.status_code == 200
            sent += 1
            time.sleep(0.02)  # a worker still starting gets its turn
        samples = parsed(client.get("/metrics", headers=SCRAPER).text)

    # then: whichever worker answered the scrape counted every request
    assert value(samples, "btl_graphql_requests_total", operation="Page", outcome="ok") == sent


async def test_a_dead_worker_s_websockets_are_no_longer_counted(tmp_path: Path) -> None:
    # given: two workers, and a websocket open on one of them
    log = tmp_path / "served.log"
    with serve(tmp_path, BTL_WORKERS="2", BTL_METRICS_TOKEN=TOKEN) as served:
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            socket = await Live(served.url, Api(client, None)).connect()  # type: ignore[arg-type]
            holder = next(
                line["pid"]
                for line in map(json.loads, log.read_text().splitlines()[1:])
                if line["message"] == "connection open"
            )
            assert value(await scrape(client), "btl_open_websockets") == 1

            # when: that worker dies (the supervisor starts another)
            os.kill(holder, signal.SIGKILL)
            await until_closed(socket)

            # then: its count goes with it
            for _ in range(300):
                if value(await scrape(client), "btl_open_websockets") == 0:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the dead worker's websocket is still counted")
