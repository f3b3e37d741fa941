"""Reports: "report this post", once per reader per comment; they feed the moderators' queue."""

from __future__ import annotations

from service.models import Report
from service.threads import Page, after_filter, check_first


async def for_comment(comment_id: int, *, first: int, after: str | None) -> Page[Report]:
    """A comment's reports, oldest first."""
    query = Report.filter(comment_id=comment_id)
    if after:
        query = query.filter(after_filter(after, descending=False))
    rows = await query.order_by("created_at", "id").limit(check_first(first) + 1)
    return Page(list(rows[:first]), len(rows) > first)
