from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.audience import (
    Audience,
    audience,
    carried,
    public_field,
    viewer_field,
    viewer_is_staff,
)
from schema.context import Info
from schema.freshness import note_article, note_lagging
from schema.types.comments import CommentConnection
from service import articles, commenting, curation, models, ranking, threads


@strawberry.enum(name="CommentOrder")
class CommentOrder(Enum):
    NEWEST = "NEWEST"
    OLDEST = "OLDEST"
    MOST_RECOMMENDED = strawberry.enum_value(
        "MOST_RECOMMENDED", description="Most recommendations first, then newest."
    )


strawberry.enum(models.ModerationMode, name="ModerationMode")
ModerationMode = models.ModerationMode


strawberry.enum(commenting.BlockedReason, name="CommentBlockedReason")
CommentBlockedReason = commenting.BlockedReason


@audience(Audience.VIEWER)  # the value of Article.commentPermission
@carried
@strawberry.type(
    name="CommentPermission",
    description="Whether the viewer may comment on an article now, "
    "so a client can render the comment box without trying.",
)
class CommentPermissionType:
    allowed: bool
    reason: CommentBlockedReason | None = strawberry.field(description="Null when allowed.")


@strawberry.type(name="Article")
class ArticleType:
    model: strawberry.Private[models.Article]

    def __post_init__(self) -> None:
        note_article(self.model)

    @public_field(description="The publisher's own story id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.model.id)

    @public_field
    def title(self) -> str | None:
        return self.model.title

    @public_field
    def url(self) -> str | None:
        return self.model.url

    @public_field
    def comments_open(self) -> bool:
        return articles.comments_open(self.model)

    @public_field(description="When commenting closes by itself; null: it does not.")
    def closes_at(self) -> datetime | None:
        return self.model.closes_at

    @public_field(description="Published (visible) comments, replies included.")
    def comment_count(self) -> int:
        return self.model.comment_count

    @viewer_field
    async def comment_permission(self, info: Info) -> CommentPermissionType:
        ctx = info.context
        viewer = ctx.viewer
        held = await ctx.loaders.entitlements_by_user_id.load(viewer.id) if viewer else []
        rules = await ctx.loaders.current_rules.load("current")
        verdict = commenting.decide(ctx.runtime.settings, viewer, self.model, held, rules)
        return CommentPermissionType(allowed=verdict.allowed, reason=verdict.reason)

    @public_field(description="Top-level comments.")
    async def comments(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        order_by: CommentOrder | None = CommentOrder.NEWEST,
    ) -> CommentConnection:
        viewer = info.context.viewer
        viewer_id = viewer.id if viewer is not None else None
        size = 20 if first is None else first
        if order_by == CommentOrder.MOST_RECOMMENDED:
            # ranked by counts that never move the version: kept no longer than they may lag
            note_lagging(info.context.runtime.settings.public_max_age)
            page = await ranking.most_recommended(
                self.model.id,
                first=size,
                after=after,
                staff=viewer_is_staff(info),
                viewer_id=viewer_id,
            )
        else:
            page = await threads.top_level(
                self.model.id,
                first=size,
                after=after,
                newest_first=order_by != CommentOrder.OLDEST,
                staff=viewer_is_staff(info),
                viewer_id=viewer_id,
            )
        reported = None
        if info.context.viewer is not None:
            reported = await info.context.loaders.reported_ids_by_article.load(self.model.id)
        return CommentConnection.of(page, reported)

    @public_field
    def moderation_mode(self) -> ModerationMode:
        return self.model.moderation_mode

    @public_field(
        description="Editors' picks among the published comments, most recently featured first."
    )
    async def featured_comments(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> CommentConnection:
        page = await curation.featured(
            self.model.id, first=20 if first is None else first, after=after
        )
        return CommentConnection.of(page)
