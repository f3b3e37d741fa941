"""MOST_RECOMMENDED: top-level comments by recommendations, then newest, in keyset pages.

Counts change while a reader pages, so a page ranks by the counts of one moment (`as_of`,
carried in the cursor): a comment whose count moved after it would otherwise jump over the
cursor and be shown twice or never. Comments with no change since then rank by the count on
their row, walking the (article, parent, recommend_count, created_at, id) index; the few
that changed rank by that count less their logged changes since then. Both parts are one
query. The first page ranks by the counts of the moment it is read, so it agrees with the
recommendCount it shows (a recommendation a reader has just made moves the comment at
once); only a recommendation still committing in that very instant may rank differently on
the next page. The change log keeps a day (HORIZON): a page older than that starts again
from the first.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Any

from service import sql
from service.clock import now
from service.errors import BadUserInput
from service.models import Comment
from service.threads import AUTHOR_COLUMNS, Page, check_first, with_author
from service.visibility import reader_visible_sql

HORIZON = timedelta(days=1)
_BAD_CURSOR = "That cursor is not one this service gave out."


def encode_cursor(count: int, created_at: datetime, row_id: int, as_of: datetime) -> str:
    raw = f"{count}|{created_at.isoformat()}|{row_id}|{as_of.isoformat()}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, datetime, int, datetime]:
    try:
        count, moment, row_id, as_of = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        decoded = (
            int(count),
            datetime.fromisoformat(moment),
            int(row_id),
            datetime.fromisoformat(as_of),
        )
    except (ValueError, UnicodeError, binascii.Error):
        raise BadUserInput(_BAD_CURSOR) from None
    if decoded[1].tzinfo is None or decoded[3].tzinfo is None:
        raise BadUserInput(_BAD_CURSOR)
    return decoded


def _after(rank: str, cursor: tuple[int, datetime, int, datetime]) -> tuple[str, list[Any]]:
    """Rows after the cursor in (rank DESC, created_at DESC, id DESC): a row value, which
    both databases turn into one seek on the index (an OR of columns would scan from the
    top of the count down to the cursor)."""
    count, moment, row_id, _ = cursor
    return f"({rank}, c.created_at, c.id) < ({{}}, {{}}, {{}})", [
        count,
        sql.db_time(moment),
        row_id,
    ]


async def most_recommended(
    article_id: str, *, first: int, after: str | None, staff: bool, viewer_id: int | None
) -> Page[Comment]:
    check_first(first)
    cursor = decode_cursor(after) if after else None
    as_of = cursor[3] if cursor else now()
    if as_of < now() - HORIZON:
        raise BadUserInput("That page is more than a day old: start again from the first page.")
    since = sql.db_time(as_of)
    visible, shown_to = ("1 = 1", []) if staff else reader_visible_sql(viewer_id)
    limit = first + 1

    steady_where = [
        "c.article_id = {}",
        "c.parent_id IS NULL",
        visible,
        "NOT EXISTS (SELECT 1 FROM recommendation_changes e "
        "WHERE e.comment_id = c.id AND e.changed_at > {})",
    ]
    steady_values: list[Any] = [article_id, *shown_to, since]
    moved_where = ["c.parent_id IS NULL", visible]
    moved_values: list[Any] = [article_id, since, *shown_to]
    if cursor:
        condition, values = _after("c.recommend_count", cursor)
        steady_where.append(condition)
        steady_values += values
        condition, values = _after("(c.recommend_count - d.delta)", cursor)
        moved_where.append(condition)
        moved_values += values
    order = "ranked_count DESC, created_at DESC, id DESC"
    rows = await sql.fetch(
        "SELECT * FROM ("
        f"SELECT c.*, {AUTHOR_COLUMNS}, c.recommend_count AS ranked_count FROM comments c "
        "LEFT JOIN users u ON u.id = c.author_id "
        f"WHERE {' AND '.join(steady_where)} "
        f"ORDER BY c.recommend_count DESC, c.created_at DESC, c.id DESC LIMIT {limit}"
        ") steady UNION ALL SELECT * FROM ("
        f"SELECT c.*, {AUTHOR_COLUMNS}, c.recommend_count - d.delta AS ranked_count FROM ("
        "SELECT e.comment_id, SUM(e.delta) AS delta FROM recommendation_changes e "
        "WHERE e.article_id = {} AND e.changed_at > {} GROUP BY e.comment_id"
        ") d JOIN comments c ON c.id = d.comment_id LEFT JOIN users u ON u.id = c.author_id "
        f"WHERE {' AND '.join(moved_where)} "
        f"ORDER BY ranked_count DESC, c.created_at DESC, c.id DESC LIMIT {limit}"
        f") moved ORDER BY {order} LIMIT {limit}",
        *steady_values,
        *moved_values,
    )
    ranks = [int(row.pop("ranked_count")) for row in rows]
    comments = [with_author(row) for row in rows]
    cursors = [
        encode_cursor(rank, comment.created_at, comment.id, as_of)
        for rank, comment in zip(ranks, comments, strict=True)
    ]
    return Page(comments[:first], len(comments) > first, cursors[:first])
