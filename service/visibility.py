"""What readers see of a comment: the one place the rule is written.

Readers see published comments, and a comment that is gone (withdrawn, removed, hidden) but
keeps published replies stays in the thread as a tombstone, its text withheld. A PENDING
comment (held for a moderator) is seen, with its text, by its author alone among readers,
so it never reaches a shared signed-out answer. Moderators and admins see every comment and
every text. The rule has three forms side by side here: Python for one comment, SQL for the
hand-written thread reads, a filter for the ORM's.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from service.models import Comment, CommentStatus

# a PENDING comment can have no replies (replies need a published parent): said anyway
READER_VISIBLE_SQL = "(c.status = 'PUBLISHED' OR (c.reply_count > 0 AND c.status <> 'PENDING'))"
OWN_PENDING_SQL = "(c.status = 'PENDING' AND c.author_id = {})"


def reader_visible_sql(viewer_id: int | None) -> tuple[str, list[Any]]:
    """The SQL condition (on alias `c`) and its parameters for a reader, signed in or not."""
    if viewer_id is None:
        return READER_VISIBLE_SQL, []
    return f"({READER_VISIBLE_SQL} OR {OWN_PENDING_SQL})", [viewer_id]


def reader_visible(viewer_id: int | None = None) -> Q:
    shown = Q(status=CommentStatus.PUBLISHED) | (
        Q(reply_count__gt=0) & ~Q(status=CommentStatus.PENDING)
    )
    if viewer_id is not None:
        shown |= Q(status=CommentStatus.PENDING, author_id=viewer_id)
    return shown


def is_own_pending(comment: Comment, viewer_id: int | None) -> bool:
    return (
        comment.status == CommentStatus.PENDING
        and viewer_id is not None
        and comment.author_id == viewer_id
    )


def readers_see(comment: Comment, viewer_id: int | None = None) -> bool:
    if comment.status == CommentStatus.PENDING:
        return is_own_pending(comment, viewer_id)
    return comment.status == CommentStatus.PUBLISHED or comment.reply_count > 0


def sees(comment: Comment, viewer_id: int | None, *, staff: bool) -> bool:
    return staff or readers_see(comment, viewer_id)


def visible_body(comment: Comment, *, staff: bool, viewer_id: int | None = None) -> str | None:
    """The text as the viewer may read it: null for readers unless published (or their own
    comment waiting for a moderator); null for everyone once erased (stored as "", which no
    comment can be: a body has at least one character)."""
    if not comment.body:
        return None
    if staff or comment.status == CommentStatus.PUBLISHED or is_own_pending(comment, viewer_id):
        return comment.body
    return None


def announced_to(comment: Comment, viewer_id: int | None, *, staff: bool) -> bool:
    """Whether a live event about this comment reaches this subscriber: every change to a
    comment in the thread does (a removal turns it into a tombstone), but a PENDING comment
    is news to its author and staff only until it is approved."""
    return staff or comment.status != CommentStatus.PENDING or is_own_pending(comment, viewer_id)
