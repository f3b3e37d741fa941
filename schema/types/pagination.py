from __future__ import annotations

import strawberry

from schema.audience import Audience, audience, carried


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_info(cursors: list[str], has_next: bool) -> PageInfo:
    return PageInfo(has_next_page=has_next, end_cursor=cursors[-1] if cursors else None)
