"""Recommendations: once per reader per comment, never one's own; counts that signed-out
answers may show up to BTL_PUBLIC_MAX_AGE seconds late; MOST_RECOMMENDED pages."""

from __future__ import annotations

from typing import Any

from service.clock import clock
from service.config import RateLimit
from service.models import Article, RecommendationChange, Role
from tests.schema.moderation.helpers import BAN
from tests.schema.reader.helpers import (
    RECOMMEND,
    THREAD,
    ids,
    recommend,
    set_mode,
    signed_out_get,
    thread,
    unrecommend,
)
from tests.support import Api, Person, post_comment

WITHDRAW = "mutation W($id: ID!) { deleteComment(id: $id) { __typename } }"
FLAG = "query C($id: ID!) { comment(id: $id) { recommendCount viewerHasRecommended } }"


async def test_a_reader_recommends_a_comment_once_and_takes_it_back(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()  # no subscription needed to recommend
    posted = await post_comment(api, author, "Well said")

    first = await recommend(api, reader, posted["id"])
    twice = await recommend(api, reader, posted["id"])
    seen = await api.data(FLAG, {"id": posted["id"]}, token=reader.token)
    by_author = await api.data(FLAG, {"id": posted["id"]}, token=author.token)
    taken_back = await unrecommend(api, reader, posted["id"])
    again = await unrecommend(api, reader, posted["id"])

    assert first == {
        "__typename": "Comment",
        "id": posted["id"],
        "recommendCount": 1,
        "viewerHasRecommended": True,
    }
    assert twice["__typename"] == "NotAllowed"
    assert seen["comment"] == {"recommendCount": 1, "viewerHasRecommended": True}
    assert by_author["comment"] == {"recommendCount": 1, "viewerHasRecommended": False}
    assert (taken_back["recommendCount"], taken_back["viewerHasRecommended"]) == (0, False)
    assert again["__typename"] == "NotAllowed"


async def test_recommending_what_cannot_be_recommended_is_refused(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    own = await post_comment(api, reader, "mine")
    withdrawn = await post_comment(api, author, "gone")
    await api.data(WITHDRAW, {"id": withdrawn["id"]}, token=author.token)
    tombstone = await post_comment(api, author, "gone, with a reply")
    await post_comment(api, reader, "a reply", parentId=tombstone["id"])
    await api.data(WITHDRAW, {"id": tombstone["id"]}, token=author.token)
    await set_mode(api, moderator, "PRE")
    pending = await post_comment(api, author, "waiting")

    answers = {
        name: (await recommend(api, reader, comment_id))["__typename"]
        for name, comment_id in (
            ("own", own["id"]),
            ("withdrawn", withdrawn["id"]),
            ("tombstone", tombstone["id"]),
            ("pending", pending["id"]),
            ("unknown", "999999"),
            ("not an id", "abc"),
        )
    }

    assert answers == {
        "own": "NotAllowed",
        "withdrawn": "NotFound",
        "tombstone": "NotAllowed",
        "pending": "NotFound",
        "unknown": "NotFound",
        "not an id": "NotFound",
    }
    signed_out = await api.error_code(RECOMMEND, {"id": own["id"]})
    assert signed_out == "UNAUTHENTICATED"
    assert (await thread(api, moderator))["comments"]["edges"][0]["node"]["recommendCount"] == 0


async def test_a_banned_reader_cannot_recommend(api: Api) -> None:
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "hm")
    await api.data(BAN, {"input": {"userId": reader.id, "reason": "x"}}, token=moderator.token)

    assert (await recommend(api, reader, posted["id"]))["__typename"] == "NotAllowed"


async def test_recommendations_have_their_own_rate_limit(make_api: Any) -> None:
    api: Api = await make_api(rate_limit_recommendations=RateLimit(2, 60))
    async with api.client:
        author = await api.person(subscriber=True)
        reader = await api.person(subscriber=True)
        posted = [await post_comment(api, author, f"c{n}") for n in range(3)]

        answers = [(await recommend(api, reader, c["id"]))["__typename"] for c in posted]
        still_posts = await post_comment(api, reader, "posting is another limit")

    assert answers == ["Comment", "Comment", "RateLimited"]
    assert still_posts["__typename"] == "Comment"


async def test_a_signed_out_count_lags_by_at_most_the_public_max_age(api: Api) -> None:
    # given: a cached signed-out page
    author = await api.person(subscriber=True)
    reader = await api.person()
    posted = await post_comment(api, author, "popular")
    before = await signed_out_get(api, THREAD, {"id": "story-1"})
    version = (await Article.get(id="story-1")).version
    max_age = api.app.state.runtime.settings.public_max_age

    # when
    await recommend(api, reader, posted["id"])

    # then: the thread's version did not move; the cached page shows the old count until
    # it is max_age old, never later; the reader's own flag is exact at once
    assert (await Article.get(id="story-1")).version == version
    soon = await signed_out_get(api, THREAD, {"id": "story-1"})
    assert soon == before
    own = await api.data(FLAG, {"id": posted["id"]}, token=reader.token)
    assert own["comment"]["viewerHasRecommended"] is True
    clock.advance(max_age)
    later = await signed_out_get(api, THREAD, {"id": "story-1"})
    [edge] = later["article"]["comments"]["edges"]
    assert edge["node"]["recommendCount"] == 1
    clock.reset()


async def test_with_no_max_age_a_signed_out_count_is_never_cached(make_api: Any) -> None:
    api: Api = await make_api(public_max_age=0)
    async with api.client:
        author = await api.person(subscriber=True)
        reader = await api.person()
        posted = await post_comment(api, author, "popular")
        await signed_out_get(api, THREAD, {"id": "story-1"})

        await recommend(api, reader, posted["id"])
        after = await signed_out_get(api, THREAD, {"id": "story-1"})

    assert after["article"]["comments"]["edges"][0]["node"]["recommendCount"] == 1


async def _recommend_times(api: Api, readers: list[Person], comment_id: str, times: int) -> None:
    for reader in readers[:times]:
        assert (await recommend(api, reader, comment_id))["__typename"] == "Comment"


async def test_most_recommended_orders_by_count_then_newest(make_api: Any) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(100, 60))
    async with api.client:
        author = await api.person(subscriber=True)
        readers = [await api.person() for _ in range(3)]
        posted = [(await post_comment(api, author, f"c{n}"))["id"] for n in range(5)]
        await _recommend_times(api, readers, posted[1], 2)
        await _recommend_times(api, readers, posted[3], 2)
        await _recommend_times(api, readers, posted[0], 3)

        # at once: the order agrees with the counts the page shows
        page = await thread(api, order="MOST_RECOMMENDED")

    assert ids(page) == [posted[0], posted[3], posted[1], posted[4], posted[2]]
    counts = [e["node"]["recommendCount"] for e in page["comments"]["edges"]]
    assert counts == [3, 2, 2, 0, 0]


async def test_most_recommended_pages_have_no_gaps_or_duplicates_while_counts_change(
    make_api: Any,
) -> None:
    api: Api = await make_api(
        rate_limit_comments=RateLimit(100, 60), rate_limit_recommendations=RateLimit(1000, 60)
    )
    async with api.client:
        # given: 12 comments with 0 to 3 recommendations each
        author = await api.person(subscriber=True)
        readers = [await api.person() for _ in range(6)]
        posted = [(await post_comment(api, author, f"c{n}"))["id"] for n in range(12)]
        for n, comment_id in enumerate(posted):
            await _recommend_times(api, readers, comment_id, n % 4)
        clock.advance(10)
        shown: list[str] = []
        page = await thread(api, first=4, order="MOST_RECOMMENDED")
        shown += ids(page)

        # when: between pages, comments not yet shown climb above the cursor and comments
        # already shown fall below it
        step = 0
        climbed: set[str] = set()
        while page["comments"]["pageInfo"]["hasNextPage"]:
            unseen = [c for c in posted if c not in shown and c not in climbed]
            climbed.add(unseen[-1])
            await _recommend_times(api, readers[3:], unseen[-1], 3)  # climbs to the top
            for reader in readers[: (posted.index(shown[step]) % 4)]:
                await unrecommend(api, reader, shown[step])  # falls to the bottom
            step += 1
            page = await thread(
                api,
                first=4,
                order="MOST_RECOMMENDED",
                after=page["comments"]["pageInfo"]["endCursor"],
            )
            shown += ids(page)

        clock.advance(10)
        fresh = await thread(api, first=20, order="MOST_RECOMMENDED")
    clock.reset()

    # then: every comment exactly once, in the order of the moment the first page was read
    assert len(shown) == len(set(shown)) == 12
    by_count_then_newest = sorted(
        posted, key=lambda c: (posted.index(c) % 4, posted.index(c)), reverse=True
    )
    assert shown == by_count_then_newest
    assert ids(fresh) != shown  # a new first page ranks by the counts of now


async def test_a_cursor_from_another_order_is_refused_cleanly(api: Api) -> None:
    author = await api.person(subscriber=True)
    await post_comment(api, author, "one")
    await post_comment(api, author, "two")
    newest = await thread(api, first=1)

    body = await api.gql(
        THREAD,
        {
            "id": "story-1",
            "first": 1,
            "order": "MOST_RECOMMENDED",
            "after": newest["comments"]["pageInfo"]["endCursor"],
        },
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_cdn_may_keep_a_page_with_counts_only_for_what_is_left_of_its_lag(
    api: Api,
) -> None:
    author = await api.person(subscriber=True)
    await post_comment(api, author, "popular")
    params = {"query": THREAD, "variables": '{"id": "story-1"}'}

    fresh = await api.client.get("/graphql", params=params)
    clock.advance(3)
    cached = await api.client.get("/graphql", params=params)
    clock.reset()
    without_counts = await api.client.get(
        "/graphql", params={"query": '{ article(id: "story-1") { commentCount } }'}
    )

    assert fresh.headers["cache-control"] in ("public, max-age=5", "public, max-age=4")
    assert cached.content == fresh.content
    assert cached.headers["cache-control"] in ("public, max-age=2", "public, max-age=1")
    assert without_counts.headers["cache-control"] == "public, max-age=5"


async def test_a_most_recommended_page_older_than_a_day_starts_again(api: Api) -> None:
    author = await api.person(subscriber=True)
    readers = [await api.person() for _ in range(2)]
    posted = [(await post_comment(api, author, f"c{n}"))["id"] for n in range(2)]
    await recommend(api, readers[0], posted[0])
    first = await thread(api, first=1, order="MOST_RECOMMENDED")
    clock.advance(24 * 3600 + 60)

    body = await api.gql(
        THREAD,
        {
            "id": "story-1",
            "first": 1,
            "order": "MOST_RECOMMENDED",
            "after": first["comments"]["pageInfo"]["endCursor"],
        },
    )
    await recommend(api, readers[1], posted[1])  # the day-old change leaves the log
    clock.reset()

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await RecommendationChange.filter(comment_id=int(posted[0])).count() == 0
    assert await RecommendationChange.filter(comment_id=int(posted[1])).count() == 1
