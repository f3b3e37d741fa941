"""Each user's inbox: replies to their comments, restrictions, notices, appeal decisions.

A notification is written inside the transaction of the change it is about, with its mail
(when mail is on) in the outbox beside it; live subscribers are woken with its id and read
it from the database, so one that wakes before the commit waits for the row.
"""

from __future__ import annotations

from tortoise.expressions import Q

from service import events, mail
from service.clock import now
from service.errors import BadUserInput, Unauthenticated
from service.models import Comment, Notification, NotificationKind, User
from service.threads import Page, after_filter, keyset_page

SUBJECTS = {
    NotificationKind.REPLY: "Someone replied to your comment",
    NotificationKind.COMMENT_RESTRICTED: "A decision about your comment",
    NotificationKind.ACCOUNT_RESTRICTED: "A decision about your account",
    NotificationKind.NOTICE_ABOUT_YOUR_COMMENT: "A complaint about your comment needs your answer",
    NotificationKind.APPEAL_DECIDED: "Your appeal has been decided",
}
MAX_IDS = 100


async def notify(
    user_id: int,
    kind: NotificationKind,
    *,
    comment_id: int | None = None,
    statement_id: int | None = None,
    notice_id: int | None = None,
    appeal_id: int | None = None,
    details: str = "",
) -> Notification:
    """Inside the caller's transaction: one inbox line, and the same by mail when mail is on
    (`details` is the mail's text: the inbox shows the linked objects instead)."""
    notification = await Notification.create(
        user_id=user_id,
        kind=kind,
        created_at=now(),
        comment_id=comment_id,
        statement_id=statement_id,
        notice_id=notice_id,
        appeal_id=appeal_id,
    )
    user = await User.get(id=user_id) if mail.enabled() else None
    if user is not None and user.email:  # an account from single sign-on may have none
        body = f"Hello {user.display_name},\n\n{details or SUBJECTS[kind] + '.'}\n"
        await mail.queue(user.email, SUBJECTS[kind], body)
    await events.publish_notification(user_id, notification.id)
    return notification


async def reply_posted(reply: Comment, parent: Comment | None) -> None:
    """The parent's author hears of a reply (not of their own)."""
    if parent is None or parent.author_id is None or parent.author_id == reply.author_id:
        return
    await notify(
        parent.author_id,
        NotificationKind.REPLY,
        comment_id=reply.id,
        details=f"There is a reply to your comment:\n\n{reply.body}",
    )


async def page(
    user_id: int, *, first: int, after: str | None, unread_only: bool
) -> Page[Notification]:
    """Newest first."""
    query = Notification.filter(user_id=user_id)
    if unread_only:
        query = query.filter(read_at=None)
    if after:
        query = query.filter(after_filter(after, descending=True))
    return await keyset_page(query, "-created_at", "-id", first=first)


async def unread_count(user_id: int) -> int:
    return await Notification.filter(user_id=user_id, read_at=None).count()


async def since(user_id: int, after_id: int) -> list[Notification]:
    """The user's notifications made after `after_id`, oldest first (live delivery)."""
    return await Notification.filter(user_id=user_id, id__gt=after_id).order_by("id").limit(100)


async def latest_id(user_id: int) -> int:
    last = await Notification.filter(user_id=user_id).order_by("-id").first()
    return last.id if last else 0


async def mark_read(viewer: User | None, ids: list[str] | None) -> int:
    """These of the viewer's notifications, or all when `ids` is None; how many changed."""
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    query = Notification.filter(user_id=viewer.id, read_at=None)
    if ids is not None:
        if len(ids) > MAX_IDS:
            raise BadUserInput(f"Mark at most {MAX_IDS} notifications at once.")
        wanted = [int(i) for i in ids if str(i).isdigit()]
        if not wanted:
            return 0
        query = query.filter(Q(id__in=wanted))
    return await query.update(read_at=now())
