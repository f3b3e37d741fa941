"""Privacy (issue 13): when an account's erasure is due and when it happened, each session's
last use, the ERASE_USER kind of the moderation log; and on PostgreSQL the append-only log
lets an erasure blank the text of a line (its reason and bodies), and nothing else."""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from service.migration_ops import AddNullableColumn, AlterEnumChoices
from service.models import ActionKind

# the same marker as service/moderation_log.py ERASED_TEXT
ERASABLE = """
CREATE OR REPLACE FUNCTION btl_moderation_log_is_append_only() RETURNS trigger AS $$
BEGIN
    -- an erasure blanks a line's text; what was done, by whom, to what and when stays
    IF TG_OP = 'UPDATE'
        AND NEW.id = OLD.id
        AND NEW.kind = OLD.kind
        AND NEW.moderator_id IS NOT DISTINCT FROM OLD.moderator_id
        AND NEW.comment_id IS NOT DISTINCT FROM OLD.comment_id
        AND NEW.target_user_id IS NOT DISTINCT FROM OLD.target_user_id
        AND NEW.article_id IS NOT DISTINCT FROM OLD.article_id
        AND NEW.notice_id IS NOT DISTINCT FROM OLD.notice_id
        AND NEW.appeal_id IS NOT DISTINCT FROM OLD.appeal_id
        AND NEW.created_at = OLD.created_at
        AND NEW.reason = '(erased)'
        AND NEW.previous_body IS NULL
        AND NEW.new_body IS NULL
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the moderation log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION btl_moderation_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def _on_postgres(sql: str) -> Any:
    async def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.client.capabilities.dialect == "postgres":
            await schema_editor.client.execute_script(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [('models', '0010_persisted_queries')]

    initial = False

    operations = [
        AlterEnumChoices(
            model_name='ModerationAction',
            name='kind',
            field=fields.CharEnumField(description='AMEND: AMEND\nREMOVE: REMOVE\nRESTORE: RESTORE\nDISMISS_REPORTS: DISMISS_REPORTS\nAUTO_HIDE: AUTO_HIDE\nSUSPEND_USER: SUSPEND_USER\nBAN_USER: BAN_USER\nREINSTATE_USER: REINSTATE_USER\nCLOSE_COMMENTS: CLOSE_COMMENTS\nOPEN_COMMENTS: OPEN_COMMENTS\nDECIDE_NOTICE: DECIDE_NOTICE\nREVERSE_ON_APPEAL: REVERSE_ON_APPEAL\nAPPROVE: APPROVE\nFEATURE: FEATURE\nUNFEATURE: UNFEATURE\nSET_MODERATION_MODE: SET_MODERATION_MODE\nERASE_USER: ERASE_USER', enum_type=ActionKind, max_length=24),
        ),
        AddNullableColumn(
            model_name='Session',
            name='last_used_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddNullableColumn(
            model_name='User',
            name='deletion_scheduled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddNullableColumn(
            model_name='User',
            name='erased_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(_on_postgres(ERASABLE), _on_postgres(APPEND_ONLY)),
    ]
