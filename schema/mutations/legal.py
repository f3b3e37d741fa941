"""Legal notices, the poster's answer, appeals, and the inbox's read marks."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.permissions import IsAuthenticated, IsModerator, require_viewer
from schema.results import result_of
from schema.types.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from schema.types.notices import LegalNoticeType, NoticeDecision, NoticeKind, NoticeReceiptType
from schema.types.statements import AppealType
from service import appeals, models, notice_answers, notices, notifications

SubmitNoticeResult = Annotated[
    NoticeReceiptType | NotFound | InvalidInput | RateLimited,
    strawberry.union("SubmitNoticeResult"),
]
LegalNoticeResult = Annotated[
    LegalNoticeType | NotFound | NotAllowed | InvalidInput, strawberry.union("LegalNoticeResult")
]
AppealResult = Annotated[
    AppealType | NotFound | NotAllowed | InvalidInput, strawberry.union("AppealResult")
]


def _notice(model: models.LegalNotice) -> LegalNoticeType:
    return LegalNoticeType(model=model)


def _appeal(model: models.Appeal) -> AppealType:
    return AppealType(model=model)


@strawberry.input
class SubmitNoticeInput:
    comment_id: strawberry.ID
    kind: NoticeKind
    explanation: str = strawberry.field(
        description="Why the content is illegal or defamatory (1..5,000 characters)."
    )
    notifier_name: str
    notifier_email: str
    good_faith: bool = strawberry.field(
        description="The notifier confirms, in good faith, that the notice is accurate and "
        "complete; must be true."
    )
    legal_ground: str | None = strawberry.field(
        default=None,
        description="ILLEGAL_CONTENT: the law the notifier says is broken (required).",
    )
    meaning: str | None = strawberry.field(
        default=None,
        description="DEFAMATION: the meaning complained of, and what is factually inaccurate "
        "or unsupported opinion (required).",
    )
    consents_to_share_details: bool | None = strawberry.field(
        default=False,
        description="DEFAMATION: whether the poster may be given the complainant's name and email.",
    )


@strawberry.input
class NoticeActionInput:
    notice_id: strawberry.ID
    reason: str


@strawberry.input
class DecideNoticeInput:
    notice_id: strawberry.ID
    decision: NoticeDecision
    reason: str


@strawberry.input
class RespondToNoticeInput:
    notice_id: strawberry.ID
    consents_to_removal: bool
    name: str | None = strawberry.field(default=None, description="Required when refusing removal.")
    address: str | None = strawberry.field(
        default=None, description="Required when refusing removal: a postal address."
    )
    consents_to_share_details: bool | None = strawberry.field(
        default=False, description="Whether the complainant may be given the name and address."
    )


@strawberry.input
class AppealInput:
    statement_id: strawberry.ID
    explanation: str = strawberry.field(
        description="Why the decision is wrong (1..5,000 characters)."
    )


@strawberry.input
class DecideAppealInput:
    appeal_id: strawberry.ID
    reverse: bool = strawberry.field(
        description="True reverses the decision: the comment is published again or the "
        "account restriction lifted."
    )
    reason: str


@strawberry.type
class LegalMutations:
    @strawberry.mutation(
        description="Anyone, signed in or not: report content as illegal or defamatory "
        "(rate-limited per client address)."
    )
    async def submit_notice(self, info: Info, input: SubmitNoticeInput) -> SubmitNoticeResult:
        ctx = info.context
        return await result_of(
            notices.submit(
                ctx.runtime,
                comment_id=str(input.comment_id),
                kind=models.NoticeKind(input.kind),
                explanation=input.explanation,
                legal_ground=input.legal_ground,
                meaning=input.meaning,
                notifier_name=input.notifier_name,
                notifier_email=input.notifier_email,
                consents_to_share_details=bool(input.consents_to_share_details),
                good_faith=input.good_faith,
                client_address=ctx.client_address,
            ),
            lambda notice: NoticeReceiptType(model=notice),
        )

    @strawberry.mutation(
        description="Moderators and admins: DEFAMATION only; tells the poster, who may answer "
        "until posterRespondBy.",
        permission_classes=[IsModerator],
    )
    async def notify_poster(self, info: Info, input: NoticeActionInput) -> LegalNoticeResult:
        return await result_of(
            notices.notify_poster(
                require_viewer(info), notice_id=str(input.notice_id), reason=input.reason
            ),
            _notice,
        )

    @strawberry.mutation(
        description="Moderators and admins: refuse a notice as incomplete or unfounded on its "
        "face; the notifier is told why.",
        permission_classes=[IsModerator],
    )
    async def reject_notice(self, info: Info, input: NoticeActionInput) -> LegalNoticeResult:
        return await result_of(
            notices.reject(
                require_viewer(info), notice_id=str(input.notice_id), reason=input.reason
            ),
            _notice,
        )

    @strawberry.mutation(description="Moderators and admins.", permission_classes=[IsModerator])
    async def decide_notice(self, info: Info, input: DecideNoticeInput) -> LegalNoticeResult:
        return await result_of(
            notices.decide(
                require_viewer(info),
                notice_id=str(input.notice_id),
                decision=models.NoticeDecision(input.decision),
                reason=input.reason,
            ),
            _notice,
        )

    @strawberry.mutation(
        description="The poster of the comment, while AWAITING_POSTER and before posterRespondBy.",
        permission_classes=[IsAuthenticated],
    )
    async def respond_to_notice(self, info: Info, input: RespondToNoticeInput) -> LegalNoticeResult:
        return await result_of(
            notice_answers.respond(
                info.context.viewer,
                notice_id=str(input.notice_id),
                consents_to_removal=input.consents_to_removal,
                name=input.name,
                address=input.address,
                consents_to_share_details=bool(input.consents_to_share_details),
            ),
            _notice,
        )

    @strawberry.mutation(
        description="The user a statement of reasons was issued to, once, before appealableUntil.",
        permission_classes=[IsAuthenticated],
    )
    async def appeal_statement(self, info: Info, input: AppealInput) -> AppealResult:
        return await result_of(
            appeals.lodge(
                info.context.viewer,
                statement_id=str(input.statement_id),
                explanation=input.explanation,
            ),
            _appeal,
        )

    @strawberry.mutation(
        description="Moderators and admins other than the one who took the original decision.",
        permission_classes=[IsModerator],
    )
    async def decide_appeal(self, info: Info, input: DecideAppealInput) -> AppealResult:
        return await result_of(
            appeals.decide(
                require_viewer(info),
                appeal_id=str(input.appeal_id),
                reverse=input.reverse,
                reason=input.reason,
            ),
            _appeal,
        )

    @strawberry.mutation(
        description="Marks the viewer's notifications read: these ids, or all when ids is "
        "null. Returns how many changed.",
        permission_classes=[IsAuthenticated],
    )
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> int:
        return await notifications.mark_read(
            info.context.viewer, [str(i) for i in ids] if ids is not None else None
        )
