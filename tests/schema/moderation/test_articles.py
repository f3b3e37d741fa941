from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from service.clock import clock
from service.models import Role
from tests.schema.moderation.helpers import TUESDAY_11_LONDON, article_as
from tests.support import Api, Person, post_comment

ARTICLE_RESULT = """
    __typename
    ... on Article { id title url closesAt commentsOpen }
    ... on InvalidInput { field }
    ... on Error { message }
"""
SET_COMMENTING = f"""
mutation SetCommenting($input: SetCommentingInput!) {{
  setCommenting(input: $input) {{ {ARTICLE_RESULT} }}
}}
"""
CONFIGURE = f"""
mutation Configure($input: ConfigureArticleInput!) {{
  configureArticle(input: $input) {{ {ARTICLE_RESULT} }}
}}
"""


async def set_commenting(
    api: Api, moderator: Person, open: bool, reason: str = "Legal advice"
) -> dict[str, Any]:
    variables = {"input": {"articleId": "story-1", "open": open, "reason": reason}}
    result: dict[str, Any] = (await api.data(SET_COMMENTING, variables, token=moderator.token))[
        "setCommenting"
    ]
    return result


async def configure(api: Api, admin: Person, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"id": "story-1", **fields}}
    result: dict[str, Any] = (await api.data(CONFIGURE, variables, token=admin.token))[
        "configureArticle"
    ]
    return result


async def test_set_commenting_closes_then_reopens_the_article(api: Api) -> None:
    # given
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)

    # when closed
    closed = await set_commenting(api, moderator, open=False)

    # then
    assert closed["__typename"] == "Article"
    assert closed["commentsOpen"] is False
    assert (await post_comment(api, reader))["__typename"] == "CommentsClosed"
    assert (await article_as(api, reader))["commentPermission"] == {
        "allowed": False,
        "reason": "COMMENTS_CLOSED",
    }

    # when reopened
    reopened = await set_commenting(api, moderator, open=True, reason="Cleared by legal")

    assert reopened["commentsOpen"] is True
    assert (await article_as(api, reader))["commentPermission"] == {"allowed": True, "reason": None}
    assert (await post_comment(api, reader))["__typename"] == "Comment"


async def test_set_commenting_without_a_reason_is_invalid_input(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)

    closed = await set_commenting(api, moderator, open=False, reason=" ")

    assert (closed["__typename"], closed["field"]) == ("InvalidInput", "reason")
    assert (await article_as(api, None))["commentsOpen"] is True


async def test_configure_article_sets_title_url_and_closes_at(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    closes_at = clock.now() + timedelta(days=7)

    configured = await configure(
        api,
        admin,
        title="  Budget 2026  ",
        url="https://news.example/budget",
        closesAt=closes_at.isoformat(),
    )

    assert configured["__typename"] == "Article"
    seen = await article_as(api, None)
    assert seen["title"] == "Budget 2026"
    assert seen["url"] == "https://news.example/budget"
    assert datetime.fromisoformat(seen["closesAt"]) == closes_at
    assert seen["commentsOpen"] is True


async def test_configure_article_keeps_what_is_not_given_and_null_clears(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    await configure(api, admin, title="Budget", url="https://news.example/budget")

    await configure(api, admin, title="Budget, updated")
    kept = await article_as(api, None)
    await configure(api, admin, url=None)
    cleared = await article_as(api, None)

    assert (kept["title"], kept["url"]) == ("Budget, updated", "https://news.example/budget")
    assert (cleared["title"], cleared["url"]) == ("Budget, updated", None)


@pytest.mark.parametrize(
    "url", ["ftp://news.example/a", "javascript:alert(1)", "news.example/a", "https://a b"]
)
async def test_configure_article_non_http_url_is_invalid_input(api: Api, url: str) -> None:
    admin = await api.person(Role.ADMIN)

    configured = await configure(api, admin, url=url)

    assert (configured["__typename"], configured["field"]) == ("InvalidInput", "url")
    assert (await article_as(api, None))["url"] is None


async def test_configure_article_title_over_300_chars_is_invalid_input(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    too_long = await configure(api, admin, title="t" * 301)
    longest = await configure(api, admin, title="t" * 300)

    assert (too_long["__typename"], too_long["field"]) == ("InvalidInput", "title")
    assert longest["__typename"] == "Article"
    assert longest["title"] == "t" * 300


async def test_configure_article_closes_at_without_a_zone_is_invalid_input(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    configured = await configure(api, admin, closesAt="2026-12-01T00:00:00")

    assert (configured["__typename"], configured["field"]) == ("InvalidInput", "closesAt")


async def test_comments_close_by_themselves_once_closes_at_passes(api: Api) -> None:
    # given: closing in an hour
    clock.set(TUESDAY_11_LONDON)
    admin = await api.person(Role.ADMIN)
    reader = await api.person(subscriber=True)
    await configure(api, admin, closesAt=(TUESDAY_11_LONDON + timedelta(hours=1)).isoformat())
    assert (await article_as(api, reader))["commentsOpen"] is True

    # when
    clock.advance(3601)

    # then
    seen = await article_as(api, reader)
    assert seen["commentsOpen"] is False
    assert seen["commentPermission"] == {"allowed": False, "reason": "COMMENTS_CLOSED"}
    assert (await post_comment(api, reader))["__typename"] == "CommentsClosed"
