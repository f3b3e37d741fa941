"""What readers see of a comment: the one place the rule is written.

Readers see published comments, and a comment that is gone (withdrawn, removed, hidden) but
keeps published replies stays in the thread as a tombstone, its text withheld. Moderators
and admins see every comment and every text. The rule has three forms side by side here:
Python for one comment, SQL for the hand-written thread reads, a filter for the ORM's.
"""

from __future__ import annotations

from tortoise.expressions import Q

from service.models import Comment, CommentStatus

READER_VISIBLE_SQL = "(c.status = 'PUBLISHED' OR c.reply_count > 0)"


def reader_visible() -> Q:
    return Q(status=CommentStatus.PUBLISHED) | Q(reply_count__gt=0)


def readers_see(comment: Comment) -> bool:
    return comment.status == CommentStatus.PUBLISHED or comment.reply_count > 0


def visible_body(comment: Comment, *, staff: bool) -> str | None:
    """The text as the viewer may read it: null for readers unless published."""
    return comment.body if staff or comment.status == CommentStatus.PUBLISHED else None
