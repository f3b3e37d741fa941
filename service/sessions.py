"""Bearer-token sessions: random tokens, only their SHA-256 stored."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from service import sql
from service.clock import now
from service.models import Session, User

logger = logging.getLogger("btl.sessions")


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
        last_used_at=created,
    )
    return IssuedSession(token, session.expires_at, user, session.id)


@dataclass(frozen=True, slots=True)
class LiveSession:
    user: User
    session_id: int
    expires_at: datetime


_LIVE_SESSIONS = (
    'SELECT s.id AS "session id", s.expires_at AS "session expires", '
    's.last_used_at AS "session last used", u.* '
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE {} AND s.revoked_at IS NULL AND s.expires_at > {{}}"
)
_LIVE_SESSION = _LIVE_SESSIONS.format("s.token_hash = {}")


def _live(row: dict[str, Any]) -> LiveSession:
    session_id = int(row.pop("session id"))
    expires_at = sql.python_time(row.pop("session expires"))
    row.pop("session last used")
    return LiveSession(User._init_from_db(**row), session_id, expires_at)


async def authenticate_session(token: str) -> LiveSession | None:
    """The live session a token belongs to, with its user (one hand-written query: every
    signed-in request asks it)."""
    moment = now()
    rows = await sql.fetch(_LIVE_SESSION, _digest(token), sql.db_time(moment))
    if not rows:
        return None
    last_used = rows[0]["session last used"]
    found = _live(rows[0])
    if last_used is None or sql.python_time(last_used) <= moment - LAST_USE_PRECISION:
        await _touch(found.session_id, moment)
    return found


# a session's last use is kept to the hour (myData shows it): one write an hour, not one a request
LAST_USE_PRECISION = timedelta(hours=1)


async def _touch(session_id: int, moment: datetime) -> None:
    try:
        await sql.execute(
            "UPDATE sessions SET last_used_at = {} WHERE id = {}", sql.db_time(moment), session_id
        )
    except Exception:  # a read must not fail for want of this note (a full disk, a replica)
        logger.warning("could not note session %s's last use", session_id, exc_info=True)


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
