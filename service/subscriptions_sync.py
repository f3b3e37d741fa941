"""Subscription sync: the subscription system keeps btl's entitlements in step by itself.

Each entitlement is keyed by the subscription system's own id (`ref`); an update older than
the one stored is ignored, so deliveries may come twice or out of order. The reader is named
by btl's id or by the publisher's (the SSO `sub`): a subject that has not signed in yet keeps
the entitlement until their first sign-in (service/sso.py attaches it). The GraphQL mutation
and the signed webhook both end in `upsert`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service.accounts import get_user
from service.clock import now
from service.config import Settings
from service.errors import InvalidInput, NotFound
from service.models import Entitlement, EntitlementSource, User, WebhookDelivery
from service.moments import parse_moment, require_offset
from service.text import has_control_characters

WEBHOOK_EVENT = "entitlement.upserted"
# a delivery older than this cannot pass the webhook's 5-minute timestamp check again
FORGET_DELIVERIES_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class EntitlementUpdate:
    ref: str
    user_id: str | None
    subject: str | None
    product: str
    starts_at: datetime
    ends_at: datetime | None
    revoked: bool
    updated_at: datetime


async def upsert(
    update: EntitlementUpdate, settings: Settings, *, delivery_id: str | None = None
) -> Entitlement | None:
    """Create or update the entitlement `update.ref`; the stored one when it is newer.

    With a webhook's `delivery_id`, a delivery already applied changes nothing (None)."""
    update = _checked(update)
    for attempt in range(2):
        try:
            async with in_transaction():
                if delivery_id is not None and not await _first_delivery(delivery_id):
                    return None
                return await _apply(update, settings)
        except IntegrityError:  # a concurrent first delivery of the same ref or webhook-id
            if attempt == 1:
                raise
    raise AssertionError("unreachable")


def update_from_webhook(payload: Any) -> EntitlementUpdate:
    """The webhook's body: {"type": "entitlement.upserted", "data": {UpsertEntitlementInput
    fields, camelCase}}; InvalidInput names the field at fault."""
    if not isinstance(payload, dict) or payload.get("type") != WEBHOOK_EVENT:
        expected = f'{{"type": "{WEBHOOK_EVENT}", "data": {{...}}}}'
        raise InvalidInput(f"The body must be {expected}.", "type")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise InvalidInput("`data` must be an object.", "data")
    user_id = data.get("userId")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    revoked = data.get("revoked", False)
    ends_at = data.get("endsAt")
    return EntitlementUpdate(
        ref=_text(data, "ref"),
        user_id=_optional_text(user_id, "userId"),
        subject=_optional_text(data.get("subject"), "subject"),
        product=_text(data, "product"),
        starts_at=parse_moment(data.get("startsAt"), "startsAt"),
        ends_at=parse_moment(ends_at, "endsAt") if ends_at is not None else None,
        revoked=_flag(revoked if revoked is not None else False, "revoked"),
        updated_at=parse_moment(data.get("updatedAt"), "updatedAt"),
    )


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str):
        raise InvalidInput(f"`{field}` is required and must be a string.", field)
    return value


def _optional_text(value: object, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"`{field}` must be a string.", field)
    return value


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"`{field}` must be true or false.", field)
    return value


def _checked(update: EntitlementUpdate) -> EntitlementUpdate:
    for field, value, longest in (
        ("ref", update.ref, 255),
        ("subject", update.subject, 255),
        ("product", update.product, 64),
    ):
        if value is None:
            continue
        if not 1 <= len(value.strip()) <= longest or has_control_characters(value):
            raise InvalidInput(f"{field} has 1 to {longest} characters, none a control.", field)
    if (update.user_id is None) == (update.subject is None):
        raise InvalidInput("Name the reader by userId or by subject: exactly one.", "userId")
    for field, moment in (("startsAt", update.starts_at), ("updatedAt", update.updated_at)):
        require_offset(moment, field)
    if update.ends_at is not None and require_offset(update.ends_at, "endsAt") <= update.starts_at:
        raise InvalidInput("endsAt must be after startsAt.", "endsAt")
    return update


async def _first_delivery(delivery_id: str) -> bool:
    if await WebhookDelivery.filter(id=delivery_id).exists():
        return False
    received = now()
    await WebhookDelivery.filter(received_at__lt=received - FORGET_DELIVERIES_AFTER).delete()
    await WebhookDelivery.create(id=delivery_id, received_at=received)
    return True


async def _reader(update: EntitlementUpdate, settings: Settings) -> User | None:
    if update.user_id is not None:
        try:
            return await get_user(update.user_id)
        except NotFound:
            raise InvalidInput("No such user.", "userId") from None
    if settings.sso_issuer is None:
        return None
    return await User.filter(
        external_issuer=settings.sso_issuer, external_subject=update.subject
    ).first()


async def _apply(update: EntitlementUpdate, settings: Settings) -> Entitlement:
    stored = await Entitlement.filter(ref=update.ref).select_for_update().first()
    if stored is not None and stored.updated_at and stored.updated_at >= update.updated_at:
        return stored  # a retry, or an older change arriving late
    reader = await _reader(update, settings)
    values: dict[str, Any] = {
        "user_id": reader.id if reader is not None else None,
        "subject": update.subject,
        "product": update.product.strip(),
        "starts_at": update.starts_at,
        "ends_at": update.ends_at,
        "updated_at": update.updated_at,
    }
    if stored is None:
        revoked_at = now() if update.revoked else None
        return await Entitlement.create(
            **values,
            revoked_at=revoked_at,
            ref=update.ref,
            source=EntitlementSource.SUBSCRIPTION_SYSTEM,
            created_at=now(),
        )
    values["revoked_at"] = (stored.revoked_at or now()) if update.revoked else None
    for name, value in values.items():
        setattr(stored, name, value)
    await stored.save(update_fields=list(values))
    return stored
