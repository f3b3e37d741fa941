"""The append-only moderation log: one row per action, written in the action's transaction."""

from __future__ import annotations

from service.clock import now
from service.ids import parse_id
from service.models import (
    ActionKind,
    Appeal,
    Article,
    Comment,
    LegalNotice,
    ModerationAction,
    User,
)
from service.threads import Page, after_filter, keyset_page

# what an erased person's log lines say instead of their text (the kind, who, what and when
# stay); PostgreSQL's append-only trigger lets exactly this change through (migration 0011)
ERASED_TEXT = "(erased)"


async def record(
    kind: ActionKind,
    *,
    moderator: User | None,
    reason: str,
    comment: Comment | None = None,
    target_user: User | None = None,
    article: Article | None = None,
    article_id: str | None = None,
    previous_body: str | None = None,
    new_body: str | None = None,
    notice: LegalNotice | None = None,
    appeal: Appeal | None = None,
) -> ModerationAction:
    return await ModerationAction.create(
        kind=kind,
        moderator=moderator,
        comment=comment,
        target_user_id=target_user.id if target_user else (comment.author_id if comment else None),
        article_id=article.id
        if article
        else (article_id or (comment.article_id if comment else None)),
        reason=reason,
        previous_body=previous_body,
        new_body=new_body,
        notice=notice,
        appeal=appeal,
        created_at=now(),
    )


async def page(
    *, first: int, after: str | None, comment_id: str | None, user_id: str | None
) -> Page[ModerationAction]:
    """Newest first, optionally only the actions on one comment or one user."""
    query = ModerationAction.all()
    if comment_id is not None:
        query = query.filter(comment_id=parse_id(comment_id) or -1)  # -1: no row's id
    if user_id is not None:
        query = query.filter(target_user_id=parse_id(user_id) or -1)
    if after:
        query = query.filter(after_filter(after, descending=True))
    return await keyset_page(query, "-created_at", "-id", first=first)
