"""The write probe behind /readyz: a table it writes a 64 KiB row to and deletes it from."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_publisher_integration')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WriteProbe',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('padding', fields.BinaryField()),
            ],
            options={'table': 'write_probes', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What /readyz writes now and then (and deletes): proof the database takes writes.'},
            bases=['Model'],
        ),
    ]
