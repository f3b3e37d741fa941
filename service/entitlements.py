"""Entitlements: subscription records granted by the publisher's subscription system."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from service.accounts import get_user
from service.clock import now
from service.config import Settings
from service.errors import InvalidInput, NotFound
from service.models import Entitlement
from service.text import as_id


def is_active(entitlement: Entitlement, settings: Settings, at: datetime | None = None) -> bool:
    """startsAt <= now < endsAt (+ grace), and not revoked."""
    moment = at or now()
    if entitlement.revoked_at is not None or entitlement.starts_at > moment:
        return False
    if entitlement.ends_at is None:
        return True
    return moment < entitlement.ends_at + timedelta(seconds=settings.entitlement_grace_seconds)


def entitles_commenting(entitlement: Entitlement, settings: Settings) -> bool:
    products = settings.commenting_products
    return (not products or entitlement.product in products) and is_active(entitlement, settings)


def is_subscriber(entitlements: Iterable[Entitlement], settings: Settings) -> bool:
    return any(entitles_commenting(e, settings) for e in entitlements)


async def grant(
    *, user_id: str, product: str, starts_at: datetime, ends_at: datetime | None
) -> Entitlement:
    product = product.strip()
    if not 1 <= len(product) <= 64:
        raise InvalidInput("A product name has 1 to 64 characters.", "product")
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput("endsAt must be after startsAt.", "endsAt")
    user = await get_user(user_id)
    return await Entitlement.create(
        user=user, product=product, starts_at=starts_at, ends_at=ends_at, created_at=now()
    )


async def revoke(entitlement_id: str) -> Entitlement:
    number = as_id(entitlement_id)
    entitlement = await Entitlement.filter(id=number).first() if number is not None else None
    if entitlement is None:
        raise NotFound("No such entitlement.")
    if entitlement.revoked_at is None:  # revoking twice returns the same record
        entitlement.revoked_at = now()
        await entitlement.save(update_fields=["revoked_at"])
    return entitlement
