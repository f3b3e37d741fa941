from __future__ import annotations

from datetime import datetime

import strawberry

from schema.audience import Audience, audience
from schema.freshness import note_epoch
from service import models


@audience(Audience.PUBLIC)
@strawberry.type(name="CommunityRules")
class CommunityRulesType:
    version: int
    body: str
    updated_at: datetime = strawberry.field(description="Shown to readers as 'Last Updated'.")

    def __post_init__(self) -> None:
        note_epoch()  # publishing new rules moves the epoch

    @classmethod
    def of(cls, rules: models.CommunityRules) -> CommunityRulesType:
        return cls(version=rules.version, body=rules.body, updated_at=rules.updated_at)
