"""Reports: "report this post", once per reader per comment; they feed the moderators' queue.

The comment row carries its open-report count and first/last open-report times, moved in
the report's transaction, so the queue is one indexed query whatever its length. While
moderation is part-time, enough distinct reporters hide a comment until a moderator decides.
"""

from __future__ import annotations

from collections import defaultdict

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from service import comment_status, comments, events, moderation_log, sql, statements, threads
from service.clock import now
from service.errors import AlreadyReported, InvalidInput, NotFound, Unauthenticated
from service.models import (
    ActionKind,
    Comment,
    CommentStatus,
    Report,
    ReportReason,
    ReportResolution,
    ReportStatus,
    User,
)
from service.runtime import Runtime
from service.text import clean_text
from service.threads import Page, after_filter, keyset_page

MAX_NOTE = 1000


async def report(
    rt: Runtime, viewer: User | None, *, comment_id: str, reason: ReportReason, note: str | None
) -> Report:
    if viewer is None:
        raise Unauthenticated("Sign in to report a comment.")
    try:
        comment = await comments.get(comment_id)
    except NotFound:
        raise NotFound("No such comment.") from None
    _check_reportable(comment, viewer)
    cleaned_note = (
        clean_text(note, field="note", max_length=MAX_NOTE, min_length=0, multiline=True) or None
        if note is not None
        else None
    )
    if await Report.filter(comment_id=comment.id, reporter_id=viewer.id).exists():
        raise AlreadyReported("You have already reported this comment.")
    await rt.limiter.hit("reports", f"user:{viewer.id}")
    moment = now()
    try:
        async with in_transaction():
            # as it is now: a removal or a withdrawal may have come first
            comment = await comment_status.lock_for_change(comment.id)
            _check_reportable(comment, viewer)
            created = await Report.create(
                comment=comment,
                reporter=viewer,
                reason=reason,
                note=cleaned_note,
                created_at=moment,
            )
            await Comment.filter(id=comment.id, first_open_report_at=None).update(
                first_open_report_at=moment
            )
            await Comment.filter(id=comment.id).update(
                open_report_count=F("open_report_count") + 1, last_open_report_at=moment
            )
            comment.open_report_count += 1
            hidden = await _auto_hide_if_due(rt, comment)
    except IntegrityError:  # the same reader, twice at once: the unique index decided
        raise AlreadyReported("You have already reported this comment.") from None
    if hidden:
        await events.publish(events.EventKind.UPDATED, comment.article_id, comment.id)
    return created


def _check_reportable(comment: Comment, viewer: User) -> None:
    if comment.status != CommentStatus.PUBLISHED:
        raise NotFound("That comment is not visible.")
    if comment.author_id == viewer.id:
        raise InvalidInput("You cannot report your own comment.", "commentId")


async def _auto_hide_if_due(rt: Runtime, comment: Comment) -> bool:
    """Hide a published comment once distinct open reporters reach the threshold in force
    (inside the report's transaction, the comment locked)."""
    threshold = rt.coverage.at(now()).auto_hide_threshold
    # one report per reader (unique index): the open count is the distinct reporters
    if threshold is None or comment.open_report_count < threshold:
        return False
    if not await comment_status.change(
        comment, expected=CommentStatus.PUBLISHED, new=CommentStatus.HIDDEN
    ):
        return False
    action = await moderation_log.record(
        ActionKind.AUTO_HIDE,
        moderator=None,
        comment=comment,
        reason=f"{comment.open_report_count} readers reported it while moderation was part-time",
    )
    await statements.issue(action)
    return True


async def resolve_open(comment: Comment, resolution: ReportResolution) -> None:
    """Close the comment's open reports (inside the caller's transaction)."""
    await Report.filter(comment_id=comment.id, status=ReportStatus.OPEN).update(
        status=ReportStatus.RESOLVED, resolution=resolution, resolved_at=now()
    )
    comment.open_report_count = 0
    comment.first_open_report_at = None
    comment.last_open_report_at = None
    await comment.save(
        update_fields=["open_report_count", "first_open_report_at", "last_open_report_at"]
    )


async def resolve_open_of(comment_ids: list[int], resolution: ReportResolution) -> None:
    """`resolve_open` for many comments at once (an erasure), inside the caller's transaction."""
    for ids in sql.chunks(comment_ids):
        await Report.filter(comment_id__in=ids, status=ReportStatus.OPEN).update(
            status=ReportStatus.RESOLVED, resolution=resolution, resolved_at=now()
        )
        await Comment.filter(id__in=ids).update(
            open_report_count=0, first_open_report_at=None, last_open_report_at=None
        )


async def for_comment(comment_id: int, *, first: int, after: str | None) -> Page[Report]:
    """A comment's reports, oldest first."""
    query = Report.filter(comment_id=comment_id)
    if after:
        query = query.filter(after_filter(after, descending=False))
    return await keyset_page(query, "created_at", "id", first=first)


async def open_reasons(comment_ids: list[int]) -> list[list[ReportReason]]:
    """Per comment, the distinct reasons of its open reports, in enum order."""
    rows = await Report.filter(comment_id__in=comment_ids, status=ReportStatus.OPEN).values_list(
        "comment_id", "reason"
    )
    by_comment: dict[int, set[ReportReason]] = defaultdict(set)
    for comment_id, reason in rows:
        by_comment[comment_id].add(ReportReason(reason))
    order = list(ReportReason)
    return [sorted(by_comment[c], key=order.index) for c in comment_ids]


async def first_pages(comment_ids: list[int], *, first: int) -> dict[int, Page[Report]]:
    """The first page of reports of each comment, oldest first, in one query: the
    moderation queue shows them for every item."""
    return await threads.first_pages(Report, "comment_id", comment_ids, first=first)
