"""Statements of reasons and the appeals against them, as their user and moderators see them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.audience import Audience, audience, staff_field
from schema.context import Info
from schema.loaders import related
from schema.types.comments import CommentType
from schema.types.notices import LegalNoticeType
from schema.types.pagination import PageInfo, page_info
from schema.types.users import UserType
from service import models, threads

strawberry.enum(models.RestrictionKind, name="RestrictionKind")
RestrictionKind = models.RestrictionKind
strawberry.enum(models.RestrictionGround, name="RestrictionGround")
RestrictionGround = models.RestrictionGround
strawberry.enum(models.AppealStatus, name="AppealStatus")
AppealStatus = models.AppealStatus


# reached by its user (User.statements, their inbox, their appeal) and by staff only
@audience(Audience.SELF)
@strawberry.type(
    name="StatementOfReasons",
    description="Why a user's comment or account was restricted (EU Digital Services Act, "
    "Art. 17); issued to that user with every restriction.",
)
class StatementType:
    model: strawberry.Private[models.Statement]

    @property
    def owner_id(self) -> int:
        return self.model.user_id

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def restriction(self) -> RestrictionKind:
        return self.model.restriction

    @strawberry.field
    def ground(self) -> RestrictionGround:
        return self.model.ground

    @strawberry.field(
        description="For COMMUNITY_RULES: the version in force when the decision was taken."
    )
    def rules_version(self) -> int | None:
        return self.model.rules_version

    @strawberry.field(
        description="The facts and reasoning, as the moderator wrote them "
        "(or the service, when automated)."
    )
    def reason(self) -> str:
        return self.model.reason

    @strawberry.field(
        description="True when no person took the decision "
        "(auto-hide, a poster's silence on a notice)."
    )
    def automated(self) -> bool:
        return self.model.automated

    @strawberry.field
    async def comment(self, info: Info) -> CommentType | None:
        return await related(info.context.loaders.comment_by_id, self.model.comment_id, CommentType)

    @strawberry.field
    async def notice(self, info: Info) -> LegalNoticeType | None:
        return await related(
            info.context.loaders.legal.notice_by_id, self.model.notice_id, LegalNoticeType
        )

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(
        description="An appeal may be lodged until then (six months after the decision)."
    )
    def appealable_until(self) -> datetime:
        return self.model.appealable_until

    @strawberry.field
    async def appeal(self, info: Info) -> AppealType | None:
        appeal = await info.context.loaders.legal.appeal_by_statement_id.load(self.model.id)
        return AppealType(model=appeal) if appeal else None


@audience(Audience.SELF)
@strawberry.type
class StatementEdge:
    cursor: str
    node: StatementType


@audience(Audience.SELF)
@strawberry.type
class StatementConnection:
    edges: list[StatementEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: threads.Page[models.Statement]) -> StatementConnection:
        edges = [
            StatementEdge(
                cursor=threads.encode_cursor(s.created_at, s.id), node=StatementType(model=s)
            )
            for s in page.items
        ]
        return cls(edges=edges, page_info=page_info([e.cursor for e in edges], page.has_next))


# reached by the appellant (their statement, appealStatement) and by staff only
@audience(Audience.SELF)
@strawberry.type(name="Appeal")
class AppealType:
    model: strawberry.Private[models.Appeal]

    @property
    def owner_id(self) -> int:
        return self.model.user_id

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    async def statement(self, info: Info) -> StatementType:
        statement = await info.context.loaders.legal.statement_by_id.load(self.model.statement_id)
        assert statement is not None  # statements are never deleted while appealed
        return StatementType(model=statement)

    @strawberry.field
    def explanation(self) -> str:
        return self.model.explanation

    @strawberry.field
    def status(self) -> AppealStatus:
        return self.model.status

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self.model.decided_at

    @staff_field(description="Moderators and admins only.")
    async def decided_by(self, info: Info) -> UserType | None:
        return await related(info.context.loaders.user_by_id, self.model.decided_by_id, UserType)

    @strawberry.field
    def decision_reason(self) -> str | None:
        return self.model.decision_reason


@audience(Audience.SELF)
@strawberry.type
class AppealEdge:
    cursor: str
    node: AppealType


@audience(Audience.SELF)
@strawberry.type
class AppealConnection:
    edges: list[AppealEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: threads.Page[models.Appeal]) -> AppealConnection:
        edges = [
            AppealEdge(cursor=threads.encode_cursor(a.created_at, a.id), node=AppealType(model=a))
            for a in page.items
        ]
        return cls(edges=edges, page_info=page_info([e.cursor for e in edges], page.has_next))
