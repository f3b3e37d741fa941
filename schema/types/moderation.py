from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.audience import Audience, audience
from schema.context import Info
from schema.loaders import related
from schema.types.articles import ArticleType
from schema.types.comments import CommentType
from schema.types.pagination import PageInfo, page_info
from schema.types.reports import ReportReason
from schema.types.users import UserType
from service import models, queue, threads

if TYPE_CHECKING:
    from schema.types.notices import LegalNoticeType
    from schema.types.statements import AppealType

strawberry.enum(queue.QueueOrder, name="QueueOrder")
QueueOrder = queue.QueueOrder
strawberry.enum(models.ActionKind, name="ModerationActionKind")
ModerationActionKind = models.ActionKind


@audience(Audience.STAFF)  # reached through a moderators' query
@strawberry.type(description="A comment with open reports, as a moderator sees it in the queue.")
class QueueItem:
    model: strawberry.Private[models.Comment]

    @strawberry.field
    def comment(self) -> CommentType:
        return CommentType(model=self.model)

    @strawberry.field
    def open_report_count(self) -> int:
        return self.model.open_report_count

    @strawberry.field
    async def reasons(self, info: Info) -> list[ReportReason]:
        return await info.context.loaders.open_reasons_by_comment_id.load(self.model.id)

    @strawberry.field
    def first_reported_at(self) -> datetime:
        assert self.model.first_open_report_at is not None
        return self.model.first_open_report_at

    @strawberry.field
    def last_reported_at(self) -> datetime:
        assert self.model.last_open_report_at is not None
        return self.model.last_open_report_at


@audience(Audience.STAFF)
@strawberry.type
class QueueEdge:
    cursor: str
    node: QueueItem


@audience(Audience.STAFF)
@strawberry.type
class QueueConnection:
    edges: list[QueueEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: threads.Page[models.Comment], total: int) -> QueueConnection:
        edges = [
            QueueEdge(cursor=queue.encode_cursor(c), node=QueueItem(model=c)) for c in page.items
        ]
        return cls(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next),
            total_count=total,
        )


@audience(Audience.STAFF)
@strawberry.type(name="ModerationAction", description="One line of the append-only moderation log.")
class ModerationActionType:
    model: strawberry.Private[models.ModerationAction]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def kind(self) -> ModerationActionKind:
        return self.model.kind

    @strawberry.field(description="Null for actions the service took by itself (AUTO_HIDE).")
    async def moderator(self, info: Info) -> UserType | None:
        return await related(info.context.loaders.user_by_id, self.model.moderator_id, UserType)

    @strawberry.field
    async def comment(self, info: Info) -> CommentType | None:
        return await related(info.context.loaders.comment_by_id, self.model.comment_id, CommentType)

    @strawberry.field
    async def target_user(self, info: Info) -> UserType | None:
        return await related(info.context.loaders.user_by_id, self.model.target_user_id, UserType)

    @strawberry.field
    async def article(self, info: Info) -> ArticleType | None:
        if self.model.article_id is None:
            return None
        return ArticleType(
            model=await info.context.loaders.article_by_id.load(self.model.article_id)
        )

    @strawberry.field
    def reason(self) -> str:
        return self.model.reason

    @strawberry.field(description="For AMEND: the text before and after.")
    def previous_body(self) -> str | None:
        return self.model.previous_body

    @strawberry.field
    def new_body(self) -> str | None:
        return self.model.new_body

    @strawberry.field
    async def notice(
        self, info: Info
    ) -> Annotated[LegalNoticeType, strawberry.lazy("schema.types.notices")] | None:
        from schema.types.notices import LegalNoticeType

        return await related(
            info.context.loaders.legal.notice_by_id, self.model.notice_id, LegalNoticeType
        )

    @strawberry.field
    async def appeal(
        self, info: Info
    ) -> Annotated[AppealType, strawberry.lazy("schema.types.statements")] | None:
        from schema.types.statements import AppealType

        return await related(
            info.context.loaders.legal.appeal_by_id, self.model.appeal_id, AppealType
        )

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at


@audience(Audience.STAFF)
@strawberry.type
class ModerationActionEdge:
    cursor: str
    node: ModerationActionType


@audience(Audience.STAFF)
@strawberry.type
class ModerationActionConnection:
    edges: list[ModerationActionEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: threads.Page[models.ModerationAction]) -> ModerationActionConnection:
        edges = [
            ModerationActionEdge(
                cursor=threads.encode_cursor(a.created_at, a.id), node=ModerationActionType(model=a)
            )
            for a in page.items
        ]
        return cls(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next),
        )
