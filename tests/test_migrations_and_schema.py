"""Committed artefacts stay in step with the code: migrations, the exported schema, the contract."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import build_schema, find_breaking_changes
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from schema.export import SCHEMA_FILE, render
from service.db import tortoise_config

# the repository's own copy of the public contract: a clone needs nothing beside it
CONTRACT = Path(__file__).resolve().parents[1] / "schema" / "contract.graphql"

# Contract names not served yet, by the issue that serves them; each leaves as it lands.
NOT_YET_SERVED: set[str] = set()


async def test_models_and_committed_migrations_agree(database_url: str) -> None:
    config = tortoise_config(database_url)
    apps = config["apps"]
    detector = MigrationAutodetector(Tortoise.apps, apps)

    writers = await detector.changes()

    assert writers == [], "models changed without a migration: run `make migrations`"


def test_exported_schema_file_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), "run `make schema`"


def _differences_from_contract() -> dict[str, str]:
    """Each breaking difference, keyed by the type or `Type.field` it is about."""
    contract = build_schema(CONTRACT.read_text(encoding="utf-8"))
    served = build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    differences = {}
    for change in find_breaking_changes(contract, served):
        match = re.match(r"^(?:Field )?(\S+?) was removed\.$", change.description)
        subject = match[1] if match else change.description
        differences[subject] = change.description
    return differences


def test_every_contract_name_is_served_except_the_listed_ones() -> None:
    differences = _differences_from_contract()

    unexpected = {k: v for k, v in differences.items() if k not in NOT_YET_SERVED}
    assert unexpected == {}


def test_the_not_yet_served_list_is_not_stale() -> None:
    differences = _differences_from_contract()

    assert sorted(NOT_YET_SERVED - differences.keys()) == []
