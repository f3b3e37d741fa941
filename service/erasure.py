"""Erasure of an account (UK GDPR Art. 17): nothing of the person stays where it should not.

One job kind (`ERASE`) does it, whether a reader asked (service/account_deletion.py, after
the grace period) or an admin did (`eraseUser`, at once). `erase` is one transaction and
idempotent: a crash midway leaves nothing half done, and the job, due again, does it all
once (the ERASE_USER line of the log is written with the first erasure only).

What goes: sessions (so every token is refused), entitlements, the inbox, ignores, their
recommendations (the counts follow), their email, password hash, publisher subject and
display name (the row stays, as "Deleted account", so the log's lines keep their subject);
every comment loses its author and text and becomes a WITHDRAWN tombstone (the counts
follow, a tombstone with replies keeps the thread's shape); earlier texts are deleted; the
text of log lines, statements and appeals about them is blanked (what was done, when and by
whom stays: the publisher's defence); reports they made stay, without reporter or note.
A comment under an open legal notice keeps its text (and its log lines theirs) until the
notice is closed: closing it schedules this job again (service/notices.py), which erases it.

Every cached signed-out answer is stale at once on every instance: the public epoch moves
(names) and so does each touched article's version (texts, counts).
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import (
    comment_status,
    counters,
    display_names,
    events,
    jobs,
    moderation_log,
    public_versions,
    recommendations,
    reports,
    sql,
)
from service.clock import now
from service.models import (
    ActionKind,
    Appeal,
    Comment,
    CommentRevision,
    CommentStatus,
    Entitlement,
    Ignore,
    LegalNotice,
    MailMessage,
    ModerationAction,
    NoticeStatus,
    Notification,
    Report,
    ReportResolution,
    Role,
    Session,
    Statement,
    User,
)

ERASE = "account.erase"
ERASED_NAME = display_names.ERASED_NAME
ERASED_TEXT = moderation_log.ERASED_TEXT
SELF_REQUESTED = "Erased at the account holder's request (deleteMyAccount)."
# a notice in one of these may still need the comment as it was (legal claims)
HELD_BY = (NoticeStatus.RECEIVED, NoticeStatus.AWAITING_POSTER, NoticeStatus.POSTER_REFUSED)


def erased_key(user_id: int) -> str:
    """The display-name key of an erased account: no name's key (32 hex digits) is like it."""
    return f"erased-{user_id}"


async def on_due(payload: jobs.Payload) -> None:
    """The job: erase the account if its erasure is due (not cancelled meanwhile)."""
    await erase(
        int(payload["user_id"]),
        moderator_id=payload.get("by"),
        reason=payload.get("reason") or SELF_REQUESTED,
    )


async def is_erased(user_id: int) -> bool:
    return await User.filter(id=user_id, erased_at__isnull=False).exists()


async def schedule_follow_up(user_id: int | None) -> None:
    """Inside the transaction closing a legal notice: an erased poster's comment that the
    notice held is erased now, by the same job."""
    if user_id is not None and await is_erased(user_id):
        await jobs.schedule(ERASE, {"user_id": user_id})


async def erase(user_id: int, *, moderator_id: int | None, reason: str) -> bool:
    """Erase the account now if it is due or was erased before (a held comment since freed);
    False when there was nothing to do."""
    published: list[Comment] = []
    async with in_transaction():
        user = await User.filter(id=user_id).first()
        if user is None:
            return False
        due = user.deletion_scheduled_at is not None and user.deletion_scheduled_at <= now()
        first_time = user.erased_at is None
        if first_time and not due:
            return False  # cancelled, or asked again for later
        for article_id in await _articles_of(user_id):  # one order: no deadlock
            await comment_status.lock_thread(article_id)
        # read again under its lock: a cancel that committed meanwhile wins
        user = await User.filter(id=user_id).select_for_update().first()
        if user is None or (user.erased_at is None) != first_time:
            return False
        if first_time and not (user.deletion_scheduled_at and user.deletion_scheduled_at <= now()):
            return False
        if first_time and user.role == Role.ADMIN:  # made an admin since asking: kept
            return False
        held = await _held_comment_ids(user_id)
        comments = await _comments_to_erase(user_id, held)
        if not first_time and not comments:
            return False
        published = await _erase_comments(comments)
        if first_time and held:  # their text stays while a notice holds them, not their author
            kept = await Comment.filter(id__in=list(held))
            await Comment.filter(id__in=list(held)).update(author_id=None)
            for article_id in {c.article_id for c in kept}:
                await counters.bump_version(article_id)
            published += [c for c in kept if c.status == CommentStatus.PUBLISHED]
        await _erase_text_about(user_id, [c.id for c in comments], held)
        if first_time:
            await _erase_account(user)
            await moderation_log.record(
                ActionKind.ERASE_USER,
                moderator=await User.filter(id=moderator_id).first() if moderator_id else None,
                target_user=user,
                reason=reason,
            )
        await public_versions.bump_epoch()  # names and texts across articles
    await events.account_changed(user_id)  # its websockets close: no session is left
    for comment in published:
        await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return True


async def _articles_of(user_id: int) -> list[str]:
    rows = await sql.fetch(
        "SELECT article_id FROM comments WHERE author_id = {} "
        "UNION SELECT c.article_id FROM legal_notices n JOIN comments c ON c.id = n.comment_id "
        "WHERE n.poster_id = {}",
        user_id,
        user_id,
    )
    return sorted({row["article_id"] for row in rows})


async def _held_comment_ids(user_id: int) -> set[int]:
    rows = await LegalNotice.filter(poster_id=user_id, status__in=HELD_BY).values("comment_id")
    return {row["comment_id"] for row in rows}


async def _comments_to_erase(user_id: int, held: set[int]) -> list[Comment]:
    """Their comments, and those they posted that a notice held at the first erasure; not
    the ones still held, nor those erased already."""
    noticed = [
        r["comment_id"] for r in await LegalNotice.filter(poster_id=user_id).values("comment_id")
    ]
    found = await Comment.filter(Q(author_id=user_id) | Q(id__in=noticed or [-1]))
    return [
        c
        for c in found
        if c.id not in held
        and not (c.author_id is None and c.body == "" and c.status == CommentStatus.WITHDRAWN)
    ]


async def _erase_comments(comments: list[Comment]) -> list[Comment]:
    """Each becomes a WITHDRAWN tombstone without author or text, its open reports closed,
    its earlier texts deleted; the ones readers could see are returned (for live events)."""
    published = [c for c in comments if c.status == CommentStatus.PUBLISHED]
    await comment_status.withdraw_all(comments)
    reported = [c.id for c in comments if c.open_report_count]
    await reports.resolve_open_of(reported, ReportResolution.DISMISSED)
    for ids in sql.chunks(c.id for c in comments):
        await Comment.filter(id__in=ids).update(
            body="",
            author_id=None,
            featured_at=None,
            idempotency_key=None,
            idempotency_fingerprint=None,
        )
        await CommentRevision.filter(comment_id__in=ids).delete()
    return published


async def _erase_text_about(user_id: int, comment_ids: list[int], held: set[int]) -> None:
    """Blank the text of the log lines, statements and appeals about them or the erased
    comments; the ones about a held comment wait for it. The ERASE_USER line itself stays."""
    about = ModerationAction.filter(target_user_id=user_id).exclude(kind=ActionKind.ERASE_USER)
    candidates: list[dict[str, Any]] = list(await about.values("id", "comment_id"))
    for ids in sql.chunks(comment_ids):
        candidates += await ModerationAction.filter(comment_id__in=ids).values("id", "comment_id")
    lines = {row["id"] for row in candidates if row["comment_id"] not in held}
    for ids in sql.chunks(lines):
        await ModerationAction.filter(id__in=ids).update(
            reason=ERASED_TEXT, previous_body=None, new_body=None
        )
    statements = Statement.filter(user_id=user_id)
    if held:
        statements = statements.filter(Q(comment_id=None) | ~Q(comment_id__in=list(held)))
    await statements.update(reason=ERASED_TEXT)
    await Appeal.filter(user_id=user_id).update(explanation=ERASED_TEXT, decision_reason=None)
    await (
        LegalNotice.filter(poster_id=user_id)
        .exclude(status__in=HELD_BY)
        .update(poster_name=None, poster_address=None)
    )


async def _erase_account(user: User) -> None:
    """Everything the account row and its own tables hold of the person."""
    user_id = user.id
    await Session.filter(user_id=user_id).delete()
    await Entitlement.filter(user_id=user_id).delete()
    await Notification.filter(user_id=user_id).delete()
    await Ignore.filter(Q(user_id=user_id) | Q(ignored_id=user_id)).delete()
    await recommendations.forget_reader(user_id)
    await Report.filter(reporter_id=user_id).update(reporter_id=None, note=None)
    if user.email:
        await MailMessage.filter(recipient=user.email).delete()
    await User.filter(id=user_id).update(
        email=None,
        password_hash=None,
        external_issuer=None,
        external_subject=None,
        display_name=ERASED_NAME,
        display_name_key=erased_key(user_id),
        role=Role.READER,
        banned=False,
        suspended_until=None,
        accepted_rules_version=None,
        deletion_scheduled_at=None,
        erased_at=now(),
    )
