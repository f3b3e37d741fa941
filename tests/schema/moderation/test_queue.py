from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from service.clock import clock
from service.config import RateLimit
from service.models import Role
from tests.conftest import SqlCounter
from tests.schema.moderation.helpers import DISMISS, TUESDAY_11_LONDON, moderate, report
from tests.served import ROOT
from tests.support import Api, Person, post_comment

QUEUE = """
query Queue($first: Int, $after: String, $orderBy: QueueOrder) {
  moderationQueue(first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      openReportCount reasons firstReportedAt lastReportedAt
      comment { id body status author { displayName } article { id commentCount } }
    } }
  }
}
"""


async def queue_page(api: Api, moderator: Person, **variables: Any) -> dict[str, Any]:
    page: dict[str, Any] = (await api.data(QUEUE, variables, token=moderator.token))[
        "moderationQueue"
    ]
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["comment"]["id"] for edge in page["edges"]]


async def reported_thread(api: Api) -> tuple[Person, dict[str, str]]:
    """Four comments A-D first reported in the order C, A, D, B; A by 3 readers, D and B by 2,
    C by 1. Coverage is FULL, so nothing is hidden automatically."""
    clock.set(TUESDAY_11_LONDON)
    author = await api.person(subscriber=True)
    readers = [await api.person() for _ in range(3)]
    moderator = await api.person(Role.MODERATOR)
    comments = {name: (await post_comment(api, author, f"comment {name}"))["id"] for name in "ABCD"}
    plan = [
        ("C", 1, ["OTHER"]),
        ("A", 3, ["SPAM", "ABUSE", "SPAM"]),
        ("D", 2, ["SPAM"] * 2),
        ("B", 2, ["LEGAL"] * 2),
    ]
    for name, count, reasons in plan:
        for reader, reason in zip(readers[:count], reasons, strict=True):
            clock.advance(60)
            assert (await report(api, reader, comments[name], reason))["__typename"] == "Report"
    return moderator, comments


async def test_queue_oldest_report_first_by_default(api: Api) -> None:
    moderator, comments = await reported_thread(api)

    page = await queue_page(api, moderator)

    assert ids(page) == [comments[n] for n in "CADB"]
    assert page["totalCount"] == 4
    assert page["pageInfo"]["hasNextPage"] is False
    first_item = page["edges"][0]["node"]
    assert first_item["comment"]["body"] == "comment C"
    assert first_item["comment"]["status"] == "PUBLISHED"


async def test_queue_most_reported_then_oldest(api: Api) -> None:
    moderator, comments = await reported_thread(api)

    page = await queue_page(api, moderator, orderBy="MOST_REPORTED")

    assert ids(page) == [comments[n] for n in "ADBC"]
    assert [e["node"]["openReportCount"] for e in page["edges"]] == [3, 2, 2, 1]


@pytest.mark.parametrize(
    ("order", "expected"), [("OLDEST_REPORT", "CADB"), ("MOST_REPORTED", "ADBC")]
)
@pytest.mark.parametrize("size", [1, 3])
async def test_queue_cursors_walk_every_item_once(
    api: Api, order: str, expected: str, size: int
) -> None:
    moderator, comments = await reported_thread(api)

    seen: list[str] = []
    after = None
    while True:
        page = await queue_page(api, moderator, first=size, after=after, orderBy=order)
        assert page["totalCount"] == 4
        assert len(page["edges"]) <= size
        seen += ids(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]

    assert seen == [comments[n] for n in expected]


async def test_queue_item_lists_distinct_reasons_and_report_times(api: Api) -> None:
    moderator, comments = await reported_thread(api)

    page = await queue_page(api, moderator, orderBy="MOST_REPORTED")

    item = page["edges"][0]["node"]
    assert item["comment"]["id"] == comments["A"]
    assert sorted(item["reasons"]) == ["ABUSE", "SPAM"]
    first = datetime.fromisoformat(item["firstReportedAt"])
    last = datetime.fromisoformat(item["lastReportedAt"])
    assert (last - first).total_seconds() == pytest.approx(120, abs=1)


async def test_queue_foreign_cursor_is_bad_user_input(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)

    code = await api.error_code(QUEUE, {"after": "not-a-cursor"}, token=moderator.token)

    assert code == "BAD_USER_INPUT"


async def test_queue_is_empty_without_open_reports(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await post_comment(api, author)

    page = await queue_page(api, moderator)

    assert page == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


async def test_queue_costs_the_same_queries_at_5_and_50_items(
    make_api: object, sql_counter: SqlCounter
) -> None:
    api: Api = await make_api(  # type: ignore[operator]
        rate_limit_comments=RateLimit(1000, 60), rate_limit_reports=RateLimit(1000, 3600)
    )
    counts: dict[int, int] = {}
    async with api.client:
        authors = [await api.person(subscriber=True) for _ in range(4)]
        reader = await api.person()
        moderator = await api.person(Role.MODERATOR)
        for n in range(50):
            posted = await post_comment(api, authors[n % 4], f"comment {n}", article=f"story-{n}")
            await report(api, reader, posted["id"], ["SPAM", "ABUSE"][n % 2])
            if n + 1 in (5, 50):
                sql_counter.statements.clear()
                page = await queue_page(api, moderator, first=100)
                counts[n + 1] = sql_counter.count
                assert len(page["edges"]) == page["totalCount"] == n + 1
                assert all(e["node"]["comment"]["author"]["displayName"] for e in page["edges"])

    assert counts[5] == counts[50], sql_counter.statements


def console_document(operation: str) -> str:
    """A document exactly as the moderators' console opens it (console/src/examples.js)."""
    source = (ROOT / "console" / "src" / "examples.js").read_text(encoding="utf-8")
    documents = re.findall(r"`\n(.*?)`", source, re.DOTALL)
    return next(d for d in documents if re.search(rf"^(query|mutation) {operation}\b", d, re.M))


@pytest.mark.parametrize("operation", ["Queue", "Log"])
async def test_the_consoles_own_documents_cost_the_same_queries_at_5_and_50_items(
    make_api: object, sql_counter: SqlCounter, operation: str
) -> None:
    # the console's page of 20, widened to 50 so both sizes fit one page
    document = console_document(operation).replace("first: 20", "first: 50")
    api: Api = await make_api(  # type: ignore[operator]
        rate_limit_comments=RateLimit(1000, 60), rate_limit_reports=RateLimit(1000, 3600)
    )
    counts: dict[int, int] = {}
    clock.set(TUESDAY_11_LONDON)  # full cover: three reports hide nothing
    async with api.client:
        authors = [await api.person(subscriber=True) for _ in range(4)]
        readers = [await api.person() for _ in range(3)]
        moderator = await api.person(Role.MODERATOR)
        for n in range(50):
            posted = await post_comment(api, authors[n % 4], f"comment {n}", article=f"story-{n}")
            for reader in readers[: 1 + n % 3]:
                await report(api, reader, posted["id"], ["SPAM", "ABUSE"][n % 2], "a note")
            if operation == "Log":  # one log line per comment
                await moderate(api, moderator, DISMISS, posted["id"])
            if n + 1 in (5, 50):
                sql_counter.statements.clear()
                answer = await api.data(document, {}, token=moderator.token)
                counts[n + 1] = sql_counter.count
                listed = next(iter(answer.values()))["edges"]
                assert len(listed) == n + 1

    assert counts[5] == counts[50], sql_counter.statements
