"""The public epoch: one row that cached signed-out answers showing people or rules follow."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0002_append_only_moderation_log")]

    initial = False

    operations = [
        ops.CreateModel(
            name="PublicEpoch",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("value", fields.IntField(default=0)),
            ],
            options={
                "table": "public_epoch",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One row: bumped by every change to what signed-out "
                "answers show that no article's",
            },
            bases=["Model"],
        ),
        ops.RunSQL(
            "INSERT INTO public_epoch (id, value) VALUES (1, 0)",
            reverse_sql="DELETE FROM public_epoch",
        ),
    ]
