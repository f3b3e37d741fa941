"""Storage: the Tortoise models behind every concept of the domain."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Role(StrEnum):
    READER = "READER"
    MODERATOR = "MODERATOR"
    ADMIN = "ADMIN"


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    BANNED = "BANNED"


class CommentStatus(StrEnum):
    PUBLISHED = "PUBLISHED"
    WITHDRAWN = "WITHDRAWN"
    REMOVED = "REMOVED"
    HIDDEN = "HIDDEN"


class ReportReason(StrEnum):
    ABUSE = "ABUSE"
    OFF_TOPIC = "OFF_TOPIC"
    MISINFORMATION = "MISINFORMATION"
    SPAM = "SPAM"
    LEGAL = "LEGAL"
    OTHER = "OTHER"


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class ReportResolution(StrEnum):
    DISMISSED = "DISMISSED"
    AMENDED = "AMENDED"
    REMOVED = "REMOVED"


class ActionKind(StrEnum):
    AMEND = "AMEND"
    REMOVE = "REMOVE"
    RESTORE = "RESTORE"
    DISMISS_REPORTS = "DISMISS_REPORTS"
    AUTO_HIDE = "AUTO_HIDE"
    SUSPEND_USER = "SUSPEND_USER"
    BAN_USER = "BAN_USER"
    REINSTATE_USER = "REINSTATE_USER"
    CLOSE_COMMENTS = "CLOSE_COMMENTS"
    OPEN_COMMENTS = "OPEN_COMMENTS"


class User(Model):
    id = fields.IntField(primary_key=True)
    # null for a single sign-on account whose token brought none (or one another account holds)
    email = fields.CharField(max_length=254, unique=True, null=True)
    display_name = fields.CharField(max_length=50)
    # casefolded display name: readers must not impersonate each other by case
    display_name_key = fields.CharField(max_length=50, unique=True)
    # null: no local password (a single sign-on account)
    password_hash = fields.CharField(max_length=255, null=True)
    role = fields.CharEnumField(Role, max_length=16, default=Role.READER)
    banned = fields.BooleanField(default=False)
    suspended_until = fields.DatetimeField(null=True)
    accepted_rules_version = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    # single sign-on: the token's `iss` and `sub`; an account is found by both, never by email
    external_issuer = fields.CharField(max_length=255, null=True)
    external_subject = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "users"
        unique_together = (("external_issuer", "external_subject"),)


class Session(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    user_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sessions"


class EntitlementSource(StrEnum):
    ADMIN = "ADMIN"
    SSO = "SSO"
    SUBSCRIPTION_SYSTEM = "SUBSCRIPTION_SYSTEM"


class Entitlement(Model):
    id = fields.IntField(primary_key=True)
    # null while the subscription system's reader (`subject`) has not signed in yet
    user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="entitlements", null=True, on_delete=fields.CASCADE
    )
    user_id: int | None
    product = fields.CharField(max_length=64)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    # the database's default too: the rows granted before sources existed were all ADMIN's
    source = fields.CharEnumField(
        EntitlementSource,
        max_length=24,
        default=EntitlementSource.ADMIN,
        db_default=EntitlementSource.ADMIN,
    )
    # the subscription system's own id (the key of upsertEntitlement) and its last change
    ref = fields.CharField(max_length=255, unique=True, null=True)
    updated_at = fields.DatetimeField(null=True)
    # the reader as the subscription system named them: the SSO `sub`
    subject = fields.CharField(max_length=255, null=True)

    class Meta:
        table = "entitlements"
        indexes = (Index(fields=("subject",), name="entitlements_subject_idx"),)


class CommunityRules(Model):
    id = fields.IntField(primary_key=True)
    version = fields.IntField(unique=True)
    body = fields.TextField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "community_rules"


class Article(Model):
    id = fields.CharField(primary_key=True, max_length=200)
    title = fields.CharField(max_length=300, null=True)
    url = fields.CharField(max_length=2000, null=True)
    closed = fields.BooleanField(default=False)
    closes_at = fields.DatetimeField(null=True)
    comment_count = fields.IntField(default=0)
    # bumped with every change the thread shows: the key of cached public answers
    version = fields.IntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "articles"


class Comment(Model):
    id = fields.IntField(primary_key=True)
    article: fields.ForeignKeyRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="comments", on_delete=fields.CASCADE
    )
    article_id: str
    author: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="comments", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    parent: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    parent_id: int | None
    # ancestor ids, root first, "/"-separated: counters move up the chain in one UPDATE
    ancestry = fields.CharField(max_length=200, default="")
    depth = fields.SmallIntField(default=0)
    body = fields.TextField()
    status = fields.CharEnumField(CommentStatus, max_length=16, default=CommentStatus.PUBLISHED)
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    amended_by_moderator = fields.BooleanField(default=False)
    reply_count = fields.IntField(default=0)
    open_report_count = fields.IntField(default=0)
    first_open_report_at = fields.DatetimeField(null=True)
    last_open_report_at = fields.DatetimeField(null=True)
    idempotency_key = fields.CharField(max_length=100, null=True)
    # SHA-256 of what was first posted with the key: a reused key must mean the same comment
    idempotency_fingerprint = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "comments"
        unique_together = (("author", "idempotency_key"),)
        indexes = (
            Index(
                fields=("article_id", "parent_id", "created_at", "id"), name="comments_thread_idx"
            ),
            Index(
                fields=("open_report_count", "first_open_report_at", "id"),
                name="comments_queue_count_idx",
            ),
            Index(fields=("first_open_report_at", "id"), name="comments_queue_oldest_idx"),
        )


class CommentRevision(Model):
    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="revisions", on_delete=fields.CASCADE
    )
    comment_id: int
    body = fields.TextField()
    replaced_at = fields.DatetimeField()
    replaced_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="replaced_revisions", null=True, on_delete=fields.SET_NULL
    )
    replaced_by_id: int | None

    class Meta:
        table = "comment_revisions"
        indexes = (Index(fields=("comment_id", "replaced_at", "id"), name="revisions_comment_idx"),)


class Report(Model):
    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="reports", on_delete=fields.CASCADE
    )
    comment_id: int
    reporter: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    reporter_id: int | None
    reason = fields.CharEnumField(ReportReason, max_length=16)
    note = fields.CharField(max_length=1000, null=True)
    created_at = fields.DatetimeField()
    status = fields.CharEnumField(ReportStatus, max_length=16, default=ReportStatus.OPEN)
    resolved_at = fields.DatetimeField(null=True)
    resolution = fields.CharEnumField(ReportResolution, max_length=16, null=True)

    class Meta:
        table = "reports"
        unique_together = (("comment", "reporter"),)
        indexes = (
            Index(fields=("comment_id", "status", "created_at", "id"), name="reports_comment_idx"),
        )


class ModerationAction(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(ActionKind, max_length=24)
    moderator: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="actions_taken", null=True, on_delete=fields.RESTRICT
    )
    moderator_id: int | None
    comment: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="actions", null=True, on_delete=fields.RESTRICT
    )
    comment_id: int | None
    target_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="actions_received", null=True, on_delete=fields.RESTRICT
    )
    target_user_id: int | None
    article: fields.ForeignKeyNullableRelation[Article] = fields.ForeignKeyField(
        "models.Article", related_name="actions", null=True, on_delete=fields.RESTRICT
    )
    article_id: str | None
    reason = fields.CharField(max_length=500)
    previous_body = fields.TextField(null=True)
    new_body = fields.TextField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "moderation_actions"
        indexes = (
            Index(fields=("comment_id", "id"), name="actions_comment_idx"),
            Index(fields=("target_user_id", "id"), name="actions_user_idx"),
        )


class PublicEpoch(Model):
    """One row: bumped by every change to what signed-out answers show that no article's
    version covers (a display name, a role, a ban, the rules), so cached answers that show
    people or rules are stale everywhere at once."""

    id = fields.IntField(primary_key=True)
    value = fields.IntField(default=0)

    class Meta:
        table = "public_epoch"


class ApiKey(Model):
    """A machine caller (the subscription system, the CMS): a bearer token with scopes, no user."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    # comma-separated, e.g. "entitlements,articles"
    scopes = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"


class WebhookDelivery(Model):
    """A `webhook-id` already applied: a redelivery of the same message changes nothing."""

    id = fields.CharField(primary_key=True, max_length=255)
    received_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "webhook_deliveries"
