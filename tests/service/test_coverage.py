from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from service.clock import clock
from service.coverage import CoverageLevel, CoverageSchedule, parse_schedule
from tests.support import Api

LONDON = ZoneInfo("Europe/London")
FULL, PARTIAL = CoverageLevel.FULL, CoverageLevel.PARTIAL
COVERAGE = "{ moderationCoverage { level schedule nextChangeAt autoHideThreshold } }"


def weekdays() -> CoverageSchedule:
    return CoverageSchedule("Mon-Fri 09:00-18:00", "Europe/London", 0, 3)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "level", "next_change"),
    [
        (london(2026, 11, 27, 17, 59), FULL, utc(2026, 11, 27, 18, 0)),  # Friday
        (london(2026, 11, 27, 18, 0), PARTIAL, utc(2026, 11, 30, 9, 0)),
        (london(2026, 11, 28, 12, 0), PARTIAL, utc(2026, 11, 30, 9, 0)),  # Saturday
        (london(2026, 11, 30, 8, 59), PARTIAL, utc(2026, 11, 30, 9, 0)),  # Monday
        (london(2026, 11, 30, 9, 0), FULL, utc(2026, 11, 30, 18, 0)),
    ],
    ids=["fri-17:59", "fri-18:00", "sat", "mon-08:59", "mon-09:00"],
)
def test_coverage_around_the_weekly_boundaries(
    moment: datetime, level: CoverageLevel, next_change: datetime
) -> None:
    coverage = weekdays().at(moment)

    assert coverage.level == level
    assert coverage.next_change_at == next_change
    assert coverage.auto_hide_threshold == (3 if level == PARTIAL else None)
    assert coverage.schedule == "Mon-Fri 09:00-18:00 Europe/London"


@pytest.mark.parametrize(
    ("moment", "next_change"),
    [
        # clocks go forward on Sunday 29 March 2026: Monday 09:00 BST is 08:00Z
        (utc(2026, 3, 27, 18, 0), utc(2026, 3, 30, 8, 0)),
        (utc(2026, 3, 28, 12, 0), utc(2026, 3, 30, 8, 0)),
        # clocks go back on Sunday 25 October 2026: Monday 09:00 GMT is 09:00Z
        (utc(2026, 10, 23, 17, 0), utc(2026, 10, 26, 9, 0)),  # Friday 18:00 BST
        (utc(2026, 10, 24, 12, 0), utc(2026, 10, 26, 9, 0)),
    ],
    ids=["march-friday", "march-saturday", "october-friday", "october-saturday"],
)
def test_coverage_next_change_across_a_clock_change(
    moment: datetime, next_change: datetime
) -> None:
    coverage = weekdays().at(moment)

    assert coverage.level == PARTIAL
    assert coverage.next_change_at.astimezone(UTC) == next_change


@pytest.mark.parametrize(
    ("moment", "level", "next_change"),
    [
        (utc(2026, 3, 30, 8, 30), FULL, utc(2026, 3, 30, 17, 0)),  # 09:30 BST
        (utc(2026, 3, 27, 8, 30), PARTIAL, utc(2026, 3, 27, 9, 0)),  # 08:30 GMT
        (utc(2026, 10, 23, 16, 30), FULL, utc(2026, 10, 23, 17, 0)),  # 17:30 BST
        (utc(2026, 10, 26, 8, 30), PARTIAL, utc(2026, 10, 26, 9, 0)),  # 08:30 GMT
    ],
    ids=["summer-monday", "winter-friday", "summer-friday", "winter-monday"],
)
def test_coverage_reads_local_time_on_either_side_of_a_clock_change(
    moment: datetime, level: CoverageLevel, next_change: datetime
) -> None:
    coverage = weekdays().at(moment)

    assert coverage.level == level
    assert coverage.next_change_at == next_change


@pytest.mark.parametrize(
    ("moment", "level", "next_change"),
    [
        (london(2026, 11, 27, 18, 0), PARTIAL, utc(2026, 11, 28, 10, 0)),  # Friday evening
        (london(2026, 11, 28, 9, 59), PARTIAL, utc(2026, 11, 28, 10, 0)),  # Saturday
        (london(2026, 11, 28, 10, 0), FULL, utc(2026, 11, 28, 14, 0)),
        (london(2026, 11, 28, 14, 0), PARTIAL, utc(2026, 11, 30, 9, 0)),
        (london(2026, 11, 29, 12, 0), PARTIAL, utc(2026, 11, 30, 9, 0)),  # Sunday
    ],
    ids=["fri-18:00", "sat-09:59", "sat-10:00", "sat-14:00", "sun"],
)
def test_coverage_with_a_saturday_range(
    moment: datetime, level: CoverageLevel, next_change: datetime
) -> None:
    schedule = CoverageSchedule("Mon-Fri 09:00-18:00;  Sat 10:00-14:00", "Europe/London", 0, 3)

    coverage = schedule.at(moment)

    assert coverage.level == level
    assert coverage.next_change_at == next_change
    assert coverage.schedule == "Mon-Fri 09:00-18:00; Sat 10:00-14:00 Europe/London"


def test_parse_schedule_reads_days_lists_and_midnight() -> None:
    ranges = parse_schedule("Mon,Wed-Thu 00:00-24:00; sat 10:00-14:30")

    assert [(sorted(r.weekdays), r.start_minute, r.end_minute) for r in ranges] == [
        ([0, 2, 3], 0, 1440),
        ([5], 600, 870),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mon-Fri",
        "Mon-Fri 9:00-18:00",
        "Mon-Fri 09:00 - 18:00",
        "Fri-Mon 09:00-18:00",
        "Mon-Fri 18:00-09:00",
        "Mon-Fri 09:00-09:00",
        "Mon-Fri 09:60-18:00",
        "Mon-Fri 09:00-24:30",
        "Mon-Fri 24:00-24:00",
        "Mon-Fry 09:00-18:00",
        "Mon-Fri 09:00-18:00;",
        "Mon-Fri 09:00-18:00, Sat 10:00-14:00",
    ],
)
def test_parse_schedule_rejects_malformed_text(text: str) -> None:
    with pytest.raises(ValueError):
        parse_schedule(text)


async def test_moderation_coverage_query_follows_the_clock(api: Api) -> None:
    # given: a Saturday at noon in London
    clock.set(utc(2026, 11, 28, 12, 0))

    # when
    saturday = (await api.data(COVERAGE))["moderationCoverage"]
    clock.set(utc(2026, 11, 24, 11, 0))  # a Tuesday, 11:00
    tuesday = (await api.data(COVERAGE))["moderationCoverage"]

    # then
    assert saturday["level"] == "PARTIAL"
    assert saturday["schedule"] == "Mon-Fri 09:00-18:00 Europe/London"
    assert datetime.fromisoformat(saturday["nextChangeAt"]) == utc(2026, 11, 30, 9, 0)
    assert saturday["autoHideThreshold"] == 3
    assert tuesday["level"] == "FULL"
    assert datetime.fromisoformat(tuesday["nextChangeAt"]) == utc(2026, 11, 24, 18, 0)
    assert tuesday["autoHideThreshold"] is None
