"""API keys: bearer tokens for machine callers (the subscription system, the CMS).

A key belongs to no user: it may call exactly the operations its scopes name. Like a
session token it is shown once and only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from tortoise.exceptions import IntegrityError

from service.clock import now
from service.errors import InvalidInput, NotFound
from service.models import ApiKey

# tells a key from a session token without a database read (session tokens are 43
# url-safe characters, so one could begin with it: such a token is tried as a session too)
PREFIX = "btlk_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class Scope(StrEnum):
    ENTITLEMENTS = "entitlements"  # grantEntitlement, revokeEntitlement, upsertEntitlement
    ARTICLES = "articles"  # configureArticle, setCommenting


@dataclass(frozen=True, slots=True)
class ApiKeyCaller:
    """Who is calling when a request carries an API key."""

    name: str
    scopes: frozenset[Scope]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(text: str) -> frozenset[Scope]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    known = ", ".join(scope.value for scope in Scope)
    if not names:
        raise InvalidInput(f"Give at least one scope: {known}.", "scope")
    for name in names:
        if name not in {scope.value for scope in Scope}:
            raise InvalidInput(f"Unknown scope {name!r}: expected {known}.", "scope")
    return frozenset(Scope(name) for name in names)


def scopes_of(key: ApiKey) -> frozenset[Scope]:
    return frozenset(Scope(name) for name in key.scopes.split(",") if name)


async def create(name: str, scopes: frozenset[Scope]) -> tuple[ApiKey, str]:
    """Store a new key; return it with the token, which is never stored nor shown again."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            "A key's name has 1 to 100 letters, digits, '.', '_' or '-' (e.g. subscriptions).",
            "name",
        )
    token = PREFIX + secrets.token_urlsafe(32)  # 256 bits
    try:
        key = await ApiKey.create(
            name=name,
            token_hash=_digest(token),
            scopes=",".join(sorted(scopes)),
            created_at=now(),
        )
    except IntegrityError:  # names stay taken after revocation: the log of keys stays readable
        raise InvalidInput(f"There is already a key named {name!r}.", "name") from None
    return key, token


async def all_keys() -> list[ApiKey]:
    return await ApiKey.all().order_by("created_at", "id")


async def revoke(name: str) -> ApiKey:
    key = await ApiKey.filter(name=name).first()
    if key is None:
        raise NotFound(f"No API key is named {name!r}.")
    if key.revoked_at is None:  # revoking twice keeps the first time
        key.revoked_at = now()
        await key.save(update_fields=["revoked_at"])
    return key


def looks_like_key(token: str) -> bool:
    return token.startswith(PREFIX)


async def authenticate(token: str) -> ApiKeyCaller | None:
    """The caller a live key belongs to; None for an unknown or revoked key."""
    key = await ApiKey.filter(token_hash=_digest(token), revoked_at=None).first()
    return ApiKeyCaller(key.name, scopes_of(key)) if key is not None else None
