"""The service's notion of now, injectable so tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.errors import InvalidInput


class Clock:
    """Wall-clock time in UTC, with an offset tests can move forward or back."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)

    def reset(self) -> None:
        self._offset = timedelta(0)


clock = Clock()


def now() -> datetime:
    return clock.now()


def aware(moment: datetime, field: str) -> datetime:
    """A moment a client gave, refused without a time zone (it would mean any of 26 hours)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"Give {field} with a time zone.", field)
    return moment
