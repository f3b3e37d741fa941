"""Query fields for threads: article, articles, comment."""

from __future__ import annotations

import strawberry

from schema.audience import public_field, viewer_is_staff
from schema.context import Info
from schema.freshness import note_article
from schema.types.articles import ArticleType
from schema.types.comments import CommentType
from service import articles, comments, visibility
from service.errors import NotFound


@strawberry.type
class ThreadQueries:
    @public_field(
        description="An article by the publisher's story id. An article the service has "
        "not seen yet reads as open with no comments."
    )
    async def article(self, info: Info, id: strawberry.ID) -> ArticleType:
        return ArticleType(model=await articles.get(str(id)))

    @public_field(
        description="Many articles at once, e.g. comment counts for a section page "
        "(at most 100 ids)."
    )
    async def articles(self, info: Info, ids: list[strawberry.ID]) -> list[ArticleType]:
        return [ArticleType(model=a) for a in await articles.get_many([str(i) for i in ids])]

    @public_field
    async def comment(self, info: Info, id: strawberry.ID) -> CommentType | None:
        try:
            comment = await comments.get(str(id))
        except NotFound:
            return None
        if info.context.cache_deps is not None:  # signed out: the answer follows the thread
            note_article(await info.context.loaders.article_by_id.load(comment.article_id))
        viewer = info.context.viewer
        viewer_id = viewer.id if viewer is not None else None
        if visibility.sees(comment, viewer_id, staff=viewer_is_staff(info)):
            return CommentType(model=comment)
        return None
