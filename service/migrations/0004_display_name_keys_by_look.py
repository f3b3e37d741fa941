"""users.display_name_key becomes the confusable key of service/display_names.py.

It was the casefolded name, so "Ada", "Аda" (Cyrillic А) and "Ａｄａ" could all register.
Every key is recomputed. Two existing accounts whose names now share a key both keep their
names: the older one gets the key, each newer one the key plus ":<its id>" (still unique,
so no new name can match it), and the migration logs them for a moderator to look at.
"""

import logging
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

from service.display_names import display_name_key

logger = logging.getLogger("btl.migrations")


async def _set_keys(apps: Any, schema_editor: Any, key_of: Any) -> None:
    client = schema_editor.client
    placeholders = ("$1", "$2") if client.capabilities.dialect == "postgres" else ("?", "?")
    update = "UPDATE users SET display_name_key = {} WHERE id = {}".format(*placeholders)
    _, rows = await client.execute_query("SELECT id, display_name FROM users ORDER BY id")
    # every key is first set to a placeholder of its own: a new key may be an old one's
    for row in rows:
        await client.execute_query(update, [f"~{row['id']}", row["id"]])
    taken: dict[str, int] = {}
    for row in rows:
        key = key_of(row["display_name"])
        if key in taken:
            logger.warning(
                "users %s and %s have display names that look alike (%r): both kept",
                taken[key],
                row["id"],
                row["display_name"],
            )
            key = f"{key}:{row['id']}"
        else:
            taken[key] = row["id"]
        await client.execute_query(update, [key, row["id"]])


async def recompute(apps: Any, schema_editor: Any) -> None:
    await _set_keys(apps, schema_editor, display_name_key)


async def casefold_again(apps: Any, schema_editor: Any) -> None:
    await _set_keys(apps, schema_editor, lambda name: name.casefold())


class Migration(migrations.Migration):
    dependencies = [("models", "0003_public_epoch")]

    initial = False

    operations = [ops.RunPython(recompute, casefold_again)]
