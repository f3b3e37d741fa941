"""Admins; the entitlement mutations also for the subscription system's API key."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.permissions import IsAdmin, IsAdminOrEntitlementsKey, require_viewer
from schema.results import result_of
from schema.types.errors import InvalidInput, NotFound
from schema.types.rules import CommunityRulesType
from schema.types.users import EntitlementType, Role, UserType
from service import accounts, entitlements, rules

EntitlementResult = Annotated[
    EntitlementType | NotFound | InvalidInput, strawberry.union("EntitlementResult")
]
SetRoleResult = Annotated[UserType | NotFound | InvalidInput, strawberry.union("SetRoleResult")]
PublishRulesResult = Annotated[
    CommunityRulesType | InvalidInput, strawberry.union("PublishRulesResult")
]


@strawberry.input
class GrantEntitlementInput:
    user_id: strawberry.ID
    product: str
    starts_at: datetime
    ends_at: datetime | None = None


@strawberry.type
class AdminMutations:
    @strawberry.mutation(permission_classes=[IsAdminOrEntitlementsKey])
    async def grant_entitlement(
        self, info: Info, input: GrantEntitlementInput
    ) -> EntitlementResult:
        return await result_of(
            entitlements.grant(
                user_id=str(input.user_id),
                product=input.product,
                starts_at=input.starts_at,
                ends_at=input.ends_at,
            ),
            lambda e: EntitlementType(model=e),
        )

    @strawberry.mutation(permission_classes=[IsAdminOrEntitlementsKey])
    async def revoke_entitlement(self, info: Info, id: strawberry.ID) -> EntitlementResult:
        return await result_of(entitlements.revoke(str(id)), lambda e: EntitlementType(model=e))

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def set_user_role(self, info: Info, user_id: strawberry.ID, role: Role) -> SetRoleResult:
        return await result_of(
            accounts.set_role(require_viewer(info), str(user_id), role),
            lambda user: UserType(model=user),
        )

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def publish_community_rules(self, info: Info, body: str) -> PublishRulesResult:
        return await result_of(rules.publish(body), CommunityRulesType.of)
