"""Pre-moderation: PENDING comments are seen by their author and staff only, count nowhere,
and go live when a moderator approves them (or never, when one removes them)."""

from __future__ import annotations

import asyncio
from typing import Any

from schema.context import Context
from schema.loaders import Loaders
from schema.schema import schema
from service.config import RateLimit
from service.models import Role, User
from tests.conftest import SqlCounter
from tests.schema.moderation.helpers import REMOVE, RESTORE, moderate
from tests.schema.reader.helpers import (
    THREAD,
    approve,
    ids,
    set_mode,
    signed_out_get,
    thread,
)
from tests.support import Api, Person, post_comment

COMMENT = "query C($id: ID!) { comment(id: $id) { id body status } }"
PENDING = """
query Pending($first: Int, $after: String) {
  pendingComments(first: $first, after: $after) {
    edges { cursor node { id body status author { displayName } article { id } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
LOG = (
    "{ moderationLog(first: 10) { edges { node { kind reason article { id } comment { id } } } } }"
)
LIVE = 'subscription { commentEvents(articleId: "story-1") { kind comment { id status body } } }'


async def comment_for(api: Api, person: Person | None, comment_id: str) -> Any:
    result = await api.data(COMMENT, {"id": comment_id}, token=person.token if person else None)
    return result["comment"]


async def test_a_pre_moderated_article_holds_comments_for_their_author_and_staff(
    api: Api,
) -> None:
    # given
    author = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await set_mode(api, moderator, "PRE")

    # when
    posted = await post_comment(api, author, "Held for now")

    # then
    assert (posted["status"], posted["body"]) == ("PENDING", "Held for now")
    for reader in (None, other):
        page = await thread(api, reader)
        assert (page["commentCount"], page["comments"]["edges"]) == (0, [])
        assert page["moderationMode"] == "PRE"
        assert await comment_for(api, reader, posted["id"]) is None
    for person in (author, moderator):
        page = await thread(api, person)
        assert ids(page) == [posted["id"]]
        assert await comment_for(api, person, posted["id"]) == {
            "id": posted["id"],
            "body": "Held for now",
            "status": "PENDING",
        }
        assert page["comments"]["edges"][0]["node"]["body"] == "Held for now"
        assert page["commentCount"] == 0  # counts nowhere until approved
    log = await api.data(LOG, token=moderator.token)
    [entry] = [e["node"] for e in log["moderationLog"]["edges"]]
    assert (entry["kind"], entry["article"]["id"]) == ("SET_MODERATION_MODE", "story-1")


async def test_approval_publishes_the_comment_counts_it_and_logs_it(api: Api) -> None:
    # given
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    top = await post_comment(api, author, "Published first")
    await set_mode(api, moderator, "PRE")
    reply = await post_comment(api, author, "A held reply", parentId=top["id"])
    before = await signed_out_get(api, THREAD, {"id": "story-1"})  # now cached

    # when
    approved = await approve(api, moderator, reply["id"])

    # then
    assert approved == {"__typename": "Comment", "id": reply["id"], "status": "PUBLISHED"}
    after = await signed_out_get(api, THREAD, {"id": "story-1"})
    assert before["article"]["commentCount"] == 1
    assert after["article"]["commentCount"] == 2
    [edge] = after["article"]["comments"]["edges"]
    assert edge["node"]["replyCount"] == 1
    assert edge["node"]["replies"]["edges"][0]["node"]["body"] == "A held reply"
    log = await api.data(LOG, token=moderator.token)
    kinds = [e["node"]["kind"] for e in log["moderationLog"]["edges"]]
    assert kinds == ["APPROVE", "SET_MODERATION_MODE"]


async def test_approving_a_published_comment_is_invalid_input(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "Live already")

    refused = await approve(api, moderator, posted["id"])

    assert refused["__typename"] == "InvalidInput"
    assert refused["field"] == "commentId"
    assert (await thread(api))["commentCount"] == 1  # counted once, not twice


async def test_approving_an_unknown_comment_is_not_found(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)

    assert (await approve(api, moderator, "999999"))["__typename"] == "NotFound"


async def test_removing_a_pending_comment_rejects_it(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await set_mode(api, moderator, "PRE")
    posted = await post_comment(api, author, "Not this one")

    removed = await moderate(api, moderator, REMOVE, posted["id"])

    assert (removed["__typename"], removed["status"]) == ("Comment", "REMOVED")
    assert ids(await thread(api, author)) == []
    assert (await thread(api, moderator))["comments"]["edges"][0]["node"]["status"] == "REMOVED"
    assert (await approve(api, moderator, posted["id"]))["__typename"] == "InvalidInput"
    assert (await thread(api))["commentCount"] == 0


async def test_readers_cannot_set_the_mode_or_approve(api: Api) -> None:
    reader = await api.person(subscriber=True)

    for document, variables in (
        (
            "mutation { setModerationMode(input: "
            '{articleId: "story-1", mode: PRE, reason: "x"}) { __typename } }',
            None,
        ),
        ('mutation { approveComment(input: {commentId: "1", reason: "x"}) { __typename } }', None),
        ("{ pendingComments { edges { node { id } } } }", None),
    ):
        assert await api.error_code(document, variables, token=reader.token) == "FORBIDDEN"


async def test_back_to_post_moderation_new_comments_go_live(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await set_mode(api, moderator, "PRE")
    held = await post_comment(api, author, "held")
    await set_mode(api, moderator, "POST")

    live = await post_comment(api, author, "live")

    assert (held["status"], live["status"]) == ("PENDING", "PUBLISHED")
    assert ids(await thread(api)) == [live["id"]]


async def test_a_new_commenters_first_comments_wait_for_a_moderator(make_api: Any) -> None:
    api: Api = await make_api(hold_first_comments=2, rate_limit_comments=RateLimit(100, 60))
    async with api.client:
        newcomer = await api.person(subscriber=True)
        moderator = await api.person(Role.MODERATOR)

        # the first two wait, the third goes live, whatever became of the first two
        first = [await post_comment(api, newcomer, f"hello {n}") for n in range(3)]
        assert [c["status"] for c in first] == ["PENDING", "PENDING", "PUBLISHED"]
        staff_post = await post_comment(api, moderator, "staff are never held")
        assert staff_post["status"] == "PUBLISHED"
        await approve(api, moderator, first[0]["id"])

        trusted = await post_comment(api, newcomer, "trusted now")
        assert trusted["status"] == "PUBLISHED"
        # signed out: the live ones, the approved one among them; the one still held is not
        shown = set(ids(await thread(api)))
        assert shown == {first[0]["id"], first[2]["id"], staff_post["id"], trusted["id"]}


async def test_replying_to_a_pending_comment_is_not_found(api: Api) -> None:
    author = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await set_mode(api, moderator, "PRE")
    held = await post_comment(api, author, "held")

    reply = await post_comment(api, other, "a reply", parentId=held["id"])

    assert reply["__typename"] == "NotFound"


async def test_pending_comments_come_oldest_first_in_constant_queries(
    make_api: Any, sql_counter: SqlCounter
) -> None:
    api: Api = await make_api(rate_limit_comments=RateLimit(100, 60))
    async with api.client:
        moderator = await api.person(Role.MODERATOR)
        await set_mode(api, moderator, "PRE")
        await set_mode(api, moderator, "PRE", article="story-2")
        authors = [await api.person(subscriber=True) for _ in range(3)]
        posted = [
            await post_comment(api, authors[n % 3], f"held {n}", article=f"story-{n % 2 + 1}")
            for n in range(12)
        ]
        await post_comment(api, authors[0], "live", article="story-3")

        walked: list[str] = []
        after = None
        counts = []
        while True:
            sql_counter.statements.clear()
            result = await api.data(PENDING, {"first": 5, "after": after}, token=moderator.token)
            counts.append(sql_counter.count)
            page = result["pendingComments"]
            walked += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]

    assert walked == [c["id"] for c in posted]
    assert counts[0] == counts[1]  # 5 comments by 3 authors on 2 articles: the same queries


async def test_a_pending_comment_reaches_only_its_authors_and_staffs_live_updates(
    api: Api,
) -> None:
    # given: three subscribers to the thread, as their own viewers
    author = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await set_mode(api, moderator, "PRE")
    runtime = api.app.state.runtime

    async def subscribe(person: Person | None) -> Any:
        viewer = await User.get(id=int(person.id)) if person else None
        context = Context(
            runtime=runtime,
            connection=None,
            viewer=viewer,
            session_id=None,
            client_address="test",
            loaders=Loaders(viewer),
        )
        stream = await schema.subscribe(LIVE, context_value=context)
        return stream

    streams = {
        name: await subscribe(p)
        for name, p in (
            ("author", author),
            ("other", other),
            ("moderator", moderator),
            ("anon", None),
        )
    }
    nexts = {name: asyncio.ensure_future(anext(s)) for name, s in streams.items()}
    await asyncio.sleep(0.05)

    # when
    held = await post_comment(api, author, "held")
    await asyncio.sleep(0.2)

    # then: the author and staff hear of it; the others do not, until it is approved
    for name in ("author", "moderator"):
        event = (await asyncio.wait_for(nexts[name], 5)).data["commentEvents"]
        assert (event["kind"], event["comment"]["status"]) == ("ADDED", "PENDING")
    assert not nexts["other"].done() and not nexts["anon"].done()
    await approve(api, moderator, held["id"])
    for name in ("other", "anon"):
        event = (await asyncio.wait_for(nexts[name], 5)).data["commentEvents"]
        assert event == {
            "kind": "ADDED",
            "comment": {"id": held["id"], "status": "PUBLISHED", "body": "held"},
        }
    for stream in streams.values():
        await stream.aclose()


async def test_a_pending_reply_shows_under_its_parent_for_its_author_only(api: Api) -> None:
    author = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    top = await post_comment(api, other, "published")
    await set_mode(api, moderator, "PRE")

    reply = await post_comment(api, author, "held reply", parentId=top["id"])

    for person, shown in ((author, [reply["id"]]), (other, []), (None, [])):
        [edge] = (await thread(api, person))["comments"]["edges"]
        assert [r["node"]["id"] for r in edge["node"]["replies"]["edges"]] == shown
        assert edge["node"]["replyCount"] == 0


async def test_restoring_a_held_comment_is_refused_in_favour_of_approval(api: Api) -> None:
    # given: a comment held for approval
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    await set_mode(api, moderator, "PRE")
    posted = await post_comment(api, author, "Held for now")

    # when: a moderator restores it instead of approving it
    refused = await moderate(api, moderator, RESTORE, posted["id"])

    # then: refused, still held and still counting nowhere; the log has no RESTORE line
    assert refused["__typename"] == "InvalidInput" and refused["field"] == "commentId"
    assert "approveComment" in refused["message"]
    assert (await comment_for(api, moderator, posted["id"]))["status"] == "PENDING"
    assert (await thread(api, None))["commentCount"] == 0
    log = await api.data(LOG, token=moderator.token)
    assert [e["node"]["kind"] for e in log["moderationLog"]["edges"]] == ["SET_MODERATION_MODE"]


INBOX = """
{ me { unreadNotificationCount notifications { edges { node { kind comment { id } } } } } }
"""


async def test_a_held_reply_reaches_the_parents_author_when_approved(api: Api) -> None:
    # given: a live comment, then a reply held for a moderator
    author = await api.person(subscriber=True)
    replier = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    top = await post_comment(api, author, "live")
    await set_mode(api, moderator, "PRE")
    held = await post_comment(api, replier, "a reply, held", parentId=top["id"])
    assert held["status"] == "PENDING"
    before = (await api.data(INBOX, token=author.token))["me"]

    # when
    await approve(api, moderator, held["id"])

    # then: no word of it while held; a REPLY once it is live
    after = (await api.data(INBOX, token=author.token))["me"]
    assert before["unreadNotificationCount"] == 0
    assert after["unreadNotificationCount"] == 1
    assert after["notifications"]["edges"] == [
        {"node": {"kind": "REPLY", "comment": {"id": held["id"]}}}
    ]
