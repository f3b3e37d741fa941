"""Asking for erasure: a reader deletes their account (erased after the grace period unless
they cancel), an admin erases one at once. The erasure itself is service/erasure.py, run by
the jobs scheduler in both cases: one mechanism, done once."""

from __future__ import annotations

import logging
from datetime import timedelta

from tortoise.transactions import in_transaction

from service import erasure, jobs
from service.accounts import get_user
from service.clock import now
from service.errors import (
    InvalidCredentials,
    InvalidInput,
    NotAllowed,
    RateLimited,
    Unauthenticated,
)
from service.models import Role, Session, User
from service.passwords import verify_password
from service.runtime import Runtime
from service.text import clean_reason

logger = logging.getLogger("btl.privacy")

# a single sign-on account has no password to confirm with: a fresh sign-in stands for it
FRESH_SSO_SESSION = timedelta(minutes=10)
ADMIN_REFUSED = "An admin account is not erased: another admin first makes it a reader."


async def request(
    rt: Runtime, viewer: User | None, session_id: int | None, *, password: str | None
) -> User:
    """Schedule the viewer's erasure in BTL_DELETION_GRACE_HOURS; asked again, the first
    date stands."""
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    if viewer.role == Role.ADMIN:
        raise NotAllowed(ADMIN_REFUSED)
    if viewer.password_hash is not None:
        await _confirm_password(rt, viewer, password or "")
    else:
        await _confirm_fresh_session(session_id)
    if viewer.deletion_scheduled_at is not None:
        return viewer
    due = now() + timedelta(hours=rt.settings.deletion_grace_hours)
    async with in_transaction():
        scheduled = await User.filter(
            id=viewer.id, deletion_scheduled_at=None, erased_at=None
        ).update(deletion_scheduled_at=due)
        if scheduled:  # not when a twin request won the race: one job
            await jobs.schedule(erasure.ERASE, {"user_id": viewer.id}, due_at=due)
    return await get_user(viewer.id)


async def _confirm_password(rt: Runtime, viewer: User, password: str) -> None:
    # the login limit's per-account window: guessing here is guessing a password
    key = f"user:{viewer.id}"
    try:
        await rt.limiter.reserve("login", key)
    except RateLimited as exc:  # DeleteAccountResult has no RateLimited member
        raise NotAllowed(
            f"Too many wrong passwords: try again in {exc.retry_after_seconds} seconds."
        ) from None
    matches, _ = await verify_password(password, viewer.password_hash)
    if not matches:
        raise InvalidCredentials("The password is not right.")  # the attempt stays counted
    await rt.limiter.release("login", key)


async def _confirm_fresh_session(session_id: int | None) -> None:
    session = await Session.filter(id=session_id).first() if session_id is not None else None
    if session is None or now() - session.created_at > FRESH_SSO_SESSION:
        minutes = int(FRESH_SSO_SESSION.total_seconds() // 60)
        raise NotAllowed(
            "Sign in through the publisher again first: deleting an account needs a sign-in "
            f"less than {minutes} minutes old."
        )


async def cancel(viewer: User | None) -> User:
    """Keep the account: the job, when it comes, finds nothing due and does nothing."""
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    await User.filter(id=viewer.id, erased_at=None).update(deletion_scheduled_at=None)
    viewer.deletion_scheduled_at = None
    return viewer


async def erase_now(admin: User, *, user_id: str, reason: str) -> User:
    """An admin erases an account at once (a request received by mail, say). The job is
    written first: should this process die midway, the scheduler completes the erasure."""
    reason = clean_reason(reason)
    target = await get_user(user_id)
    if target.erased_at is not None:
        return target
    if target.role == Role.ADMIN:
        raise InvalidInput(ADMIN_REFUSED, "userId")
    async with in_transaction():
        marked = await User.filter(id=target.id, erased_at=None).update(deletion_scheduled_at=now())
        if marked:
            payload = {"user_id": target.id, "by": admin.id, "reason": reason}
            await jobs.schedule(erasure.ERASE, payload)
    try:
        await erasure.erase(target.id, moderator_id=admin.id, reason=reason)
    except Exception:  # the job written above finishes it: the admin is not told otherwise
        logger.warning("erasing user %s failed; the job will retry", target.id, exc_info=True)
    return await get_user(target.id)
