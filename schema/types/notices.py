"""Legal notices as the notifier (a receipt), the poster and moderators see them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.audience import Audience, audience, self_field, staff_field, viewer_is_staff
from schema.context import Info
from schema.loaders import related
from schema.types.comments import CommentType
from schema.types.pagination import PageInfo, page_info
from schema.types.users import UserType
from service import models, notices, threads

strawberry.enum(models.NoticeKind, name="NoticeKind")
NoticeKind = models.NoticeKind
strawberry.enum(models.NoticeStatus, name="NoticeStatus")
NoticeStatus = models.NoticeStatus
strawberry.enum(models.NoticeDecision, name="NoticeDecision")
NoticeDecision = models.NoticeDecision


@audience(Audience.VIEWER)  # submitNotice's answer, to whoever sent it
@strawberry.type(name="NoticeReceipt", description="The acknowledgement a notifier gets at once.")
class NoticeReceiptType:
    model: strawberry.Private[models.LegalNotice]

    @strawberry.field(description="Quote it in any follow-up.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def kind(self) -> NoticeKind:
        return self.model.kind

    @strawberry.field
    def received_at(self) -> datetime:
        return self.model.received_at


# reached through a notice, which only its poster and staff reach
@audience(Audience.SELF)
@strawberry.type(name="PosterResponse")
class PosterResponseType:
    model: strawberry.Private[models.LegalNotice]

    @strawberry.field
    def consents_to_removal(self) -> bool:
        return bool(self.model.poster_consents_to_removal)

    @strawberry.field
    def responded_at(self) -> datetime:
        assert self.model.responded_at is not None
        return self.model.responded_at

    @staff_field(description="Moderators and admins only.")
    def name(self) -> str | None:
        return self.model.poster_name

    @staff_field(description="Moderators and admins only.")
    def address(self) -> str | None:
        return self.model.poster_address

    @strawberry.field
    def consents_to_share_details(self) -> bool:
        return self.model.poster_consents_to_share


# reached by moderators (the legal queue, the log) and by the poster (their inbox, their
# statements, User.noticesAboutMe, respondToNotice): no one else
@audience(Audience.SELF)
@strawberry.type(name="LegalNotice")
class LegalNoticeType:
    model: strawberry.Private[models.LegalNotice]

    @property
    def owner_id(self) -> int | None:
        """The poster's: their notices."""
        return self.model.poster_id

    def _notifier_shown(self, info: Info) -> bool:
        """Staff always; the poster of a defamation complaint whose complainant consented."""
        return viewer_is_staff(info) or (
            self.model.kind == models.NoticeKind.DEFAMATION and self.model.consents_to_share_details
        )

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def kind(self) -> NoticeKind:
        return self.model.kind

    @strawberry.field
    def status(self) -> NoticeStatus:
        return self.model.status

    @strawberry.field
    async def comment(self, info: Info) -> CommentType:
        comment = await info.context.loaders.comment_by_id.load(self.model.comment_id)
        assert comment is not None  # comments under a notice are never deleted
        return CommentType(model=comment)

    @strawberry.field
    def received_at(self) -> datetime:
        return self.model.received_at

    @self_field(
        description="Moderators and admins; for DEFAMATION also the poster, "
        "when the complainant consented."
    )
    def notifier_name(self, info: Info) -> str | None:
        return self.model.notifier_name if self._notifier_shown(info) else None

    @self_field(
        description="Moderators and admins; for DEFAMATION also the poster, "
        "when the complainant consented."
    )
    def notifier_email(self, info: Info) -> str | None:
        return self.model.notifier_email if self._notifier_shown(info) else None

    @strawberry.field
    def legal_ground(self) -> str | None:
        return self.model.legal_ground

    @strawberry.field
    def explanation(self) -> str:
        return self.model.explanation

    @strawberry.field
    def meaning(self) -> str | None:
        return self.model.meaning

    @strawberry.field
    def consents_to_share_details(self) -> bool:
        return self.model.consents_to_share_details

    @strawberry.field(
        description="DEFAMATION: the poster must be told by then: "
        "48 hours counted on business days only."
    )
    def poster_notify_by(self) -> datetime | None:
        return self.model.poster_notify_by

    @strawberry.field
    def poster_notified_at(self) -> datetime | None:
        return self.model.poster_notified_at

    @strawberry.field(
        description="DEFAMATION: the poster may answer until midnight (Europe/London) "
        "at the end of the fifth day after the day they were told."
    )
    def poster_respond_by(self) -> datetime | None:
        return self.model.poster_respond_by

    @strawberry.field
    def poster_response(self) -> PosterResponseType | None:
        if self.model.responded_at is None:
            return None
        return PosterResponseType(model=self.model)

    @strawberry.field(description="A deadline has passed with nothing done (moderators' view).")
    def overdue(self) -> bool:
        return notices.is_overdue(self.model)

    @strawberry.field
    def decision(self) -> NoticeDecision | None:
        return self.model.decision

    @strawberry.field
    def decided_at(self) -> datetime | None:
        return self.model.decided_at

    @strawberry.field(
        description="Null when the service decided by itself "
        "(the poster consented, or did not answer in time)."
    )
    async def decided_by(self, info: Info) -> UserType | None:
        return await related(info.context.loaders.user_by_id, self.model.decided_by_id, UserType)

    @strawberry.field
    def decision_reason(self) -> str | None:
        return self.model.decision_reason


@audience(Audience.SELF)
@strawberry.type
class LegalNoticeEdge:
    cursor: str
    node: LegalNoticeType


@audience(Audience.SELF)
@strawberry.type
class LegalNoticeConnection:
    edges: list[LegalNoticeEdge]
    page_info: PageInfo

    @classmethod
    def of(
        cls, page: threads.Page[models.LegalNotice], *, by_deadline: bool
    ) -> LegalNoticeConnection:
        edges = [
            LegalNoticeEdge(
                cursor=threads.encode_cursor(n.due_at if by_deadline else n.received_at, n.id),
                node=LegalNoticeType(model=n),
            )
            for n in page.items
        ]
        return cls(edges=edges, page_info=page_info([e.cursor for e in edges], page.has_next))
