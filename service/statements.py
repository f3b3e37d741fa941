"""Statements of reasons (EU Digital Services Act, Art. 17).

Every logged action that restricts a user's comment or account issues one to that user, in
the action's transaction: what was restricted, on what ground (the community rules, with
the version in force, or the law a notice invoked), the facts and reasoning, whether a
person decided, and until when it may be appealed (Art. 20: six months).
"""

from __future__ import annotations

import calendar
from datetime import datetime

from service import notifications, rules
from service.clock import now
from service.models import (
    ActionKind,
    LegalNotice,
    ModerationAction,
    NoticeKind,
    NotificationKind,
    RestrictionGround,
    RestrictionKind,
    Statement,
)
from service.threads import Page, after_filter, keyset_page

APPEAL_MONTHS = 6

RESTRICTIONS = {
    ActionKind.REMOVE: RestrictionKind.COMMENT_REMOVED,
    ActionKind.AMEND: RestrictionKind.COMMENT_AMENDED,
    ActionKind.AUTO_HIDE: RestrictionKind.COMMENT_HIDDEN,
    ActionKind.SUSPEND_USER: RestrictionKind.ACCOUNT_SUSPENDED,
    ActionKind.BAN_USER: RestrictionKind.ACCOUNT_BANNED,
    # a decision on a notice restricts only when it takes the comment down
    ActionKind.DECIDE_NOTICE: RestrictionKind.COMMENT_REMOVED,
}
ACCOUNT_RESTRICTIONS = {RestrictionKind.ACCOUNT_SUSPENDED, RestrictionKind.ACCOUNT_BANNED}
WORDS = {
    RestrictionKind.COMMENT_REMOVED: "Your comment was removed",
    RestrictionKind.COMMENT_HIDDEN: "Your comment was hidden until a moderator looks at it",
    RestrictionKind.COMMENT_AMENDED: "Your comment was amended by a moderator",
    RestrictionKind.ACCOUNT_SUSPENDED: "Your account was suspended",
    RestrictionKind.ACCOUNT_BANNED: "Your account was banned",
}


def months_later(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months on (the month's last day if shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


async def issue(
    action: ModerationAction, *, notice: LegalNotice | None = None, automated: bool | None = None
) -> Statement | None:
    """Inside the action's transaction: the statement (and its notification) for the user the
    action restricted; None when the action restricts no one. `automated` defaults to
    whether no moderator took the action."""
    restriction = RESTRICTIONS.get(action.kind)
    user_id = action.target_user_id
    if restriction is None or user_id is None:
        return None
    if notice is None:
        ground = RestrictionGround.COMMUNITY_RULES
        in_force = await rules.current()
        rules_version = in_force.version if in_force else None
    else:
        ground = (
            RestrictionGround.DEFAMATION
            if notice.kind == NoticeKind.DEFAMATION
            else RestrictionGround.ILLEGAL_CONTENT
        )
        rules_version = None
    moment = now()
    statement = await Statement.create(
        user_id=user_id,
        restriction=restriction,
        ground=ground,
        rules_version=rules_version,
        reason=action.reason,
        automated=action.moderator_id is None if automated is None else automated,
        comment_id=action.comment_id,
        notice_id=notice.id if notice else None,
        action_id=action.id,
        decided_by_id=action.moderator_id,
        created_at=moment,
        appealable_until=months_later(moment, APPEAL_MONTHS),
    )
    await notifications.notify(
        user_id,
        NotificationKind.ACCOUNT_RESTRICTED
        if restriction in ACCOUNT_RESTRICTIONS
        else NotificationKind.COMMENT_RESTRICTED,
        comment_id=action.comment_id,
        statement_id=statement.id,
        notice_id=notice.id if notice else None,
        details=describe(statement),
    )
    return statement


def describe(statement: Statement) -> str:
    """The statement as a mail tells it."""
    ground = {
        RestrictionGround.COMMUNITY_RULES: "our community rules"
        + (f" (version {statement.rules_version})" if statement.rules_version else ""),
        RestrictionGround.ILLEGAL_CONTENT: "a notice that it is illegal",
        RestrictionGround.DEFAMATION: "a complaint that it is defamatory",
    }[statement.ground]
    who = "automatically, by the service" if statement.automated else "by a person"
    return (
        f"{WORDS[statement.restriction]}, on the ground of {ground}.\n\n"
        f"Reason: {statement.reason}\n\n"
        f"This decision was taken {who}. You may appeal it until "
        f"{statement.appealable_until:%d %B %Y %H:%M} UTC (statement {statement.id}); "
        "a person other than the one who decided will review it."
    )


async def for_user(user_id: int, *, first: int, after: str | None) -> Page[Statement]:
    """Newest first."""
    query = Statement.filter(user_id=user_id)
    if after:
        query = query.filter(after_filter(after, descending=True))
    return await keyset_page(query, "-created_at", "-id", first=first)


async def by_ids(ids: list[int]) -> list[Statement | None]:
    """For the per-request loader: in key order, None for an unknown id."""
    found = {row.id: row for row in await Statement.filter(id__in=ids)}
    return [found.get(i) for i in ids]
