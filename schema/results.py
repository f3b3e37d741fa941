"""Turn a domain call into a result-union value: success converted, failure a member."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from schema.types.errors import Error, error_member
from service.errors import DomainError

T = TypeVar("T")


async def result_of(call: Awaitable[T], convert: Callable[[T], Any]) -> Any:
    try:
        value = await call
    except DomainError as exc:
        member: Error = error_member(exc)
        return member
    return convert(value)
