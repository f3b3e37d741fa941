"""The figures a yearly transparency report needs (EU Digital Services Act, Art. 15), for a
period [from, to)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.errors import BadUserInput
from service.models import (
    Appeal,
    AppealStatus,
    LegalNotice,
    NoticeDecision,
    NoticeKind,
    NoticeStatus,
    Report,
    RestrictionKind,
    Statement,
)

# a sanity bound: any period a report may cover, from the first notice to now
LONGEST_PERIOD = timedelta(days=100 * 366)
REJECTED = "REJECTED"  # a notice refused on its face counts as a decision too


@dataclass(frozen=True, slots=True)
class TransparencyReport:
    start: datetime
    end: datetime
    reports_received: int
    notices_received: dict[str, int]
    notice_decisions: dict[str, int]
    median_hours_to_notice_decision: float | None
    restrictions: dict[str, int]
    automated_restrictions: int
    appeals_lodged: int
    appeals_reversed: int


def _every(names: list[str], counted: Counter[str]) -> dict[str, int]:
    """Each name with its count, zeros included, in a stable order."""
    return {name: counted.get(name, 0) for name in names}


async def report(start: datetime, end: datetime) -> TransparencyReport:
    if start.tzinfo is None or end.tzinfo is None:
        raise BadUserInput("Give `from` and `to` with a time zone.")
    if not start < end <= start + LONGEST_PERIOD:
        raise BadUserInput("`from` must be before `to`, at most a hundred years apart.")
    received = await LegalNotice.filter(received_at__gte=start, received_at__lt=end).values_list(
        "kind", flat=True
    )
    decided = await LegalNotice.filter(
        decided_at__gte=start,
        decided_at__lt=end,
        status__in=(NoticeStatus.DECIDED, NoticeStatus.REJECTED),
    ).values("decision", "received_at", "decided_at")
    statements = await Statement.filter(created_at__gte=start, created_at__lt=end).values(
        "restriction", "automated"
    )
    hours = [(row["decided_at"] - row["received_at"]).total_seconds() / 3600 for row in decided]
    return TransparencyReport(
        start=start,
        end=end,
        reports_received=await Report.filter(created_at__gte=start, created_at__lt=end).count(),
        notices_received=_every([k.value for k in NoticeKind], Counter(map(str, received))),
        notice_decisions=_every(
            [*(d.value for d in NoticeDecision), REJECTED],
            Counter(str(row["decision"] or REJECTED) for row in decided),
        ),
        median_hours_to_notice_decision=round(statistics.median(hours), 2) if hours else None,
        restrictions=_every(
            [r.value for r in RestrictionKind],
            Counter(str(row["restriction"]) for row in statements),
        ),
        automated_restrictions=sum(1 for row in statements if row["automated"]),
        appeals_lodged=await Appeal.filter(created_at__gte=start, created_at__lt=end).count(),
        appeals_reversed=await Appeal.filter(
            decided_at__gte=start, decided_at__lt=end, status=AppealStatus.REVERSED
        ).count(),
    )
