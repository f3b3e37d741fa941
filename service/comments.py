"""Comments: post (retry-safe), edit within the window, withdraw.

Post-moderated by default: a comment goes live at once, unless service/premoderation.py
holds it PENDING for a moderator (it then counts nowhere and only its author is told).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from service import (
    articles,
    comment_status,
    counters,
    events,
    notifications,
    premoderation,
    reports,
    sql,
)
from service.clock import now
from service.commenting import require_permission
from service.errors import InvalidInput, NotAllowed, NotFound, Unauthenticated
from service.ids import parse_id
from service.models import Comment, CommentRevision, CommentStatus, ReportResolution, User
from service.runtime import Runtime
from service.text import clean_text


def clean_body(rt: Runtime, body: str) -> str:
    return clean_text(body, field="body", max_length=rt.settings.max_comment_length, multiline=True)


async def get(comment_id: str | int) -> Comment:
    number = parse_id(comment_id)
    comment = await Comment.filter(id=number).first() if number is not None else None
    if comment is None:
        raise NotFound("No such comment.")
    return comment


def _fingerprint(article_id: str, body: str) -> str:
    return hashlib.sha256(f"{article_id}\0{body}".encode()).hexdigest()


async def _replay(author: User, key: str, article_id: str, body: str) -> Comment | None:
    """The comment a retry with this idempotency key already made, if any."""
    earlier = await Comment.filter(author_id=author.id, idempotency_key=key).first()
    if earlier is None:
        return None
    if earlier.idempotency_fingerprint != _fingerprint(article_id, body):
        raise InvalidInput(
            "This idempotency key was used for a different comment.", "idempotencyKey"
        )
    return earlier


async def _parent_for_reply(rt: Runtime, parent_id: str, article_id: str) -> Comment:
    try:
        parent = await get(parent_id)
    except NotFound:
        raise NotFound("The comment you are replying to does not exist.") from None
    if parent.status != CommentStatus.PUBLISHED:
        raise NotFound("The comment you are replying to is no longer visible.")
    if parent.article_id != article_id:
        raise InvalidInput("A reply must be on the same article as its parent.", "parentId")
    if parent.depth + 1 > rt.settings.max_reply_depth:
        raise InvalidInput(
            f"Replies nest at most {rt.settings.max_reply_depth} levels deep.", "parentId"
        )
    return parent


async def post(
    rt: Runtime,
    viewer: User | None,
    *,
    article_id: str,
    body: str,
    parent_id: str | None = None,
    idempotency_key: str | None = None,
) -> Comment:
    if viewer is None:
        raise Unauthenticated("Sign in to comment.")
    articles.check_article_id(article_id)
    text = clean_body(rt, body)
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 100:
            raise InvalidInput("An idempotency key has 1 to 100 characters.", "idempotencyKey")
        earlier = await _replay(viewer, idempotency_key, article_id, text)
        if earlier is not None:  # a retry: same answer, not counted against the limit
            return earlier
    # many commenters on one story at once share the read (never changed here)
    article = await rt.shared.read(("article", article_id), lambda: articles.get(article_id))
    author = await require_permission(rt, viewer, article)
    parent = await _parent_for_reply(rt, parent_id, article_id) if parent_id else None
    status = await premoderation.status_for_new_comment(rt, author, article, text)
    await rt.limiter.hit("comments", f"user:{author.id}")
    try:
        async with in_transaction():
            if not articles.is_saved(article):  # its first comment (articles are never deleted)
                await articles.ensure(article_id)
            comment = await Comment.create(
                article_id=article_id,
                author=author,
                parent=parent,
                ancestry=f"{parent.ancestry}{parent.id}/" if parent else "",
                depth=parent.depth + 1 if parent else 0,
                body=text,
                status=status,
                created_at=now(),
                idempotency_key=idempotency_key,
                idempotency_fingerprint=_fingerprint(article_id, text) if idempotency_key else None,
            )
            if status == CommentStatus.PUBLISHED:
                await counters.shift_visibility(comment, +1)
                await notifications.reply_posted(comment, parent)
    except IntegrityError:
        # two retries raced: the unique (author, key) index let one in; answer with it
        if idempotency_key is None:
            raise
        earlier = await _replay(author, idempotency_key, article_id, text)
        if earlier is None:
            raise
        return earlier
    await events.publish(events.EventKind.ADDED, article_id, comment.id)
    return comment


def can_edit(rt: Runtime, viewer: User | None, comment: Comment) -> bool:
    return _editable(rt, viewer, comment.author_id, comment.status, comment.created_at)


def _editable(
    rt: Runtime, viewer: User | None, author_id: int | None, status: str, created_at: datetime
) -> bool:
    """Its author, while it is published and inside the edit window."""
    return (
        viewer is not None
        and author_id == viewer.id
        and status == CommentStatus.PUBLISHED
        and now() < created_at + timedelta(seconds=rt.settings.edit_window_seconds)
    )


@dataclass(frozen=True, slots=True)
class ViewerFlags:
    """On a page of comments, what differs for one reader."""

    reported: frozenset[int]  # viewerHasReported
    editable: frozenset[int]  # viewerCanEdit
    recommended: frozenset[int]  # viewerHasRecommended
    author_ignored: frozenset[int]  # viewerIgnoresAuthor
    # the reader has a comment waiting for a moderator somewhere: their pages are their own
    has_pending: bool
    # recommendCount as of now, when asked for (a shared signed-out answer's may lag)
    recommend_counts: dict[int, int] = field(default_factory=dict)


async def viewer_flags(
    rt: Runtime, viewer: User, comment_ids: list[int], *, with_counts: bool = False
) -> ViewerFlags:
    """Which of these comments the viewer has reported or recommended, whose author they
    ignore, which `can_edit` allows them, and whether they have a PENDING comment anywhere:
    one query, returning only the rows that set a flag (and one row when something waits);
    with_counts: a row for every comment, with its recommendation count of now."""
    held = (
        "SELECT NULL AS id, NULL AS author_id, NULL AS status, NULL AS created_at, "
        "NULL AS recommend_count, NULL AS report_id, NULL AS recommendation_id, "
        "NULL AS ignore_id, 1 AS held "
        "FROM (SELECT 1 AS one FROM comments p WHERE p.author_id = {} AND p.status = 'PENDING' "
        "LIMIT 1) waiting"
    )
    if comment_ids:
        flagged_only = (
            ""
            if with_counts
            else " AND (c.author_id = {} OR r.id IS NOT NULL OR rc.id IS NOT NULL "
            "OR ig.id IS NOT NULL)"
        )
        rows = await sql.fetch(
            "SELECT c.id, c.author_id, c.status, c.created_at, c.recommend_count, "
            "r.id AS report_id, rc.id AS recommendation_id, ig.id AS ignore_id, 0 AS held "
            "FROM comments c "
            "LEFT JOIN reports r ON r.comment_id = c.id AND r.reporter_id = {} "
            "LEFT JOIN recommendations rc ON rc.comment_id = c.id AND rc.reader_id = {} "
            "LEFT JOIN ignores ig ON ig.user_id = {} AND ig.ignored_id = c.author_id "
            f"WHERE c.id IN ({sql.marks(len(comment_ids))}){flagged_only} "
            f"UNION ALL {held}",
            viewer.id,
            viewer.id,
            viewer.id,
            *comment_ids,
            *(() if with_counts else (viewer.id,)),
            viewer.id,
        )
    else:
        rows = await sql.fetch(held, viewer.id)
    listed = [row for row in rows if not int(row["held"])]
    return ViewerFlags(
        reported=_ids_where(listed, "report_id"),
        editable=frozenset(
            int(row["id"])
            for row in listed
            if _editable(
                rt, viewer, row["author_id"], row["status"], sql.python_time(row["created_at"])
            )
        ),
        recommended=_ids_where(listed, "recommendation_id"),
        author_ignored=_ids_where(listed, "ignore_id"),
        has_pending=len(listed) < len(rows),
        recommend_counts=(
            {int(row["id"]): int(row["recommend_count"]) for row in listed} if with_counts else {}
        ),
    )


def _ids_where(rows: list[dict[str, object]], column: str) -> frozenset[int]:
    return frozenset(int(str(row["id"])) for row in rows if row[column] is not None)


async def edit(rt: Runtime, viewer: User | None, *, comment_id: str, body: str) -> Comment:
    if viewer is None:
        raise Unauthenticated("Sign in to edit.")
    comment = await get(comment_id)
    if comment.author_id != viewer.id:
        raise NotAllowed("Only the author can edit a comment.")
    if comment.status != CommentStatus.PUBLISHED:
        raise NotAllowed("Only a published comment can be edited.")
    if not can_edit(rt, viewer, comment):
        raise NotAllowed(
            f"The edit window of {rt.settings.edit_window_seconds} seconds has passed."
        )
    text = clean_body(rt, body)
    await rt.limiter.hit("comments", f"user:{viewer.id}")
    async with in_transaction():
        comment = await comment_status.lock_for_change(comment.id)  # as it is now
        if comment.status != CommentStatus.PUBLISHED:  # removed or withdrawn meanwhile
            raise NotAllowed("Only a published comment can be edited.")
        await counters.bump_version(comment.article_id)
        await CommentRevision.create(
            comment=comment, body=comment.body, replaced_at=now(), replaced_by=viewer
        )
        comment.body = text
        comment.edited_at = now()
        await comment.save(update_fields=["body", "edited_at"])
    await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return comment


async def withdraw(viewer: User | None, comment_id: str) -> Comment:
    if viewer is None:
        raise Unauthenticated("Sign in first.")
    found = await get(comment_id)
    if found.author_id != viewer.id:
        raise NotAllowed("Only the author can withdraw a comment.")
    async with in_transaction():
        comment = await comment_status.lock_for_change(found.id)
        if comment.status == CommentStatus.WITHDRAWN:  # a retry, or its twin won: unchanged
            return comment
        if comment.status == CommentStatus.REMOVED:
            raise NotAllowed("A moderator has already removed this comment.")
        await comment_status.change(comment, expected=comment.status, new=CommentStatus.WITHDRAWN)
        # nothing left for moderators to act on: its reports leave the queue
        await reports.resolve_open(comment, ReportResolution.DISMISSED)
    await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return comment
