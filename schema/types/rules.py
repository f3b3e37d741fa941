from __future__ import annotations

from datetime import datetime

import strawberry

from service import models


@strawberry.type(name="CommunityRules")
class CommunityRulesType:
    version: int
    body: str
    updated_at: datetime = strawberry.field(description="Shown to readers as 'Last Updated'.")

    @classmethod
    def of(cls, rules: models.CommunityRules) -> CommunityRulesType:
        return cls(version=rules.version, body=rules.body, updated_at=rules.updated_at)
