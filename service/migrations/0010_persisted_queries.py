from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_action_kinds_legal_and_reader')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedQuery',
            fields=[
                ('digest', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('query', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'persisted_queries', 'app': 'models', 'indexes': [Index(fields=['created_at'], name='persisted_queries_age_idx')], 'pk_attr': 'digest', 'table_description': "A document registered by its SHA-256 (Apollo's automatic persisted queries), kept"},
            bases=['Model'],
        ),
    ]
