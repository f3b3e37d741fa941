"""Single sign-on: a token from the publisher's own login becomes a btl session.

The account is the one with the token's (issuer, sub), created at the first sign-in, never
one found by email: a publisher's login that does not verify emails must not hand anyone
another reader's account.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import accounts, display_names, sessions
from service.clock import now
from service.errors import InvalidCredentials, InvalidInput, NotAllowed
from service.models import Entitlement, EntitlementSource, User
from service.moments import parse_moment
from service.runtime import Runtime

MAX_SUBJECT = 255
MAX_CLAIMED_ENTITLEMENTS = 50
FALLBACK_NAME = "Reader"  # for a token whose `name` is missing or cannot be a display name


@dataclass(frozen=True, slots=True)
class ClaimedEntitlement:
    product: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True, slots=True)
class PublisherIdentity:
    issuer: str
    subject: str
    name: str | None
    email: str | None
    # None: the token has no `entitlements` claim, and the reader's SSO ones stay as they are
    entitlements: tuple[ClaimedEntitlement, ...] | None


async def sign_in(rt: Runtime, token: str, *, client_address: str) -> sessions.IssuedSession:
    """Verify the token and open a session for its reader, creating the account at first."""
    if not rt.settings.sso_enabled:
        raise NotAllowed("Signing in through the publisher is not set up here.")
    address_key = "sso-address:" + client_address
    await rt.limiter.check("login", address_key)
    try:
        identity = identity_of(await rt.publisher_keys.claims_of(token))
    except InvalidCredentials:
        await rt.limiter.hit("login", address_key)
        raise
    for attempt in range(3):
        try:
            async with in_transaction():
                user = await _account(identity)
                await _keep_email(user, identity.email)
                if identity.entitlements is not None:
                    await _replace_sso_entitlements(user, identity.entitlements)
                # the subscription system's entitlements for this reader, sent before today
                await Entitlement.filter(user_id__isnull=True, subject=identity.subject).update(
                    user_id=user.id
                )
                return await sessions.issue(user, rt.settings.session_ttl_seconds)
        except IntegrityError:  # a first sign-in racing another one (same reader or name)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def identity_of(claims: dict[str, Any]) -> PublisherIdentity:
    """Read the claims btl uses; a `sub` or `entitlements` btl cannot use refuses the token."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not 1 <= len(subject) <= MAX_SUBJECT:
        raise InvalidCredentials(f"The token's `sub` must be 1 to {MAX_SUBJECT} characters.")
    name, email = claims.get("name"), claims.get("email")
    return PublisherIdentity(
        issuer=str(claims["iss"]),
        subject=subject,
        name=name if isinstance(name, str) else None,
        email=_usable_email(email),
        entitlements=_claimed_entitlements(claims["entitlements"])
        if "entitlements" in claims
        else None,
    )


def _usable_email(email: object) -> str | None:
    """An email is optional: one btl cannot read is left out rather than refusing the reader."""
    if not isinstance(email, str):
        return None
    try:
        return accounts.clean_email(email)
    except InvalidInput:
        return None


def _claimed_entitlements(claim: object) -> tuple[ClaimedEntitlement, ...]:
    shape = "The token's `entitlements` must be a list of {product, startsAt, endsAt}"
    if not isinstance(claim, list) or len(claim) > MAX_CLAIMED_ENTITLEMENTS:
        raise InvalidCredentials(f"{shape} (at most {MAX_CLAIMED_ENTITLEMENTS}).")
    found = []
    for item in claim:
        product = item.get("product") if isinstance(item, dict) else None
        if not isinstance(product, str) or not 1 <= len(product.strip()) <= 64:
            raise InvalidCredentials(f"{shape}: each product has 1 to 64 characters.")
        try:
            starts_at = parse_moment(item.get("startsAt"), "startsAt")
            ends = item.get("endsAt")
            ends_at = parse_moment(ends, "endsAt") if ends is not None else None
        except InvalidInput as exc:
            raise InvalidCredentials(f"{shape}: {exc.message}") from None
        if ends_at is not None and ends_at <= starts_at:
            raise InvalidCredentials(f"{shape}: endsAt must be after startsAt.")
        found.append(ClaimedEntitlement(product.strip(), starts_at, ends_at))
    return tuple(found)


async def _account(identity: PublisherIdentity) -> User:
    user = await User.filter(
        external_issuer=identity.issuer, external_subject=identity.subject
    ).first()
    if user is not None:
        return user
    display_name = await _unique_display_name(identity.name)
    return await User.create(
        email=None,  # set by _keep_email when no other account holds it
        display_name=display_name,
        display_name_key=display_names.display_name_key(display_name),
        password_hash=None,
        external_issuer=identity.issuer,
        external_subject=identity.subject,
        created_at=now(),
    )


async def _keep_email(user: User, email: str | None) -> None:
    """The token's email, unless another account holds it (that account stays its own)."""
    if email is None or email == user.email:
        return
    if await User.filter(email=email).exclude(id=user.id).exists():
        return
    user.email = email
    await user.save(update_fields=["email"])


async def _replace_sso_entitlements(user: User, claimed: tuple[ClaimedEntitlement, ...]) -> None:
    held = await Entitlement.filter(user_id=user.id, source=EntitlementSource.SSO)
    same = sorted((e.product, e.starts_at, e.ends_at) for e in held if e.revoked_at is None)
    wanted = sorted((c.product, c.starts_at, c.ends_at) for c in claimed)
    if same == wanted and len(held) == len(same):
        return  # nothing changed: the ids readers' clients hold stay valid
    await Entitlement.filter(user_id=user.id, source=EntitlementSource.SSO).delete()
    created = now()
    for entitlement in claimed:
        await Entitlement.create(
            user=user,
            product=entitlement.product,
            starts_at=entitlement.starts_at,
            ends_at=entitlement.ends_at,
            source=EntitlementSource.SSO,
            created_at=created,
        )


async def _unique_display_name(suggestion: str | None) -> str:
    """The token's `name` as a display name (the same cleaning as everyone's), made unique
    with a numeric suffix; a name that cannot be one falls back to "Reader"."""
    base = FALLBACK_NAME
    if suggestion is not None:
        with contextlib.suppress(InvalidInput):
            base = display_names.clean_display_name(suggestion[: display_names.MAX_DISPLAY_NAME])
    for suffix in _suffixes():
        room = display_names.MAX_DISPLAY_NAME - len(suffix)
        try:
            candidate = display_names.clean_display_name(base[:room].rstrip() + suffix)
        except InvalidInput:
            continue
        if not await accounts.display_name_taken(candidate):
            return candidate
    raise InvalidCredentials("No display name could be made from the token's `name`.")


def _suffixes() -> Iterator[str]:
    yield ""
    for number in range(2, 10):
        yield f" {number}"
    for digits in (4, 6, 8):  # a popular name: random numbers find a free one quickly
        for _ in range(5):
            yield f" {secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)}"
