"""Moderation modes, approval, editors' picks and word lists. Each moderator call writes a
ModerationAction; the word lists are the admins'."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.mutations.moderation import (
    ModerateArticleResult,
    ModerateCommentInput,
    ModerateCommentResult,
    decide_on_comment,
)
from schema.permissions import IsAdmin, IsModerator, require_viewer
from schema.queries_reader import WordListKind
from schema.results import result_of
from schema.types.articles import ArticleType, ModerationMode
from schema.types.comments import CommentType
from service import curation, models, premoderation, word_lists


def _comment(model: models.Comment) -> CommentType:
    return CommentType(model=model)


def _article(model: models.Article) -> ArticleType:
    return ArticleType(model=model)


@strawberry.input
class SetModerationModeInput:
    article_id: strawberry.ID
    mode: ModerationMode
    reason: str


@strawberry.type
class PremoderationMutations:
    @strawberry.mutation(description="Moderators and admins.", permission_classes=[IsModerator])
    async def approve_comment(
        self, info: Info, input: ModerateCommentInput
    ) -> ModerateCommentResult:
        return await decide_on_comment(info, input, premoderation.approve)

    @strawberry.mutation(permission_classes=[IsModerator])
    async def feature_comment(
        self, info: Info, input: ModerateCommentInput
    ) -> ModerateCommentResult:
        return await decide_on_comment(info, input, curation.feature)

    @strawberry.mutation(permission_classes=[IsModerator])
    async def unfeature_comment(
        self, info: Info, input: ModerateCommentInput
    ) -> ModerateCommentResult:
        return await decide_on_comment(info, input, curation.unfeature)

    @strawberry.mutation(permission_classes=[IsModerator])
    async def set_moderation_mode(
        self, info: Info, input: SetModerationModeInput
    ) -> ModerateArticleResult:
        return await result_of(
            premoderation.set_mode(
                require_viewer(info),
                article_id=str(input.article_id),
                mode=models.ModerationMode(input.mode),
                reason=input.reason,
            ),
            _article,
        )

    @strawberry.mutation(
        description="Admins. BANNED words refuse a post (InvalidInput on body); SUSPECT words "
        "hold it as PENDING. Matching ignores case and accents, whole words only.",
        permission_classes=[IsAdmin],
    )
    async def set_word_list(self, info: Info, kind: WordListKind, words: list[str]) -> list[str]:
        return await word_lists.set_words(models.WordListKind(kind), words)
