"""Word lists: BANNED words refuse a post, SUSPECT words hold it for a moderator.

Matching is on whole words, ignoring case, accents, width and the invisible characters
(zero-width spaces, joiners, soft hyphens) someone may slip between letters: the text and
the words are normalised the same way, then cut into words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from tortoise.transactions import in_transaction

from service import sql
from service.clock import now
from service.errors import BadUserInput
from service.models import WordList, WordListKind

MAX_WORDS = 1000
MAX_WORD_LENGTH = 50
_WORDS = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Without format characters (Cf), width or accents, case-folded."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    folded = _without_marks(visible).casefold()
    return _without_marks(folded)  # folding can bring marks back (e.g. "İ")


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # every nonspacing mark: accents, and joiners such as U+034F that combine with nothing
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in ("Mn", "Me"))


def words_of(text: str) -> set[str]:
    return set(_WORDS.findall(normalise(text)))


def clean_words(words: list[str]) -> list[str]:
    """The list as it will be stored: trimmed, each word once, in the order given."""
    if len(words) > MAX_WORDS:
        raise BadUserInput(f"A word list has at most {MAX_WORDS} words.")
    cleaned: dict[str, str] = {}
    for word in words:
        trimmed = unicodedata.normalize("NFC", word).strip()
        if not trimmed:
            raise BadUserInput("A word list cannot contain an empty word.")
        if len(trimmed) > MAX_WORD_LENGTH:
            raise BadUserInput(f"A word has at most {MAX_WORD_LENGTH} characters.")
        key = normalise(trimmed)
        if not _WORDS.fullmatch(key):
            raise BadUserInput(f"{trimmed!r} is not one word of letters and digits.")
        cleaned.setdefault(key, trimmed)
    return list(cleaned.values())


async def set_words(kind: WordListKind, words: list[str]) -> list[str]:
    cleaned = clean_words(words)
    async with in_transaction():
        await WordList.filter(kind=kind).delete()
        await WordList.create(kind=kind, words="\n".join(cleaned), updated_at=now())
    return cleaned


async def words(kind: WordListKind) -> list[str]:
    stored = await WordList.filter(kind=kind).first()
    return stored.words.split("\n") if stored and stored.words else []


@dataclass(frozen=True, slots=True)
class WordLists:
    banned: frozenset[str]
    suspect: frozenset[str]

    def verdict(self, text: str) -> WordListKind | None:
        """BANNED if the text has a banned word, else SUSPECT if a suspect one, else None."""
        if not (self.banned or self.suspect):
            return None
        found = words_of(text)
        if found & self.banned:
            return WordListKind.BANNED
        if found & self.suspect:
            return WordListKind.SUSPECT
        return None


async def current() -> WordLists:
    """Both lists, normalised for matching: one small query (a post reads it every time)."""
    rows = await sql.fetch("SELECT kind, words FROM word_lists")
    stored = {row["kind"]: row["words"] for row in rows}
    return WordLists(
        banned=_matchable(stored.get(WordListKind.BANNED, "")),
        suspect=_matchable(stored.get(WordListKind.SUSPECT, "")),
    )


@lru_cache(maxsize=16)
def _matchable(stored: str) -> frozenset[str]:
    return frozenset(normalise(word) for word in stored.split("\n") if word)
