"""Community rules: versioned, with a "Last Updated" date every commenter accepts."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import public_versions, sql
from service.clock import now
from service.errors import InvalidInput
from service.models import CommunityRules, User
from service.text import clean_text

MAX_RULES_LENGTH = 20_000


async def current() -> CommunityRules | None:
    rows = await sql.fetch("SELECT * FROM community_rules ORDER BY version DESC LIMIT 1")
    return CommunityRules._init_from_db(**rows[0]) if rows else None


async def publish(body: str) -> CommunityRules:
    text = clean_text(body, field="body", max_length=MAX_RULES_LENGTH, multiline=True)
    for _ in range(3):  # two admins publishing at once: the unique version decides, retry
        try:
            async with in_transaction():
                latest = await current()
                version = (latest.version if latest else 0) + 1
                published = await CommunityRules.create(
                    version=version, body=text, updated_at=now()
                )
                await public_versions.bump_epoch()
                return published
        except IntegrityError:
            continue
    raise InvalidInput("Another version was published at the same time; try again.", "body")


async def accept(user: User, version: int) -> User:
    latest = await current()
    if latest is None or version != latest.version:
        raise InvalidInput("Only the current version of the rules can be accepted.", "version")
    user.accepted_rules_version = version
    await user.save(update_fields=["accepted_rules_version"])
    return user
