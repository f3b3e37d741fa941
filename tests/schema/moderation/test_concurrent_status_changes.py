"""Status changes racing each other: counters and the log end as if they had run one by one.

Requests run through the ASGI app with asyncio.gather: one event loop, so the concurrency is
interleaving at every await — the same interleaving that races in production.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from service.config import RateLimit
from service.models import (
    ActionKind,
    Article,
    Comment,
    CommentStatus,
    ModerationAction,
    Report,
    ReportStatus,
    Role,
)
from tests.schema.moderation.helpers import DISMISS, REMOVE, REPORT, RESTORE
from tests.support import Api, Person, post_comment

WITHDRAW = """
mutation Withdraw($id: ID!) {
  deleteComment(id: $id) { __typename ... on Comment { id status } ... on Error { message } }
}
"""
AMEND = """
mutation Amend($input: AmendCommentInput!) {
  amendComment(input: $input) {
    __typename ... on Comment { id status } ... on InvalidInput { message } ... on Error { message }
  }
}
"""
MODERATOR_KINDS = {
    "removeComment": ActionKind.REMOVE,
    "restoreComment": ActionKind.RESTORE,
    "dismissReports": ActionKind.DISMISS_REPORTS,
    "amendComment": ActionKind.AMEND,
}


@pytest.fixture
async def api(make_api: Any) -> AsyncIterator[Api]:
    """Two distinct reporters hide a comment; nothing here is rate-limited or timed out."""
    built: Api = await make_api(
        auto_hide_full=2,
        auto_hide_partial=2,
        rate_limit_comments=RateLimit(100_000, 60),
        rate_limit_reports=RateLimit(100_000, 60),
        operation_timeout_seconds=120,
    )
    async with built.client:
        yield built


@dataclass
class Thread:
    authors: list[Person]
    moderators: list[Person]
    readers: list[Person]
    comments: dict[str, Person]  # comment id -> its author
    roots: list[str]


async def _thread(api: Api, roots: int = 5, readers: int = 6) -> Thread:
    """`roots` comments on story-1, each with a reply and a reply to that reply."""
    authors = [await api.person(subscriber=True) for _ in range(2)]
    moderators = [await api.person(Role.MODERATOR) for _ in range(2)]
    reporters = [await api.person() for _ in range(readers)]
    comments: dict[str, Person] = {}
    root_ids = []
    for n in range(roots):
        author = authors[n % 2]
        root = await post_comment(api, author, f"root {n}")
        reply = await post_comment(api, authors[1 - n % 2], f"reply {n}", parentId=root["id"])
        nested = await post_comment(api, author, f"nested {n}", parentId=reply["id"])
        comments[root["id"]] = author
        comments[reply["id"]] = authors[1 - n % 2]
        comments[nested["id"]] = author
        root_ids.append(root["id"])
    return Thread(authors, moderators, reporters, comments, root_ids)


async def _moderate(api: Api, moderator: Person, document: str, comment_id: str) -> str:
    variables = {"input": {"commentId": comment_id, "reason": "House rules"}}
    body = await api.gql(document, variables, token=moderator.token)
    assert "errors" not in body, body
    return str(next(iter(body["data"].values()))["__typename"])


async def _withdraw(api: Api, author: Person, comment_id: str) -> str:
    body = await api.gql(WITHDRAW, {"id": comment_id}, token=author.token)
    assert "errors" not in body, body
    return str(body["data"]["deleteComment"]["__typename"])


async def _assert_counters_match_the_rows() -> None:
    """commentCount, every replyCount and openReportCount equal a recount from the rows."""
    rows = await Comment.all().values("id", "article_id", "ancestry", "status", "reply_count")
    published = [row for row in rows if row["status"] == CommentStatus.PUBLISHED]
    replies = Counter(
        int(ancestor) for row in published for ancestor in row["ancestry"].split("/") if ancestor
    )
    assert {row["id"]: row["reply_count"] for row in rows} == {
        row["id"]: replies[row["id"]] for row in rows
    }
    visible = Counter(row["article_id"] for row in published)
    articles = await Article.all().values("id", "comment_count")
    assert {a["id"]: a["comment_count"] for a in articles} == {
        a["id"]: visible[a["id"]] for a in articles
    }
    open_reports: Counter[int] = Counter(
        comment_id
        for (comment_id,) in await Report.filter(status=ReportStatus.OPEN).values_list("comment_id")
    )
    stored = await Comment.all().values_list("id", "open_report_count")
    assert dict(stored) == {comment_id: open_reports[comment_id] for comment_id, _ in stored}


async def _log_kinds() -> Counter[str]:
    return Counter(str(kind) for (kind,) in await ModerationAction.all().values_list("kind"))


async def test_withdraw_twins_move_the_counters_once(api: Api) -> None:
    # given
    thread = await _thread(api)
    root = thread.roots[0]
    reply = next(c for c in thread.comments if c not in thread.roots)

    # when: its author withdraws each of two comments eight times at once
    answers = await asyncio.gather(
        *(
            _withdraw(api, thread.comments[comment_id], comment_id)
            for comment_id in (root, reply)
            for _ in range(8)
        )
    )

    # then: every answer is the withdrawn comment, and the counters moved once for each
    assert answers == ["Comment"] * 16
    await _assert_counters_match_the_rows()
    assert (await Article.get(id="story-1")).comment_count == 15 - 2


async def test_remove_by_two_moderators_at_once_is_done_and_logged_once(api: Api) -> None:
    # given
    thread = await _thread(api)

    # when: both moderators remove every root at once
    answers = await asyncio.gather(
        *(
            _moderate(api, moderator, REMOVE, root)
            for root in thread.roots
            for moderator in thread.moderators
        )
    )

    # then: one removal each; the other moderator is told it is already removed
    assert Counter(answers) == {"Comment": 5, "InvalidInput": 5}
    assert await _log_kinds() == {ActionKind.REMOVE: 5}
    await _assert_counters_match_the_rows()


async def test_restore_by_two_moderators_at_once_counts_each_comment_once(api: Api) -> None:
    # given: every root removed
    thread = await _thread(api)
    for root in thread.roots:
        assert await _moderate(api, thread.moderators[0], REMOVE, root) == "Comment"

    # when
    answers = await asyncio.gather(
        *(
            _moderate(api, moderator, RESTORE, root)
            for root in thread.roots
            for moderator in thread.moderators
        )
    )

    # then
    assert Counter(answers) == {"Comment": 5, "InvalidInput": 5}
    assert await _log_kinds() == {ActionKind.REMOVE: 5, ActionKind.RESTORE: 5}
    await _assert_counters_match_the_rows()
    assert (await Article.get(id="story-1")).comment_count == 15


async def test_status_changes_in_random_concurrent_rounds_keep_counters_and_log_exact(
    api: Api,
) -> None:
    # given
    thread = await _thread(api, roots=4, readers=5)
    comment_ids = list(thread.comments)
    chance = random.Random(16)
    successes: Counter[str] = Counter()

    async def moderation(document: str, name: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            moderator = chance.choice(thread.moderators)
            comment_id = chance.choice(comment_ids)
            if document is AMEND:
                variables: dict[str, Any] = {
                    "input": {"commentId": comment_id, "body": "amended", "reason": "Libel"}
                }
                body = await api.gql(AMEND, variables, token=moderator.token)
                assert "errors" not in body, body
                kind = body["data"]["amendComment"]["__typename"]
            else:
                kind = await _moderate(api, moderator, document, comment_id)
            assert kind in {"Comment", "InvalidInput"}, kind
            if kind == "Comment":
                successes[name] += 1

        return call

    async def withdrawal() -> None:
        comment_id = chance.choice(comment_ids)
        kind = await _withdraw(api, thread.comments[comment_id], comment_id)
        assert kind in {"Comment", "NotAllowed"}, kind

    async def reporting() -> None:
        reader, comment_id = chance.choice(thread.readers), chance.choice(comment_ids)
        variables = {"input": {"commentId": comment_id, "reason": "SPAM"}}
        body = await api.gql(REPORT, variables, token=reader.token)
        assert "errors" not in body, body
        kind = body["data"]["reportComment"]["__typename"]
        assert kind in {"Report", "AlreadyReported", "NotFound"}, kind

    makers: list[Callable[[], Awaitable[None]]] = [
        await moderation(REMOVE, "removeComment"),
        await moderation(RESTORE, "restoreComment"),
        await moderation(DISMISS, "dismissReports"),
        await moderation(AMEND, "amendComment"),
        withdrawal,
        reporting,
        reporting,
        reporting,
    ]

    # when: rounds of forty random calls at once
    for _ in range(6):
        await asyncio.gather(*(chance.choice(makers)() for _ in range(40)))

    # then: the counters are what the rows say, and one log line per action that took effect
    await _assert_counters_match_the_rows()
    kinds = await _log_kinds()
    moderated = {MODERATOR_KINDS[name]: count for name, count in successes.items() if count}
    assert {kind: count for kind, count in kinds.items() if kind != ActionKind.AUTO_HIDE} == (
        moderated
    )
    assert sum(successes.values()) > 20  # the rounds did exercise the moderators
