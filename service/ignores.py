"""Ignoring a reader: their comments come with viewerIgnoresAuthor true, so clients collapse
them. Nothing on the ignored reader's side changes: they are not told."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from service import sql
from service.accounts import get_user
from service.clock import now
from service.errors import InvalidInput, Unauthenticated
from service.models import Ignore, User

MAX_IGNORED = 1000


async def ignore(viewer: User | None, user_id: str) -> User:
    reader = _signed_in(viewer)
    target = await get_user(user_id)
    if target.id == reader.id:
        raise InvalidInput("You cannot ignore yourself.", "userId")
    async with in_transaction():
        if await Ignore.filter(user_id=reader.id).count() >= MAX_IGNORED:
            raise InvalidInput(f"You can ignore at most {MAX_IGNORED} people.", "userId")
        # ignoring someone already ignored changes nothing: the same answer
        await sql.execute(
            "INSERT INTO ignores (user_id, ignored_id, created_at) VALUES ({}, {}, {}) "
            "ON CONFLICT (user_id, ignored_id) DO NOTHING",
            reader.id,
            target.id,
            sql.db_time(now()),
        )
    return target


async def unignore(viewer: User | None, user_id: str) -> User:
    reader = _signed_in(viewer)
    target = await get_user(user_id)
    await Ignore.filter(user_id=reader.id, ignored_id=target.id).delete()
    return target


def _signed_in(viewer: User | None) -> User:
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    return viewer


async def ignored_users(user_id: int) -> list[User]:
    """Whom this reader ignores, most recently ignored first."""
    rows = await sql.fetch(
        "SELECT u.* FROM ignores i JOIN users u ON u.id = i.ignored_id "
        "WHERE i.user_id = {} ORDER BY i.created_at DESC, i.id DESC",
        user_id,
    )
    return [User._init_from_db(**row) for row in rows]


async def ignored_ids(user_ids: list[int]) -> list[frozenset[int]]:
    """For each reader, the ids of the people they ignore."""
    rows = await sql.fetch(
        f"SELECT user_id, ignored_id FROM ignores WHERE user_id IN ({sql.marks(len(user_ids))})",
        *user_ids,
    )
    by_user: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for row in rows:
        by_user[int(row["user_id"])].add(int(row["ignored_id"]))
    return [frozenset(by_user[user_id]) for user_id in user_ids]
