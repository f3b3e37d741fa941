"""The forms a BTL_ variable's value may take: each parser returns the value or raises
ValueError (wrong form) or Unusable (right form, but it cannot work here)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Unusable(ValueError):
    """A value of the right form that cannot work here; its message says why."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """N events per window of seconds, written `N/seconds`."""

    amount: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.amount}/{self.seconds}"


def positive_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def port_number(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise ValueError(text)
    return value


def rate_limit(text: str) -> RateLimit:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or int(match[1]) < 1 or int(match[2]) < 1:
        raise ValueError(text)
    return RateLimit(int(match[1]), int(match[2]))


def boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(text)


def schedule(text: str) -> str:
    from service.coverage import parse_schedule  # the schedule grammar lives with coverage

    parse_schedule(text)
    return text.strip()


def comma_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


def http_url(text: str) -> str:
    if not re.match(r"^https?://\S+$", text.strip()):
        raise ValueError(text)
    return text.strip()


def database_url(text: str) -> str:
    url = text.strip()
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if not re.match(r"^(sqlite|postgres|asyncpg)://.+", url):
        raise ValueError(text)
    if url.startswith("sqlite://"):
        # SQLite creates the file but not its folder: without this every query would wait
        path = url.removeprefix("sqlite://").split("?")[0]
        folder = Path(path).parent
        if path != ":memory:" and not folder.is_dir():
            raise Unusable(f"the folder {str(folder)!r} does not exist")
    return url


def time_zone(text: str) -> str:
    try:
        ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(text) from exc
    return text.strip()


def positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(text)
    return value


def holiday_calendar(text: str) -> str:
    from service.defamation_clock import parse_calendar  # the calendars live with the clock

    country, subdivision = parse_calendar(text)
    return f"{country}-{subdivision}" if subdivision else country


def smtp_url(text: str) -> str:
    if not re.match(r"^smtps?://([^@/\s]+@)?[^:/\s]+(:\d{1,5})?/?$", text.strip()):
        raise ValueError(text)
    return text.strip()


def mail_address(text: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(text) from exc
    return text.strip()


def sso_secret(text: str) -> str:
    if len(text) < 32:  # RFC 7518 3.2: an HS256 key at least as long as the hash
        raise ValueError(text)
    return text


def metrics_token(text: str) -> str:
    token = text.strip()
    if len(token) < 16 or not token.isascii() or not token.isprintable() or " " in token:
        raise ValueError(text)  # a bearer token: guessable when short
    return token


def webhook_secret(text: str) -> str:
    secret = text.strip()
    if not secret.startswith("whsec_"):
        raise ValueError(text)
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error as exc:
        raise ValueError(text) from exc
    if len(key) < 16:
        raise ValueError(text)
    return secret
