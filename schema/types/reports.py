from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.audience import Audience, audience, staff_field
from schema.context import Info
from schema.loaders import related
from schema.types.pagination import PageInfo, page_info
from schema.types.users import UserType
from service import models, reports, threads

if TYPE_CHECKING:
    from schema.types.comments import CommentType

strawberry.enum(models.ReportReason, name="ReportReason")
ReportReason = models.ReportReason
strawberry.enum(models.ReportStatus, name="ReportStatus")
ReportStatus = models.ReportStatus
strawberry.enum(models.ReportResolution, name="ReportResolution")
ReportResolution = models.ReportResolution


# reached by the reporter (reportComment's answer) and by staff (Comment.reports) only
@audience(Audience.SELF)
@strawberry.type(name="Report")
class ReportType:
    model: strawberry.Private[models.Report]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    async def comment(
        self, info: Info
    ) -> Annotated[CommentType, strawberry.lazy("schema.types.comments")]:
        from schema.types.comments import CommentType

        comment = await info.context.loaders.comment_by_id.load(self.model.comment_id)
        assert comment is not None  # a report's comment is never deleted
        return CommentType(model=comment)

    @staff_field(description="Moderators and admins only.")
    async def reporter(self, info: Info) -> UserType | None:
        return await related(info.context.loaders.user_by_id, self.model.reporter_id, UserType)

    @strawberry.field
    def reason(self) -> ReportReason:
        return self.model.reason

    @strawberry.field
    def note(self) -> str | None:
        return self.model.note

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def status(self) -> ReportStatus:
        return self.model.status

    @strawberry.field
    def resolved_at(self) -> datetime | None:
        return self.model.resolved_at

    @strawberry.field
    def resolution(self) -> ReportResolution | None:
        return self.model.resolution


@audience(Audience.STAFF)  # reached through Comment.reports
@strawberry.type
class ReportEdge:
    cursor: str
    node: ReportType


@audience(Audience.STAFF)
@strawberry.type
class ReportConnection:
    edges: list[ReportEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: threads.Page[models.Report]) -> ReportConnection:
        edges = [
            ReportEdge(cursor=threads.encode_cursor(r.created_at, r.id), node=ReportType(model=r))
            for r in page.items
        ]
        return cls(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next),
        )


async def reports_of(
    info: Info, comment_id: int, first: int, after: str | None
) -> ReportConnection:
    threads.check_first(first)
    if after is None:  # the queue asks for every item's first page: one query for all
        page = await info.context.loaders.first_reports_by_comment.load((comment_id, first))
    else:
        page = await reports.for_comment(comment_id, first=first, after=after)
    return ReportConnection.of(page)
