"""Restrictions imposed and lifted outside the moderators' own actions: a comment taken down
on a legal notice, put back or an account freed on appeal. Inside the caller's transaction;
status changes go through service/comment_status.py, so counters and versions move as they
always do.
"""

from __future__ import annotations

from service import comment_status, counters, public_versions, reports
from service.clock import now
from service.models import (
    Comment,
    CommentRevision,
    CommentStatus,
    ModerationAction,
    ReportResolution,
    RestrictionKind,
    User,
)

RESTRICTED = (CommentStatus.PUBLISHED, CommentStatus.HIDDEN)


async def take_down(comment: Comment) -> bool:
    """Remove a published or hidden comment; False when it was down already."""
    locked = await comment_status.lock_for_change(comment.id)
    if locked.status not in RESTRICTED:
        return False
    await comment_status.change(locked, expected=locked.status, new=CommentStatus.REMOVED)
    comment.status = locked.status
    await reports.resolve_open(locked, ReportResolution.REMOVED)
    return True


async def reverse(restriction: RestrictionKind, action: ModerationAction, by: User) -> bool:
    """Undo what `action` imposed, as far as it still stands; False when nothing was left to
    undo (the author withdrew the comment since, a moderator lifted it already...)."""
    if restriction in (RestrictionKind.COMMENT_REMOVED, RestrictionKind.COMMENT_HIDDEN):
        assert action.comment_id is not None
        comment = await comment_status.lock_for_change(action.comment_id)
        if comment.status not in (CommentStatus.REMOVED, CommentStatus.HIDDEN):
            return False
        return await comment_status.change(
            comment, expected=comment.status, new=CommentStatus.PUBLISHED
        )
    if restriction == RestrictionKind.COMMENT_AMENDED:
        return await _restore_text(action, by)
    user = await User.get(id=action.target_user_id)
    if restriction == RestrictionKind.ACCOUNT_BANNED:
        if not user.banned:
            return False
        user.banned = False
        await user.save(update_fields=["banned"])
    else:
        if user.suspended_until is None:
            return False
        user.suspended_until = None
        await user.save(update_fields=["suspended_until"])
    await public_versions.bump_epoch()  # User.status is public
    return True


async def _restore_text(action: ModerationAction, by: User) -> bool:
    """The author's text again, if the amended one is still the comment's (kept as a revision
    like every text it replaces)."""
    comment = await Comment.get(id=action.comment_id)
    if action.previous_body is None or comment.body != action.new_body:
        return False
    await CommentRevision.create(
        comment=comment, body=comment.body, replaced_at=now(), replaced_by=by
    )
    comment.body = action.previous_body
    comment.amended_by_moderator = False
    await comment.save(update_fields=["body", "amended_by_moderator"])
    await counters.bump_version(comment.article_id)
    return True
