from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.audience import Audience, audience, public_field, self_field
from schema.context import Info
from schema.freshness import note_epoch, note_uncovered
from service import accounts, entitlements, ignores, models, profiles, sessions, threads

if TYPE_CHECKING:
    from schema.types.comments import CommentConnection

if TYPE_CHECKING:
    from schema.types.notices import LegalNoticeConnection
    from schema.types.notifications import NotificationConnection
    from schema.types.statements import StatementConnection

strawberry.enum(models.Role, name="Role")
Role = models.Role
strawberry.enum(models.UserStatus, name="UserStatus")
UserStatus = models.UserStatus
strawberry.enum(models.EntitlementSource, name="EntitlementSource")
EntitlementSource = models.EntitlementSource


# reached through User.entitlements (SELF) or an admin's own mutation
@audience(Audience.SELF)
@strawberry.type(name="Entitlement")
class EntitlementType:
    model: strawberry.Private[models.Entitlement]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field(description="The subscription product, e.g. 'digital', 'print+digital'.")
    def product(self) -> str:
        return self.model.product

    @strawberry.field
    def starts_at(self) -> datetime:
        return self.model.starts_at

    @strawberry.field(description="Null: open-ended.")
    def ends_at(self) -> datetime | None:
        return self.model.ends_at

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.model.revoked_at

    @strawberry.field(
        description="startsAt <= now < endsAt (plus the configured grace period), and not revoked."
    )
    def active(self, info: Info) -> bool:
        return entitlements.is_active(self.model, info.context.runtime.settings)

    @strawberry.field(description="Where it came from.")
    def source(self) -> EntitlementSource:
        return self.model.source

    @strawberry.field(
        description="The subscription system's own id for it (upsertEntitlement, the webhook); "
        "null for others."
    )
    def ref(self) -> str | None:
        return self.model.ref


@strawberry.type(name="User")
class UserType:
    model: strawberry.Private[models.User]

    def __post_init__(self) -> None:
        note_epoch(until=self.model.suspended_until)

    @property
    def owner_id(self) -> int:
        """Whose SELF fields these are."""
        return self.model.id

    @public_field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @public_field
    def display_name(self) -> str:
        return self.model.display_name

    @public_field
    def created_at(self) -> datetime:
        return self.model.created_at

    @public_field
    def role(self) -> Role:
        return self.model.role

    @public_field
    def status(self) -> UserStatus:
        return accounts.status_of(self.model)

    @public_field
    def suspended_until(self) -> datetime | None:
        if accounts.status_of(self.model) == models.UserStatus.SUSPENDED:
            return self.model.suspended_until
        return None

    @self_field(description="Self, moderators and admins only; null for anyone else.")
    def email(self) -> str | None:
        return self.model.email

    @self_field(
        description="True while the user holds an active entitlement that allows commenting. "
        "Self, moderators and admins only."
    )
    async def is_subscriber(self, info: Info) -> bool | None:
        held = await info.context.loaders.entitlements_by_user_id.load(self.model.id)
        return entitlements.is_subscriber(held, info.context.runtime.settings)

    @self_field(description="Self, moderators and admins only.")
    async def entitlements(self, info: Info) -> list[EntitlementType] | None:
        held = await info.context.loaders.entitlements_by_user_id.load(self.model.id)
        return [EntitlementType(model=e) for e in held]

    @self_field(
        description="The version of the community rules this user last accepted. "
        "Self, moderators and admins only."
    )
    def accepted_rules_version(self) -> int | None:
        return self.model.accepted_rules_version

    # ------------------------------------------------------------ legal duties and the inbox

    @self_field(description="Self only.")
    async def notifications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        unread_only: bool | None = False,
    ) -> Annotated[NotificationConnection, strawberry.lazy("schema.types.notifications")] | None:
        from schema.types.user_legal import notifications_of

        return await notifications_of(info, self.model, first, after, bool(unread_only))

    @self_field(description="Self only.")
    async def unread_notification_count(self, info: Info) -> int | None:
        from schema.types.user_legal import unread_count_of

        return await unread_count_of(info, self.model)

    @self_field(
        description="Decisions restricting this user's comments or account, newest first. "
        "Self, moderators and admins only."
    )
    async def statements(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[StatementConnection, strawberry.lazy("schema.types.statements")] | None:
        from schema.types.user_legal import statements_of

        return await statements_of(self.model, first, after)

    @self_field(
        description="Legal notices about this user's comments, newest first. "
        "Self, moderators and admins only."
    )
    async def notices_about_me(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[LegalNoticeConnection, strawberry.lazy("schema.types.notices")] | None:
        from schema.types.user_legal import notices_about

        return await notices_about(self.model, first, after)

    @self_field(
        description="The publisher's id for this reader (the SSO token's `sub`), when they sign "
        "in through the publisher. Self, moderators and admins only."
    )
    def external_subject(self) -> str | None:
        return self.model.external_subject

    @self_field(
        description="When the account will be erased, after deleteMyAccount; null: not "
        "scheduled. Self, moderators and admins only."
    )
    def deletion_scheduled_at(self) -> datetime | None:
        return self.model.deletion_scheduled_at

    @public_field(description="Published comments, newest first: the reader's public history.")
    async def comments(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[CommentConnection, strawberry.lazy("schema.types.comments")]:
        from schema.types.comments import CommentConnection

        # across articles: no article's version covers it, so a signed-out answer showing it
        # is never kept
        note_uncovered()
        size = threads.check_first(20 if first is None else first)
        return CommentConnection.of(await profiles.history(self.model.id, first=size, after=after))

    # SELF, and narrower still: staff do not see whom a reader ignores
    @self_field(description="Users whose comments this user has chosen to ignore. Self only.")
    async def ignored_users(self, info: Info) -> list[UserType] | None:
        viewer = info.context.viewer
        if viewer is None or viewer.id != self.model.id:
            return None
        return [UserType(model=user) for user in await ignores.ignored_users(viewer.id)]


def user_or_none(user: models.User | None) -> UserType | None:
    return UserType(model=user) if user is not None else None


@audience(Audience.VIEWER)  # the caller's own new session
@strawberry.type(name="AuthSession")
class AuthSessionType:
    token: str = strawberry.field(
        description="Opaque bearer token. Shown once; the service stores only its hash."
    )
    expires_at: datetime
    user: UserType

    @classmethod
    def of(cls, issued: sessions.IssuedSession) -> AuthSessionType:
        return cls(
            token=issued.token, expires_at=issued.expires_at, user=UserType(model=issued.user)
        )
