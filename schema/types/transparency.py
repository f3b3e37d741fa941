"""The transparency report's figures (admins)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.audience import Audience, audience
from service import transparency


@audience(Audience.STAFF)  # reached through an admins' query
@strawberry.type
class KindCount:
    kind: str
    count: int


def _counts(counted: dict[str, int]) -> list[KindCount]:
    return [KindCount(kind=kind, count=count) for kind, count in counted.items()]


@audience(Audience.STAFF)
@strawberry.type
class TransparencyReport:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    reports_received: int
    notices_received: list[KindCount]
    notice_decisions: list[KindCount]
    median_hours_to_notice_decision: float | None = strawberry.field(
        description="Median hours from a notice's receipt to its decision; "
        "null when none was decided."
    )
    restrictions: list[KindCount]
    automated_restrictions: int = strawberry.field(
        description="Restrictions no person decided (auto-hide, a poster's silence)."
    )
    appeals_lodged: int
    appeals_reversed: int

    @classmethod
    def of(cls, report: transparency.TransparencyReport) -> TransparencyReport:
        return cls(
            from_=report.start,
            to=report.end,
            reports_received=report.reports_received,
            notices_received=_counts(report.notices_received),
            notice_decisions=_counts(report.notice_decisions),
            median_hours_to_notice_decision=report.median_hours_to_notice_decision,
            restrictions=_counts(report.restrictions),
            automated_restrictions=report.automated_restrictions,
            appeals_lodged=report.appeals_lodged,
            appeals_reversed=report.appeals_reversed,
        )
