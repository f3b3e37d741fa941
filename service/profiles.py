"""Profiles: a reader changes their display name; anyone reads a reader's public history."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import public_versions
from service.display_names import clean_display_name, display_name_key
from service.errors import InvalidInput, Unauthenticated
from service.models import Comment, CommentStatus, User
from service.runtime import Runtime
from service.threads import Page, after_filter, keyset_page

NAME_TAKEN = "That display name is taken."


async def update_profile(rt: Runtime, viewer: User | None, *, display_name: str) -> User:
    """A new display name, unique by the same rule as at registration; every cached
    signed-out answer showing the old one is stale at once (the public epoch)."""
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    name = clean_display_name(display_name)
    key = display_name_key(name)
    await rt.limiter.hit("profile", f"user:{viewer.id}")
    try:
        async with in_transaction():
            if await User.filter(display_name_key=key).exclude(id=viewer.id).exists():
                raise InvalidInput(NAME_TAKEN, "displayName")
            await User.filter(id=viewer.id).update(display_name=name, display_name_key=key)
            await public_versions.bump_epoch()  # User.displayName is public
    except IntegrityError:  # lost a race with someone taking the same name
        raise InvalidInput(NAME_TAKEN, "displayName") from None
    viewer.display_name, viewer.display_name_key = name, key
    return viewer


async def history(user_id: int, *, first: int, after: str | None) -> Page[Comment]:
    """The user's published comments across articles, newest first."""
    query = Comment.filter(author_id=user_id, status=CommentStatus.PUBLISHED)
    if after:
        query = query.filter(after_filter(after, descending=True))
    return await keyset_page(query, "-created_at", "-id", first=first)
