"""Pre-moderation: which new comments wait for a moderator, and the moderator's approval.

A comment is held (PENDING) when its article is pre-moderated (PRE), when its author is a
new commenter (fewer than BTL_HOLD_FIRST_COMMENTS published comments) or when it has a
SUSPECT word; a BANNED word refuses it. Moderators and admins in good standing are never
held: they would approve their own comment. A held comment counts nowhere and no reader
but its author sees it (service/visibility.py) until `approve`; `removeComment` rejects it.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from service import (
    articles,
    comments,
    counters,
    events,
    moderation_log,
    notifications,
    sql,
    word_lists,
)
from service.accounts import is_staff
from service.errors import InvalidInput
from service.models import (
    ActionKind,
    Article,
    Comment,
    CommentStatus,
    ModerationMode,
    User,
    WordListKind,
)
from service.runtime import Runtime
from service.text import clean_reason
from service.threads import Page, after_filter, keyset_page

BANNED_MESSAGE = "Your comment contains a word that is not allowed here."


async def status_for_new_comment(
    rt: Runtime, author: User, article: Article, text: str
) -> CommentStatus:
    """PUBLISHED or PENDING; InvalidInput on `body` for a banned word."""
    lists = await rt.shared.read("word lists", word_lists.current)
    found = lists.verdict(text)
    if found is WordListKind.BANNED:
        raise InvalidInput(BANNED_MESSAGE, "body")
    if is_staff(author):
        return CommentStatus.PUBLISHED
    if article.moderation_mode == ModerationMode.PRE or found is WordListKind.SUSPECT:
        return CommentStatus.PENDING
    held = rt.settings.hold_first_comments
    if held and await _posted_count(author.id, up_to=held) < held:
        return CommentStatus.PENDING  # one of their first N comments, whatever became of it
    return CommentStatus.PUBLISHED


async def _posted_count(author_id: int, *, up_to: int) -> int:
    """How many comments the author has posted, counting no further than `up_to`."""
    rows = await sql.fetch(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM comments "
        f"WHERE author_id = {{}} LIMIT {int(up_to)}) posted",
        author_id,
    )
    return int(rows[0]["n"])


async def approve(moderator: User, *, comment_id: str, reason: str) -> Comment:
    reason = clean_reason(reason)
    comment = await comments.get(comment_id)
    async with in_transaction():
        # conditional: of two moderators approving at once, one moves the counters
        changed = await sql.execute(
            "UPDATE comments SET status = {} WHERE id = {} AND status = {}",
            CommentStatus.PUBLISHED.value,
            comment.id,
            CommentStatus.PENDING.value,
        )
        if not changed:
            raise InvalidInput("Only a pending comment can be approved.", "commentId")
        comment.status = CommentStatus.PUBLISHED
        await counters.shift_visibility(comment, +1)
        await moderation_log.record(
            ActionKind.APPROVE, moderator=moderator, comment=comment, reason=reason
        )
        # a held reply is news to the parent's author only now, as if posted now
        if comment.parent_id is not None:
            parent = await Comment.get_or_none(id=comment.parent_id)
            await notifications.reply_posted(comment, parent)
    # new to every reader but its author
    await events.publish(events.EventKind.ADDED, comment.article_id, comment.id)
    return comment


async def set_mode(
    moderator: User, *, article_id: str, mode: ModerationMode, reason: str
) -> Article:
    reason = clean_reason(reason)
    articles.check_article_id(article_id)
    async with in_transaction():
        await articles.ensure(article_id)
        await Article.filter(id=article_id).update(moderation_mode=mode)
        await counters.bump_version(article_id)  # Article.moderationMode is public
        await moderation_log.record(
            ActionKind.SET_MODERATION_MODE,
            moderator=moderator,
            article_id=article_id,
            reason=f"{mode.value}: {reason}",
        )
    return await Article.get(id=article_id)


async def pending(*, first: int, after: str | None) -> Page[Comment]:
    """PENDING comments, oldest first: the order that keeps waiting times fair."""
    query = Comment.filter(status=CommentStatus.PENDING)
    if after:
        query = query.filter(after_filter(after, descending=False))
    return await keyset_page(query, "created_at", "id", first=first)
