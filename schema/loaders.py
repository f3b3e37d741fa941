"""Per-request DataLoaders, named after what they load. Built fresh in every context."""

from __future__ import annotations

from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from service import entitlements
from service.models import Entitlement


async def _entitlements_by_user_id(user_ids: list[int]) -> list[list[Entitlement]]:
    by_user = await entitlements.for_users(user_ids)
    return [by_user[user_id] for user_id in user_ids]


@dataclass
class Loaders:
    entitlements_by_user_id: DataLoader[int, list[Entitlement]] = field(
        default_factory=lambda: DataLoader(load_fn=_entitlements_by_user_id)
    )
