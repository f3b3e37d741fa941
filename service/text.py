"""Checks and normalisation shared by every piece of text users send."""

from __future__ import annotations

import unicodedata

from service.errors import InvalidInput

# bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder what
# follows them, so a comment can show text other than what it holds
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern)
BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# control, format (zero-width, BOM), surrogate, private-use, unassigned, separator, and
# combining characters: none shows anything by itself
UNSEEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def has_control_characters(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def is_visible(ch: str) -> bool:
    return unicodedata.category(ch) not in UNSEEN_CATEGORIES and ch not in BLANK_CHARACTERS


def clean_text(
    text: str, *, field: str, max_length: int, min_length: int = 1, multiline: bool = False
) -> str:
    """Trim, NFC-normalise and bound a text; reject control characters, lone surrogates,
    bidirectional overrides, and a text with nothing visible in it.

    Newlines and tabs are allowed when `multiline`.
    """
    normalised = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    if has_control_characters(normalised, "\n\t" if multiline else ""):
        raise InvalidInput(f"{field} must not contain control characters.", field)
    if any(unicodedata.category(ch) == "Cs" for ch in normalised):
        raise InvalidInput(f"{field} is not valid Unicode (a lone surrogate).", field)
    if any(ch in BIDI_CONTROLS for ch in normalised):
        raise InvalidInput(
            f"{field} must not contain bidirectional override or isolate characters.", field
        )
    if len(normalised) < min_length:
        raise InvalidInput(f"{field} must not be empty.", field)
    if normalised and not any(is_visible(ch) for ch in normalised):
        raise InvalidInput(f"{field} has no visible character.", field)
    if len(normalised) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters.", field)
    return normalised


def clean_reason(reason: str) -> str:
    """A moderator's reason for an action: 1..500 characters."""
    return clean_text(reason, field="reason", max_length=500, multiline=True)
