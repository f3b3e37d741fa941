from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from service.models import (
    ActionKind,
    CommentStatus,
    ReportReason,
    ReportResolution,
    ReportStatus,
    Role,
)


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Article",
            fields=[
                (
                    "id",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200),
                ),
                ("title", fields.CharField(null=True, max_length=300)),
                ("url", fields.CharField(null=True, max_length=2000)),
                ("closed", fields.BooleanField(default=False)),
                ("closes_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("comment_count", fields.IntField(default=0)),
                ("version", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "articles", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CommunityRules",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("version", fields.IntField(unique=True)),
                ("body", fields.TextField(unique=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "community_rules", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("email", fields.CharField(unique=True, max_length=254)),
                ("display_name", fields.CharField(max_length=50)),
                ("display_name_key", fields.CharField(unique=True, max_length=50)),
                ("password_hash", fields.CharField(max_length=255)),
                (
                    "role",
                    fields.CharEnumField(
                        default=Role.READER,
                        description="READER: READER\nMODERATOR: MODERATOR\nADMIN: ADMIN",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                ("banned", fields.BooleanField(default=False)),
                (
                    "suspended_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("accepted_rules_version", fields.IntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "users", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Comment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="author_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "parent",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="parent_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="children",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("ancestry", fields.CharField(default="", max_length=200)),
                ("depth", fields.SmallIntField(default=0)),
                ("body", fields.TextField(unique=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=CommentStatus.PUBLISHED,
                        description="PUBLISHED: PUBLISHED\nWITHDRAWN: WITHDRAWN\nREMOVED: REMOVED\nHIDDEN: HIDDEN",
                        enum_type=CommentStatus,
                        max_length=16,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("edited_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("amended_by_moderator", fields.BooleanField(default=False)),
                ("reply_count", fields.IntField(default=0)),
                ("open_report_count", fields.IntField(default=0)),
                (
                    "first_open_report_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "last_open_report_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("idempotency_key", fields.CharField(null=True, max_length=100)),
                ("idempotency_fingerprint", fields.CharField(null=True, max_length=64)),
            ],
            options={
                "table": "comments",
                "app": "models",
                "unique_together": (("author", "idempotency_key"),),
                "indexes": [
                    Index(
                        fields=["article_id", "parent_id", "created_at", "id"],
                        name="comments_thread_idx",
                    ),
                    Index(
                        fields=["open_report_count", "first_open_report_at", "id"],
                        name="comments_queue_count_idx",
                    ),
                    Index(fields=["first_open_report_at", "id"], name="comments_queue_oldest_idx"),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CommentRevision",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "comment",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="comment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="revisions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("body", fields.TextField(unique=False)),
                ("replaced_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "replaced_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="replaced_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="replaced_revisions",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "comment_revisions",
                "app": "models",
                "indexes": [
                    Index(fields=["comment_id", "replaced_at", "id"], name="revisions_comment_idx")
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Entitlement",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="entitlements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("product", fields.CharField(max_length=64)),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "entitlements", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ModerationAction",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="AMEND: AMEND\nREMOVE: REMOVE\nRESTORE: RESTORE\nDISMISS_REPORTS: DISMISS_REPORTS\nAUTO_HIDE: AUTO_HIDE\nSUSPEND_USER: SUSPEND_USER\nBAN_USER: BAN_USER\nREINSTATE_USER: REINSTATE_USER\nCLOSE_COMMENTS: CLOSE_COMMENTS\nOPEN_COMMENTS: OPEN_COMMENTS",
                        enum_type=ActionKind,
                        max_length=24,
                    ),
                ),
                (
                    "moderator",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="moderator_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="actions_taken",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "comment",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="comment_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="actions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "target_user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="target_user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="actions_received",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "article",
                    fields.ForeignKeyField(
                        "models.Article",
                        source_field="article_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="actions",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("reason", fields.CharField(max_length=500)),
                ("previous_body", fields.TextField(null=True, unique=False)),
                ("new_body", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "moderation_actions",
                "app": "models",
                "indexes": [
                    Index(fields=["comment_id", "id"], name="actions_comment_idx"),
                    Index(fields=["target_user_id", "id"], name="actions_user_idx"),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Report",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "comment",
                    fields.ForeignKeyField(
                        "models.Comment",
                        source_field="comment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reports",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reporter",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="reporter_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="reports",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "reason",
                    fields.CharEnumField(
                        description="ABUSE: ABUSE\nOFF_TOPIC: OFF_TOPIC\nMISINFORMATION: MISINFORMATION\nSPAM: SPAM\nLEGAL: LEGAL\nOTHER: OTHER",
                        enum_type=ReportReason,
                        max_length=16,
                    ),
                ),
                ("note", fields.CharField(null=True, max_length=1000)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=ReportStatus.OPEN,
                        description="OPEN: OPEN\nRESOLVED: RESOLVED",
                        enum_type=ReportStatus,
                        max_length=16,
                    ),
                ),
                (
                    "resolved_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "resolution",
                    fields.CharEnumField(
                        null=True,
                        description="DISMISSED: DISMISSED\nAMENDED: AMENDED\nREMOVED: REMOVED",
                        enum_type=ReportResolution,
                        max_length=16,
                    ),
                ),
            ],
            options={
                "table": "reports",
                "app": "models",
                "unique_together": (("comment", "reporter"),),
                "indexes": [
                    Index(
                        fields=["comment_id", "status", "created_at", "id"],
                        name="reports_comment_idx",
                    )
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Session",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "sessions", "app": "models", "pk_attr": "id"},
            bases=["Model"],
        ),
    ]
