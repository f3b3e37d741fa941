"""The Regulations' deadlines: 48 hours on business days only, and the poster's five days."""

from __future__ import annotations

from datetime import datetime

import pytest

from service.defamation_clock import LONDON, notify_poster_by, parse_calendar, poster_respond_by


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        # Tuesday afternoon: Wednesday and Thursday are business days
        (london(2026, 11, 24, 15, 0), london(2026, 11, 26, 15, 0)),
        # Friday 16:00: 8 hours on Friday, none at the weekend, 24 on Monday, 16 on Tuesday
        (london(2026, 11, 27, 16, 0), london(2026, 12, 1, 16, 0)),
        # received on a Saturday: the clock starts on Monday at midnight
        (london(2026, 11, 28, 10, 0), london(2026, 12, 2, 0, 0)),
        # Christmas Eve 2027 is a Friday; Christmas and Boxing Day fall at the weekend, so
        # Monday 27 and Tuesday 28 are the bank holidays in England: 8 h Friday, 24 h
        # Wednesday 29, 16 h Thursday 30
        (london(2027, 12, 24, 16, 0), london(2027, 12, 30, 16, 0)),
        # Good Friday and Easter Monday 2027 (26 and 29 March); the clocks go forward on
        # the Sunday between, which is no business day: no counted hour is lost
        (london(2027, 3, 25, 12, 0), london(2027, 3, 31, 12, 0)),
    ],
)
def test_notify_by_counts_48_hours_on_business_days_only(
    received: datetime, deadline: datetime
) -> None:
    assert notify_poster_by(received, "GB-ENG") == deadline


def test_notify_by_follows_the_configured_calendar() -> None:
    # St Andrew's Day (Monday 30 November 2026) is a bank holiday in Scotland, not in England
    received = london(2026, 11, 27, 16, 0)

    assert notify_poster_by(received, "GB-ENG") == london(2026, 12, 1, 16, 0)
    assert notify_poster_by(received, "GB-SCT") == london(2026, 12, 2, 16, 0)


@pytest.mark.parametrize(
    ("told", "until"),
    [
        # told on Tuesday 1 December: the fifth day after is Sunday 6; midnight ends it
        (london(2026, 12, 1, 10, 0), london(2026, 12, 7, 0, 0)),
        (london(2026, 12, 1, 23, 59), london(2026, 12, 7, 0, 0)),
        # in summer time the same midnight is 23:00 UTC
        (london(2027, 6, 1, 0, 30), london(2027, 6, 7, 0, 0)),
    ],
)
def test_poster_may_answer_until_midnight_at_the_end_of_the_fifth_day(
    told: datetime, until: datetime
) -> None:
    assert poster_respond_by(told) == until


def test_an_unknown_calendar_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_calendar("GB-XYZ")
    with pytest.raises(ValueError):
        parse_calendar("Narnia")
