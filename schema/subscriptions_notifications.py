"""The signed-in viewer's own new notifications, live over the websocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from schema.audience import Audience, audience
from schema.context import Info
from schema.types.notifications import NotificationType
from service import events, notifications
from service.errors import Unauthenticated

# a wake-up may come before the notification's transaction commits: look again this long
COMMIT_WAIT_SECONDS = 5.0
LOOK_AGAIN_SECONDS = 0.05


@audience(Audience.VIEWER)
@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(description="The signed-in viewer's own new notifications.")
    async def notification_events(self, info: Info) -> AsyncGenerator[NotificationType, None]:
        viewer = info.context.viewer  # signed in at connection_init (web/websocket.py)
        if viewer is None:
            raise Unauthenticated("Sign in to receive your notifications.")
        delivered = await notifications.latest_id(viewer.id)
        async for event in events.subscribe_notifications(viewer.id):
            waited = 0.0
            while event.notification_id > delivered:
                live = info.context.live
                if live is not None and not await live.confirm():
                    return  # the session ended or the account changed: the socket is closing
                for notification in await notifications.since(viewer.id, delivered):
                    delivered = notification.id
                    yield NotificationType(model=notification)
                if event.notification_id <= delivered or waited >= COMMIT_WAIT_SECONDS:
                    break
                await asyncio.sleep(LOOK_AGAIN_SECONDS)
                waited += LOOK_AGAIN_SECONDS
