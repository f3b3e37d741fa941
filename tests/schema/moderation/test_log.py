from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.clock import clock
from service.models import Role
from tests.schema.moderation.helpers import (
    BAN,
    DISMISS,
    REINSTATE,
    REMOVE,
    RESTORE,
    SET_COMMENTING,
    SUSPEND,
    moderate,
    report,
)
from tests.support import Api, Person, post_comment

LOG = """
query Log($first: Int, $after: String, $commentId: ID, $userId: ID) {
  moderationLog(first: $first, after: $after, commentId: $commentId, userId: $userId) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id kind reason previousBody newBody createdAt
      moderator { id } comment { id } targetUser { id } article { id }
    } }
  }
}
"""
AMEND = """
mutation Amend($input: AmendCommentInput!) { amendComment(input: $input) { __typename } }
"""


async def log(api: Api, moderator: Person, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await api.data(LOG, variables, token=moderator.token))["moderationLog"]
    return found


def nodes(page: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in page["edges"]]


async def run(api: Api, moderator: Person, document: str, **fields: Any) -> None:
    result = await api.data(document, {"input": fields}, token=moderator.token)
    assert next(iter(result.values()))["__typename"] in {"Comment", "User", "Article"}, result


async def test_every_action_writes_one_log_line(api: Api) -> None:
    # given
    author = await api.person(subscriber=True)
    reader = await api.person()
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "rude")
    await report(api, reader, posted["id"])
    comment, user = {"commentId": posted["id"]}, {"userId": author.id}
    article = {"articleId": "story-1"}
    until = (clock.now() + timedelta(days=3)).isoformat()
    actions = [
        ("AMEND", AMEND, {**comment, "body": "polite"}),
        ("REMOVE", REMOVE, comment),
        ("RESTORE", RESTORE, comment),
        ("DISMISS_REPORTS", DISMISS, comment),
        ("SUSPEND_USER", SUSPEND, {**user, "until": until}),
        ("BAN_USER", BAN, user),
        ("REINSTATE_USER", REINSTATE, user),
        ("CLOSE_COMMENTS", SET_COMMENTING, {**article, "open": False}),
        ("OPEN_COMMENTS", SET_COMMENTING, {**article, "open": True}),
    ]

    # when
    for kind, document, fields in actions:
        clock.advance(1)
        await run(api, moderator, document, **fields, reason=f"reason for {kind}")

    # then: one line each, newest first
    lines = nodes(await log(api, moderator))
    assert [line["kind"] for line in lines] == [kind for kind, _, _ in reversed(actions)]
    assert all(line["moderator"] == {"id": moderator.id} for line in lines)
    assert [line["reason"] for line in lines] == [f"reason for {line['kind']}" for line in lines]
    amend = lines[-1]
    assert (amend["previousBody"], amend["newBody"]) == ("rude", "polite")
    assert all(line["previousBody"] is None and line["newBody"] is None for line in lines[:-1])
    by_kind = {line["kind"]: line for line in lines}
    assert by_kind["REMOVE"]["comment"] == {"id": posted["id"]}
    assert by_kind["BAN_USER"]["targetUser"] == {"id": author.id}
    assert by_kind["BAN_USER"]["comment"] is None
    assert by_kind["CLOSE_COMMENTS"]["article"] == {"id": "story-1"}


async def test_a_refused_action_writes_no_log_line(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)

    restored = await moderate(api, moderator, RESTORE, posted["id"])
    emptied = await moderate(api, moderator, REMOVE, posted["id"], reason="")

    assert restored["__typename"] == emptied["__typename"] == "InvalidInput"
    assert nodes(await log(api, moderator)) == []


async def test_moderation_log_filters_by_comment_and_by_user(api: Api) -> None:
    # given: actions on two authors' comments, and a ban of the second author
    first_author = await api.person(subscriber=True)
    second_author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    first = await post_comment(api, first_author, "one")
    second = await post_comment(api, second_author, "two")
    for document, comment_id in [
        (REMOVE, first["id"]),
        (DISMISS, second["id"]),
        (RESTORE, first["id"]),
    ]:
        clock.advance(1)
        await moderate(api, moderator, document, comment_id)
    clock.advance(1)
    await run(api, moderator, BAN, userId=second_author.id, reason="spam account")

    # when
    on_first = nodes(await log(api, moderator, commentId=first["id"]))
    on_second_author = nodes(await log(api, moderator, userId=second_author.id))
    on_nothing = nodes(await log(api, moderator, commentId="not-an-id"))

    # then
    assert [line["kind"] for line in on_first] == ["RESTORE", "REMOVE"]
    assert all(line["comment"] == {"id": first["id"]} for line in on_first)
    assert [line["kind"] for line in on_second_author] == ["BAN_USER", "DISMISS_REPORTS"]
    assert all(line["targetUser"] == {"id": second_author.id} for line in on_second_author)
    assert on_nothing == []


async def test_moderation_log_pages_with_first_and_after(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)
    for n in range(5):
        clock.advance(1)
        await moderate(api, moderator, DISMISS, posted["id"], reason=f"pass {n}")
    everything = [line["id"] for line in nodes(await log(api, moderator))]

    seen: list[str] = []
    pages = 0
    after = None
    while True:
        page = await log(api, moderator, first=2, after=after)
        pages += 1
        seen += [line["id"] for line in nodes(page)]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(everything) == 5
    assert seen == everything
    assert pages == 3
    assert [line["reason"] for line in nodes(await log(api, moderator, first=1))] == ["pass 4"]
