"""Legal duties: notices, statements of reasons, appeals, notifications, the mail outbox and
due jobs; the moderation log links the notice or appeal an action was about."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from service.migration_ops import AlterEnumChoices
from service.models import ActionKind, AppealStatus, NoticeDecision, NoticeKind, NoticeStatus, NotificationKind, RestrictionGround, RestrictionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_display_name_keys_by_look')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=64)),
                ('payload', fields.TextField(default='{}', unique=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=100)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'jobs', 'app': 'models', 'indexes': [Index(fields=['done_at', 'due_at', 'id'], name='jobs_due_idx')], 'pk_attr': 'id', 'table_description': 'Time-driven work, done once by whichever scheduler claims it first.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LegalNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='ILLEGAL_CONTENT: ILLEGAL_CONTENT\nDEFAMATION: DEFAMATION', enum_type=NoticeKind, max_length=24)),
                ('status', fields.CharEnumField(default=NoticeStatus.RECEIVED, description='RECEIVED: RECEIVED\nAWAITING_POSTER: AWAITING_POSTER\nPOSTER_REFUSED: POSTER_REFUSED\nDECIDED: DECIDED\nREJECTED: REJECTED', enum_type=NoticeStatus, max_length=24)),
                ('comment', fields.ForeignKeyField('models.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.RESTRICT)),
                ('poster', fields.ForeignKeyField('models.User', source_field='poster_id', null=True, db_constraint=True, to_field='id', related_name='notices_about', on_delete=OnDelete.SET_NULL)),
                ('notifier_name', fields.CharField(max_length=200)),
                ('notifier_email', fields.CharField(max_length=254)),
                ('legal_ground', fields.TextField(null=True, unique=False)),
                ('explanation', fields.TextField(unique=False)),
                ('meaning', fields.TextField(null=True, unique=False)),
                ('consents_to_share_details', fields.BooleanField(default=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('poster_notify_by', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('poster_notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('poster_respond_by', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('poster_consents_to_removal', fields.BooleanField(null=True)),
                ('poster_name', fields.CharField(null=True, max_length=200)),
                ('poster_address', fields.TextField(null=True, unique=False)),
                ('poster_consents_to_share', fields.BooleanField(default=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decision', fields.CharEnumField(null=True, description='CONTENT_REMOVED: CONTENT_REMOVED\nCONTENT_KEPT: CONTENT_KEPT', enum_type=NoticeDecision, max_length=24)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='notices_decided', on_delete=OnDelete.RESTRICT)),
                ('decision_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'legal_notices', 'app': 'models', 'indexes': [Index(fields=['due_at', 'id'], name='notices_queue_idx'), Index(fields=['comment_id', 'kind', 'notifier_email'], name='notices_comment_idx'), Index(fields=['poster_id', 'received_at', 'id'], name='notices_poster_idx')], 'pk_attr': 'id', 'table_description': 'A notice of illegal or defamatory content (DSA Art. 16, Defamation Act 2013 s.5).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mail_outbox', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The outbox: a mail is stored with the change that sends it and delivered by a job.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REPLY: REPLY\nCOMMENT_RESTRICTED: COMMENT_RESTRICTED\nACCOUNT_RESTRICTED: ACCOUNT_RESTRICTED\nNOTICE_ABOUT_YOUR_COMMENT: NOTICE_ABOUT_YOUR_COMMENT\nAPPEAL_DECIDED: APPEAL_DECIDED', enum_type=NotificationKind, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('comment_id', fields.IntField(null=True)),
                ('statement_id', fields.IntField(null=True)),
                ('notice_id', fields.IntField(null=True)),
                ('appeal_id', fields.IntField(null=True)),
            ],
            options={'table': 'notifications', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at', 'id'], name='notifications_user_idx'), Index(fields=['user_id', 'read_at'], name='notifications_unread_idx')], 'pk_attr': 'id', 'table_description': "One line of a user's inbox."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Statement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='statements', on_delete=OnDelete.CASCADE)),
                ('restriction', fields.CharEnumField(description='COMMENT_REMOVED: COMMENT_REMOVED\nCOMMENT_HIDDEN: COMMENT_HIDDEN\nCOMMENT_AMENDED: COMMENT_AMENDED\nACCOUNT_SUSPENDED: ACCOUNT_SUSPENDED\nACCOUNT_BANNED: ACCOUNT_BANNED', enum_type=RestrictionKind, max_length=24)),
                ('ground', fields.CharEnumField(description='COMMUNITY_RULES: COMMUNITY_RULES\nILLEGAL_CONTENT: ILLEGAL_CONTENT\nDEFAMATION: DEFAMATION', enum_type=RestrictionGround, max_length=24)),
                ('rules_version', fields.IntField(null=True)),
                ('reason', fields.TextField(unique=False)),
                ('automated', fields.BooleanField(default=False)),
                ('comment', fields.ForeignKeyField('models.Comment', source_field='comment_id', null=True, db_constraint=True, to_field='id', related_name='statements', on_delete=OnDelete.RESTRICT)),
                ('notice', fields.ForeignKeyField('models.LegalNotice', source_field='notice_id', null=True, db_constraint=True, to_field='id', related_name='statements', on_delete=OnDelete.RESTRICT)),
                ('action', fields.ForeignKeyField('models.ModerationAction', source_field='action_id', db_constraint=True, to_field='id', related_name='statements', on_delete=OnDelete.RESTRICT)),
                ('decided_by_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('appealable_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'statements', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at', 'id'], name='statements_user_idx')], 'pk_attr': 'id', 'table_description': "A statement of reasons (DSA Art. 17): why a user's comment or account was restricted."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('statement', fields.OneToOneField('models.Statement', source_field='statement_id', db_constraint=True, to_field='id', related_name='appeal', on_delete=OnDelete.RESTRICT)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='appeals', on_delete=OnDelete.CASCADE)),
                ('explanation', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=AppealStatus.OPEN, description='OPEN: OPEN\nUPHELD: UPHELD\nREVERSED: REVERSED', enum_type=AppealStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='appeals_decided', on_delete=OnDelete.RESTRICT)),
                ('decision_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'appeals', 'app': 'models', 'indexes': [Index(fields=['status', 'created_at', 'id'], name='appeals_queue_idx')], 'pk_attr': 'id', 'table_description': 'An internal appeal against a statement of reasons (DSA Art. 20): one per statement.'},
            bases=['Model'],
        ),
        AlterEnumChoices(
            model_name='ModerationAction',
            name='kind',
            field=fields.CharEnumField(description='AMEND: AMEND\nREMOVE: REMOVE\nRESTORE: RESTORE\nDISMISS_REPORTS: DISMISS_REPORTS\nAUTO_HIDE: AUTO_HIDE\nSUSPEND_USER: SUSPEND_USER\nBAN_USER: BAN_USER\nREINSTATE_USER: REINSTATE_USER\nCLOSE_COMMENTS: CLOSE_COMMENTS\nOPEN_COMMENTS: OPEN_COMMENTS\nDECIDE_NOTICE: DECIDE_NOTICE\nREVERSE_ON_APPEAL: REVERSE_ON_APPEAL', enum_type=ActionKind, max_length=24),
        ),
        ops.AddField(
            model_name='ModerationAction',
            name='appeal',
            field=fields.ForeignKeyField('models.Appeal', source_field='appeal_id', null=True, db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='ModerationAction',
            name='notice',
            field=fields.ForeignKeyField('models.LegalNotice', source_field='notice_id', null=True, db_constraint=True, to_field='id', related_name='actions', on_delete=OnDelete.RESTRICT),
        ),
    ]
