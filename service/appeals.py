"""Appeals against statements of reasons (EU Digital Services Act, Art. 20).

The user a statement was issued to may appeal it once, until `appealableUntil` (six months
after the decision). A moderator or admin other than the one who decided rules on it, never
the service by itself; reversing puts the comment back or lifts the account restriction,
logged as REVERSE_ON_APPEAL. Either way the user gets APPEAL_DECIDED.
"""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import events, moderation_log, notifications, restrictions
from service.clock import now
from service.errors import InvalidInput, NotAllowed, NotFound, Unauthenticated
from service.models import (
    ActionKind,
    Appeal,
    AppealStatus,
    Comment,
    ModerationAction,
    NotificationKind,
    Statement,
    User,
)
from service.text import clean_reason, clean_text
from service.threads import Page, after_filter, keyset_page

MAX_EXPLANATION = 5000


async def get_statement(statement_id: str) -> Statement:
    found = await Statement.filter(id=int(statement_id)).first() if statement_id.isdigit() else None
    if found is None:
        raise NotFound("No such statement.")
    return found


async def get(appeal_id: str) -> Appeal:
    found = await Appeal.filter(id=int(appeal_id)).first() if appeal_id.isdigit() else None
    if found is None:
        raise NotFound("No such appeal.")
    return found


async def lodge(viewer: User | None, *, statement_id: str, explanation: str) -> Appeal:
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    statement = await get_statement(statement_id)
    if statement.user_id != viewer.id:
        raise NotAllowed("Only the person a decision was about may appeal it.")
    text = clean_text(explanation, field="explanation", max_length=MAX_EXPLANATION, multiline=True)
    if now() >= statement.appealable_until:
        raise NotAllowed("The six months to appeal this decision have passed.")
    if await Appeal.filter(statement_id=statement.id).exists():
        raise NotAllowed("This decision has been appealed already.")
    try:
        return await Appeal.create(
            statement=statement, user_id=viewer.id, explanation=text, created_at=now()
        )
    except IntegrityError:  # the same appeal twice at once: the unique statement decided
        raise NotAllowed("This decision has been appealed already.") from None


async def decide(moderator: User, *, appeal_id: str, reverse: bool, reason: str) -> Appeal:
    reason = clean_reason(reason)
    appeal = await get(appeal_id)
    statement = await Statement.get(id=appeal.statement_id)
    if moderator.id in (statement.decided_by_id, appeal.user_id):
        raise NotAllowed("Someone other than the one who decided must rule on the appeal.")
    if appeal.status != AppealStatus.OPEN:
        raise NotAllowed("This appeal has been decided already.")
    comment: Comment | None = None
    async with in_transaction():
        changed = await Appeal.filter(id=appeal.id, status=AppealStatus.OPEN).update(
            status=AppealStatus.REVERSED if reverse else AppealStatus.UPHELD,
            decided_at=now(),
            decided_by=moderator,
            decision_reason=reason,
        )
        if not changed:
            raise NotAllowed("This appeal was decided at the same time by someone else.")
        await appeal.refresh_from_db()
        if reverse:
            action = await ModerationAction.get(id=statement.action_id)
            if not await restrictions.reverse(statement.restriction, action, moderator):
                raise InvalidInput(
                    "Nothing is left to reverse: the restriction was lifted or the comment "
                    "withdrawn since.",
                    "reverse",
                )
            comment = await Comment.get(id=action.comment_id) if action.comment_id else None
            await moderation_log.record(
                ActionKind.REVERSE_ON_APPEAL,
                moderator=moderator,
                comment=comment,
                target_user=await User.get(id=statement.user_id),
                reason=reason,
                appeal=appeal,
            )
        await notifications.notify(
            appeal.user_id,
            NotificationKind.APPEAL_DECIDED,
            comment_id=statement.comment_id,
            statement_id=statement.id,
            appeal_id=appeal.id,
            details=(
                "Your appeal succeeded: the decision is reversed."
                if reverse
                else "Your appeal did not succeed: the decision stands."
            )
            + f"\n\nReason: {reason}",
        )
    if comment is not None:
        await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return appeal


async def page(*, first: int, after: str | None, status: AppealStatus | None) -> Page[Appeal]:
    """Oldest first."""
    query = Appeal.all()
    if status is not None:
        query = query.filter(status=status)
    if after:
        query = query.filter(after_filter(after, descending=False))
    return await keyset_page(query, "created_at", "id", first=first)


async def by_ids(ids: list[int]) -> list[Appeal | None]:
    """For the per-request loader: in key order, None for an unknown id."""
    found = {row.id: row for row in await Appeal.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def by_statement_ids(statement_ids: list[int]) -> list[Appeal | None]:
    found = {row.statement_id: row for row in await Appeal.filter(statement_id__in=statement_ids)}
    return [found.get(i) for i in statement_ids]
