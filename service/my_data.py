"""myData: everything btl holds about the viewer, as one JSON document (UK GDPR Art. 15, 20).

Read as plain rows (`values()`), not model instances: a reader with ten thousand comments
gets theirs in one query per table. Nothing about anyone else goes in: not who reported
their comments, who amended them or decided about them, not who complained about them
(the notices show what the poster is shown, without the complainant), no other person's
name — other people appear as ids only (an ignored reader, a comment replied to).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from service import accounts
from service.clock import now
from service.errors import Unauthenticated
from service.models import (
    Appeal,
    Comment,
    CommentRevision,
    Entitlement,
    Ignore,
    LegalNotice,
    Notification,
    Recommendation,
    Report,
    Session,
    Statement,
    User,
)
from service.runtime import Runtime

FORMAT = "btl-my-data/1"
Row = dict[str, Any]


async def export(rt: Runtime, viewer: User | None) -> str:
    if viewer is None or viewer.erased_at is not None:
        raise Unauthenticated("Sign in first.")
    await rt.limiter.hit("export", f"user:{viewer.id}")
    document = {
        "format": FORMAT,
        "exportedAt": now(),
        "account": _account(viewer),
        "entitlements": await _rows(
            Entitlement.filter(user_id=viewer.id).order_by("id"),
            id="id",
            product="product",
            startsAt="starts_at",
            endsAt="ends_at",
            revokedAt="revoked_at",
            source="source",
            ref="ref",
            subject="subject",
            createdAt="created_at",
        ),
        "sessions": await _rows(
            Session.filter(user_id=viewer.id).order_by("id"),
            createdAt="created_at",
            lastUsedAt="last_used_at",
            expiresAt="expires_at",
            revokedAt="revoked_at",
        ),
        "comments": await _comments(viewer.id),
        "reportsMade": await _rows(
            Report.filter(reporter_id=viewer.id).order_by("id"),
            commentId="comment_id",
            reason="reason",
            note="note",
            createdAt="created_at",
            status="status",
            resolution="resolution",
            resolvedAt="resolved_at",
        ),
        "recommendations": await _rows(
            Recommendation.filter(reader_id=viewer.id).order_by("id"),
            commentId="comment_id",
            createdAt="created_at",
        ),
        "ignoredUsers": await _rows(
            Ignore.filter(user_id=viewer.id).order_by("id"),
            userId="ignored_id",
            createdAt="created_at",
        ),
        "noticesAboutMyComments": await _rows(
            LegalNotice.filter(poster_id=viewer.id).order_by("id"),
            id="id",
            kind="kind",
            status="status",
            commentId="comment_id",
            receivedAt="received_at",
            legalGround="legal_ground",
            explanation="explanation",
            meaning="meaning",
            posterNotifiedAt="poster_notified_at",
            posterRespondBy="poster_respond_by",
            respondedAt="responded_at",
            consentedToRemoval="poster_consents_to_removal",
            nameGiven="poster_name",
            addressGiven="poster_address",
            consentedToShareDetails="poster_consents_to_share",
            decision="decision",
            decidedAt="decided_at",
            decisionReason="decision_reason",
        ),
        "statements": await _rows(
            Statement.filter(user_id=viewer.id).order_by("id"),
            id="id",
            restriction="restriction",
            ground="ground",
            rulesVersion="rules_version",
            reason="reason",
            automated="automated",
            commentId="comment_id",
            noticeId="notice_id",
            createdAt="created_at",
            appealableUntil="appealable_until",
        ),
        "appeals": await _rows(
            Appeal.filter(user_id=viewer.id).order_by("id"),
            id="id",
            statementId="statement_id",
            explanation="explanation",
            status="status",
            createdAt="created_at",
            decidedAt="decided_at",
            decisionReason="decision_reason",
        ),
        "notifications": await _rows(
            Notification.filter(user_id=viewer.id).order_by("id"),
            id="id",
            kind="kind",
            createdAt="created_at",
            readAt="read_at",
            commentId="comment_id",
            statementId="statement_id",
            noticeId="notice_id",
            appealId="appeal_id",
        ),
    }
    return json.dumps(document, default=_json_value, ensure_ascii=False, separators=(",", ":"))


def _account(user: User) -> Row:
    return {
        "id": user.id,
        "email": user.email,
        "displayName": user.display_name,
        "role": user.role,
        "status": accounts.status_of(user),
        "suspendedUntil": user.suspended_until,
        "createdAt": user.created_at,
        "acceptedRulesVersion": user.accepted_rules_version,
        "hasPassword": user.password_hash is not None,
        "externalIssuer": user.external_issuer,
        "externalSubject": user.external_subject,
        "deletionScheduledAt": user.deletion_scheduled_at,
    }


async def _rows(query: Any, **columns: str) -> list[Row]:
    """The query's rows as plain dicts, each column under the name the document gives it."""
    rows = await query.values(*columns.values())
    return [{name: row[column] for name, column in columns.items()} for row in rows]


async def _comments(user_id: int) -> list[Row]:
    """Every comment, in any status, each with its earlier texts (oldest first); who
    replaced a text is said only as 'you' or 'a moderator'."""
    revisions: dict[int, list[Row]] = defaultdict(list)
    for row in (
        await CommentRevision.filter(comment__author_id=user_id)
        .order_by("replaced_at", "id")
        .values("comment_id", "body", "replaced_at", "replaced_by_id")
    ):
        revisions[row["comment_id"]].append(
            {
                "body": row["body"],
                "replacedAt": row["replaced_at"],
                "replacedBy": "you" if row["replaced_by_id"] == user_id else "a moderator",
            }
        )
    comments = await _rows(
        Comment.filter(author_id=user_id).order_by("created_at", "id"),
        id="id",
        articleId="article_id",
        parentId="parent_id",
        status="status",
        body="body",
        createdAt="created_at",
        editedAt="edited_at",
        amendedByModerator="amended_by_moderator",
        replyCount="reply_count",
        recommendCount="recommend_count",
        featuredAt="featured_at",
    )
    for comment in comments:
        comment["revisions"] = revisions.get(comment["id"], [])
    return comments


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")
