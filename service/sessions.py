"""Bearer-token sessions: random tokens, only their SHA-256 stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

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


_LIVE_SESSION = (
    'SELECT s.id AS "session id", u.* FROM sessions s JOIN users u ON u.id = s.user_id '
    "WHERE s.token_hash = {} AND s.revoked_at IS NULL AND s.expires_at > {}"
)


async def authenticate(token: str) -> tuple[User, int] | None:
    """The user and session id a live token belongs to, or None (one hand-written query:
    every signed-in request asks it)."""
    moment = Session._meta.fields_map["expires_at"].to_db_value(now(), Session)
    rows = await sql.fetch(_LIVE_SESSION, _digest(token), moment)
    if not rows:
        return None
    row = rows[0]
    session_id = int(row.pop("session id"))
    return User._init_from_db(**row), session_id


async def revoke(session_id: int) -> None:
    await Session.filter(id=session_id, revoked_at=None).update(revoked_at=now())


async def revoke_all_but(user_id: int, keep_session_id: int | None) -> None:
    others = Session.filter(user_id=user_id, revoked_at=None)
    if keep_session_id is not None:
        others = others.exclude(id=keep_session_id)
    await others.update(revoked_at=now())
