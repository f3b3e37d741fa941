"""Bearer-token sessions: random tokens, only their SHA-256 stored."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from service import sql
from service.clock import now
from service.models import Session, User


@dataclass(frozen=True, slots=True)
class IssuedSession:
    token: str
    expires_at: datetime
    user: User
    session_id: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(user: User, ttl_seconds: int) -> IssuedSession:
    """Create a session; the token is returned once and never stored."""
    token = secrets.token_urlsafe(32)  # 256 bits
    created = now()
    session = await Session.create(
        user=user,
        token_hash=_digest(token),
        created_at=created,
        expires_at=created + timedelta(seconds=ttl_seconds),
    )
    return IssuedSession(token, session.expires_at, user, session.id)


@dataclass(frozen=True, slots=True)
class LiveSession:
    user: User
    session_id: int
    expires_at: datetime


_LIVE_SESSIONS = (
    'SELECT s.id AS "session id", s.expires_at AS "session expires", u.* '
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE {} AND s.revoked_at IS NULL AND s.expires_at > {{}}"
)
_LIVE_SESSION = _LIVE_SESSIONS.format("s.token_hash = {}")


def _live(row: dict[str, Any]) -> LiveSession:
    session_id = int(row.pop("session id"))
    expires_at = sql.python_time(row.pop("session expires"))
    return LiveSession(User._init_from_db(**row), session_id, expires_at)


async def authenticate_session(token: str) -> LiveSession | None:
    """The live session a token belongs to, with its user (one hand-written query: every
    signed-in request asks it)."""
    rows = await sql.fetch(_LIVE_SESSION, _digest(token), sql.db_time(now()))
    return _live(rows[0]) if rows else None


async def authenticate(token: str) -> tuple[User, int] | None:
    """The user and session id a live token belongs to, or None."""
    found = await authenticate_session(token)
    return (found.user, found.session_id) if found else None


async def live_sessions(session_ids: Collection[int]) -> dict[int, LiveSession]:
    """Which of these sessions are still live, by id, with their users as they are now."""
    if not session_ids:
        return {}
    template = _LIVE_SESSIONS.format(f"s.id IN ({sql.marks(len(session_ids))})")
    rows = await sql.fetch(template, *session_ids, sql.db_time(now()))
    return {found.session_id: found for found in map(_live, rows)}


async def revoke(session_id: int) -> None:
    await Session.filter(id=session_id, revoked_at=None).update(revoked_at=now())


async def revoke_all_but(user_id: int, keep_session_id: int | None) -> None:
    others = Session.filter(user_id=user_id, revoked_at=None)
    if keep_session_id is not None:
        others = others.exclude(id=keep_session_id)
    await others.update(revoked_at=now())
