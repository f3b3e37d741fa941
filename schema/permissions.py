"""Who may do what: declared here once, used by every resolver."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info
from service.accounts import status_of
from service.api_keys import Scope
from service.errors import Forbidden, Unauthenticated
from service.models import Role, User, UserStatus

OUTSIDE_SCOPES = "An API key may call only the operations of its scopes."


def require_viewer(info: Info) -> User:
    viewer = info.context.viewer
    if viewer is None:
        if info.context.api_key is not None:  # a key is no user
            raise Forbidden(OUTSIDE_SCOPES)
        raise Unauthenticated("Sign in first.")
    return viewer


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == Role.ADMIN


class IsAuthenticated(BasePermission):
    message = "Sign in first."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.api_key is not None:
            raise Forbidden(OUTSIDE_SCOPES)
        return info.context.viewer is not None


class _RolePermission(BasePermission):
    roles: tuple[Role, ...] = ()
    # an API key with this scope may call it too; any other key gets FORBIDDEN
    key_scope: Scope | None = None

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        key = info.context.api_key
        if key is not None:
            if self.key_scope is not None and self.key_scope in key.scopes:
                return True
            raise Forbidden(OUTSIDE_SCOPES)
        viewer = info.context.viewer
        if viewer is None:
            raise Unauthenticated("Sign in first.")
        if viewer.role not in self.roles:
            raise Forbidden(self.message or "Not allowed.")
        # a banned or suspended account keeps its role but none of its powers
        status = status_of(viewer)
        if status != UserStatus.ACTIVE:
            raise Forbidden(f"Your account is {status.lower()}: staff actions are not available.")
        return True


class IsModerator(_RolePermission):
    message = "Moderators and admins only."
    roles = (Role.MODERATOR, Role.ADMIN)


class IsAdmin(_RolePermission):
    message = "Admins only."
    roles = (Role.ADMIN,)


class IsModeratorOrArticlesKey(IsModerator):
    message = "Moderators, admins and API keys with the `articles` scope only."
    key_scope = Scope.ARTICLES


class IsAdminOrArticlesKey(IsAdmin):
    message = "Admins and API keys with the `articles` scope only."
    key_scope = Scope.ARTICLES


class IsAdminOrEntitlementsKey(IsAdmin):
    message = "Admins and API keys with the `entitlements` scope only."
    key_scope = Scope.ENTITLEMENTS
