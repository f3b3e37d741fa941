"""Query fields that are not about a thread: people, rules, coverage."""

from __future__ import annotations

import strawberry

from schema.audience import public_field, viewer_field
from schema.context import Info
from schema.freshness import note_epoch
from schema.types.coverage import ModerationCoverageType
from schema.types.rules import CommunityRulesType
from schema.types.users import UserType, user_or_none
from service import accounts, rules
from service.clock import now
from service.errors import NotFound


@strawberry.type
class AccountQueries:
    @viewer_field(description="The signed-in user, or null.")
    def me(self, info: Info) -> UserType | None:
        return user_or_none(info.context.viewer)

    @public_field(description="Public profile; private fields as documented on User.")
    async def user(self, info: Info, id: strawberry.ID) -> UserType | None:
        try:
            return UserType(model=await accounts.get_user(str(id)))
        except NotFound:
            return None

    @public_field(description="Null until the first rules are published.")
    async def community_rules(self, info: Info) -> CommunityRulesType | None:
        note_epoch()  # none yet: the first publication moves the epoch
        latest = await rules.current()
        return CommunityRulesType.of(latest) if latest else None

    @public_field
    def moderation_coverage(self, info: Info) -> ModerationCoverageType:
        return ModerationCoverageType.of(info.context.runtime.coverage.at(now()))
