"""User's inbox, statements and notices: the resolvers behind those fields of User."""

from __future__ import annotations

from schema.context import Info
from schema.types.notices import LegalNoticeConnection
from schema.types.notifications import NotificationConnection
from schema.types.statements import StatementConnection
from service import models, notices, notifications, statements


def _own(info: Info, user: models.User) -> bool:
    """The inbox is the user's alone: not even staff read it."""
    viewer = info.context.viewer
    return viewer is not None and viewer.id == user.id


async def notifications_of(
    info: Info, user: models.User, first: int | None, after: str | None, unread_only: bool
) -> NotificationConnection | None:
    if not _own(info, user):
        return None
    page = await notifications.page(
        user.id, first=20 if first is None else first, after=after, unread_only=unread_only
    )
    return NotificationConnection.of(page)


async def unread_count_of(info: Info, user: models.User) -> int | None:
    return await notifications.unread_count(user.id) if _own(info, user) else None


async def statements_of(
    user: models.User, first: int | None, after: str | None
) -> StatementConnection:
    page = await statements.for_user(user.id, first=20 if first is None else first, after=after)
    return StatementConnection.of(page)


async def notices_about(
    user: models.User, first: int | None, after: str | None
) -> LegalNoticeConnection:
    page = await notices.about_poster(user.id, first=20 if first is None else first, after=after)
    return LegalNoticeConnection.of(page, by_deadline=False)
