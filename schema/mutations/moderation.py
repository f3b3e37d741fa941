"""Reader reports and the moderators' actions. Each moderator call writes a ModerationAction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from schema.context import Info
from schema.permissions import (
    IsAdminOrArticlesKey,
    IsModerator,
    IsModeratorOrArticlesKey,
    require_viewer,
)
from schema.results import result_of
from schema.types.articles import ArticleType
from schema.types.comments import CommentType
from schema.types.errors import AlreadyReported, InvalidInput, NotFound, RateLimited
from schema.types.reports import ReportReason, ReportType
from schema.types.users import UserType
from service import models, moderation, reports

ReportCommentResult = Annotated[
    ReportType | AlreadyReported | NotFound | InvalidInput | RateLimited,
    strawberry.union("ReportCommentResult"),
]
ModerateCommentResult = Annotated[
    CommentType | NotFound | InvalidInput, strawberry.union("ModerateCommentResult")
]
ModerateUserResult = Annotated[
    UserType | NotFound | InvalidInput, strawberry.union("ModerateUserResult")
]
ModerateArticleResult = Annotated[
    ArticleType | NotFound | InvalidInput, strawberry.union("ModerateArticleResult")
]


def _comment(model: models.Comment) -> CommentType:
    return CommentType(model=model)


CommentDecision = Callable[..., Awaitable[models.Comment]]


async def decide_on_comment(
    info: Info, input: ModerateCommentInput, decision: CommentDecision
) -> ModerateCommentResult:
    """One moderator decision on a comment (remove, restore, approve, feature...), typed."""
    return await result_of(
        decision(require_viewer(info), comment_id=str(input.comment_id), reason=input.reason),
        _comment,
    )


def _user(model: models.User) -> UserType:
    return UserType(model=model)


def _article(model: models.Article) -> ArticleType:
    return ArticleType(model=model)


@strawberry.input
class ReportCommentInput:
    comment_id: strawberry.ID
    reason: ReportReason
    note: str | None = None


@strawberry.input
class AmendCommentInput:
    comment_id: strawberry.ID
    body: str
    reason: str


@strawberry.input
class ModerateCommentInput:
    comment_id: strawberry.ID
    reason: str


@strawberry.input
class SuspendUserInput:
    user_id: strawberry.ID
    until: datetime
    reason: str


@strawberry.input
class ModerateUserInput:
    user_id: strawberry.ID
    reason: str


@strawberry.input
class SetCommentingInput:
    article_id: strawberry.ID
    open: bool
    reason: str


@strawberry.input
class ConfigureArticleInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    closes_at: datetime | None = strawberry.UNSET


@strawberry.type
class ModerationMutations:
    @strawberry.mutation(description="Any signed-in reader may report a comment, once.")
    async def report_comment(self, info: Info, input: ReportCommentInput) -> ReportCommentResult:
        ctx = info.context
        return await result_of(
            reports.report(
                ctx.runtime,
                ctx.viewer,
                comment_id=str(input.comment_id),
                reason=models.ReportReason(input.reason),
                note=input.note,
            ),
            lambda report: ReportType(model=report),
        )

    @strawberry.mutation(
        description="Moderators and admins: every call below writes a ModerationAction.",
        permission_classes=[IsModerator],
    )
    async def amend_comment(self, info: Info, input: AmendCommentInput) -> ModerateCommentResult:
        return await result_of(
            moderation.amend(
                info.context.runtime,
                require_viewer(info),
                comment_id=str(input.comment_id),
                body=input.body,
                reason=input.reason,
            ),
            _comment,
        )

    @strawberry.mutation(permission_classes=[IsModerator])
    async def remove_comment(
        self, info: Info, input: ModerateCommentInput
    ) -> ModerateCommentResult:
        return await decide_on_comment(info, input, moderation.remove)

    @strawberry.mutation(permission_classes=[IsModerator])
    async def restore_comment(
        self, info: Info, input: ModerateCommentInput
    ) -> ModerateCommentResult:
        return await decide_on_comment(info, input, moderation.restore)

    @strawberry.mutation(permission_classes=[IsModerator])
    async def dismiss_reports(
        self, info: Info, input: ModerateCommentInput
    ) -> ModerateCommentResult:
        return await decide_on_comment(info, input, moderation.dismiss_reports)

    @strawberry.mutation(permission_classes=[IsModerator])
    async def suspend_user(self, info: Info, input: SuspendUserInput) -> ModerateUserResult:
        return await result_of(
            moderation.suspend(
                require_viewer(info),
                user_id=str(input.user_id),
                until=input.until,
                reason=input.reason,
            ),
            _user,
        )

    @strawberry.mutation(permission_classes=[IsModerator])
    async def ban_user(self, info: Info, input: ModerateUserInput) -> ModerateUserResult:
        return await result_of(
            moderation.ban(require_viewer(info), user_id=str(input.user_id), reason=input.reason),
            _user,
        )

    @strawberry.mutation(permission_classes=[IsModerator])
    async def reinstate_user(self, info: Info, input: ModerateUserInput) -> ModerateUserResult:
        return await result_of(
            moderation.reinstate(
                require_viewer(info), user_id=str(input.user_id), reason=input.reason
            ),
            _user,
        )

    @strawberry.mutation(permission_classes=[IsModeratorOrArticlesKey])
    async def set_commenting(self, info: Info, input: SetCommentingInput) -> ModerateArticleResult:
        return await result_of(
            moderation.set_commenting(
                info.context.viewer,  # None for an API key: the log shows no moderator
                article_id=str(input.article_id),
                open=input.open,
                reason=input.reason,
            ),
            _article,
        )

    @strawberry.mutation(
        description="Admins and API keys with the `articles` scope (the CMS).",
        permission_classes=[IsAdminOrArticlesKey],
    )
    async def configure_article(
        self, info: Info, input: ConfigureArticleInput
    ) -> ModerateArticleResult:
        given: dict[str, Any] = {
            name: value
            for name, value in (
                ("title", input.title),
                ("url", input.url),
                ("closes_at", input.closes_at),
            )
            if value is not strawberry.UNSET
        }
        return await result_of(
            moderation.configure_article(article_id=str(input.id), **given), _article
        )
