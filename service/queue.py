"""The moderators' queue: comments with open reports, oldest report first or most reported.

Both orders read indexed columns on the comment row, so a page is one query and the total
another, whatever the queue's length.
"""

from __future__ import annotations

import base64
from datetime import datetime
from enum import StrEnum

from tortoise.expressions import Q

from service.models import Comment
from service.threads import Page, cursor_moment, cursor_number, cursor_parts, keyset_page


class QueueOrder(StrEnum):
    OLDEST_REPORT = "OLDEST_REPORT"
    MOST_REPORTED = "MOST_REPORTED"


def encode_cursor(comment: Comment) -> str:
    assert comment.first_open_report_at is not None
    raw = f"{comment.open_report_count}|{comment.first_open_report_at.isoformat()}|{comment.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> tuple[int, datetime, int]:
    count, moment, row_id = cursor_parts(cursor, 3)
    return cursor_number(count), cursor_moment(moment), cursor_number(row_id)


def _after(cursor: str, order: QueueOrder) -> Q:
    count, moment, row_id = _decode(cursor)
    later = Q(first_open_report_at__gt=moment) | (Q(first_open_report_at=moment) & Q(id__gt=row_id))
    if order == QueueOrder.OLDEST_REPORT:
        return Q(first_open_report_at__gte=moment) & later
    return Q(open_report_count__lte=count) & (
        Q(open_report_count__lt=count) | (Q(open_report_count=count) & later)
    )


def _open() -> Q:
    return Q(open_report_count__gt=0)


async def page(*, first: int, after: str | None, order: QueueOrder) -> Page[Comment]:
    query = Comment.filter(_open())
    if after:
        query = query.filter(_after(after, order))
    ordering: tuple[str, ...] = ("first_open_report_at", "id")
    if order == QueueOrder.MOST_REPORTED:
        ordering = ("-open_report_count", *ordering)
    return await keyset_page(query, *ordering, first=first)


async def total() -> int:
    return await Comment.filter(_open()).count()


async def oldest_open_report_at() -> datetime | None:
    """When the longest-waiting open report came (None: the queue is empty)."""
    oldest = await Comment.filter(_open()).order_by("first_open_report_at", "id").first()
    return oldest.first_open_report_at if oldest is not None else None
