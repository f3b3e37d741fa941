"""Moderation coverage: FULL inside the staffed hours, PARTIAL outside them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_RANGE = re.compile(
    r"^(?P<days>[A-Za-z]{3}(?:-[A-Za-z]{3})?(?:,[A-Za-z]{3}(?:-[A-Za-z]{3})?)*)\s+"
    r"(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$"
)


class CoverageLevel(StrEnum):
    FULL = "FULL"
    PARTIAL = "PARTIAL"


@dataclass(frozen=True, slots=True)
class StaffedRange:
    weekdays: frozenset[int]  # 0 = Monday
    start_minute: int
    end_minute: int  # exclusive; 1440 means midnight at the end of the day

    def covers(self, weekday: int, minute: int) -> bool:
        return weekday in self.weekdays and self.start_minute <= minute < self.end_minute


def _minute(text: str, allow_midnight_end: bool) -> int:
    hours, minutes = int(text[:2]), int(text[3:])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not allow_midnight_end)):
        raise ValueError(text)
    return hours * 60 + minutes


def _weekdays(spec: str) -> frozenset[int]:
    days: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.partition("-")
        names = [name.capitalize() for name in (first, last or first)]
        if any(name not in DAYS for name in names):
            raise ValueError(spec)
        start, end = DAYS.index(names[0]), DAYS.index(names[1])
        if end < start:
            raise ValueError(spec)
        days.update(range(start, end + 1))
    return frozenset(days)


def parse_schedule(text: str) -> tuple[StaffedRange, ...]:
    """Parse `Mon-Fri 09:00-18:00; Sat 10:00-14:00`; raise ValueError when malformed."""
    ranges = []
    for chunk in text.split(";"):
        match = _RANGE.match(" ".join(chunk.split()))
        if not match:
            raise ValueError(text)
        start = _minute(match["start"], allow_midnight_end=False)
        end = _minute(match["end"], allow_midnight_end=True)
        if end <= start:
            raise ValueError(text)
        ranges.append(StaffedRange(_weekdays(match["days"]), start, end))
    return tuple(ranges)


@dataclass(frozen=True, slots=True)
class Coverage:
    level: CoverageLevel
    schedule: str
    next_change_at: datetime
    auto_hide_threshold: int | None


class CoverageSchedule:
    def __init__(self, hours: str, time_zone: str, auto_hide_full: int, auto_hide_partial: int):
        self.ranges = parse_schedule(hours)
        self.zone = ZoneInfo(time_zone)
        self.description = f"{'; '.join(' '.join(c.split()) for c in hours.split(';'))} {time_zone}"
        self.thresholds = {
            CoverageLevel.FULL: auto_hide_full or None,
            CoverageLevel.PARTIAL: auto_hide_partial or None,
        }

    def level_at(self, moment: datetime) -> CoverageLevel:
        local = moment.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        staffed = any(r.covers(local.weekday(), minute) for r in self.ranges)
        return CoverageLevel.FULL if staffed else CoverageLevel.PARTIAL

    def _boundaries(self, day: date) -> list[datetime]:
        moments = []
        for staffed in self.ranges:
            if day.weekday() not in staffed.weekdays:
                continue
            for minute in (staffed.start_minute, staffed.end_minute):
                if minute == 1440:
                    local = datetime.combine(day + timedelta(days=1), time(0), self.zone)
                else:
                    local = datetime.combine(day, time(minute // 60, minute % 60), self.zone)
                moments.append(local)
        return moments

    def next_change_after(self, moment: datetime) -> datetime:
        current = self.level_at(moment)
        today = moment.astimezone(self.zone).date()
        candidates = sorted(
            b for offset in range(9) for b in self._boundaries(today + timedelta(days=offset))
        )
        for boundary in candidates:
            if boundary > moment and self.level_at(boundary) != current:
                return boundary
        return moment + timedelta(days=7)  # staffed always or never: no change ahead

    def at(self, moment: datetime) -> Coverage:
        level = self.level_at(moment)
        return Coverage(
            level=level,
            schedule=self.description,
            next_change_at=self.next_change_after(moment),
            auto_hide_threshold=self.thresholds[level],
        )
