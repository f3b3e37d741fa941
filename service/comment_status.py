"""A comment's status changes — withdraw, remove, restore, publish, auto-hide — and the
counters that follow them, in one place.

A use case opens its transaction, calls `lock_for_change` and decides on the comment it
returns; `change` then writes the new status. The lock is the thread's (its article row):
every change to a thread's comments takes it first, so concurrent changes queue in one
order (no deadlock on PostgreSQL) and each one decides on what the previous one committed.
On SQLite the IMMEDIATE transaction already holds the database's write lock.
"""

from __future__ import annotations

from service import counters, sql
from service.errors import NotFound
from service.models import Article, Comment, CommentStatus


async def lock_thread(article_id: str) -> None:
    """Inside a transaction: hold the thread's lock until it ends."""
    # FOR NO KEY UPDATE: replies and reports may still reference the article's comments
    await Article.filter(id=article_id).select_for_update(no_key=True).first()


async def lock_for_change(comment_id: int) -> Comment:
    """Inside a transaction: lock the comment's thread, then read the comment as the last
    committed change left it."""
    rows = await sql.fetch("SELECT article_id FROM comments WHERE id = {}", comment_id)
    if not rows:
        raise NotFound("No such comment.")
    await lock_thread(rows[0]["article_id"])  # a comment never moves to another article
    comment = await Comment.filter(id=comment_id).first()
    if comment is None:
        raise NotFound("No such comment.")
    return comment


async def change(comment: Comment, *, expected: CommentStatus, new: CommentStatus) -> bool:
    """Inside the transaction that locked the comment: move it from `expected` to `new`;
    the article's comment count, its ancestors' reply counts and the thread's version follow.
    False, and nothing written, when the comment is no longer `expected`."""
    changed = await sql.execute(
        "UPDATE comments SET status = {} WHERE id = {} AND status = {}",
        new.value,
        comment.id,
        expected.value,
    )
    if not changed:
        return False
    comment.status = new
    was_visible = expected == CommentStatus.PUBLISHED
    now_visible = new == CommentStatus.PUBLISHED
    if was_visible != now_visible:
        await counters.shift_visibility(comment, +1 if now_visible else -1)
    else:
        await counters.bump_version(comment.article_id)
    return True


async def withdraw_all(comments: list[Comment]) -> None:
    """Inside a transaction holding all their threads' locks, on comments read under them:
    every one becomes WITHDRAWN at once (an erasure); the counters follow as `change` would
    move them one by one, and every thread's version moves."""
    moving = [c for c in comments if c.status != CommentStatus.WITHDRAWN]
    for ids in sql.chunks([c.id for c in moving]):
        await sql.execute(
            f"UPDATE comments SET status = {{}} WHERE id IN ({sql.marks(len(ids))})",
            CommentStatus.WITHDRAWN.value,
            *ids,
        )
    await counters.hide_many([c for c in moving if c.status == CommentStatus.PUBLISHED])
    for article_id in sorted({c.article_id for c in comments}):
        await counters.bump_version(article_id)
    for comment in moving:
        comment.status = CommentStatus.WITHDRAWN
