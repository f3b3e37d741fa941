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
