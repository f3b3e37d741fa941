"""A user's inbox."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.audience import Audience, audience
from schema.context import Info
from schema.loaders import related
from schema.types.comments import CommentType
from schema.types.notices import LegalNoticeType
from schema.types.pagination import PageInfo, page_info
from schema.types.statements import AppealType, StatementType
from service import models, threads

strawberry.enum(models.NotificationKind, name="NotificationKind")
NotificationKind = models.NotificationKind


# reached only through the user's own inbox (User.notifications, notificationEvents)
@audience(Audience.SELF)
@strawberry.type(name="Notification")
class NotificationType:
    model: strawberry.Private[models.Notification]

    @property
    def owner_id(self) -> int:
        return self.model.user_id

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def kind(self) -> NotificationKind:
        return self.model.kind

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def read_at(self) -> datetime | None:
        return self.model.read_at

    @strawberry.field(
        description="REPLY: the reply; otherwise the comment concerned, when there is one."
    )
    async def comment(self, info: Info) -> CommentType | None:
        return await related(info.context.loaders.comment_by_id, self.model.comment_id, CommentType)

    @strawberry.field
    async def statement(self, info: Info) -> StatementType | None:
        return await related(
            info.context.loaders.legal.statement_by_id, self.model.statement_id, StatementType
        )

    @strawberry.field
    async def notice(self, info: Info) -> LegalNoticeType | None:
        return await related(
            info.context.loaders.legal.notice_by_id, self.model.notice_id, LegalNoticeType
        )

    @strawberry.field
    async def appeal(self, info: Info) -> AppealType | None:
        return await related(
            info.context.loaders.legal.appeal_by_id, self.model.appeal_id, AppealType
        )


@audience(Audience.SELF)
@strawberry.type
class NotificationEdge:
    cursor: str
    node: NotificationType


@audience(Audience.SELF)
@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: threads.Page[models.Notification]) -> NotificationConnection:
        edges = [
            NotificationEdge(
                cursor=threads.encode_cursor(n.created_at, n.id), node=NotificationType(model=n)
            )
            for n in page.items
        ]
        return cls(edges=edges, page_info=page_info([e.cursor for e in edges], page.has_next))
