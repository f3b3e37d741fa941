"""Migration operations Tortoise's own get wrong on a database that already has rows.

On SQLite, Tortoise's AlterField rebuilds the whole table, and the rebuilt table lacks the
unique constraints and indexes the model declares in Meta; and AddField adds a NOT NULL
column without a database default, which both databases refuse on a table with rows.
tests/service/test_migrated_indexes.py checks every declared index survives the migrations.
"""

from __future__ import annotations

from typing import Any

from tortoise.migrations import operations as ops


class AlterEnumChoices(ops.AlterField):
    """Only an enum's list of values changes (the column stays VARCHAR): the new state, and
    nothing done to the database, where SQLite would rebuild the whole table for it and lose
    its unique constraint and indexes on the way."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None


class AddColumnWithDefault(ops.AddField):
    """A NOT NULL column with a default in the database too: Tortoise adds it without one,
    which both databases refuse on a table that has rows."""

    def __init__(self, model_name: str, name: str, field: Any, column: str) -> None:
        super().__init__(model_name=model_name, name=name, field=field)
        self.column = column  # the column's definition, the same on SQLite and PostgreSQL

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is not None:
            table = new_state.apps.get_model(f"{app_label}.{self.model_name}")._meta.db_table
            await state_editor.client.execute_script(
                f'ALTER TABLE "{table}" ADD COLUMN "{self.name}" {self.column}'
            )


class AddNullableColumn(ops.AddField):
    """A nullable column, dropped in place when the migration is reversed: Tortoise's
    removal rebuilds the table on SQLite, which loses its unique constraints and indexes
    (and an earlier migration's reversal then fails on the index it expects to drop)."""

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is not None:
            model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
            field = model._meta.fields_map[self.name]
            column = getattr(field, "source_field", None) or self.name
            await state_editor.client.execute_script(
                f'ALTER TABLE "{model._meta.db_table}" DROP COLUMN "{column}"'
            )
