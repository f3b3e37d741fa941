"""Password hashing: argon2id through passlib, run off the event loop."""

from __future__ import annotations

import asyncio

from passlib.context import CryptContext

# OWASP's minimum for argon2id: m=19 MiB, t=2, p=1.
password_context = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19_456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# Verified when the email is unknown, so that path costs as much as a wrong password.
_DUMMY_HASH = password_context.hash("btl-dummy-password-for-timing")


def _secret(password: str) -> bytes:
    # JSON can carry half a surrogate pair, which plain UTF-8 cannot encode; it is still
    # a password (and the same bytes every time)
    return password.encode("utf-8", "surrogatepass")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(password_context.hash, _secret(password))


async def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Return (matches, new_hash); new_hash is set when the stored hash needs upgrading."""
    if password_hash is None:
        await asyncio.to_thread(password_context.verify, _secret(password), _DUMMY_HASH)
        return False, None
    matches, new_hash = await asyncio.to_thread(
        password_context.verify_and_update, _secret(password), password_hash
    )
    return bool(matches), new_hash
