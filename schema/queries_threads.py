"""Query fields for threads: article, articles, comment."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.permissions import viewer_is_staff
from schema.public_cache import note_article
from schema.types.articles import ArticleType
from schema.types.comments import CommentType
from service import articles, comments
from service.errors import NotFound
from service.models import CommentStatus


@strawberry.type
class ThreadQueries:
    @strawberry.field(
        description="An article by the publisher's story id. An article the service has "
        "not seen yet reads as open with no comments."
    )
    async def article(self, info: Info, id: strawberry.ID) -> ArticleType:
        article = await articles.get(str(id))
        note_article(info.context.cache_deps, article)
        return ArticleType(model=article)

    @strawberry.field(
        description="Many articles at once, e.g. comment counts for a section page "
        "(at most 100 ids)."
    )
    async def articles(self, info: Info, ids: list[strawberry.ID]) -> list[ArticleType]:
        found = await articles.get_many([str(i) for i in ids])
        for article in found:
            note_article(info.context.cache_deps, article)
        return [ArticleType(model=a) for a in found]

    @strawberry.field
    async def comment(self, info: Info, id: strawberry.ID) -> CommentType | None:
        try:
            comment = await comments.get(str(id))
        except NotFound:
            return None
        if info.context.cache_deps is not None:  # signed out: the answer follows the thread
            article = await info.context.loaders.article_by_id.load(comment.article_id)
            note_article(info.context.cache_deps, article)
        readers_see_it = comment.status == CommentStatus.PUBLISHED or comment.reply_count > 0
        if readers_see_it or viewer_is_staff(info):
            return CommentType(model=comment)
        return None
