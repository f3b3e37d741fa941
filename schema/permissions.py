"""Who may do what: declared here once, used by every resolver."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info
from service.accounts import is_staff, status_of
from service.errors import Forbidden, Unauthenticated
from service.models import Role, User, UserStatus


def require_viewer(info: Info) -> User:
    viewer = info.context.viewer
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    return viewer


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == Role.ADMIN


def sees_private_fields_of(info: Info, user_id: int | None) -> bool:
    """Self, moderators and admins see a user's private fields; nobody else does."""
    viewer = info.context.viewer
    return viewer is not None and (viewer.id == user_id or is_staff(viewer))


def viewer_is_staff(info: Info) -> bool:
    return is_staff(info.context.viewer)


class IsAuthenticated(BasePermission):
    message = "Sign in first."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None


class _RolePermission(BasePermission):
    roles: tuple[Role, ...] = ()

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
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
