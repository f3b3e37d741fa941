"""Query fields that are not about a thread: people, rules, coverage."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.public_cache import note_uncacheable
from schema.types.coverage import ModerationCoverageType
from schema.types.rules import CommunityRulesType
from schema.types.users import UserType, user_or_none
from service import accounts, rules
from service.clock import now
from service.errors import NotFound


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in user, or null.")
    def me(self, info: Info) -> UserType | None:
        return user_or_none(info.context.viewer)

    @strawberry.field(description="Public profile; private fields as documented on User.")
    async def user(self, info: Info, id: strawberry.ID) -> UserType | None:
        note_uncacheable(info.context.cache_deps)
        try:
            return UserType(model=await accounts.get_user(str(id)))
        except NotFound:
            return None

    @strawberry.field(description="Null until the first rules are published.")
    async def community_rules(self, info: Info) -> CommunityRulesType | None:
        note_uncacheable(info.context.cache_deps)
        latest = await rules.current()
        return CommunityRulesType.of(latest) if latest else None

    @strawberry.field
    def moderation_coverage(self, info: Info) -> ModerationCoverageType:
        note_uncacheable(info.context.cache_deps)
        return ModerationCoverageType.of(info.context.runtime.coverage.at(now()))
