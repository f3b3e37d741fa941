"""Reader features: recommendations (and their change log), ignores, word lists, editors' picks,
moderation modes and PENDING comments, with the indexes their pages walk."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from service.migration_ops import AddColumnWithDefault, AlterEnumChoices
from service.models import ActionKind, CommentStatus, ModerationMode, WordListKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_readiness_write_probes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Ignore',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='ignoring', on_delete=OnDelete.CASCADE)),
                ('ignored', fields.ForeignKeyField('models.User', source_field='ignored_id', db_constraint=True, to_field='id', related_name='ignored_by', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ignores', 'app': 'models', 'unique_together': (('user', 'ignored'),), 'pk_attr': 'id', 'table_description': "A reader ignores another's comments (clients collapse them). The other is not told."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Recommendation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comment', fields.ForeignKeyField('models.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='recommendations', on_delete=OnDelete.CASCADE)),
                ('reader', fields.ForeignKeyField('models.User', source_field='reader_id', db_constraint=True, to_field='id', related_name='recommendations', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recommendations', 'app': 'models', 'unique_together': (('comment', 'reader'),), 'indexes': [Index(fields=['reader_id', 'comment_id'], name='recommendations_reader_idx')], 'pk_attr': 'id', 'table_description': "One reader's recommendation of one comment: the unique index makes it once."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecommendationChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comment', fields.ForeignKeyField('models.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='recommendation_changes', on_delete=OnDelete.CASCADE)),
                ('article_id', fields.CharField(max_length=200)),
                ('delta', fields.SmallIntField()),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recommendation_changes', 'app': 'models', 'indexes': [Index(fields=['article_id', 'changed_at'], name='recommendation_changes_article_idx'), Index(fields=['comment_id', 'changed_at'], name='recommendation_changes_comment_idx')], 'pk_attr': 'id', 'table_description': "Append-only: +1 or -1 on a comment's count, and when. A MOST_RECOMMENDED page ranks by"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WordList',
            fields=[
                ('kind', fields.CharEnumField(primary_key=True, unique=True, db_index=True, description='BANNED: BANNED\nSUSPECT: SUSPECT', enum_type=WordListKind, max_length=8)),
                ('words', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'word_lists', 'app': 'models', 'pk_attr': 'kind', 'table_description': 'One row per kind: the words as an admin gave them, one per line.'},
            bases=['Model'],
        ),
        AddColumnWithDefault(
            model_name='Article',
            name='moderation_mode',
            field=fields.CharEnumField(default=ModerationMode.POST, description='POST: POST\nPRE: PRE', enum_type=ModerationMode, max_length=8),
            column="VARCHAR(8) NOT NULL DEFAULT 'POST'",
        ),
        AlterEnumChoices(
            model_name='Comment',
            name='status',
            field=fields.CharEnumField(default=CommentStatus.PUBLISHED, description='PUBLISHED: PUBLISHED\nWITHDRAWN: WITHDRAWN\nREMOVED: REMOVED\nHIDDEN: HIDDEN\nPENDING: PENDING', enum_type=CommentStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Comment',
            name='featured_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        AddColumnWithDefault(
            model_name='Comment',
            name='recommend_count',
            field=fields.IntField(default=0),
            column="INT NOT NULL DEFAULT 0",
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['article_id', 'parent_id', 'recommend_count', 'created_at', 'id'], name='comments_recommended_idx'),
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['article_id', 'featured_at', 'id'], name='comments_featured_idx'),
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['status', 'created_at', 'id'], name='comments_pending_idx'),
        ),
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['author_id', 'status', 'created_at', 'id'], name='comments_author_idx'),
        ),
        AlterEnumChoices(
            model_name='ModerationAction',
            name='kind',
            field=fields.CharEnumField(description='AMEND: AMEND\nREMOVE: REMOVE\nRESTORE: RESTORE\nDISMISS_REPORTS: DISMISS_REPORTS\nAUTO_HIDE: AUTO_HIDE\nSUSPEND_USER: SUSPEND_USER\nBAN_USER: BAN_USER\nREINSTATE_USER: REINSTATE_USER\nCLOSE_COMMENTS: CLOSE_COMMENTS\nOPEN_COMMENTS: OPEN_COMMENTS\nAPPROVE: APPROVE\nFEATURE: FEATURE\nUNFEATURE: UNFEATURE\nSET_MODERATION_MODE: SET_MODERATION_MODE', enum_type=ActionKind, max_length=24),
        ),
    ]
