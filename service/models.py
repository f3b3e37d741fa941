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
    # held for a moderator (a pre-moderated article, a first comment, a suspect word)
    PENDING = "PENDING"


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
    APPROVE = "APPROVE"
    FEATURE = "FEATURE"
    UNFEATURE = "UNFEATURE"
    SET_MODERATION_MODE = "SET_MODERATION_MODE"


class ModerationMode(StrEnum):
    POST = "POST"
    PRE = "PRE"


class WordListKind(StrEnum):
    BANNED = "BANNED"
    SUSPECT = "SUSPECT"


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    display_name = fields.CharField(max_length=50)
    # casefolded display name: readers must not impersonate each other by case
    display_name_key = fields.CharField(max_length=50, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16, default=Role.READER)
    banned = fields.BooleanField(default=False)
    suspended_until = fields.DatetimeField(null=True)
    accepted_rules_version = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "users"


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


class Entitlement(Model):
    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="entitlements", on_delete=fields.CASCADE
    )
    user_id: int
    product = fields.CharField(max_length=64)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "entitlements"


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
    moderation_mode = fields.CharEnumField(
        ModerationMode, max_length=8, default=ModerationMode.POST
    )
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
    # kept in the recommendation's transaction; a recommendation never moves the version
    recommend_count = fields.IntField(default=0)
    # an editors' pick since then; null: not a pick
    featured_at = fields.DatetimeField(null=True)
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
            Index(
                fields=("article_id", "parent_id", "recommend_count", "created_at", "id"),
                name="comments_recommended_idx",
            ),
            Index(fields=("article_id", "featured_at", "id"), name="comments_featured_idx"),
            Index(fields=("status", "created_at", "id"), name="comments_pending_idx"),
            Index(fields=("author_id", "status", "created_at", "id"), name="comments_author_idx"),
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


class Recommendation(Model):
    """One reader's recommendation of one comment: the unique index makes it once."""

    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="recommendations", on_delete=fields.CASCADE
    )
    comment_id: int
    reader: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="recommendations", on_delete=fields.CASCADE
    )
    reader_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "recommendations"
        unique_together = (("comment", "reader"),)
        indexes = (Index(fields=("reader_id", "comment_id"), name="recommendations_reader_idx"),)


class RecommendationChange(Model):
    """Append-only: +1 or -1 on a comment's count, and when. A MOST_RECOMMENDED page ranks by
    the counts at the moment its first page was read, and this is how it knows them."""

    id = fields.IntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="recommendation_changes", on_delete=fields.CASCADE
    )
    comment_id: int
    article_id = fields.CharField(max_length=200)
    delta = fields.SmallIntField()
    changed_at = fields.DatetimeField()

    class Meta:
        table = "recommendation_changes"
        indexes = (
            Index(fields=("article_id", "changed_at"), name="recommendation_changes_article_idx"),
            Index(fields=("comment_id", "changed_at"), name="recommendation_changes_comment_idx"),
        )


class Ignore(Model):
    """A reader ignores another's comments (clients collapse them). The other is not told."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="ignoring", on_delete=fields.CASCADE
    )
    user_id: int
    ignored: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="ignored_by", on_delete=fields.CASCADE
    )
    ignored_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "ignores"
        unique_together = (("user", "ignored"),)


class WordList(Model):
    """One row per kind: the words as an admin gave them, one per line."""

    kind = fields.CharEnumField(WordListKind, max_length=8, primary_key=True)
    words = fields.TextField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "word_lists"
