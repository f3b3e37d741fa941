"""Publisher integration: signInWithPublisherToken, upsertEntitlement."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from schema.context import Info
from schema.permissions import IsAdminOrEntitlementsKey
from schema.results import result_of
from schema.types.errors import InvalidCredentials, InvalidInput, NotAllowed, RateLimited
from schema.types.users import AuthSessionType, EntitlementType
from service import sessions, sso, subscriptions_sync
from service.models import Entitlement

SsoSignInResult = Annotated[
    AuthSessionType | InvalidCredentials | NotAllowed | RateLimited,
    strawberry.union("SsoSignInResult"),
]
UpsertEntitlementResult = Annotated[
    EntitlementType | InvalidInput, strawberry.union("UpsertEntitlementResult")
]


@strawberry.input
class UpsertEntitlementInput:
    ref: str = strawberry.field(
        description="The subscription system's own id for this entitlement: the key of the upsert."
    )
    user_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The reader, by btl's id or by the publisher's (the SSO `sub`); exactly one. "
        "A subject that has not signed in yet gets it at first sign-in.",
    )
    subject: str | None = None
    product: str
    starts_at: datetime
    ends_at: datetime | None = None
    revoked: bool | None = False
    updated_at: datetime = strawberry.field(
        description="When the subscription system last changed it; an update older than the "
        "one stored is ignored."
    )


def _session(info: Info, issued: sessions.IssuedSession) -> AuthSessionType:
    # the answer belongs to the new session: its user sees their own private fields
    info.context.viewer = issued.user
    return AuthSessionType.of(issued)


def _entitlement(entitlement: Entitlement | None) -> EntitlementType:
    assert entitlement is not None  # only a webhook's redelivery answers None
    return EntitlementType(model=entitlement)


@strawberry.type
class PublisherMutations:
    @strawberry.mutation(
        description="Sign in with a token from the publisher's own login (single sign-on); "
        "the account is created on first use."
    )
    async def sign_in_with_publisher_token(self, info: Info, token: str) -> SsoSignInResult:
        ctx = info.context
        return await result_of(
            sso.sign_in(ctx.runtime, token, client_address=ctx.client_address),
            lambda issued: _session(info, issued),
        )

    @strawberry.mutation(
        description="Admins and API keys with the `entitlements` scope: create or update an "
        "entitlement by the subscription system's id.",
        permission_classes=[IsAdminOrEntitlementsKey],
    )
    async def upsert_entitlement(
        self, info: Info, input: UpsertEntitlementInput
    ) -> UpsertEntitlementResult:
        update = subscriptions_sync.EntitlementUpdate(
            ref=input.ref,
            user_id=str(input.user_id) if input.user_id is not None else None,
            subject=input.subject,
            product=input.product,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            revoked=bool(input.revoked),
            updated_at=input.updated_at,
        )
        return await result_of(
            subscriptions_sync.upsert(update, info.context.runtime.settings), _entitlement
        )
