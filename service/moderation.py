"""Moderation: amend, remove, restore, dismiss reports; suspend, ban, reinstate; open/close.

Every action writes one ModerationAction in the same transaction as the change, and
nothing a commenter wrote is lost: amendments keep the old text as a revision.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from service import (
    articles,
    comment_status,
    comments,
    counters,
    events,
    moderation_log,
    public_versions,
    reports,
    statements,
)
from service.accounts import get_user
from service.clock import aware, now
from service.errors import InvalidInput, NotFound
from service.models import (
    ActionKind,
    Article,
    Comment,
    CommentRevision,
    CommentStatus,
    ReportResolution,
    Role,
    User,
)
from service.runtime import Runtime
from service.text import clean_reason, clean_text

# a sanity bound, not a policy: a suspension meant to be for good is a ban
MAX_SUSPENSION = timedelta(days=100 * 366)


async def _actionable(comment_id: str) -> Comment:
    """Inside the action's transaction: the comment as it is now, its thread locked."""
    found = await comments.get(comment_id)
    comment = await comment_status.lock_for_change(found.id)
    if comment.status == CommentStatus.WITHDRAWN:
        raise InvalidInput("The author has withdrawn this comment.", "commentId")
    return comment


async def amend(
    rt: Runtime, moderator: User, *, comment_id: str, body: str, reason: str
) -> Comment:
    reason = clean_reason(reason)
    text = comments.clean_body(rt, body)
    async with in_transaction():
        comment = await _actionable(comment_id)
        previous = comment.body
        await CommentRevision.create(
            comment=comment, body=previous, replaced_at=now(), replaced_by=moderator
        )
        comment.body = text
        comment.amended_by_moderator = True
        await comment.save(update_fields=["body", "amended_by_moderator"])
        if comment.status == CommentStatus.HIDDEN:  # hidden only by reports: the fix publishes it
            await comment_status.change(
                comment, expected=CommentStatus.HIDDEN, new=CommentStatus.PUBLISHED
            )
        else:
            await counters.bump_version(comment.article_id)
        await reports.resolve_open(comment, ReportResolution.AMENDED)
        action = await moderation_log.record(
            ActionKind.AMEND,
            moderator=moderator,
            comment=comment,
            reason=reason,
            previous_body=previous,
            new_body=text,
        )
        await statements.issue(action)
    await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return comment


async def _decide(
    moderator: User,
    comment_id: str,
    reason: str,
    *,
    kind: ActionKind,
    status: CommentStatus | None,
    resolution: ReportResolution,
    refused_from: CommentStatus | None = None,
    publish_hidden: bool = False,
    refuse_pending: bool = False,
) -> Comment:
    """One moderator decision on a comment: its status, its open reports, one log line."""
    reason = clean_reason(reason)
    async with in_transaction():
        # decided on the status the last committed change left: a second moderator's
        # identical decision is refused, not done twice
        comment = await _actionable(comment_id)
        if refused_from is not None and comment.status == refused_from:
            raise InvalidInput(f"This comment is already {refused_from.lower()}.", "commentId")
        if refuse_pending and comment.status == CommentStatus.PENDING:
            # publishing a held comment is an approval, logged as one (approveComment)
            raise InvalidInput(
                "This comment waits for approval: use approveComment.", "commentId"
            )
        if publish_hidden and comment.status == CommentStatus.HIDDEN:
            status = CommentStatus.PUBLISHED  # hidden only by reports: the decision publishes it
        if status is not None and comment.status != status:
            await comment_status.change(comment, expected=comment.status, new=status)
        await reports.resolve_open(comment, resolution)
        action = await moderation_log.record(
            kind, moderator=moderator, comment=comment, reason=reason
        )
        await statements.issue(action)  # a removal restricts; a restore or dismissal does not
    await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return comment


async def remove(moderator: User, *, comment_id: str, reason: str) -> Comment:
    return await _decide(
        moderator,
        comment_id,
        reason,
        kind=ActionKind.REMOVE,
        status=CommentStatus.REMOVED,
        resolution=ReportResolution.REMOVED,
        refused_from=CommentStatus.REMOVED,
    )


async def restore(moderator: User, *, comment_id: str, reason: str) -> Comment:
    return await _decide(
        moderator,
        comment_id,
        reason,
        kind=ActionKind.RESTORE,
        status=CommentStatus.PUBLISHED,
        resolution=ReportResolution.DISMISSED,
        refused_from=CommentStatus.PUBLISHED,
        refuse_pending=True,
    )


async def dismiss_reports(moderator: User, *, comment_id: str, reason: str) -> Comment:
    return await _decide(
        moderator,
        comment_id,
        reason,
        kind=ActionKind.DISMISS_REPORTS,
        status=None,
        resolution=ReportResolution.DISMISSED,
        publish_hidden=True,
    )


async def _target(actor: User, user_id: str) -> User:
    """Moderators act on readers; admins on anyone but themselves and other admins."""
    target = await get_user(user_id)
    if target.id == actor.id:
        raise InvalidInput("You cannot act on your own account.", "userId")
    if target.role == Role.ADMIN:
        raise InvalidInput("Admins cannot be suspended or banned.", "userId")
    if actor.role == Role.MODERATOR and target.role != Role.READER:
        raise InvalidInput("Moderators act on readers only.", "userId")
    return target


async def suspend(moderator: User, *, user_id: str, until: datetime, reason: str) -> User:
    reason = clean_reason(reason)
    target = await _target(moderator, user_id)
    moment = now()
    until = aware(until, "until")
    if until <= moment:
        raise InvalidInput("A suspension ends in the future.", "until")
    if until > moment + MAX_SUSPENSION:
        raise InvalidInput("A suspension ends within a hundred years; ban instead.", "until")
    async with in_transaction():
        target.suspended_until = until
        await target.save(update_fields=["suspended_until"])
        await public_versions.bump_epoch()  # User.status is public
        action = await moderation_log.record(
            ActionKind.SUSPEND_USER, moderator=moderator, target_user=target, reason=reason
        )
        await statements.issue(action)
    await events.account_changed(target.id)
    return target


async def ban(moderator: User, *, user_id: str, reason: str) -> User:
    reason = clean_reason(reason)
    target = await _target(moderator, user_id)
    async with in_transaction():
        target.banned = True
        await target.save(update_fields=["banned"])
        await public_versions.bump_epoch()  # User.status is public
        action = await moderation_log.record(
            ActionKind.BAN_USER, moderator=moderator, target_user=target, reason=reason
        )
        await statements.issue(action)
    await events.account_changed(target.id)
    return target


async def reinstate(moderator: User, *, user_id: str, reason: str) -> User:
    reason = clean_reason(reason)
    target = await _target(moderator, user_id)
    async with in_transaction():
        target.banned = False
        target.suspended_until = None
        await target.save(update_fields=["banned", "suspended_until"])
        await public_versions.bump_epoch()  # User.status is public
        await moderation_log.record(
            ActionKind.REINSTATE_USER, moderator=moderator, target_user=target, reason=reason
        )
    await events.account_changed(target.id)
    return target


async def set_commenting(
    moderator: User | None, *, article_id: str, open: bool, reason: str
) -> Article:
    """Open or close an article's comments; `moderator` None: an API key (the CMS) did it."""
    reason = clean_reason(reason)
    articles.check_article_id(article_id)
    async with in_transaction():
        await articles.ensure(article_id)
        await Article.filter(id=article_id).update(closed=not open)
        await counters.bump_version(article_id)
        await moderation_log.record(
            ActionKind.OPEN_COMMENTS if open else ActionKind.CLOSE_COMMENTS,
            moderator=moderator,
            article_id=article_id,
            reason=reason,
        )
    return await Article.get(id=article_id)


def _clean_url(url: str) -> str:
    cleaned = clean_text(url, field="url", max_length=2000)
    if not cleaned.lower().startswith(("http://", "https://")) or " " in cleaned:
        raise InvalidInput("The url must be an http(s) address.", "url")
    return cleaned


class _Keep:
    """An argument the caller did not give: the stored value stays."""


KEEP: Any = _Keep()


async def configure_article(
    *,
    article_id: str,
    title: str | None = KEEP,
    url: str | None = KEEP,
    closes_at: datetime | None = KEEP,
) -> Article:
    """Set what is given; null clears a value."""
    articles.check_article_id(article_id)
    changes: dict[str, object] = {}
    if title is not KEEP:
        changes["title"] = (
            clean_text(title, field="title", max_length=300, min_length=0) or None
            if title is not None
            else None
        )
    if url is not KEEP:
        changes["url"] = _clean_url(url) if url and url.strip() else None
    if closes_at is not KEEP:
        changes["closes_at"] = aware(closes_at, "closesAt") if closes_at is not None else None
    async with in_transaction():
        await articles.ensure(article_id)
        if changes:
            await Article.filter(id=article_id).update(**changes)
        await counters.bump_version(article_id)
    article = await Article.filter(id=article_id).first()
    if article is None:
        raise NotFound("No such article.")
    return article
