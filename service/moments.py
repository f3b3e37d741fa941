"""Instants sent by the publisher's systems (ISO 8601 with an offset, or seconds since 1970)."""

from __future__ import annotations

from datetime import UTC, datetime

from service.errors import InvalidInput


def parse_moment(value: object, field: str) -> datetime:
    """An aware datetime from an ISO 8601 string with an offset or a NumericDate (RFC 7519)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(f"{field} is not a time btl can read.", field) from None
    if isinstance(value, str) and len(value) <= 64:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"{field} must be an ISO 8601 date and time.", field) from None
        return require_offset(moment, field)
    raise InvalidInput(f"{field} must be an ISO 8601 date and time.", field)


def require_offset(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"Give {field} with a time zone.", field)
    return moment
