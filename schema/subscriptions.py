"""Live updates of a thread over the websocket (graphql-transport-ws or graphql-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import Enum

import strawberry

from schema.audience import Audience, audience
from schema.context import Info
from schema.live_feeds import FeedTooSlow
from schema.loaders import Loaders
from schema.types.comments import CommentType
from service import articles, comments, events, visibility
from service.accounts import is_staff
from service.errors import NotFound
from service.live import TOO_SLOW


@strawberry.enum(name="CommentEventKind")
class CommentEventKind(Enum):
    ADDED = "ADDED"
    UPDATED = "UPDATED"


@audience(Audience.VIEWER)  # as the subscriber may see it
@strawberry.type(name="CommentEvent")
class CommentEventType:
    kind: CommentEventKind
    comment: CommentType


@audience(Audience.VIEWER)
@strawberry.type(name="Subscription")
class CommentSubscriptions:
    @strawberry.subscription(
        description="Live updates of one article's thread, as the viewer may see them."
    )
    async def comment_events(
        self, info: Info, article_id: strawberry.ID
    ) -> AsyncGenerator[CommentEventType, None]:
        article = articles.check_article_id(str(article_id))
        ctx = info.context
        try:
            async for event in events.subscribe(article):
                try:
                    comment = await event.comment(comments.get)  # once for all feeds
                except NotFound:
                    continue
                if ctx.live is not None and not await ctx.live.confirm():
                    return  # the session ended or the account changed: the socket is closing
                viewer = ctx.viewer
                viewer_id = viewer.id if viewer is not None else None
                if not visibility.announced_to(comment, viewer_id, staff=is_staff(viewer)):
                    continue  # a pending comment: for its author and staff only
                ctx.loaders = Loaders(ctx.viewer)  # each event read fresh, like a request
                # fields read through CommentType: body null for readers unless PUBLISHED
                yield CommentEventType(
                    kind=CommentEventKind(event.kind.value), comment=CommentType(model=comment)
                )
        except events.SubscriberTooSlow:
            if ctx.live is None:  # a shared feed's: it closes each of its sockets
                raise FeedTooSlow from None
            ctx.live.close(*TOO_SLOW)
