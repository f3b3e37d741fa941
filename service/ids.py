"""Ids, and the numbers inside cursors, as clients send them.

Only ASCII digits naming a number an INTEGER column holds make an id. `str.isdigit()` also
accepts U+0661 (Arabic-Indic one) and U+FF11 (fullwidth one), which `int()` reads as 1, and
U+00B2 (superscript two), which `int()` refuses; a number past the column's range fails in
the database.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1  # ids are INTEGER columns: 4 bytes on PostgreSQL


def parse_id(value: str | int) -> int | None:
    """The number `value` names, or None when no row can have it as id."""
    text = str(value)
    if not text or len(text) > len(str(MAX_ID)) or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
