"""Accounts: registration, sign-in, passwords, roles and a user's effective status."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import public_versions, sessions
from service.clock import now
from service.errors import EmailTaken, InvalidCredentials, InvalidInput, NotFound
from service.models import Role, User, UserStatus
from service.passwords import hash_password, verify_password
from service.runtime import Runtime
from service.text import has_control_characters

MIN_PASSWORD, MAX_PASSWORD = 10, 1024
MAX_DISPLAY_NAME = 50
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


def clean_display_name(display_name: str) -> str:
    cleaned = display_name.strip()
    if has_control_characters(cleaned):
        raise InvalidInput("A display name cannot contain control characters.", "displayName")
    if not 1 <= len(cleaned) <= MAX_DISPLAY_NAME:
        raise InvalidInput(f"A display name has 1 to {MAX_DISPLAY_NAME} characters.", "displayName")
    return cleaned


def display_name_key(display_name: str) -> str:
    """What no two accounts may share: the name NFKC case-folded, without accents or invisible
    characters, so "Bob", a full-width "BOB" and "Böb" are one name (register, updateProfile)."""
    decomposed = unicodedata.normalize("NFKD", display_name)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", bare).casefold())


def checked_key(display_name: str) -> str:
    """The key, refused when it outgrows its column (e.g. "ß" folds to "ss")."""
    key = display_name_key(display_name)
    if len(key) > MAX_DISPLAY_NAME:
        raise InvalidInput(f"A display name has 1 to {MAX_DISPLAY_NAME} characters.", "displayName")
    return key


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
    return user is not None and user.role in (Role.MODERATOR, Role.ADMIN)


def may_act_as_staff(user: User | None) -> bool:
    """A moderator or admin in good standing: a banned or suspended one acts on nothing."""
    return is_staff(user) and status_of(user) == UserStatus.ACTIVE  # type: ignore[arg-type]


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
    key = checked_key(display_name)
    if await User.filter(display_name_key=key).exists():
        raise name_taken
    password_hash = await hash_password(password)
    try:
        return await User.create(
            email=email,
            display_name=display_name,
            display_name_key=key,
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
    await rt.limiter.hit("register", client_address)
    user = await create_user(email=email, password=password, display_name=display_name)
    return await sessions.issue(user, rt.settings.session_ttl_seconds)


async def login(
    rt: Runtime, *, email: str, password: str, client_address: str
) -> sessions.IssuedSession:
    email_key = "email:" + email.strip().lower()
    address_key = "address:" + client_address
    await rt.limiter.check("login", email_key)
    await rt.limiter.check("login", address_key)
    user = await User.filter(email=email.strip().lower()).first()
    matches, new_hash = await verify_password(password, user.password_hash if user else None)
    if user is None or not matches:
        await rt.limiter.hit("login", email_key)
        await rt.limiter.hit("login", address_key)
        raise InvalidCredentials(CREDENTIALS_MESSAGE)
    if new_hash:  # stored with older argon2 parameters: upgrade it now
        user.password_hash = new_hash
        await user.save(update_fields=["password_hash"])
    return await sessions.issue(user, rt.settings.session_ttl_seconds)


async def change_password(
    rt: Runtime, user: User, session_id: int | None, *, current: str, new: str, client_address: str
) -> User:
    key = f"user:{user.id}"
    await rt.limiter.check("login", key)
    matches, _ = await verify_password(current, user.password_hash)
    if not matches:
        await rt.limiter.hit("login", key)
        raise InvalidCredentials("The current password is not right.")
    check_password(new, email=user.email, display_name=user.display_name, field="newPassword")
    user.password_hash = await hash_password(new)
    async with in_transaction():
        await user.save(update_fields=["password_hash"])
        await sessions.revoke_all_but(user.id, session_id)
    return user


async def get_user(user_id: str | int) -> User:
    user = await User.filter(id=int(user_id)).first() if str(user_id).isdigit() else None
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
    return user
