"""Legal notices: anyone may say a comment is illegal (EU DSA Art. 16) or defames them (UK
Defamation Act 2013 s.5); moderators tell the poster, reject the notice, or decide it.

The poster's side (their answer, and their silence past the deadline) is in
service/notice_answers.py; the deadlines themselves in service/defamation_clock.py.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from service import (
    comments,
    defamation_clock,
    erasure,
    events,
    jobs,
    moderation_log,
    notice_mail,
    notifications,
    restrictions,
    statements,
)
from service.accounts import clean_email
from service.clock import now
from service.errors import InvalidInput, NotAllowed, NotFound
from service.models import (
    NO_DEADLINE,
    ActionKind,
    CommentStatus,
    LegalNotice,
    NoticeDecision,
    NoticeKind,
    NoticeStatus,
    NotificationKind,
    User,
)
from service.runtime import Runtime
from service.text import clean_reason, clean_text
from service.threads import Page, after_filter, keyset_page

MAX_EXPLANATION = 5000
MAX_NAME = 200
OPEN = (NoticeStatus.RECEIVED, NoticeStatus.AWAITING_POSTER, NoticeStatus.POSTER_REFUSED)
NOTICEABLE = (CommentStatus.PUBLISHED, CommentStatus.HIDDEN)  # still hosted, still shown or not
POSTER_DEADLINE = "notice.poster_deadline"


def _text(value: str | None, field: str, max_length: int) -> str:
    if value is None:
        raise InvalidInput(f"{field} is required for this kind of notice.", field)
    return clean_text(value, field=field, max_length=max_length, multiline=True)


async def submit(
    rt: Runtime,
    *,
    comment_id: str,
    kind: NoticeKind,
    explanation: str,
    legal_ground: str | None,
    meaning: str | None,
    notifier_name: str,
    notifier_email: str,
    consents_to_share_details: bool,
    good_faith: bool,
    client_address: str,
) -> LegalNotice:
    """Store a notice and answer its receipt; the same notifier's open notice of the same
    kind on the same comment is answered again instead of a second one."""
    explanation = clean_text(
        explanation, field="explanation", max_length=MAX_EXPLANATION, multiline=True
    )
    if kind == NoticeKind.ILLEGAL_CONTENT:
        legal_ground = _text(legal_ground, "legalGround", 1000)
    if kind == NoticeKind.DEFAMATION:
        meaning = _text(meaning, "meaning", MAX_EXPLANATION)
    name = clean_text(notifier_name, field="notifierName", max_length=MAX_NAME)
    try:
        email = clean_email(notifier_email)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, "notifierEmail") from None
    if not good_faith:
        raise InvalidInput(
            "Confirm that the notice is accurate and complete, in good faith.", "goodFaith"
        )
    try:
        comment = await comments.get(comment_id)
    except NotFound:
        raise NotFound("No such comment.") from None
    if comment.status not in NOTICEABLE:
        raise NotFound("That comment is no longer published.")
    existing = await LegalNotice.filter(
        comment_id=comment.id, kind=kind, notifier_email=email, status__in=OPEN
    ).first()
    if existing is not None:
        return existing
    await rt.limiter.hit("notices", client_address)
    moment = now()
    notify_by = (
        defamation_clock.notify_poster_by(moment, rt.settings.legal_holidays)
        if kind == NoticeKind.DEFAMATION
        else None
    )
    async with in_transaction():
        notice = await LegalNotice.create(
            kind=kind,
            comment=comment,
            poster_id=comment.author_id,
            notifier_name=name,
            notifier_email=email,
            legal_ground=legal_ground if kind == NoticeKind.ILLEGAL_CONTENT else None,
            meaning=meaning if kind == NoticeKind.DEFAMATION else None,
            explanation=explanation,
            consents_to_share_details=consents_to_share_details,
            received_at=moment,
            poster_notify_by=notify_by,
            due_at=notify_by or NO_DEADLINE,
        )
        await notice_mail.receipt(notice)
    return notice


async def get(notice_id: str | int) -> LegalNotice:
    text = str(notice_id)
    notice = await LegalNotice.filter(id=int(text)).first() if text.isdigit() else None
    if notice is None:
        raise NotFound("No such notice.")
    return notice


def is_overdue(notice: LegalNotice, at: datetime | None = None) -> bool:
    """A deadline has passed with nothing done: the poster not told, or not acted on."""
    moment = at or now()
    if notice.status == NoticeStatus.RECEIVED and notice.poster_notify_by is not None:
        return moment > notice.poster_notify_by
    if notice.status == NoticeStatus.AWAITING_POSTER and notice.poster_respond_by is not None:
        return moment > notice.poster_respond_by
    return False


async def overdue_count(at: datetime | None = None) -> int:
    """How many notices are overdue (`is_overdue`), in one count."""
    moment = at or now()
    return await LegalNotice.filter(
        Q(status=NoticeStatus.RECEIVED, poster_notify_by__lt=moment)
        | Q(status=NoticeStatus.AWAITING_POSTER, poster_respond_by__lt=moment)
    ).count()


async def page(
    *, first: int, after: str | None, status: NoticeStatus | None, kind: NoticeKind | None
) -> Page[LegalNotice]:
    """The legal queue: nearest deadline first, then oldest."""
    query = LegalNotice.all()
    if status is not None:
        query = query.filter(status=status)
    if kind is not None:
        query = query.filter(kind=kind)
    if after:
        query = query.filter(after_filter(after, descending=False, time_field="due_at"))
    return await keyset_page(query, "due_at", "id", first=first)


async def about_poster(user_id: int, *, first: int, after: str | None) -> Page[LegalNotice]:
    """Notices about a user's comments, newest first."""
    query = LegalNotice.filter(poster_id=user_id)
    if after:
        query = query.filter(after_filter(after, descending=True, time_field="received_at"))
    return await keyset_page(query, "-received_at", "-id", first=first)


async def notify_poster(moderator: User, *, notice_id: str, reason: str) -> LegalNotice:
    """DEFAMATION: tell the poster, who may answer until midnight at the end of the fifth
    day after today (the job scheduled here removes the comment if they stay silent)."""
    reason = clean_reason(reason)
    notice = await get(notice_id)
    if notice.kind != NoticeKind.DEFAMATION:
        raise NotAllowed("Only a defamation complaint is passed to the poster.")
    if notice.status != NoticeStatus.RECEIVED:
        raise NotAllowed(f"This notice is {notice.status.lower().replace('_', ' ')}.")
    if notice.poster_id is None or await erasure.is_erased(notice.poster_id):
        raise NotAllowed("The poster's account is gone: decide the notice instead.")
    moment = now()
    respond_by = defamation_clock.poster_respond_by(moment)
    async with in_transaction():
        changed = await LegalNotice.filter(id=notice.id, status=NoticeStatus.RECEIVED).update(
            status=NoticeStatus.AWAITING_POSTER,
            poster_notified_at=moment,
            poster_respond_by=respond_by,
            due_at=respond_by,
        )
        if not changed:
            raise NotAllowed("Another moderator acted on this notice at the same time.")
        await notice.refresh_from_db()
        await notifications.notify(
            notice.poster_id,
            NotificationKind.NOTICE_ABOUT_YOUR_COMMENT,
            comment_id=notice.comment_id,
            notice_id=notice.id,
            details=notice_mail.to_poster(notice, reason),
        )
        await jobs.schedule(POSTER_DEADLINE, {"notice_id": notice.id}, due_at=respond_by)
    return notice


async def reject(moderator: User, *, notice_id: str, reason: str) -> LegalNotice:
    """Refuse a notice as incomplete or unfounded on its face; the notifier is told why."""
    reason = clean_reason(reason)
    notice = await get(notice_id)
    if notice.status != NoticeStatus.RECEIVED:
        raise NotAllowed("Only a notice nobody has acted on yet can be rejected.")
    return await close(notice, None, reason, decided_by=moderator, expected=(notice.status,))


async def decide(
    moderator: User, *, notice_id: str, decision: NoticeDecision, reason: str
) -> LegalNotice:
    reason = clean_reason(reason)
    notice = await get(notice_id)
    if notice.status not in OPEN:
        raise NotAllowed("This notice has been closed already.")
    return await close(notice, decision, reason, decided_by=moderator, expected=OPEN)


async def close(
    notice: LegalNotice,
    decision: NoticeDecision | None,
    reason: str,
    *,
    decided_by: User | None,
    expected: tuple[NoticeStatus, ...],
    automated: bool | None = None,
    **answer: object,
) -> LegalNotice:
    """Decide a notice (None: reject it) if it is still in an `expected` status: the comment
    comes down on CONTENT_REMOVED with a statement to the poster, the decision is logged,
    and the notifier gets it by mail. `answer`: the poster's answer, stored with it."""
    moment = now()
    async with in_transaction():
        changed = await LegalNotice.filter(id=notice.id, status__in=expected).update(
            status=NoticeStatus.DECIDED if decision else NoticeStatus.REJECTED,
            decision=decision,
            decided_at=moment,
            decided_by_id=decided_by.id if decided_by else None,
            decision_reason=reason,
            due_at=NO_DEADLINE,
            **answer,
        )
        if not changed:
            raise NotAllowed("This notice was acted on at the same time; look again.")
        await notice.refresh_from_db()
        comment = await comments.get(notice.comment_id)
        removed = decision == NoticeDecision.CONTENT_REMOVED and await restrictions.take_down(
            comment
        )
        action = await moderation_log.record(
            ActionKind.DECIDE_NOTICE,
            moderator=decided_by,
            comment=comment,
            reason=reason,
            notice=notice,
        )
        if removed:  # a restriction: the poster gets a statement of reasons
            await statements.issue(action, notice=notice, automated=automated)
        await notice_mail.decision(notice)
        await erasure.schedule_follow_up(notice.poster_id)  # an erased poster's held comment
    if removed:
        await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return notice


async def by_ids(ids: list[int]) -> list[LegalNotice | None]:
    """For the per-request loader: in key order, None for an unknown id."""
    found = {row.id: row for row in await LegalNotice.filter(id__in=ids)}
    return [found.get(i) for i in ids]
