"""Live updates of a thread over the websocket (graphql-transport-ws or graphql-ws)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from enum import Enum

import strawberry

from schema.audience import Audience, audience, viewer_is_staff
from schema.context import Info
from schema.requests import bearer_token
from schema.types.comments import CommentType
from service import articles, comments, events, sessions, visibility
from service.errors import NotFound


@strawberry.enum(name="CommentEventKind")
class CommentEventKind(Enum):
    ADDED = "ADDED"
    UPDATED = "UPDATED"


@audience(Audience.VIEWER)  # as the subscriber may see it
@strawberry.type(name="CommentEvent")
class CommentEventType:
    kind: CommentEventKind
    comment: CommentType


async def _sign_in_from_connection(info: Info) -> None:
    """Browsers can't set headers on a websocket: the token comes in connection_init."""
    ctx = info.context
    if ctx.viewer is not None or not ctx.connection_params:
        return
    token = bearer_token(ctx.request, ctx.connection_params)
    found = await sessions.authenticate(token) if token else None
    if found:
        ctx.viewer, ctx.session_id = found


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
        await _sign_in_from_connection(info)
        async for event in events.subscribe(article):
            try:
                comment = await comments.get(event.comment_id)
            except NotFound:
                continue
            viewer = info.context.viewer
            viewer_id = viewer.id if viewer is not None else None
            if not visibility.announced_to(comment, viewer_id, staff=viewer_is_staff(info)):
                continue
            # fields read through CommentType: body null for readers unless PUBLISHED
            yield CommentEventType(
                kind=CommentEventKind(event.kind.value), comment=CommentType(model=comment)
            )
