"""Editors' picks: moderators feature published comments; each pick and unpick is logged.

A pick is `featured_at` on the comment row: Article.featuredComments walks the
(article, featured_at, id) index, most recently featured first. Both changes are
conditional updates, so two moderators acting at once log one change, not two.
"""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import comments, counters, events, moderation_log, sql
from service.clock import now
from service.errors import InvalidInput
from service.models import ActionKind, Comment, CommentStatus, User
from service.text import clean_reason
from service.threads import Page, after_filter, encode_cursor, keyset_page


def is_featured(comment: Comment) -> bool:
    """An editors' pick that readers can see: featured, and still published."""
    return comment.featured_at is not None and comment.status == CommentStatus.PUBLISHED


async def feature(moderator: User, *, comment_id: str, reason: str) -> Comment:
    reason = clean_reason(reason)
    comment = await comments.get(comment_id)
    moment = now()
    async with in_transaction():
        changed = await sql.execute(
            "UPDATE comments SET featured_at = {} "
            "WHERE id = {} AND status = {} AND featured_at IS NULL",
            sql.db_time(moment),
            comment.id,
            CommentStatus.PUBLISHED.value,
        )
        if not changed:
            if comment.status != CommentStatus.PUBLISHED:
                raise InvalidInput("Only a published comment can be featured.", "commentId")
            raise InvalidInput("This comment is already featured.", "commentId")
        await _changed(comment, ActionKind.FEATURE, moderator, reason)
    comment.featured_at = moment
    await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return comment


async def unfeature(moderator: User, *, comment_id: str, reason: str) -> Comment:
    reason = clean_reason(reason)
    comment = await comments.get(comment_id)
    async with in_transaction():
        changed = await sql.execute(
            "UPDATE comments SET featured_at = NULL WHERE id = {} AND featured_at IS NOT NULL",
            comment.id,
        )
        if not changed:
            raise InvalidInput("This comment is not featured.", "commentId")
        await _changed(comment, ActionKind.UNFEATURE, moderator, reason)
    comment.featured_at = None
    await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return comment


async def _changed(comment: Comment, kind: ActionKind, moderator: User, reason: str) -> None:
    await counters.bump_version(comment.article_id)  # Comment.featured is public
    await moderation_log.record(kind, moderator=moderator, comment=comment, reason=reason)


async def featured(article_id: str, *, first: int, after: str | None) -> Page[Comment]:
    """The article's published picks, most recently featured first."""
    query = Comment.filter(
        Q(article_id=article_id), Q(featured_at__not_isnull=True), status=CommentStatus.PUBLISHED
    )
    if after:
        query = query.filter(after_filter(after, descending=True, time_field="featured_at"))
    page = await keyset_page(query, "-featured_at", "-id", first=first)
    cursors = [encode_cursor(c.featured_at, c.id) for c in page.items if c.featured_at]
    return Page(page.items, page.has_next, cursors)
