"""On PostgreSQL, the moderation log refuses UPDATE and DELETE: it is append-only."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

REFUSE = """
CREATE OR REPLACE FUNCTION btl_moderation_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_actions_append_only
    BEFORE UPDATE OR DELETE ON moderation_actions
    FOR EACH ROW EXECUTE FUNCTION btl_moderation_log_is_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS moderation_actions_append_only ON moderation_actions;
DROP FUNCTION IF EXISTS btl_moderation_log_is_append_only();
"""


def _on_postgres(sql: str) -> Any:
    async def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.client.capabilities.dialect == "postgres":
            await schema_editor.client.execute_script(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [ops.RunPython(_on_postgres(REFUSE), _on_postgres(ALLOW))]
