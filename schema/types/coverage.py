from __future__ import annotations

from datetime import datetime

import strawberry

from schema.audience import Audience, audience
from schema.freshness import note_until
from service import coverage

strawberry.enum(coverage.CoverageLevel, name="CoverageLevel")
CoverageLevel = coverage.CoverageLevel


@audience(Audience.PUBLIC)
@strawberry.type(name="ModerationCoverage")
class ModerationCoverageType:
    level: CoverageLevel
    schedule: str = strawberry.field(
        description="Human-readable schedule, e.g. 'Mon-Fri 09:00-18:00 Europe/London'."
    )
    next_change_at: datetime = strawberry.field(description="When the level changes next.")
    auto_hide_threshold: int | None = strawberry.field(
        description="Distinct reporters that hide a comment automatically at this level; "
        "null: never."
    )

    def __post_init__(self) -> None:
        note_until(self.next_change_at)  # the level changes by the clock then

    @classmethod
    def of(cls, value: coverage.Coverage) -> ModerationCoverageType:
        return cls(
            level=value.level,
            schedule=value.schedule,
            next_change_at=value.next_change_at,
            auto_hide_threshold=value.auto_hide_threshold,
        )
