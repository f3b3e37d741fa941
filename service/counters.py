"""Counters kept on rows (commentCount, replyCount) and the article's thread version.

Every change that makes a comment appear or disappear for readers goes through
`shift_visibility`, inside the caller's transaction, so the counters never drift.
"""

from __future__ import annotations

from tortoise.expressions import F

from service.models import Article, Comment


def ancestor_ids(comment: Comment) -> list[int]:
    return [int(part) for part in comment.ancestry.split("/") if part]


async def shift_visibility(comment: Comment, delta: int) -> None:
    """`delta` is +1 when the comment became visible to readers, -1 when it stopped being."""
    await Article.filter(id=comment.article_id).update(
        comment_count=F("comment_count") + delta, version=F("version") + 1
    )
    ancestors = ancestor_ids(comment)
    if ancestors:
        await Comment.filter(id__in=ancestors).update(reply_count=F("reply_count") + delta)


async def bump_version(article_id: str) -> None:
    """The thread changed without a count moving (an edit, a close): cached pages are stale."""
    await Article.filter(id=article_id).update(version=F("version") + 1)
