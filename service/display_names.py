"""Display names: what a reader may call themselves, and when two names are the same name.

Readers must not pass for one another. A name may not carry characters that show nothing
or move text around (zero-width joiners and spaces, bidi overrides, fillers): "Ada\\u200b"
and "Ada" look the same. Two names are one when they look alike: in another case, width
or script (Cyrillic "\\u0410", fullwidth "\\uff21" or superscript "\\u1d2c" for "A"), or
with digits for letters ("Bi11"). `display_name_key` says so: Unicode TR39's confusable
skeleton after NFKC and case folding, from the `disarm` package (its tables follow
Unicode's confusables.txt).

Registration uses these two functions, and so must anything that renames a reader.
"""

from __future__ import annotations

import hashlib
import unicodedata

from disarm import skeleton_key

from service.errors import InvalidInput

MAX_DISPLAY_NAME = 50
# disarm.KEY_SCHEMA_VERSION the stored keys were made with: when a disarm upgrade moves it,
# users.display_name_key must be recomputed by a migration (like 0003), and this bumped
KEY_SCHEMA_VERSION = 10

# control, format (zero-width, joiners, bidi controls), private use, surrogate, unassigned,
# line and paragraph separators: none shows as what it is
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
INVISIBLE = "A display name cannot contain invisible, formatting or control characters."
# what an erased account is called (service/erasure.py): nobody may pass for one
ERASED_NAME = "Deleted account"


def _is_variation_selector(char: str) -> bool:
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"


def _shows_nothing(char: str, before: str) -> bool:
    """A character that vanishes from the key: invisible, e.g. a Hangul filler U+3164.

    Spaces are kept (the key folds runs of them into one), and so is a variation selector
    after a symbol or an ideograph (the emoji ❤️, a variant of a kanji in a name).
    """
    if char.isspace():
        return False
    if _is_variation_selector(char):
        return unicodedata.category(before) not in {"So", "Lo"}
    return skeleton_key(char) == ""


def clean_display_name(display_name: str) -> str:
    """The name as it will be shown (trimmed, NFC), or InvalidInput on displayName."""
    cleaned = unicodedata.normalize("NFC", display_name).strip()
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in cleaned):
        raise InvalidInput(INVISIBLE, "displayName")
    if any(_shows_nothing(char, cleaned[i - 1] if i else " ") for i, char in enumerate(cleaned)):
        raise InvalidInput(INVISIBLE, "displayName")
    if not 1 <= len(cleaned) <= MAX_DISPLAY_NAME:
        raise InvalidInput(f"A display name has 1 to {MAX_DISPLAY_NAME} characters.", "displayName")
    if not _skeleton(cleaned):
        raise InvalidInput(INVISIBLE, "displayName")
    if display_name_key(cleaned) == _ERASED_KEY:
        raise InvalidInput("That display name is reserved.", "displayName")
    return cleaned


def _skeleton(display_name: str) -> str:
    # digits folded too ("tr39"): "Bi11" and "Bill", "J0hn" and "John" are one name
    return skeleton_key(display_name, digit_policy="tr39")


def _without_accents(display_name: str) -> str:
    """The name with the accents of Latin, Greek and Cyrillic letters dropped ("Zoë" is
    "Zoe"); other scripts keep their marks, which change the word and not just its look."""
    kept: list[str] = []
    base = ""
    for character in unicodedata.normalize("NFKD", display_name):
        if unicodedata.combining(character):
            if base and (ord(base) < 0x0530 or 0x1E00 <= ord(base) <= 0x1FFF):
                continue
        else:
            base = character
        kept.append(character)
    return unicodedata.normalize("NFC", "".join(kept))


def display_name_key(display_name: str) -> str:
    """The same for every name that looks like this one, or differs only in case, width or
    accents: 32 hex digits.

    A digest, since a skeleton can be many times longer than the 50 characters of the
    name (NFKC and confusables.txt expand some characters into whole words).
    """
    # case first: the skeleton maps a capital I to l before it lowers, so "MAGGIE" would be
    # "maggle" and not "maggie"
    folded = unicodedata.normalize("NFKC", _without_accents(display_name)).casefold()
    skeleton = _skeleton(folded)
    return hashlib.blake2b(skeleton.encode(), digest_size=16).hexdigest()


_ERASED_KEY = display_name_key(ERASED_NAME)
