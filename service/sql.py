"""Hand-written SQL for the few reads every page makes.

Tortoise's query builder costs more per call than these small indexed queries take to
run; the hottest reads are written once here, with `{}` where a parameter goes, and
the rows are turned back into models.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from tortoise import connections
from tortoise.fields import DatetimeField
from tortoise.models import Model

_TIME = DatetimeField()
T = TypeVar("T")


CHUNK = 500  # ids per IN list: well under both databases' parameter limits


def chunks(ids: Iterable[T]) -> Iterator[list[T]]:
    """`ids` in lists of at most CHUNK, for IN lists of any length."""
    listed = list(ids)
    for start in range(0, len(listed), CHUNK):
        yield listed[start : start + CHUNK]


def marks(count: int) -> str:
    """`{}, {}, …` for an IN list of `count` parameters."""
    return ", ".join(["{}"] * count)


def dialect() -> str:
    """ "sqlite" or "postgres"."""
    return str(connections.get("default").capabilities.dialect)


def _render(template: str, count: int) -> str:
    return _rendered(template, count, dialect())


@lru_cache(maxsize=1024)
def _rendered(template: str, count: int, dialect: str) -> str:
    if dialect == "postgres":
        return template.format(*(f"${n}" for n in range(1, count + 1)))
    return template.format(*(["?"] * count))


async def fetch(template: str, *values: Any) -> list[dict[str, Any]]:
    """Rows as dicts; inside `in_transaction()` this runs on the transaction's connection.
    Outside one, SQLite runs it at once on this thread when it need not wait
    (service/sqlite_backend.py `read_now`): these are small indexed reads."""
    connection = connections.get("default")
    query = _render(template, len(values))
    read_now = getattr(connection, "read_now", None)
    if read_now is not None:
        now_rows: list[dict[str, Any]] | None = read_now(query, list(values))
        if now_rows is not None:
            return now_rows
    rows: list[dict[str, Any]] = await connection.execute_query_dict(query, list(values))
    return rows  # fresh dicts from both backends: callers may change them


async def execute(template: str, *values: Any) -> int:
    """An INSERT, UPDATE or DELETE; the number of rows it changed."""
    connection = connections.get("default")
    changed, _ = await connection.execute_query(_render(template, len(values)), list(values))
    return int(changed)


def db_time(moment: datetime) -> Any:
    """A datetime as the database compares it (SQLite keeps text)."""
    return _TIME.to_db_value(moment, Model)


def python_time(value: Any) -> datetime:
    """A datetime column as read back by `fetch`."""
    moment = _TIME.to_python_value(value)
    assert moment is not None
    return moment
