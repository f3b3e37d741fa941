"""The viewer's own data, for an access or portability request."""

from __future__ import annotations

import strawberry

from schema.audience import viewer_field
from schema.context import Info
from schema.permissions import IsAuthenticated
from service import my_data


@strawberry.type
class PrivacyQueries:
    @viewer_field(
        description="Signed in: everything btl holds about the viewer, as one JSON document "
        "(a data-access or portability request).",
        permission_classes=[IsAuthenticated],
    )
    async def my_data(self, info: Info) -> str:
        ctx = info.context
        return await my_data.export(ctx.runtime, ctx.viewer)
