"""Query fields for moderators: the queue and the log."""

from __future__ import annotations

import strawberry

from schema.audience import gated_staff_field
from schema.context import Info
from schema.permissions import IsModerator
from schema.types.moderation import ModerationActionConnection, QueueConnection, QueueOrder
from service import moderation_log, queue


@strawberry.type
class ModerationQueries:
    @gated_staff_field(description="Moderators and admins.", permission_classes=[IsModerator])
    async def moderation_queue(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        order_by: QueueOrder | None = QueueOrder.OLDEST_REPORT,
    ) -> QueueConnection:
        page = await queue.page(
            first=20 if first is None else first,
            after=after,
            order=queue.QueueOrder(order_by or QueueOrder.OLDEST_REPORT),
        )
        return QueueConnection.of(page, await queue.total())

    @gated_staff_field(
        description="Moderators and admins. Newest first; filter by comment or by the user "
        "acted on.",
        permission_classes=[IsModerator],
    )
    async def moderation_log(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        comment_id: strawberry.ID | None = None,
        user_id: strawberry.ID | None = None,
    ) -> ModerationActionConnection:
        page = await moderation_log.page(
            first=20 if first is None else first,
            after=after,
            comment_id=str(comment_id) if comment_id is not None else None,
            user_id=str(user_id) if user_id is not None else None,
        )
        return ModerationActionConnection.of(page)
