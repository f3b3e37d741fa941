"""Checks and normalisation shared by every piece of text users send."""

from __future__ import annotations

import unicodedata

from service.errors import InvalidInput


def has_control_characters(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def clean_text(
    text: str, *, field: str, max_length: int, min_length: int = 1, multiline: bool = False
) -> str:
    """Trim, NFC-normalise and bound a text; reject control characters.

    Newlines and tabs are allowed when `multiline`.
    """
    normalised = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if has_control_characters(normalised, "\n\t" if multiline else ""):
        raise InvalidInput(f"{field} must not contain control characters.", field)
    if len(normalised) < min_length:
        raise InvalidInput(f"{field} must not be empty.", field)
    if len(normalised) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters.", field)
    return normalised


def clean_reason(reason: str) -> str:
    """A moderator's reason for an action: 1..500 characters."""
    return clean_text(reason, field="reason", max_length=500, multiline=True)


MAX_ID = 2**31 - 1  # the ids are 32-bit integers on PostgreSQL


def as_id(text: str | int) -> int | None:
    """A stored row's id from a client's string; None for one no row can have ("x", "²",
    or a number too large for the column, which the database would refuse with an error)."""
    digits = str(text)
    if not digits.isascii() or not digits.isdecimal() or len(digits) > 10:
        return None
    number = int(digits)
    return number if 1 <= number <= MAX_ID else None
