"""Counters kept on rows (commentCount, replyCount) and the article's thread version.

Every change that makes a comment appear or disappear for readers goes through
`shift_visibility`, inside the caller's transaction, so the counters never drift: a new
comment from `comments.post`, every status change from `comment_status.change`.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from tortoise.expressions import F

from service import sql
from service.models import Article, Comment


def ancestor_ids(comment: Comment) -> list[int]:
    return [int(part) for part in comment.ancestry.split("/") if part]


async def shift_visibility(comment: Comment, delta: int) -> None:
    """`delta` is +1 when the comment became visible to readers, -1 when it stopped being."""
    await shift_many([comment], delta)


async def hide_many(comments: list[Comment]) -> None:
    """Many visible comments stopped being visible at once (an erasure)."""
    await shift_many(comments, -1)


async def shift_many(comments: list[Comment], delta: int) -> None:
    """What `shift_visibility(c, delta)` does to each comment, in one UPDATE per article and
    per distinct amount a reply count moves by (one comment: two UPDATEs at most)."""
    # hand-written: every post runs these, and the query builder cost more than the SQL
    for article_id, count in Counter(c.article_id for c in comments).items():
        await sql.execute(
            "UPDATE articles SET comment_count = comment_count + {}, version = version + 1 "
            "WHERE id = {}",
            delta * count,
            article_id,
        )
    moves = Counter(ancestor for c in comments for ancestor in ancestor_ids(c))
    by_amount: dict[int, list[int]] = defaultdict(list)
    for ancestor, amount in moves.items():
        by_amount[amount].append(ancestor)
    for amount, ancestors in by_amount.items():
        for ids in sql.chunks(ancestors):
            await sql.execute(
                "UPDATE comments SET reply_count = reply_count + {} "
                f"WHERE id IN ({sql.marks(len(ids))})",
                delta * amount,
                *ids,
            )


async def bump_version(article_id: str) -> None:
    """The thread changed without a count moving (an edit, a close): cached pages are stale."""
    await sql.execute("UPDATE articles SET version = version + 1 WHERE id = {}", article_id)


async def recount(article_id: str) -> None:
    """Recompute an article's counters from its comments (after a bulk import or a repair)."""
    from service.models import CommentStatus

    rows = await Comment.filter(article_id=article_id).values("id", "ancestry", "status")
    replies = {row["id"]: 0 for row in rows}
    published = 0
    for row in rows:
        if row["status"] != CommentStatus.PUBLISHED:
            continue
        published += 1
        for ancestor in filter(None, row["ancestry"].split("/")):
            replies[int(ancestor)] += 1
    for comment_id, count in replies.items():
        await Comment.filter(id=comment_id).update(reply_count=count)
    await Article.filter(id=article_id).update(comment_count=published, version=F("version") + 1)
