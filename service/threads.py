"""Reading threads: keyset pages of top-level comments and replies, as each viewer may see them.

Cursors are opaque to clients: base64 of (createdAt, id). The keyset filter is written
as `created_at <= c AND (created_at < c OR id < i)` so both databases walk the thread
index from the cursor instead of from the newest row.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from service import sql
from service.errors import BadUserInput
from service.ids import parse_id
from service.models import Comment, User
from service.visibility import reader_visible_sql

T = TypeVar("T")
M = TypeVar("M", bound=Model)
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    # each item's cursor, when the order is not (createdAt, id) (MOST_RECOMMENDED)
    cursors: list[str] | None = None


def check_first(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE}.")
    return first


def encode_cursor(created_at: datetime, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{row_id}".encode()).decode()


NOT_OURS = "That cursor is not one this service gave out."


def cursor_parts(cursor: str, count: int) -> list[str]:
    try:
        parts = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
    except (ValueError, UnicodeError, binascii.Error):
        raise BadUserInput(NOT_OURS) from None
    if len(parts) != count:
        raise BadUserInput(NOT_OURS)
    return parts


def cursor_number(text: str) -> int:
    number = parse_id(text)
    if number is None:
        raise BadUserInput(NOT_OURS)
    return number


def cursor_moment(text: str) -> datetime:
    """A moment with its offset, one the database can hold (in UTC)."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(text)
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise BadUserInput(NOT_OURS) from None
    return moment


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    moment, row_id = cursor_parts(cursor, 2)
    return cursor_moment(moment), cursor_number(row_id)


def _on(field: str, value: Any) -> Q:
    return Q(**{field: value})


def after_filter(after: str, descending: bool, time_field: str = "created_at") -> Q:
    moment, row_id = decode_cursor(after)
    if descending:
        return _on(f"{time_field}__lte", moment) & (
            _on(f"{time_field}__lt", moment) | Q(id__lt=row_id)
        )
    return _on(f"{time_field}__gte", moment) & (_on(f"{time_field}__gt", moment) | Q(id__gt=row_id))


async def keyset_page(query: QuerySet[M], *ordering: str, first: int) -> Page[M]:
    """One page in `ordering`, asking for one row more to know whether another page follows."""
    rows = await query.order_by(*ordering).limit(check_first(first) + 1)
    return Page(list(rows[:first]), len(rows) > first)


AUTHOR_COLUMNS = ", ".join(f'u.{column} AS "author {column}"' for column in User._meta.db_fields)


def with_author(row: dict[str, Any]) -> Comment:
    author = {k.removeprefix("author "): row.pop(k) for k in list(row) if k.startswith("author ")}
    comment = Comment._init_from_db(**row)
    if author["id"] is not None:
        comment._author = User._init_from_db(**author)  # as select_related would
    return comment


async def top_level(
    article_id: str,
    *,
    first: int,
    after: str | None,
    newest_first: bool,
    staff: bool,
    viewer_id: int | None = None,
) -> Page[Comment]:
    """A page of top-level comments with their authors: one hand-written query (the thread
    page is the hottest read there is)."""
    return await _page(
        ["c.article_id = {}", "c.parent_id IS NULL"],
        [article_id],
        first=first,
        after=after,
        newest_first=newest_first,
        staff=staff,
        viewer_id=viewer_id,
    )


async def replies(
    parent_id: int, *, first: int, after: str | None, staff: bool, viewer_id: int | None = None
) -> Page[Comment]:
    """A page of a comment's direct replies, oldest first, with their authors: one query on
    the replies index from the cursor (a comment with 500 replies costs what one with 5
    does), authors joined so the page completes without another read."""
    return await _page(
        ["c.parent_id = {}"],
        [parent_id],
        first=first,
        after=after,
        newest_first=False,
        staff=staff,
        viewer_id=viewer_id,
    )


async def _page(
    where: list[str],
    values: list[Any],
    *,
    first: int,
    after: str | None,
    newest_first: bool,
    staff: bool,
    viewer_id: int | None,
) -> Page[Comment]:
    """One page of the comments `where` selects, by creation time from the cursor, with
    their authors joined: one query (the thread page is the hottest read there is)."""
    check_first(first)
    if not staff:
        visible, shown_to = reader_visible_sql(viewer_id)
        where = [*where, visible]
        values = [*values, *shown_to]
    if after:
        moment, row_id = decode_cursor(after)
        bound, strict, by_id = ("<=", "<", "<") if newest_first else (">=", ">", ">")
        where = [
            *where,
            f"c.created_at {bound} {{}} AND (c.created_at {strict} {{}} OR c.id {by_id} {{}})",
        ]
        values = [*values, sql.db_time(moment), sql.db_time(moment), row_id]
    direction = "DESC" if newest_first else "ASC"
    rows = await sql.fetch(
        f"SELECT c.*, {AUTHOR_COLUMNS} FROM comments c "
        "LEFT JOIN users u ON u.id = c.author_id "
        f"WHERE {' AND '.join(where)} "
        f"ORDER BY c.created_at {direction}, c.id {direction} LIMIT {first + 1}",
        *values,
    )
    comments = [with_author(row) for row in rows]
    return Page(comments[:first], len(comments) > first)


async def first_pages(
    model: type[M], owner_column: str, owner_ids: list[int], *, first: int, where: str = ""
) -> dict[int, Page[M]]:
    """The first page (oldest first) of `model`'s rows under each owner, in one query: a
    window per owner. `where` is an SQL condition on the rows (aliased `c`, as the
    visibility rule is written), its values inlined: ints only."""
    check_first(first)
    ids = ",".join(str(int(owner_id)) for owner_id in owner_ids)  # ints only: safe inline
    rows: list[M] = await model.raw(
        "SELECT * FROM ("
        " SELECT c.*, ROW_NUMBER() OVER ("
        f"  PARTITION BY c.{owner_column} ORDER BY c.created_at, c.id) AS position_in_owner"
        f" FROM {model._meta.db_table} c WHERE c.{owner_column} IN ({ids}) {where}"
        f") ranked WHERE position_in_owner <= {first + 1}"
        f" ORDER BY {owner_column}, created_at, id"
    )
    grouped: dict[int, list[M]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, owner_column)].append(row)
    return {
        owner_id: Page(grouped[owner_id][:first], len(grouped[owner_id]) > first)
        for owner_id in owner_ids
    }


async def first_replies(
    parent_ids: list[int], *, first: int, staff: bool, viewer_id: int | None = None
) -> dict[int, Page[Comment]]:
    """The first page of replies under each parent, as the viewer may see them, with their
    authors. One parent (a comment's own page of replies): the keyset read, which stops
    after `first` rows where a window numbers every reply."""
    if len(parent_ids) == 1:
        page = await replies(
            parent_ids[0], first=first, after=None, staff=staff, viewer_id=viewer_id
        )
        return {parent_ids[0]: page}
    check_first(first)
    visible = ""
    if not staff:
        condition, shown_to = reader_visible_sql(viewer_id)
        visible = "AND " + condition.format(*(int(v) for v in shown_to))  # ints: safe inline
    ids = ",".join(str(int(parent_id)) for parent_id in parent_ids)  # ints only: safe inline
    rows = await sql.fetch(
        "SELECT * FROM ("
        f" SELECT c.*, {AUTHOR_COLUMNS}, ROW_NUMBER() OVER ("
        "  PARTITION BY c.parent_id ORDER BY c.created_at, c.id) AS position_in_owner"
        " FROM comments c LEFT JOIN users u ON u.id = c.author_id"
        f" WHERE c.parent_id IN ({ids}) {visible}"
        f") ranked WHERE position_in_owner <= {first + 1}"
        " ORDER BY parent_id, created_at, id"
    )
    grouped: dict[int, list[Comment]] = defaultdict(list)
    for row in rows:
        del row["position_in_owner"]
        comment = with_author(row)
        grouped[comment.parent_id or 0].append(comment)
    return {
        parent_id: Page(grouped[parent_id][:first], len(grouped[parent_id]) > first)
        for parent_id in parent_ids
    }
