from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from service.clock import now
from service.config import RateLimit
from service.models import Article, Comment, Role, User
from tests.support import POST, Api, post_comment

PERMISSION = """
query Permission($id: ID!) { article(id: $id) { commentPermission { allowed reason } } }
"""
PUBLISH = 'mutation { publishCommunityRules(body: "Be civil.") { __typename } }'
ACCEPT = "mutation { acceptCommunityRules(version: 1) { __typename } }"


async def permission(api: Api, token: str | None, article: str = "story-1") -> dict[str, object]:
    result = await api.data(PERMISSION, {"id": article}, token=token)
    answer: dict[str, object] = result["article"]["commentPermission"]
    return answer


async def test_a_subscriber_posts_and_it_is_live_at_once(api: Api) -> None:
    reader = await api.person(subscriber=True)

    posted = await post_comment(api, reader, "  Hello\r\nworld  ")

    assert posted["__typename"] == "Comment"
    assert posted["body"] == "Hello\nworld"
    assert posted["status"] == "PUBLISHED"
    assert posted["author"]["id"] == reader.id
    count = await api.data('{ article(id: "story-1") { commentCount } }')
    assert count["article"]["commentCount"] == 1


async def test_anonymous_post_is_unauthenticated(api: Api) -> None:
    variables = {"input": {"articleId": "story-1", "body": "hi"}}

    assert await api.error_code(POST, variables) == "UNAUTHENTICATED"
    assert await permission(api, None) == {"allowed": False, "reason": "NOT_SIGNED_IN"}


async def test_a_reader_without_subscription_is_told_where_to_subscribe(make_api: object) -> None:
    api: Api = await make_api(subscribe_url="https://news.example/subscribe")  # type: ignore[operator]
    async with api.client:
        reader = await api.person()

        posted = await post_comment(api, reader)
        allowed = await permission(api, reader.token)

    assert posted["__typename"] == "SubscriptionRequired"
    assert posted["subscribeUrl"] == "https://news.example/subscribe"
    assert allowed == {"allowed": False, "reason": "SUBSCRIPTION_REQUIRED"}


async def test_moderators_comment_without_a_subscription(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)

    assert (await post_comment(api, moderator))["__typename"] == "Comment"
    assert await permission(api, moderator.token) == {"allowed": True, "reason": None}


async def test_new_rules_must_be_accepted_before_the_next_comment(api: Api) -> None:
    admin = await api.person(Role.ADMIN)
    reader = await api.person(subscriber=True)
    await api.data(PUBLISH, token=admin.token)

    blocked = await post_comment(api, reader)
    reason = await permission(api, reader.token)
    await api.data(ACCEPT, token=reader.token)
    after_accepting = await post_comment(api, reader)

    assert blocked["__typename"] == "RulesNotAccepted"
    assert blocked["rules"] == {"version": 1}
    assert reason == {"allowed": False, "reason": "RULES_NOT_ACCEPTED"}
    assert after_accepting["__typename"] == "Comment"


async def test_suspended_and_banned_readers_cannot_comment(api: Api) -> None:
    suspended = await api.person(subscriber=True)
    banned = await api.person(subscriber=True)
    until = now() + timedelta(days=2)
    await User.filter(id=int(suspended.id)).update(suspended_until=until)
    await User.filter(id=int(banned.id)).update(banned=True)

    suspended_post = await post_comment(api, suspended)
    banned_post = await post_comment(api, banned)

    assert suspended_post["__typename"] == "AccountSuspended"
    assert suspended_post["until"] is not None
    assert banned_post == {**banned_post, "__typename": "AccountSuspended", "until": None}
    assert await permission(api, suspended.token) == {"allowed": False, "reason": "SUSPENDED"}
    assert await permission(api, banned.token) == {"allowed": False, "reason": "BANNED"}


async def test_closed_articles_refuse_comments(api: Api) -> None:
    reader = await api.person(subscriber=True)
    await Article.create(id="closed", closed=True, created_at=now())
    await Article.create(id="expired", closes_at=now() - timedelta(minutes=1), created_at=now())

    for article in ("closed", "expired"):
        assert (await post_comment(api, reader, article=article))["__typename"] == "CommentsClosed"
        assert await permission(api, reader.token, article) == {
            "allowed": False,
            "reason": "COMMENTS_CLOSED",
        }


@pytest.mark.parametrize(
    "body", ["", "   ", "x" * 5001, "bell \x07 in it", "nul \x00", "escape \x1b[31m"]
)
async def test_bad_bodies_are_invalid_input(api: Api, body: str) -> None:
    reader = await api.person(subscriber=True)

    posted = await post_comment(api, reader, body)

    assert posted["__typename"] == "InvalidInput"
    assert posted["field"] == "body"


async def test_tabs_newlines_and_unicode_are_kept_normalised(api: Api) -> None:
    reader = await api.person(subscriber=True)

    posted = await post_comment(api, reader, "cafe\u0301\tbar\n\nbaz")

    assert posted["body"] == "caf\u00e9\tbar\n\nbaz"


@pytest.mark.parametrize("article", ["", "x" * 201, "tab\there"])
async def test_a_bad_article_id_is_bad_user_input(api: Api, article: str) -> None:
    reader = await api.person(subscriber=True)
    variables = {"input": {"articleId": article, "body": "hi"}}

    assert await api.error_code(POST, variables, reader.token) == "BAD_USER_INPUT"


async def test_replies_nest_under_a_visible_parent_of_the_same_article(api: Api) -> None:
    reader = await api.person(subscriber=True)
    parent = await post_comment(api, reader, "parent")
    elsewhere = await post_comment(api, reader, "elsewhere", article="story-2")

    reply = await post_comment(api, reader, "reply", parentId=parent["id"])
    wrong_article = await post_comment(api, reader, "x", parentId=elsewhere["id"])
    missing = await post_comment(api, reader, "x", parentId="999999")

    assert reply["__typename"] == "Comment"
    assert wrong_article == {**wrong_article, "__typename": "InvalidInput", "field": "parentId"}
    assert missing["__typename"] == "NotFound"


async def test_a_withdrawn_parent_cannot_be_replied_to(api: Api) -> None:
    reader = await api.person(subscriber=True)
    parent = await post_comment(api, reader, "parent")
    await Comment.filter(id=int(parent["id"])).update(status="WITHDRAWN")

    assert (await post_comment(api, reader, "x", parentId=parent["id"]))["__typename"] == "NotFound"


async def test_replies_nest_at_most_the_configured_depth(api: Api) -> None:
    reader = await api.person(subscriber=True)
    parent_id = (await post_comment(api, reader, "level 0"))["id"]
    for level in range(1, 4):
        parent_id = (await post_comment(api, reader, f"level {level}", parentId=parent_id))["id"]

    too_deep = await post_comment(api, reader, "level 4", parentId=parent_id)

    assert too_deep["__typename"] == "InvalidInput"
    assert too_deep["field"] == "parentId"


async def test_posting_is_rate_limited(make_api: object) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(2, 60))  # type: ignore[operator]
    async with api.client:
        reader = await api.person(subscriber=True)
        await post_comment(api, reader, "one")
        await post_comment(api, reader, "two")

        third = await post_comment(api, reader, "three")

    assert third["__typename"] == "RateLimited"
    assert 0 < third["retryAfterSeconds"] <= 60


async def test_a_retry_with_the_same_key_returns_the_first_comment(make_api: object) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(1, 60))  # type: ignore[operator]
    async with api.client:
        reader = await api.person(subscriber=True)
        first = await post_comment(api, reader, "once", idempotencyKey="k-1")

        retry = await post_comment(api, reader, "once", idempotencyKey="k-1")
        count = await api.data('{ article(id: "story-1") { commentCount } }')

    assert retry == first  # and the retry did not hit the limit of one post a minute
    assert count["article"]["commentCount"] == 1


async def test_the_same_key_for_a_different_comment_is_invalid(api: Api) -> None:
    reader = await api.person(subscriber=True)
    await post_comment(api, reader, "once", idempotencyKey="k-1")

    other_body = await post_comment(api, reader, "different", idempotencyKey="k-1")
    other_article = await post_comment(api, reader, "once", article="story-9", idempotencyKey="k-1")
    too_long = await post_comment(api, reader, "once", idempotencyKey="k" * 101)

    for result in (other_body, other_article, too_long):
        assert result["__typename"] == "InvalidInput"
        assert result["field"] == "idempotencyKey"


async def test_racing_retries_post_once(api: Api) -> None:
    reader = await api.person(subscriber=True)

    results = await asyncio.gather(
        *(post_comment(api, reader, "raced", idempotencyKey="same") for _ in range(5))
    )

    assert {r["__typename"] for r in results} == {"Comment"}
    assert len({r["id"] for r in results}) == 1
    assert await Comment.filter(article_id="story-1").count() == 1
    assert (await Article.get(id="story-1")).comment_count == 1


async def test_sixty_posts_at_once_from_twenty_subscribers_all_land(make_api: object) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(100, 60))  # type: ignore[operator]
    async with api.client:
        readers = [await api.person(subscriber=True) for _ in range(20)]

        results = await asyncio.gather(
            *(post_comment(api, r, f"post {n} by {r.id}") for r in readers for n in range(3))
        )
        count = await api.data('{ article(id: "story-1") { commentCount } }')

    assert [r["__typename"] for r in results] == ["Comment"] * 60
    assert len({r["id"] for r in results}) == 60
    assert count["article"]["commentCount"] == 60
