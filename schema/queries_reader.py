"""Query fields for pre-moderation: the comments waiting for a moderator, the word lists."""

from __future__ import annotations

import strawberry

from schema.audience import gated_staff_field
from schema.context import Info
from schema.permissions import IsModerator
from schema.types.comments import CommentConnection
from service import models, premoderation, word_lists

strawberry.enum(models.WordListKind, name="WordListKind")
WordListKind = models.WordListKind


@strawberry.type
class ReaderQueries:
    @gated_staff_field(
        description="Moderators and admins: PENDING comments, oldest first.",
        permission_classes=[IsModerator],
    )
    async def pending_comments(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> CommentConnection:
        page = await premoderation.pending(first=20 if first is None else first, after=after)
        return CommentConnection.of(page)

    @gated_staff_field(description="Moderators and admins.", permission_classes=[IsModerator])
    async def word_list(self, info: Info, kind: WordListKind) -> list[str]:
        return await word_lists.words(models.WordListKind(kind))
