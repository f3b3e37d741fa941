"""The moderation log's kinds of both the legal duties and the reader features (their two
migrations each listed their own); only the state changes (service/migration_ops.py)."""

from tortoise import fields, migrations

from service.migration_ops import AlterEnumChoices
from service.models import ActionKind

class Migration(migrations.Migration):
    dependencies = [('models', '0008_reader_features')]

    initial = False

    operations = [
        AlterEnumChoices(
            model_name='ModerationAction',
            name='kind',
            field=fields.CharEnumField(description='AMEND: AMEND\nREMOVE: REMOVE\nRESTORE: RESTORE\nDISMISS_REPORTS: DISMISS_REPORTS\nAUTO_HIDE: AUTO_HIDE\nSUSPEND_USER: SUSPEND_USER\nBAN_USER: BAN_USER\nREINSTATE_USER: REINSTATE_USER\nCLOSE_COMMENTS: CLOSE_COMMENTS\nOPEN_COMMENTS: OPEN_COMMENTS\nDECIDE_NOTICE: DECIDE_NOTICE\nREVERSE_ON_APPEAL: REVERSE_ON_APPEAL\nAPPROVE: APPROVE\nFEATURE: FEATURE\nUNFEATURE: UNFEATURE\nSET_MODERATION_MODE: SET_MODERATION_MODE', enum_type=ActionKind, max_length=24),
        ),
    ]
