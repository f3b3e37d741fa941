from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.audience import (
    Audience,
    audience,
    carried,
    public_field,
    staff_field,
    viewer_field,
    viewer_is_staff,
)
from schema.context import Info
from schema.freshness import note_comment, note_lagging
from schema.loaders import related
from schema.types.pagination import PageInfo, page_info
from schema.types.users import UserType, user_or_none
from service import comments, curation, models, threads, visibility

if TYPE_CHECKING:
    from schema.types.articles import ArticleType
    from schema.types.reports import ReportConnection

strawberry.enum(models.CommentStatus, name="CommentStatus")
CommentStatus = models.CommentStatus


@audience(Audience.STAFF)  # reached through Comment.revisions
@strawberry.type(name="CommentRevision")
class CommentRevisionType:
    model: strawberry.Private[models.CommentRevision]

    @strawberry.field
    def body(self) -> str:
        return self.model.body

    @strawberry.field(description="When this text was replaced.")
    def replaced_at(self) -> datetime:
        return self.model.replaced_at

    @strawberry.field(description="Who replaced it: the author, or the moderator who amended it.")
    async def replaced_by(self, info: Info) -> UserType | None:
        return await related(info.context.loaders.user_by_id, self.model.replaced_by_id, UserType)


@strawberry.type(name="Comment")
class CommentType:
    model: strawberry.Private[models.Comment]
    # resolved without awaiting when the page already knows them (fewer awaits per field)
    reported_ids: strawberry.Private[frozenset[int] | None] = None

    def __post_init__(self) -> None:
        note_comment(self.model)

    @public_field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @public_field
    async def article(
        self, info: Info
    ) -> Annotated[ArticleType, strawberry.lazy("schema.types.articles")]:
        from schema.types.articles import ArticleType

        article = await info.context.loaders.article_by_id.load(self.model.article_id)
        return ArticleType(model=article)

    @public_field(
        description="Null once the author's account is deleted.", graphql_type=UserType | None
    )
    def author(self, info: Info) -> UserType | Awaitable[UserType | None] | None:
        if self.model.author_id is None:
            return None
        joined = self.model.__dict__.get("_author")  # came with the page (select_related)
        if joined is not None:
            return UserType(model=joined)
        return self._author_later(info, self.model.author_id)

    @staticmethod
    async def _author_later(info: Info, author_id: int) -> UserType | None:
        return user_or_none(await info.context.loaders.user_by_id.load(author_id))

    @public_field
    async def parent(self, info: Info) -> CommentType | None:
        return await related(info.context.loaders.comment_by_id, self.model.parent_id, CommentType)

    # PUBLIC: the same for every reader; staff read every text, and an author their own
    # PENDING comment (neither ever from a shared answer)
    @public_field(
        description="Null unless PUBLISHED, except for moderators and admins, "
        "who always see the text."
    )
    def body(self, info: Info) -> str | None:
        viewer = info.context.viewer
        return visibility.visible_body(
            self.model,
            staff=viewer_is_staff(info),
            viewer_id=viewer.id if viewer is not None else None,
        )

    @public_field
    def status(self) -> CommentStatus:
        return self.model.status

    @public_field
    def created_at(self) -> datetime:
        return self.model.created_at

    @public_field(description="Last edit by the author.")
    def edited_at(self) -> datetime | None:
        return self.model.edited_at

    @public_field
    def amended_by_moderator(self) -> bool:
        return self.model.amended_by_moderator

    @public_field(description="Published replies, at any depth below this comment.")
    def reply_count(self) -> int:
        return self.model.reply_count

    @public_field(description="Direct replies, oldest first.")
    async def replies(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> CommentConnection:
        size = threads.check_first(20 if first is None else first)
        if after is None:
            page = await info.context.loaders.first_replies_by_parent.load((self.model.id, size))
        else:
            viewer = info.context.viewer
            page = await threads.replies(
                self.model.id,
                first=size,
                after=after,
                staff=viewer_is_staff(info),
                viewer_id=viewer.id if viewer is not None else None,
            )
        return CommentConnection.of(page)

    @viewer_field(graphql_type=bool)
    def viewer_has_reported(self, info: Info) -> bool | Awaitable[bool]:
        if info.context.viewer is None:
            return False
        if self.reported_ids is not None:  # the page loaded them once for every comment
            return self.model.id in self.reported_ids
        return self._reported_later(info)

    async def _reported_later(self, info: Info) -> bool:
        reported = await info.context.loaders.reported_ids_by_article.load(self.model.article_id)
        return self.model.id in reported

    @viewer_field
    def viewer_can_edit(self, info: Info) -> bool:
        return comments.can_edit(info.context.runtime, info.context.viewer, self.model)

    # recommendations never move the thread's version: a signed-out answer showing a count
    # is kept at most BTL_PUBLIC_MAX_AGE seconds
    @public_field
    def recommend_count(self, info: Info) -> int:
        note_lagging(info.context.runtime.settings.public_max_age)
        return self.model.recommend_count

    @viewer_field
    async def viewer_has_recommended(self, info: Info) -> bool:
        if info.context.viewer is None:
            return False
        loader = info.context.loaders.recommended_ids_by_article
        return self.model.id in await loader.load(self.model.article_id)

    @viewer_field(
        description="True when the viewer ignores this comment's author (clients collapse it)."
    )
    async def viewer_ignores_author(self, info: Info) -> bool:
        viewer = info.context.viewer
        if viewer is None or self.model.author_id is None:
            return False
        ignored = await info.context.loaders.ignored_ids_by_user.load(viewer.id)
        return self.model.author_id in ignored

    @public_field(description="An editors' pick.")
    def featured(self) -> bool:
        return curation.is_featured(self.model)

    @staff_field(description="Moderators and admins only.")
    def open_report_count(self) -> int | None:
        return self.model.open_report_count

    @staff_field(description="Moderators and admins only.")
    async def reports(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[ReportConnection, strawberry.lazy("schema.types.reports")] | None:
        from schema.types.reports import reports_of

        return await reports_of(info, self.model.id, 20 if first is None else first, after)

    @staff_field(description="Earlier texts, oldest first. Moderators and admins only.")
    async def revisions(self, info: Info) -> list[CommentRevisionType] | None:
        rows = await info.context.loaders.revisions_by_comment_id.load(self.model.id)
        return [CommentRevisionType(model=r) for r in rows]


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class CommentEdge:
    cursor: str
    node: CommentType


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class CommentConnection:
    edges: list[CommentEdge]
    page_info: PageInfo

    @classmethod
    def of(
        cls, page: threads.Page[models.Comment], reported_ids: frozenset[int] | None = None
    ) -> CommentConnection:
        cursors = page.cursors or [threads.encode_cursor(c.created_at, c.id) for c in page.items]
        edges = [
            CommentEdge(cursor=cursor, node=CommentType(model=c, reported_ids=reported_ids))
            for c, cursor in zip(page.items, cursors, strict=True)
        ]
        return cls(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], page.has_next),
        )
