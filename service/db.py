"""Database set-up: Tortoise configuration, start/stop, migrations, readiness."""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as migrate_api

# SQLite's primary result codes that mean the storage, not the query, failed: BUSY, LOCKED,
# NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN
_SQLITE_STORAGE_CODES = frozenset({5, 6, 7, 8, 10, 11, 13, 14})
# PostgreSQL: a lost or refused connection, a full disk or out of memory (class 53), an
# administrator's shutdown (class 57), a read-only standby after a failover
_POSTGRES_STORAGE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    asyncpg.ReadOnlySQLTransactionError,
    asyncpg.InterfaceError,
    OSError,  # refused, reset, unreachable
)
SQLITE_PRAGMAS = {"busy_timeout": 10_000, "synchronous": "NORMAL", "foreign_keys": "ON"}


def tortoise_config(database_url: str, *, foreign_keys: bool = True) -> dict[str, Any]:
    connection = expand_db_url(database_url)
    if connection["engine"] == "tortoise.backends.sqlite":
        connection["engine"] = "service.sqlite_backend"
        pragmas = {**SQLITE_PRAGMAS, "foreign_keys": "ON" if foreign_keys else "OFF"}
        for pragma, value in pragmas.items():
            connection["credentials"].setdefault(pragma, value)
    elif connection["engine"] == "tortoise.backends.asyncpg":
        connection["engine"] = "service.postgres_backend"
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": ["service.models"],
                "default_connection": "default",
                "migrations": "service.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _cli_config() -> dict[str, Any]:
    from service.config import load_settings

    return tortoise_config(load_settings().database_url)


# For Tortoise's own CLI: `python -m tortoise -c service.db.TORTOISE_ORM makemigrations`.
def __getattr__(name: str) -> Any:
    if name == "TORTOISE_ORM":
        return _cli_config()
    raise AttributeError(name)


async def start(database_url: str) -> None:
    # Global fallback: requests run in other tasks than the lifespan that opened the ORM.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def stop() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str) -> None:
    """Apply every committed migration that the database has not seen yet.

    SQLite alters a column by copying the table and dropping the old one: with foreign keys
    enforced, that drop would cascade to (or be refused by) every table referring to it, so
    they are off while migrating and checked once at the end (SQLite's own 12-step recipe)."""
    try:
        await migrate_api(config=tortoise_config(database_url, foreign_keys=False))
        connection = connections.get("default")
        if connection.capabilities.dialect == "sqlite":
            _, broken = await connection.execute_query("PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"migrations left {len(broken)} broken foreign keys")
    finally:  # a failed migration too: the CLI must exit, not wait on an open connection
        await Tortoise.close_connections()


async def ping() -> None:
    """Raise if the database does not answer a trivial query. On SQLite a SELECT would go to
    a read connection (service/sqlite_backend.py); a PRAGMA asks the one that writes, which a
    wedged transaction would hold."""
    connection = connections.get("default")
    sqlite = connection.capabilities.dialect == "sqlite"
    await connection.execute_query("PRAGMA user_version" if sqlite else "SELECT 1")


def is_storage_failure(error: BaseException) -> bool:
    """The database could not store or read — a full disk, an I/O error, a lost connection —
    as opposed to a query that is wrong. Looks through Tortoise's wrapping."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            code = getattr(current, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in _SQLITE_STORAGE_CODES:
                return True
        elif isinstance(current, _POSTGRES_STORAGE_ERRORS):
            return True
        pending.extend(
            cause
            for cause in (current.__cause__, current.__context__, *current.args)
            if isinstance(cause, BaseException)
        )
    return False
