"""Query fields for the legal team: the notice queue, the appeals, the transparency figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.audience import gated_staff_field
from schema.context import Info
from schema.permissions import IsAdmin, IsModerator
from schema.types.notices import LegalNoticeConnection, NoticeKind, NoticeStatus
from schema.types.statements import AppealConnection, AppealStatus
from schema.types.transparency import TransparencyReport
from service import appeals, models, notices, transparency


@strawberry.type
class LegalQueries:
    @gated_staff_field(
        description="Moderators and admins: nearest deadline first, then oldest.",
        permission_classes=[IsModerator],
    )
    async def legal_notices(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: NoticeStatus | None = None,
        kind: NoticeKind | None = None,
    ) -> LegalNoticeConnection:
        page = await notices.page(
            first=20 if first is None else first,
            after=after,
            status=models.NoticeStatus(status) if status else None,
            kind=models.NoticeKind(kind) if kind else None,
        )
        return LegalNoticeConnection.of(page, by_deadline=True)

    @gated_staff_field(
        description="Moderators and admins: oldest first.", permission_classes=[IsModerator]
    )
    async def appeals(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: AppealStatus | None = None,
    ) -> AppealConnection:
        page = await appeals.page(
            first=20 if first is None else first,
            after=after,
            status=models.AppealStatus(status) if status else None,
        )
        return AppealConnection.of(page)

    @gated_staff_field(
        description="Admins: the figures a transparency report needs, for [from, to).",
        permission_classes=[IsAdmin],
    )
    async def transparency_report(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> TransparencyReport:
        return TransparencyReport.of(await transparency.report(from_, to))
