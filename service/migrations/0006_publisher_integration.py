"""Publisher integration: single sign-on identities, entitlement sources and refs, API keys,
webhook deliveries already applied. Emails and password hashes become optional (SSO accounts)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from service.models import EntitlementSource
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0005_legal_duties')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=100)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_keys', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A machine caller (the subscription system, the CMS): a bearer token with scopes, no user.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('received_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_deliveries', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A `webhook-id` already applied: a redelivery of the same message changes nothing.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Entitlement',
            name='user',
            field=fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='entitlements', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Entitlement',
            name='ref',
            field=fields.CharField(null=True, unique=True, max_length=255),
        ),
        ops.AddField(
            model_name='Entitlement',
            name='source',
            field=fields.CharEnumField(default=EntitlementSource.ADMIN, description='ADMIN: ADMIN\nSSO: SSO\nSUBSCRIPTION_SYSTEM: SUBSCRIPTION_SYSTEM', db_default=EntitlementSource.ADMIN, enum_type=EntitlementSource, max_length=24),
        ),
        ops.AddField(
            model_name='Entitlement',
            name='subject',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='Entitlement',
            name='updated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Entitlement',
            index=Index(fields=['subject'], name='entitlements_subject_idx'),
        ),
        ops.AlterField(
            model_name='User',
            name='email',
            field=fields.CharField(null=True, unique=True, max_length=254),
        ),
        ops.AlterField(
            model_name='User',
            name='password_hash',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='User',
            name='external_issuer',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddField(
            model_name='User',
            name='external_subject',
            field=fields.CharField(null=True, max_length=255),
        ),
        ops.AddConstraint(
            model_name='User',
            constraint=UniqueConstraint(fields=('external_issuer', 'external_subject'), name=None),
        ),
    ]
