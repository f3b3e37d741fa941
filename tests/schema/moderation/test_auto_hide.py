from __future__ import annotations

import pytest

from service.clock import clock
from service.models import Role
from tests.schema.moderation.helpers import (
    DISMISS,
    RESTORE,
    SATURDAY_NOON_LONDON,
    TUESDAY_11_LONDON,
    article_as,
    comment_as,
    moderate,
    queue_ids,
    report,
)
from tests.support import Api, Person, post_comment

AUTO_HIDES = """
{ moderationLog { edges { node { kind reason moderator { id } comment { id } } } } }
"""


async def auto_hides(api: Api, moderator: Person) -> list[dict[str, object]]:
    edges = (await api.data(AUTO_HIDES, token=moderator.token))["moderationLog"]["edges"]
    return [e["node"] for e in edges if e["node"]["kind"] == "AUTO_HIDE"]


async def test_auto_hide_at_partial_coverage_after_three_readers(api: Api) -> None:
    # given: a Saturday, when moderation is part-time; a reply under a comment
    clock.set(SATURDAY_NOON_LONDON)
    author = await api.person(subscriber=True)
    readers = [await api.person() for _ in range(3)]
    moderator = await api.person(Role.MODERATOR)
    parent = await post_comment(api, author, "parent")
    posted = await post_comment(api, author, "Buy now!", parentId=parent["id"])

    # when two readers report it, it stays
    for reader in readers[:2]:
        await report(api, reader, posted["id"])
    assert (await comment_as(api, moderator, posted["id"]) or {})["status"] == "PUBLISHED"
    assert (await article_as(api, None))["commentCount"] == 2

    # when the third does, it is hidden
    third = await report(api, readers[2], posted["id"])

    # then
    assert third["__typename"] == "Report"
    assert (await comment_as(api, moderator, posted["id"]) or {})["status"] == "HIDDEN"
    assert await comment_as(api, readers[0], posted["id"]) is None
    assert (await article_as(api, None))["commentCount"] == 1
    assert (await comment_as(api, None, parent["id"]) or {})["replyCount"] == 0
    hides = await auto_hides(api, moderator)
    assert len(hides) == 1
    assert hides[0]["moderator"] is None
    assert hides[0]["comment"] == {"id": posted["id"]}
    assert hides[0]["reason"]
    assert await queue_ids(api, moderator) == [posted["id"]]  # still waiting for a decision


async def test_auto_hide_not_at_full_coverage(api: Api) -> None:
    clock.set(TUESDAY_11_LONDON)
    author = await api.person(subscriber=True)
    readers = [await api.person() for _ in range(4)]
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "Buy now!")

    for reader in readers:
        assert (await report(api, reader, posted["id"]))["__typename"] == "Report"

    assert (await comment_as(api, moderator, posted["id"]) or {})["status"] == "PUBLISHED"
    assert (await comment_as(api, None, posted["id"]) or {})["body"] == "Buy now!"
    assert (await article_as(api, None))["commentCount"] == 1
    assert await auto_hides(api, moderator) == []


async def test_auto_hide_counts_only_open_reports(api: Api) -> None:
    # given: two reports dismissed on a Saturday
    clock.set(SATURDAY_NOON_LONDON)
    author = await api.person(subscriber=True)
    readers = [await api.person() for _ in range(3)]
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author)
    for reader in readers[:2]:
        await report(api, reader, posted["id"])
    await moderate(api, moderator, DISMISS, posted["id"])

    # when a third reader reports it
    await report(api, readers[2], posted["id"])

    # then one open report is below the threshold
    assert (await comment_as(api, moderator, posted["id"]) or {})["status"] == "PUBLISHED"
    assert await auto_hides(api, moderator) == []


@pytest.mark.parametrize("document", [RESTORE, DISMISS], ids=["restore", "dismiss"])
async def test_hidden_comment_is_published_again_by_restore_or_dismiss(
    api: Api, document: str
) -> None:
    # given: a comment hidden on a Saturday
    clock.set(SATURDAY_NOON_LONDON)
    author = await api.person(subscriber=True)
    readers = [await api.person() for _ in range(3)]
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "Fair comment")
    for reader in readers:
        await report(api, reader, posted["id"])
    assert (await article_as(api, None))["commentCount"] == 0

    # when
    result = await moderate(api, moderator, document, posted["id"], reason="Nothing wrong")

    # then
    assert result == {"__typename": "Comment", "id": posted["id"], "status": "PUBLISHED"}
    assert (await comment_as(api, readers[0], posted["id"]) or {})["body"] == "Fair comment"
    assert (await article_as(api, None))["commentCount"] == 1
    assert await queue_ids(api, moderator) == []
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    assert {e["node"]["resolution"] for e in seen["reports"]["edges"]} == {"DISMISSED"}


AMEND = """
mutation Amend($input: AmendCommentInput!) {
  amendComment(input: $input) { __typename ... on Comment { status body amendedByModerator } }
}
"""


async def test_amending_a_hidden_comment_publishes_the_amended_text(api: Api) -> None:
    # given: a comment hidden by three reports on a Saturday
    clock.set(SATURDAY_NOON_LONDON)
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "Call 555-0100 for a good time")
    for reader in [await api.person() for _ in range(3)]:
        await report(api, reader, posted["id"])

    # when
    amended = await api.data(
        AMEND,
        {"input": {"commentId": posted["id"], "body": "[number removed]", "reason": "privacy"}},
        token=moderator.token,
    )

    # then: readers see the amended text again, and the queue is clear
    assert amended["amendComment"]["status"] == "PUBLISHED"
    seen = await comment_as(api, None, posted["id"])
    assert seen is not None
    assert seen["body"] == "[number removed]"
    assert seen["amendedByModerator"] is True
    assert (await article_as(api, None))["commentCount"] == 1
    assert await queue_ids(api, moderator) == []


async def test_a_reported_comment_withdrawn_by_its_author_leaves_the_queue(api: Api) -> None:
    author = await api.person(subscriber=True)
    moderator = await api.person(Role.MODERATOR)
    posted = await post_comment(api, author, "regrettable")
    await report(api, await api.person(), posted["id"])
    assert await queue_ids(api, moderator) == [posted["id"]]

    await api.data(
        "mutation W($id: ID!) { deleteComment(id: $id) { __typename } }",
        {"id": posted["id"]},
        token=author.token,
    )

    assert await queue_ids(api, moderator) == []
    seen = await comment_as(api, moderator, posted["id"])
    assert seen is not None
    resolutions = [e["node"]["resolution"] for e in seen["reports"]["edges"]]
    assert resolutions == ["DISMISSED"]
