from __future__ import annotations

import asyncio

import pytest

from service.clock import clock
from service.config import RateLimit
from service.models import Role
from tests.schema.moderation.helpers import (
    DISMISS,
    REPORT,
    comment_as,
    moderate,
    queue_ids,
    report,
)
from tests.support import Api, post_comment

WITHDRAW = "mutation W($id: ID!) { deleteComment(id: $id) { __typename } }"


async def test_report_comment_opens_a_report_the_moderators_see(api: Api) -> None:
    # given
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "Buy cheap watches")

    # when
    reported = await report(api, reader, posted["id"], "SPAM", "  an advert  ")

    # then
    assert reported["__typename"] == "Report"
    assert reported["reason"] == "SPAM"
    assert reported["note"] == "an advert"
    assert reported["status"] == "OPEN"
    assert reported["resolution"] is None
    assert reported["comment"] == {"id": posted["id"]}
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert seen["openReportCount"] == 1
    assert seen["reports"]["edges"][0]["node"]["reporter"] == {"id": reader.id}


async def test_report_comment_twice_is_already_reported(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)
    await report(api, reader, posted["id"])

    again = await report(api, reader, posted["id"], "ABUSE")

    assert again["__typename"] == "AlreadyReported"
    assert again["message"]
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None and seen["openReportCount"] == 1


async def test_report_comment_by_two_readers_at_once_counts_both(api: Api) -> None:
    author = await api.person(subscriber=True)
    first, second = await api.person(), await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)

    results = await asyncio.gather(
        report(api, first, posted["id"]), report(api, second, posted["id"], "ABUSE")
    )

    assert [r["__typename"] for r in results] == ["Report", "Report"]
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert seen["openReportCount"] == 2
    assert len(seen["reports"]["edges"]) == 2


async def test_report_comment_twice_at_once_makes_one_report(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)

    results = await asyncio.gather(
        report(api, reader, posted["id"]), report(api, reader, posted["id"])
    )

    assert sorted(r["__typename"] for r in results) == ["AlreadyReported", "Report"]
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert seen["openReportCount"] == 1
    assert len(seen["reports"]["edges"]) == 1


async def test_report_comment_on_own_comment_is_invalid_input(api: Api) -> None:
    author = await api.person(subscriber=True)
    posted = await post_comment(api, author)

    reported = await report(api, author, posted["id"])

    assert reported["__typename"] == "InvalidInput"
    assert reported["field"] == "commentId"


async def test_report_comment_withdrawn_or_unknown_is_not_found(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    posted = await post_comment(api, author)
    await api.data(WITHDRAW, {"id": posted["id"]}, token=author.token)

    withdrawn = await report(api, reader, posted["id"])
    unknown = await report(api, reader, "99999")
    not_a_number = await report(api, reader, "abc")

    assert withdrawn["__typename"] == "NotFound"
    assert unknown["__typename"] == "NotFound"
    assert not_a_number["__typename"] == "NotFound"


async def test_report_comment_hidden_is_not_found(make_api: object) -> None:
    # a threshold of 1 at both levels: the first report hides the comment, whatever the hour
    api: Api = await make_api(auto_hide_full=1, auto_hide_partial=1)  # type: ignore[operator]
    async with api.client:
        author = await api.person(subscriber=True)
        first, second = await api.person(), await api.person()
        posted = await post_comment(api, author)
        await report(api, first, posted["id"])

        reported = await report(api, second, posted["id"])

    assert reported["__typename"] == "NotFound"


@pytest.mark.parametrize(
    "note", ["x" * 1001, "ring\x07ring", "null\x00byte"], ids=["too-long", "bell", "nul"]
)
async def test_report_comment_bad_note_is_invalid_input(api: Api, note: str) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    posted = await post_comment(api, author)

    reported = await report(api, reader, posted["id"], note=note)

    assert reported["__typename"] == "InvalidInput"
    assert reported["field"] == "note"


async def test_report_comment_note_of_1000_chars_and_lines_is_accepted(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    posted = await post_comment(api, author)
    note = "line one\n\t" + "y" * 990

    reported = await report(api, reader, posted["id"], note=note)

    assert reported["__typename"] == "Report"
    assert reported["note"] == note


async def test_report_comment_over_the_limit_is_rate_limited(make_api: object) -> None:
    api: Api = await make_api(rate_limit_reports=RateLimit(2, 3600))  # type: ignore[operator]
    async with api.client:
        author = await api.person(subscriber=True)
        reader = await api.person()
        posted = [await post_comment(api, author, f"comment {n}") for n in range(3)]

        results = [await report(api, reader, p["id"]) for p in posted]

    assert [r["__typename"] for r in results] == ["Report", "Report", "RateLimited"]
    assert 0 < results[2]["retryAfterSeconds"] <= 3600


async def test_report_comment_anonymous_is_unauthenticated(api: Api) -> None:
    author = await api.person(subscriber=True)
    posted = await post_comment(api, author)
    variables = {"input": {"commentId": posted["id"], "reason": "SPAM"}}

    assert await api.error_code(REPORT, variables) == "UNAUTHENTICATED"


async def test_viewer_has_reported_is_true_for_the_reporter_only(api: Api) -> None:
    author = await api.person(subscriber=True)
    reporter, other = await api.person(), await api.person()
    posted = await post_comment(api, author)

    await report(api, reporter, posted["id"])

    seen = {
        name: (await comment_as(api, person, posted["id"]) or {})["viewerHasReported"]
        for name, person in [
            ("reporter", reporter),
            ("other", other),
            ("author", author),
            ("anonymous", None),
        ]
    }
    assert seen == {"reporter": True, "other": False, "author": False, "anonymous": False}


async def test_report_details_are_null_for_readers(api: Api) -> None:
    author = await api.person(subscriber=True)
    reporter, other = await api.person(), await api.person()
    posted = await post_comment(api, author)

    reported = await report(api, reporter, posted["id"])
    as_author = await comment_as(api, author, posted["id"])
    as_other = await comment_as(api, other, posted["id"])

    assert reported["reporter"] is None  # not even the reporter sees it through the API
    for seen in (as_author, as_other):
        assert seen is not None
        assert seen["openReportCount"] is None
        assert seen["reports"] is None


async def test_report_comment_after_dismiss_puts_it_back_in_the_queue(api: Api) -> None:
    # given: a comment reported, then cleared by a moderator
    author = await api.person(subscriber=True)
    first, second = await api.person(), await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)
    await report(api, first, posted["id"])
    await moderate(api, moderator, DISMISS, posted["id"])
    assert await queue_ids(api, moderator) == []

    # when
    clock.advance(60)
    reported = await report(api, second, posted["id"])

    # then
    assert reported["__typename"] == "Report"
    assert await queue_ids(api, moderator) == [posted["id"]]
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert seen["openReportCount"] == 1
    assert [e["node"]["status"] for e in seen["reports"]["edges"]] == ["RESOLVED", "OPEN"]
    assert seen["reports"]["edges"][0]["node"]["resolution"] == "DISMISSED"
