from __future__ import annotations

import random

import pytest

from service import comments
from service.config import RateLimit
from service.models import Article, Comment, CommentStatus
from tests.conftest import SqlCounter
from tests.support import Api, post_comment

PAGE = """
query Page($id: ID!, $first: Int!) {
  article(id: $id) {
    commentCount
    comments(first: $first) {
      edges { node {
        id body createdAt replyCount viewerHasReported viewerCanEdit
        author { displayName }
        replies(first: 3) { edges { node {
          id body replyCount viewerHasReported viewerCanEdit author { displayName } } } }
      } }
    }
  }
}
"""


async def count_from_scratch(article_id: str) -> tuple[int, dict[int, int]]:
    rows = await Comment.filter(article_id=article_id).values("id", "ancestry", "status")
    published = [r for r in rows if r["status"] == CommentStatus.PUBLISHED]
    replies = {r["id"]: 0 for r in rows}
    for row in published:
        for ancestor in filter(None, row["ancestry"].split("/")):
            replies[int(ancestor)] += 1
    return len(published), replies


async def test_counters_match_a_count_from_scratch_after_random_posts_and_withdrawals(
    make_api: object,
) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(1000, 60))  # type: ignore[operator]
    rng = random.Random(20261125)
    async with api.client:
        authors = [await api.person(subscriber=True) for _ in range(3)]
        posted: list[tuple[str, int]] = []  # (comment id, author index)
        for step in range(80):
            if posted and rng.random() < 0.3:
                comment_id, who = rng.choice(posted)
                await api.data(
                    "mutation W($id: ID!) { deleteComment(id: $id) { __typename } }",
                    {"id": comment_id},
                    token=authors[who].token,
                )
                continue
            who = rng.randrange(3)
            parents = [c for c, _ in posted if rng.random() < 0.5]
            extra = {"parentId": rng.choice(parents)} if parents and rng.random() < 0.6 else {}
            result = await post_comment(api, authors[who], f"step {step}", **extra)
            if result["__typename"] == "Comment":
                posted.append((result["id"], who))

    expected_count, expected_replies = await count_from_scratch("story-1")
    assert (await Article.get(id="story-1")).comment_count == expected_count
    stored = {c.id: c.reply_count for c in await Comment.filter(article_id="story-1")}
    assert stored == expected_replies
    assert expected_count > 10  # the sequence really exercised something


@pytest.mark.parametrize("top_level", [5, 20])
async def test_a_thread_page_costs_the_same_queries_whatever_its_size(
    make_api: object, sql_counter: SqlCounter, top_level: int
) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(1000, 60))  # type: ignore[operator]
    async with api.client:
        authors = [await api.person(subscriber=True) for _ in range(4)]
        for n in range(top_level):
            parent = await post_comment(api, authors[n % 4], f"top {n}")
            for r in range(3):
                await post_comment(
                    api, authors[(n + r + 1) % 4], f"reply {r}", parentId=parent["id"]
                )
        reader = authors[0]

        sql_counter.statements.clear()
        page = await api.data(PAGE, {"id": "story-1", "first": top_level}, token=reader.token)

    edges = page["article"]["comments"]["edges"]
    assert len(edges) == top_level
    assert all(len(e["node"]["replies"]["edges"]) == 3 for e in edges)
    assert all(e["node"]["author"]["displayName"] for e in edges)
    # session, public epoch, article, top-level page with authors, replies, reply authors, the
    # viewer's reports and own comments among them (a signed-in page: the shared answer, then
    # its flags)
    assert sql_counter.count <= 7, sql_counter.statements


async def test_can_edit_reads_the_clock(api: Api) -> None:
    reader = await api.person(subscriber=True)
    posted = await post_comment(api, reader)
    comment = await comments.get(posted["id"])

    assert comments.can_edit(api.app.state.runtime, None, comment) is False
