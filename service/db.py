"""Database set-up: Tortoise configuration, start/stop, migrations, readiness."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as migrate_api

SQLITE_PRAGMAS = {"busy_timeout": 10_000, "synchronous": "NORMAL", "foreign_keys": "ON"}


def tortoise_config(database_url: str) -> dict[str, Any]:
    connection = expand_db_url(database_url)
    if connection["engine"] == "tortoise.backends.sqlite":
        connection["engine"] = "service.sqlite_backend"
        for pragma, value in SQLITE_PRAGMAS.items():
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
    """Apply every committed migration that the database has not seen yet."""
    await migrate_api(config=tortoise_config(database_url))
    await Tortoise.close_connections()


async def ping() -> None:
    """Raise if the database does not answer a trivial query."""
    await connections.get("default").execute_query("SELECT 1")
