"""The deadlines of the Defamation (Operators of Websites) Regulations 2013, in London time.

- The operator must tell the poster within 48 hours of the notice of complaint, where
  "48 hours" excludes any part of a day that is not a business day (reg. 2): weekends and
  the bank holidays of BTL_LEGAL_HOLIDAYS (the `holidays` package; default England).
- The poster may answer until "midnight at the end of the fifth day after the day on
  which the notice ... is sent" (Schedule, para. 2): calendar days.

Arithmetic is done on UTC instants, so a day with a clock change counts its real hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
NOTIFY_WITHIN = timedelta(hours=48)
RESPOND_DAYS = 5


def parse_calendar(code: str) -> tuple[str, str | None]:
    """`GB-ENG` -> ("GB", "ENG"); `GB` -> ("GB", None). ValueError for an unknown one."""
    country, _, subdivision = code.strip().upper().partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ValueError(code)
    if subdivision and subdivision not in supported[country]:
        raise ValueError(code)
    return country, subdivision or None


@lru_cache(maxsize=8)
def _calendar(code: str) -> holidays.HolidayBase:
    country, subdivision = parse_calendar(code)
    return holidays.country_holidays(country, subdiv=subdivision)


def is_business_day(day: date, calendar: str) -> bool:
    return day.weekday() < 5 and day not in _calendar(calendar)


def _midnight_after(day: date) -> datetime:
    """The instant the London day after `day` begins."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).astimezone(UTC)


def notify_poster_by(received_at: datetime, calendar: str) -> datetime:
    """`received_at` + 48 hours counted on business days only."""
    remaining = NOTIFY_WITHIN
    moment = received_at.astimezone(UTC)
    while True:
        day = moment.astimezone(LONDON).date()
        day_ends = _midnight_after(day)
        if is_business_day(day, calendar):
            if moment + remaining <= day_ends:
                return moment + remaining
            remaining -= day_ends - moment
        moment = day_ends


def poster_respond_by(notified_at: datetime) -> datetime:
    """Midnight (London) at the end of the fifth day after the day the poster was told."""
    told_on = notified_at.astimezone(LONDON).date()
    return _midnight_after(told_on + timedelta(days=RESPOND_DAYS))
