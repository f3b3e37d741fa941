"""Recommendations: any signed-in reader but the author, once per comment, and taken back.

The count lives on the comment row, moved in the recommendation's transaction; the unique
(comment, reader) index makes it once even when two taps race. A recommendation never
moves the article's version: on a popular thread that would empty the cache many times a
second. Signed-out answers showing a count are kept at most BTL_PUBLIC_MAX_AGE seconds
instead (schema/freshness.py `note_lagging`). Every change is also logged with its time,
so MOST_RECOMMENDED pages rank by the counts of one moment (service/ranking.py).
Recommendations have their own rate limit (BTL_RATE_LIMIT_RECOMMENDATIONS), so a reader
recommending as they read does not use up their posts.
"""

from __future__ import annotations

from collections import defaultdict

from tortoise.transactions import in_transaction

from service import comments, sql, visibility
from service.accounts import is_staff, status_of
from service.clock import now
from service.errors import NotAllowed, NotFound, Unauthenticated
from service.models import Comment, CommentStatus, User, UserStatus
from service.ranking import HORIZON
from service.runtime import Runtime


async def _seen(viewer: User | None, comment_id: str) -> tuple[User, Comment]:
    if viewer is None:
        raise Unauthenticated("Sign in to recommend a comment.")
    comment = await comments.get(comment_id)
    if not visibility.sees(comment, viewer.id, staff=is_staff(viewer)):
        raise NotFound("No such comment.")
    return viewer, comment


async def recommend(rt: Runtime, viewer: User | None, comment_id: str) -> Comment:
    reader, comment = await _seen(viewer, comment_id)
    if comment.status != CommentStatus.PUBLISHED:
        raise NotAllowed("Only a published comment can be recommended.")
    if comment.author_id == reader.id:
        raise NotAllowed("You cannot recommend your own comment.")
    if status_of(reader) != UserStatus.ACTIVE:
        raise NotAllowed("Your account cannot recommend comments while it is restricted.")
    await rt.limiter.hit("recommendations", f"user:{reader.id}")
    async with in_transaction():
        added = await sql.fetch(
            "INSERT INTO recommendations (comment_id, reader_id, created_at) "
            "VALUES ({}, {}, {}) ON CONFLICT (comment_id, reader_id) DO NOTHING RETURNING id",
            comment.id,
            reader.id,
            sql.db_time(now()),
        )
        if not added:
            raise NotAllowed("You have already recommended this comment.")
        await _count(comment, +1)
    return await comments.get(comment.id)


async def unrecommend(rt: Runtime, viewer: User | None, comment_id: str) -> Comment:
    reader, comment = await _seen(viewer, comment_id)
    await rt.limiter.hit("recommendations", f"user:{reader.id}")
    async with in_transaction():
        removed = await sql.execute(
            "DELETE FROM recommendations WHERE comment_id = {} AND reader_id = {}",
            comment.id,
            reader.id,
        )
        if not removed:
            raise NotAllowed("You have not recommended this comment.")
        await _count(comment, -1)
    return await comments.get(comment.id)


async def forget_reader(reader_id: int) -> None:
    """Inside the caller's transaction: all the reader's recommendations go, and the counts
    with them (an erased account)."""
    rows = await sql.fetch(
        "SELECT r.comment_id, c.article_id FROM recommendations r "
        "JOIN comments c ON c.id = r.comment_id WHERE r.reader_id = {}",
        reader_id,
    )
    await sql.execute("DELETE FROM recommendations WHERE reader_id = {}", reader_id)
    for row in rows:
        await _count(Comment(id=row["comment_id"], article_id=row["article_id"]), -1)


async def _count(comment: Comment, delta: int) -> None:
    """Inside the caller's transaction: the count on the row, and the change in the log."""
    await sql.execute(
        "UPDATE comments SET recommend_count = recommend_count + {} WHERE id = {}",
        delta,
        comment.id,
    )
    await sql.execute(
        "INSERT INTO recommendation_changes (comment_id, article_id, delta, changed_at) "
        "VALUES ({}, {}, {}, {})",
        comment.id,
        comment.article_id,
        delta,
        sql.db_time(now()),
    )
    # no page ranks as of longer ago than the horizon: the log keeps no more (one index seek)
    await sql.execute(
        "DELETE FROM recommendation_changes WHERE article_id = {} AND changed_at < {}",
        comment.article_id,
        sql.db_time(now() - HORIZON),
    )


async def recommended_ids(reader_id: int, article_ids: list[str]) -> list[frozenset[int]]:
    """Per article, the comments this reader has recommended."""
    rows = await sql.fetch(
        "SELECT r.comment_id, c.article_id FROM recommendations r "
        "JOIN comments c ON c.id = r.comment_id "
        f"WHERE r.reader_id = {{}} AND c.article_id IN ({sql.marks(len(article_ids))})",
        reader_id,
        *article_ids,
    )
    by_article: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_article[row["article_id"]].add(int(row["comment_id"]))
    return [frozenset(by_article[a]) for a in article_ids]
