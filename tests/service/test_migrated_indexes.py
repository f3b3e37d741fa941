"""The migrated database has every index and unique constraint the models declare.

Tortoise's AlterField rebuilds a SQLite table without the indexes its model declares in
Meta (service/migration_ops.py): a migration that loses one passes every other test and
only shows as a slow thread page or a duplicate row in production.
"""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.models import Model


async def _indexes(database_url: str, table: str) -> dict[str, tuple[frozenset[str], bool]]:
    """Each index of the table: its columns and whether it is unique."""
    connection = connections.get("default")
    found: dict[str, tuple[frozenset[str], bool]] = {}
    if database_url.startswith("postgres"):
        rows = await connection.execute_query_dict(
            "SELECT i.relname AS name, ix.indisunique AS is_unique, a.attname AS column_name "
            "FROM pg_class t JOIN pg_index ix ON t.oid = ix.indrelid "
            "JOIN pg_class i ON i.oid = ix.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(ix.indkey) "
            "WHERE t.relname = $1",
            [table],
        )
        for row in rows:
            columns, _ = found.get(row["name"], (frozenset(), False))
            found[row["name"]] = (columns | {row["column_name"]}, bool(row["is_unique"]))
        return found
    for index in await connection.execute_query_dict(f"PRAGMA index_list('{table}')"):
        info = await connection.execute_query_dict(f"PRAGMA index_info('{index['name']}')")
        found[index["name"]] = (frozenset(c["name"] for c in info), bool(index["unique"]))
    return found


def _column(model: type[Model], field_name: str) -> str:
    field = model._meta.fields_map[field_name]
    return getattr(field, "source_field", None) or field_name


async def test_every_declared_index_and_unique_constraint_is_in_the_migrated_database(
    database_url: str,
) -> None:
    missing = []
    for model in Tortoise.apps["models"].values():
        meta = model._meta
        indexes = await _indexes(database_url, meta.db_table)
        names = {name.lower() for name in indexes}
        for index in meta.indexes:
            name = getattr(index, "name", None)
            if name and name.lower() not in names:
                missing.append(f"{meta.db_table}: index {name}")
        uniques = [columns for columns, unique in indexes.values() if unique]
        for together in meta.unique_together:
            columns = frozenset(_column(model, f) for f in together)
            if columns not in uniques:
                missing.append(f"{meta.db_table}: unique {sorted(columns)}")
        for name, field in meta.fields_map.items():
            declared = field.unique and not field.pk and name in meta.db_fields
            if declared and frozenset({_column(model, name)}) not in uniques:
                missing.append(f"{meta.db_table}: unique {name}")

    assert missing == []
