"""Accounts: registration, sign-in, passwords, roles and a user's effective status."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import events, public_versions, sessions
from service.clock import now
from service.display_names import clean_display_name, display_name_key
from service.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    NotAllowed,
    NotFound,
    RateLimited,
)
from service.ids import parse_id
from service.models import Role, User, UserStatus
from service.passwords import hash_password, verify_password
from service.runtime import Runtime

MIN_PASSWORD, MAX_PASSWORD = 10, 1024
CREDENTIALS_MESSAGE = "The email or password is not right."


def clean_email(email: str) -> str:
    normalised = email.strip().lower()
    if not normalised:
        raise InvalidInput("Enter an email address.", "email")
    if len(normalised) > 254:
        raise InvalidInput("An email address has at most 254 characters.", "email")
    try:
        validate_email(normalised, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"That is not a valid email address: {exc}", "email") from None
    return normalised


def check_password(password: str, *, email: str, display_name: str, field: str) -> None:
    # NIST SP 800-63B: length, not composition rules; and not the account's own names.
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(f"A password has {MIN_PASSWORD} to {MAX_PASSWORD} characters.", field)
    lowered = password.strip().lower()
    if lowered in {email.lower(), display_name.lower()}:
        raise InvalidInput("A password cannot be your email or display name.", field)


def status_of(user: User, at: datetime | None = None) -> UserStatus:
    if user.banned:
        return UserStatus.BANNED
    if user.suspended_until is not None and user.suspended_until > (at or now()):
        return UserStatus.SUSPENDED
    return UserStatus.ACTIVE


def is_staff(user: User | None) -> bool:
    """A moderator or admin whose account is in good standing: a banned or suspended one
    keeps the role but sees and does what a reader does."""
    return (
        user is not None
        and user.role in (Role.MODERATOR, Role.ADMIN)
        and status_of(user) == UserStatus.ACTIVE
    )


async def create_user(
    *, email: str, password: str, display_name: str, role: Role = Role.READER
) -> User:
    """Validate and store a new account; raise InvalidInput or EmailTaken."""
    email = clean_email(email)
    display_name = clean_display_name(display_name)
    check_password(password, email=email, display_name=display_name, field="password")
    if await User.filter(email=email).exists():
        raise EmailTaken("An account with that email already exists.")
    name_taken = InvalidInput("That display name is taken.", "displayName")
    name_key = display_name_key(display_name)  # the same for every name that looks like it
    if await User.filter(display_name_key=name_key).exists():
        raise name_taken
    password_hash = await hash_password(password)
    try:
        return await User.create(
            email=email,
            display_name=display_name,
            display_name_key=name_key,
            password_hash=password_hash,
            role=role,
            created_at=now(),
        )
    except IntegrityError:  # lost a race with an identical registration
        if await User.filter(email=email).exists():
            raise EmailTaken("An account with that email already exists.") from None
        raise name_taken from None


async def register(
    rt: Runtime, *, email: str, password: str, display_name: str, client_address: str
) -> sessions.IssuedSession:
    if not rt.settings.local_signup:  # BTL_LOCAL_SIGNUP=false: readers come through SSO
        raise NotAllowed("Accounts are created by signing in through the publisher.")
    await rt.limiter.hit("register", client_address)
    user = await create_user(email=email, password=password, display_name=display_name)
    return await sessions.issue(user, rt.settings.session_ttl_seconds)


async def login(
    rt: Runtime, *, email: str, password: str, client_address: str
) -> sessions.IssuedSession:
    keys = ("email:" + email.strip().lower(), "address:" + client_address)
    # counted before the password is checked: a burst of guesses is limited like a sequence
    await _reserve_attempts(rt, keys)
    user = await User.filter(email=email.strip().lower()).first()
    matches, new_hash = await verify_password(password, user.password_hash if user else None)
    if user is None or not matches:
        raise InvalidCredentials(CREDENTIALS_MESSAGE)  # the attempts stay counted
    for key in keys:  # a sign-in that worked costs no attempt
        await rt.limiter.release("login", key)
    if new_hash:  # stored with older argon2 parameters: upgrade it now
        user.password_hash = new_hash
        await user.save(update_fields=["password_hash"])
    return await sessions.issue(user, rt.settings.session_ttl_seconds)


async def _reserve_attempts(rt: Runtime, keys: tuple[str, ...]) -> None:
    """One login attempt on each key, or none at all when one of them is used up."""
    reserved: list[str] = []
    try:
        for key in keys:
            await rt.limiter.reserve("login", key)
            reserved.append(key)
    except RateLimited:
        for key in reserved:
            await rt.limiter.release("login", key)
        raise


async def change_password(
    rt: Runtime, user: User, session_id: int | None, *, current: str, new: str, client_address: str
) -> User:
    keys = (f"user:{user.id}",)
    await _reserve_attempts(rt, keys)
    matches, _ = await verify_password(current, user.password_hash)
    if not matches:
        raise InvalidCredentials("The current password is not right.")
    await rt.limiter.release("login", keys[0])
    check_password(new, email=user.email or "", display_name=user.display_name, field="newPassword")
    user.password_hash = await hash_password(new)
    async with in_transaction():
        await user.save(update_fields=["password_hash"])
        await sessions.revoke_all_but(user.id, session_id)
    await events.account_changed(user.id)
    return user


async def logout(user: User, session_id: int) -> None:
    await sessions.revoke(session_id)
    await events.account_changed(user.id)


async def get_user(user_id: str | int) -> User:
    number = parse_id(user_id)
    user = await User.filter(id=number).first() if number is not None else None
    if user is None:
        raise NotFound("No such user.")
    return user


async def set_role(actor: User, user_id: str, role: Role) -> User:
    user = await get_user(user_id)
    async with in_transaction():
        if user.role == Role.ADMIN and role != Role.ADMIN:
            admins = await User.filter(role=Role.ADMIN).count()
            if admins <= 1:
                raise InvalidInput("The last admin cannot be demoted.", "role")
        user.role = role
        await user.save(update_fields=["role"])
        await public_versions.bump_epoch()  # User.role is public
    await events.account_changed(user.id)
    return user


async def display_name_taken(display_name: str) -> bool:
    """Whether another account already holds this display name, or one that looks like it."""
    return await User.filter(display_name_key=display_name_key(display_name)).exists()
