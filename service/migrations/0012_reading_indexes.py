from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_privacy')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Comment',
            index=Index(fields=['parent_id', 'created_at', 'id'], name='comments_replies_idx'),
        ),
        ops.AddIndex(
            model_name='Report',
            index=Index(fields=['reporter_id', 'comment_id'], name='reports_reporter_idx'),
        ),
        ops.AddIndex(
            model_name='Entitlement',
            index=Index(fields=['user_id'], name='entitlements_user_idx'),
        ),
    ]
