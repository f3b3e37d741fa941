"""Storage: the Tortoise models behind every concept of the domain."""

from __future__ import annotations

from datetime import UTC, datetime
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
    DECIDE_NOTICE = "DECIDE_NOTICE"
    REVERSE_ON_APPEAL = "REVERSE_ON_APPEAL"
    APPROVE = "APPROVE"
    FEATURE = "FEATURE"
    UNFEATURE = "UNFEATURE"
    SET_MODERATION_MODE = "SET_MODERATION_MODE"
    ERASE_USER = "ERASE_USER"


class ModerationMode(StrEnum):
    POST = "POST"
    PRE = "PRE"


class WordListKind(StrEnum):
    BANNED = "BANNED"
    SUSPECT = "SUSPECT"


class User(Model):
    id = fields.IntField(primary_key=True)
    # null for a single sign-on account whose token brought none (or one another account holds)
    email = fields.CharField(max_length=254, unique=True, null=True)
    display_name = fields.CharField(max_length=50)
    # one for every name that looks alike (service/display_names.py): no reader passes for another
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
    # deleteMyAccount: the erasure job runs then (service/account_deletion.py); null: none asked
    deletion_scheduled_at = fields.DatetimeField(null=True)
    # set once by the erasure (service/erasure.py): the row stays, nothing personal in it
    erased_at = fields.DatetimeField(null=True)

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
    # to the hour (service/sessions.py): what myData says of each session's last use
    last_used_at = fields.DatetimeField(null=True)

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
        indexes = (
            Index(fields=("subject",), name="entitlements_subject_idx"),
            # a signed-in page reads its reader's entitlements
            Index(fields=("user_id",), name="entitlements_user_idx"),
        )


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
            # a comment's replies, oldest first, paged by keyset (500 replies cost what 5 do)
            Index(fields=("parent_id", "created_at", "id"), name="comments_replies_idx"),
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
            # a reader's reports on a page (viewerHasReported): theirs are few, a thread's many
            Index(fields=("reporter_id", "comment_id"), name="reports_reporter_idx"),
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
    # the legal notice decided, or the appeal that reversed a decision (see LegalNotice, Appeal)
    notice: fields.ForeignKeyNullableRelation[LegalNotice] = fields.ForeignKeyField(
        "models.LegalNotice", related_name="actions", null=True, on_delete=fields.RESTRICT
    )
    notice_id: int | None
    appeal: fields.ForeignKeyNullableRelation[Appeal] = fields.ForeignKeyField(
        "models.Appeal", related_name="actions", null=True, on_delete=fields.RESTRICT
    )
    appeal_id: int | None
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


# ---------------------------------------------------------------- legal duties (issue 12)


class NoticeKind(StrEnum):
    ILLEGAL_CONTENT = "ILLEGAL_CONTENT"
    DEFAMATION = "DEFAMATION"


class NoticeStatus(StrEnum):
    RECEIVED = "RECEIVED"
    AWAITING_POSTER = "AWAITING_POSTER"
    POSTER_REFUSED = "POSTER_REFUSED"
    DECIDED = "DECIDED"
    REJECTED = "REJECTED"


class NoticeDecision(StrEnum):
    CONTENT_REMOVED = "CONTENT_REMOVED"
    CONTENT_KEPT = "CONTENT_KEPT"


class RestrictionKind(StrEnum):
    COMMENT_REMOVED = "COMMENT_REMOVED"
    COMMENT_HIDDEN = "COMMENT_HIDDEN"
    COMMENT_AMENDED = "COMMENT_AMENDED"
    ACCOUNT_SUSPENDED = "ACCOUNT_SUSPENDED"
    ACCOUNT_BANNED = "ACCOUNT_BANNED"


class RestrictionGround(StrEnum):
    COMMUNITY_RULES = "COMMUNITY_RULES"
    ILLEGAL_CONTENT = "ILLEGAL_CONTENT"
    DEFAMATION = "DEFAMATION"


class AppealStatus(StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    REVERSED = "REVERSED"


class NotificationKind(StrEnum):
    REPLY = "REPLY"
    COMMENT_RESTRICTED = "COMMENT_RESTRICTED"
    ACCOUNT_RESTRICTED = "ACCOUNT_RESTRICTED"
    NOTICE_ABOUT_YOUR_COMMENT = "NOTICE_ABOUT_YOUR_COMMENT"
    APPEAL_DECIDED = "APPEAL_DECIDED"


# no deadline: sorts after every real one in the legal queue (a non-null key pages simply)
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)


class LegalNotice(Model):
    """A notice of illegal or defamatory content (DSA Art. 16, Defamation Act 2013 s.5)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(NoticeKind, max_length=24)
    status = fields.CharEnumField(NoticeStatus, max_length=24, default=NoticeStatus.RECEIVED)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="notices", on_delete=fields.RESTRICT
    )
    comment_id: int
    # the comment's author when the notice came: whose notices these are
    poster: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notices_about", null=True, on_delete=fields.SET_NULL
    )
    poster_id: int | None
    notifier_name = fields.CharField(max_length=200)
    notifier_email = fields.CharField(max_length=254)
    legal_ground = fields.TextField(null=True)
    explanation = fields.TextField()
    meaning = fields.TextField(null=True)
    consents_to_share_details = fields.BooleanField(default=False)
    received_at = fields.DatetimeField()
    poster_notify_by = fields.DatetimeField(null=True)
    poster_notified_at = fields.DatetimeField(null=True)
    poster_respond_by = fields.DatetimeField(null=True)
    # the poster's answer (DEFAMATION)
    responded_at = fields.DatetimeField(null=True)
    poster_consents_to_removal = fields.BooleanField(null=True)
    poster_name = fields.CharField(max_length=200, null=True)
    poster_address = fields.TextField(null=True)
    poster_consents_to_share = fields.BooleanField(default=False)
    # the next deadline while one runs, NO_DEADLINE otherwise: the legal queue's order
    due_at = fields.DatetimeField()
    decision = fields.CharEnumField(NoticeDecision, max_length=24, null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notices_decided", null=True, on_delete=fields.RESTRICT
    )
    decided_by_id: int | None
    decision_reason = fields.TextField(null=True)

    class Meta:
        table = "legal_notices"
        indexes = (
            Index(fields=("due_at", "id"), name="notices_queue_idx"),
            Index(fields=("comment_id", "kind", "notifier_email"), name="notices_comment_idx"),
            Index(fields=("poster_id", "received_at", "id"), name="notices_poster_idx"),
        )


class Statement(Model):
    """A statement of reasons (DSA Art. 17): why a user's comment or account was restricted."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="statements", on_delete=fields.CASCADE
    )
    user_id: int
    restriction = fields.CharEnumField(RestrictionKind, max_length=24)
    ground = fields.CharEnumField(RestrictionGround, max_length=24)
    rules_version = fields.IntField(null=True)
    reason = fields.TextField()
    automated = fields.BooleanField(default=False)
    comment: fields.ForeignKeyNullableRelation[Comment] = fields.ForeignKeyField(
        "models.Comment", related_name="statements", null=True, on_delete=fields.RESTRICT
    )
    comment_id: int | None
    notice: fields.ForeignKeyNullableRelation[LegalNotice] = fields.ForeignKeyField(
        "models.LegalNotice", related_name="statements", null=True, on_delete=fields.RESTRICT
    )
    notice_id: int | None
    # the logged decision: who took it (an appeal goes to someone else) and what it changed
    action: fields.ForeignKeyRelation[ModerationAction] = fields.ForeignKeyField(
        "models.ModerationAction", related_name="statements", on_delete=fields.RESTRICT
    )
    action_id: int
    decided_by_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()
    appealable_until = fields.DatetimeField()

    class Meta:
        table = "statements"
        indexes = (Index(fields=("user_id", "created_at", "id"), name="statements_user_idx"),)


class Appeal(Model):
    """An internal appeal against a statement of reasons (DSA Art. 20): one per statement."""

    id = fields.IntField(primary_key=True)
    statement: fields.OneToOneRelation[Statement] = fields.OneToOneField(
        "models.Statement", related_name="appeal", on_delete=fields.RESTRICT
    )
    statement_id: int
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="appeals", on_delete=fields.CASCADE
    )
    user_id: int
    explanation = fields.TextField()
    status = fields.CharEnumField(AppealStatus, max_length=16, default=AppealStatus.OPEN)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="appeals_decided", null=True, on_delete=fields.RESTRICT
    )
    decided_by_id: int | None
    decision_reason = fields.TextField(null=True)

    class Meta:
        table = "appeals"
        indexes = (Index(fields=("status", "created_at", "id"), name="appeals_queue_idx"),)


class Notification(Model):
    """One line of a user's inbox."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    user_id: int
    kind = fields.CharEnumField(NotificationKind, max_length=32)
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)
    comment_id = fields.IntField(null=True)
    statement_id = fields.IntField(null=True)
    notice_id = fields.IntField(null=True)
    appeal_id = fields.IntField(null=True)

    class Meta:
        table = "notifications"
        indexes = (
            Index(fields=("user_id", "created_at", "id"), name="notifications_user_idx"),
            Index(fields=("user_id", "read_at"), name="notifications_unread_idx"),
        )


class MailMessage(Model):
    """The outbox: a mail is stored with the change that sends it and delivered by a job."""

    id = fields.IntField(primary_key=True)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_outbox"


class Job(Model):
    """Time-driven work, done once by whichever scheduler claims it first."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=64)
    payload = fields.TextField(default="{}")  # JSON
    due_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    # a claim lasts until then: a scheduler that dies mid-job leaves it to another after that
    claimed_until = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=100, null=True)
    done_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "jobs"
        indexes = (Index(fields=("done_at", "due_at", "id"), name="jobs_due_idx"),)


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


class WriteProbe(Model):
    """What /readyz writes now and then (and deletes): proof the database takes writes."""

    id = fields.IntField(primary_key=True)
    written_at = fields.DatetimeField()
    padding = fields.BinaryField()

    class Meta:
        table = "write_probes"


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


class PersistedQuery(Model):
    """A document registered by its SHA-256 (Apollo's automatic persisted queries), kept
    where every worker and instance finds it."""

    digest = fields.CharField(primary_key=True, max_length=64)
    query = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "persisted_queries"
        indexes = (Index(fields=("created_at",), name="persisted_queries_age_idx"),)
