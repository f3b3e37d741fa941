"""GET /metrics in the Prometheus text format (prometheus-client), behind BTL_METRICS_TOKEN.

Off (the route does not exist: 404) unless the token is set; then a scrape needs
`Authorization: Bearer <token>` (401 without one, 403 with another). With several workers
`serve` gives prometheus-client a directory (PROMETHEUS_MULTIPROC_DIR, its own variable) where
each worker keeps its counts, and a scrape of any worker adds them all up.

Per /graphql request, `RequestMetrics` (told by web/request_log.py) adds to a counter and a
histogram by operation name and outcome, and to the cache counter the request's record
names. Operation names are a label
only when they are known — the names of the first MAX_OPERATION_NAMES operations that
answered well in this process; anonymous operations are `anonymous`, the rest `other` — so a
client inventing names cannot grow the series without bound. The backlog (queue, legal
notices, jobs) is read from the database when scraped.

Each request's counts are on the hot path of a cached answer, so they go straight to the
values prometheus-client keeps for each label set (`fast_inc`, `fast_observe`): the public
`inc` and `observe` check, on every call, what cannot change between calls.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
from bisect import bisect_left
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from service.backlog import Backlog, backlog
from web.callers import bearer_token
from web.request_log import RequestRecord
from web.responses import refuse

logger = logging.getLogger("btl.metrics")

LABELS = ("operation", "outcome")
REQUESTS = Counter("btl_graphql_requests", "GraphQL requests answered over HTTP", LABELS)
DURATION = Histogram(
    "btl_graphql_request_duration_seconds",
    "Time to answer a GraphQL request over HTTP",
    LABELS,
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PUBLIC_CACHE_HITS = Counter("btl_public_cache_hits", "Signed-out answers from the public cache")
PUBLIC_CACHE_MISSES = Counter(
    "btl_public_cache_misses", "Shareable signed-out answers computed (then kept)"
)
OVERLAY_HITS = Counter(
    "btl_overlay_hits", "Signed-in answers laid over a cached signed-out answer"
)
OVERLAY_MISSES = Counter(
    "btl_overlay_misses", "Signed-in answers laid over a signed-out answer computed for them"
)
IN_FLIGHT = Gauge(
    "btl_graphql_requests_in_flight",
    "GraphQL requests over HTTP being answered (draining, on SIGTERM)",
    multiprocess_mode="livesum",
)
OPEN_WEBSOCKETS = Gauge(
    "btl_open_websockets", "Websockets open on /graphql", multiprocess_mode="livesum"
)
Add = Callable[[float], None]


def fast_inc(metric: Counter | Gauge) -> Add:
    """`metric.inc` (or `dec`, given a negative amount), to its value directly."""
    value = getattr(metric, "_value", None)
    inc = getattr(value, "inc", None)
    return inc if callable(inc) else metric.inc  # (a prometheus-client that changed inside)


def fast_observe(histogram: Histogram) -> Add:
    """`histogram.observe`, to its values directly: the sum, and the first bucket whose upper
    bound is at least the amount."""
    total, buckets = getattr(histogram, "_sum", None), getattr(histogram, "_buckets", None)
    bounds = getattr(histogram, "_upper_bounds", None)
    if total is None or buckets is None or bounds is None:
        return histogram.observe
    add_to_sum = total.inc
    add_to_bucket = [bucket.inc for bucket in buckets]

    def observe(amount: float) -> None:
        add_to_sum(amount)
        add_to_bucket[bisect_left(bounds, amount)](1)

    return observe


CACHE_COUNTERS = {
    "hit": fast_inc(PUBLIC_CACHE_HITS),
    "miss": fast_inc(PUBLIC_CACHE_MISSES),
    "overlay": fast_inc(OVERLAY_HITS),
    "overlay-miss": fast_inc(OVERLAY_MISSES),
}

MAX_OPERATION_NAMES = 100
BACKLOG_TIMEOUT_SECONDS = 2.0
Child = tuple[Add, Add]  # a label set's counter (inc) and histogram (observe)


def outcome(status: int, errors: bool) -> str:
    if status >= 500:
        return "unavailable" if status == 503 else "failed"
    if status >= 400:
        return "refused"
    return "errors" if errors else "ok"


class RequestMetrics:
    """The per-request series, fed by the request log (web/request_log.py)."""

    def __init__(self, max_names: int = MAX_OPERATION_NAMES) -> None:
        self.max_names = max_names
        self.names: set[str] = set()
        self.children: dict[tuple[str, str], Child] = {}  # skips prometheus' label checks
        self.answered_well: dict[str, Child] = {}  # by known name, outcome "ok"
        self.in_flight = fast_inc(IN_FLIGHT)

    def label(self, record: RequestRecord, result: str) -> str:
        name = record.operation_name
        if name is None:
            return "anonymous" if record.operation_type is not None else "other"
        if name in self.names:
            return name
        # a new name is admitted only from an operation that parsed and answered well
        admissible = result == "ok" and record.operation_type is not None
        if admissible and len(self.names) < self.max_names:
            self.names.add(name)
            return name
        return "other"

    def begin(self, scope: Scope) -> None:
        if scope["path"] == "/graphql" and scope["type"] == "http":
            self.in_flight(1)

    def end(self, record: RequestRecord, scope: Scope, status: int, seconds: float) -> None:
        if scope["path"] != "/graphql" or scope["type"] != "http":
            return
        self.in_flight(-1)
        # the common case in one lookup: a known operation answered well
        well = status == 200 and not record.errors and record.operation_name is not None
        child = self.answered_well.get(record.operation_name) if well else None  # type: ignore[arg-type]
        if child is None:
            child = self._child(record, outcome(status, record.errors))
        child[0](1)
        child[1](seconds)
        if record.cache is not None:
            CACHE_COUNTERS[record.cache](1)

    def _child(self, record: RequestRecord, result: str) -> Child:
        key = (self.label(record, result), result)
        child = self.children.get(key)
        if child is None:  # at most MAX_OPERATION_NAMES + 2 labels, by 5 outcomes
            child = (fast_inc(REQUESTS.labels(*key)), fast_observe(DURATION.labels(*key)))
            self.children[key] = child
            if result == "ok" and key[0] == record.operation_name:
                self.answered_well[key[0]] = child
        return child


class _BacklogFigures:
    """The backlog as gauges, read just before this scrape."""

    def __init__(self, found: Backlog) -> None:
        self.found = found

    def collect(self) -> Iterator[Metric]:
        found = self.found
        for name, documentation, value in (
            ("btl_moderation_queue_depth", "Comments with open reports", found.open_queue),
            (
                "btl_moderation_oldest_report_age_seconds",
                "Age of the oldest open report (0: none)",
                found.oldest_report_age_seconds,
            ),
            ("btl_legal_notices_overdue", "Legal notices past a deadline", found.notices_overdue),
            ("btl_jobs_due", "Jobs due and not done", found.jobs_due),
            ("btl_jobs_failing", "Jobs not done whose last attempt failed", found.jobs_failing),
        ):
            yield GaugeMetricFamily(name, documentation, value=value)


def exposition(found: Backlog | None) -> bytes:
    """This process's series (every worker's, in multiprocess mode) and the backlog."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")  # prometheus-client reads it too
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, directory)  # type: ignore[no-untyped-call]
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if found is not None:
        figures = CollectorRegistry(auto_describe=False)
        figures.register(_BacklogFigures(found))
        text += generate_latest(figures)
    return text


def metrics_endpoint(token: str) -> Callable[[Request], Awaitable[Response]]:
    expected = token.encode()

    async def scrape(request: Request) -> Response:
        given = bearer_token(request)
        if given is None:
            refused = refuse(401, "/metrics needs Authorization: Bearer <BTL_METRICS_TOKEN>.")
            refused.headers["www-authenticate"] = "Bearer"
            return refused
        if not hmac.compare_digest(given.encode(), expected):
            return refuse(403, "That is not the metrics token.")
        try:
            async with asyncio.timeout(BACKLOG_TIMEOUT_SECONDS):
                found: Backlog | None = await backlog()
        except Exception:  # the database away or stuck: the other series still tell a lot
            logger.warning("the backlog could not be read for /metrics", exc_info=True)
            found = None
        # the classic text format (0.0.4): every Prometheus reads it
        response = Response(exposition(found), media_type=CONTENT_TYPE_PLAIN_0_0_4)
        response.headers["cache-control"] = "no-store"
        return response

    return scrape
