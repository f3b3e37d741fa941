"""submitNotice for anyone, its bad input, and what moderators do with a notice."""

from __future__ import annotations

from typing import Any

from service.config import RateLimit
from service.models import ActionKind, ModerationAction, Role
from tests.schema.legal.helpers import (
    DECIDE,
    LEGAL_NOTICES,
    NOTIFY_POSTER,
    REJECT,
    SUBMIT,
    act,
    defamation,
    illegal_content,
    notices_as,
    posted,
    statements_of,
    submit,
)
from tests.support import Api

WITHDRAW = "mutation($id: ID!) { deleteComment(id: $id) { __typename } }"
LOG = """
query($commentId: ID) {
  moderationLog(commentId: $commentId) {
    edges { node { kind reason moderator { id } notice { id status } } }
  }
}
"""


async def test_anyone_signed_out_gets_a_receipt_at_once(api: Api) -> None:
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)

    receipt = await submit(api, illegal_content(comment_id))

    assert receipt["__typename"] == "NoticeReceipt"
    assert receipt["kind"] == "ILLEGAL_CONTENT"
    assert receipt["id"] and receipt["receivedAt"]


async def test_a_notice_on_an_unknown_or_withdrawn_comment_is_not_found(api: Api) -> None:
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    await api.data(WITHDRAW, {"id": comment_id}, token=poster.token)

    withdrawn = await submit(api, illegal_content(comment_id))
    unknown = await submit(api, illegal_content("999999"))
    nonsense = await submit(api, illegal_content("COMMENT-ID"))

    assert [withdrawn["__typename"], unknown["__typename"], nonsense["__typename"]] == [
        "NotFound"
    ] * 3


async def test_the_same_notifiers_open_notice_is_answered_again(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)

    first = await submit(api, illegal_content(comment_id))
    again = await submit(api, illegal_content(comment_id, notifierEmail="NORA@example.org"))
    other_kind = await submit(api, defamation(comment_id, notifierEmail="nora@example.org"))
    other_person = await submit(api, illegal_content(comment_id, notifierEmail="x@example.org"))

    assert again == first
    assert len({first["id"], other_kind["id"], other_person["id"]}) == 3
    assert len(await notices_as(api, moderator)) == 3


async def test_bad_notices_name_the_field_at_fault(api: Api) -> None:
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    cases: list[tuple[dict[str, Any], str]] = [
        (illegal_content(comment_id, goodFaith=False), "goodFaith"),
        (illegal_content(comment_id, explanation="x" * 5001), "explanation"),
        (illegal_content(comment_id, explanation="   "), "explanation"),
        (illegal_content(comment_id, legalGround=None), "legalGround"),
        (defamation(comment_id, meaning=None), "meaning"),
        (illegal_content(comment_id, notifierEmail="not an email"), "notifierEmail"),
        (illegal_content(comment_id, notifierName=""), "notifierName"),
    ]

    answers = [await submit(api, notice) for notice, _ in cases]

    assert [(a["__typename"], a["field"]) for a in answers] == [
        ("InvalidInput", field) for _, field in cases
    ]


async def test_a_one_megabyte_explanation_is_refused_with_a_clear_answer(api: Api) -> None:
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    response = await api.raw(
        SUBMIT, {"input": illegal_content(comment_id, explanation="x" * 2**20)}
    )

    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]


async def test_notices_are_rate_limited_per_client_address(make_api: Any) -> None:
    api: Api = await make_api(rate_limit_notices=RateLimit(2, 3600))
    poster = await api.person(subscriber=True)
    comment_ids = [await posted(api, poster, f"Comment {n}") for n in range(3)]

    answers = [await submit(api, illegal_content(c)) for c in comment_ids]
    repeated = await submit(api, illegal_content(comment_ids[0]))  # answered from the first

    assert [a["__typename"] for a in answers] == ["NoticeReceipt", "NoticeReceipt", "RateLimited"]
    assert answers[2]["retryAfterSeconds"] > 0
    assert repeated == answers[0]


async def test_only_moderators_see_the_legal_queue(api: Api) -> None:
    reader = await api.person()

    signed_out = await api.error_code("{ legalNotices { edges { node { id } } } }")
    as_reader = await api.error_code(
        "{ legalNotices { edges { node { id } } } }", token=reader.token
    )

    assert (signed_out, as_reader) == ("UNAUTHENTICATED", "FORBIDDEN")


async def test_the_queue_puts_the_nearest_deadline_first_then_the_oldest(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    first, second, third = [await posted(api, poster, f"Comment {n}") for n in range(3)]
    illegal = await submit(api, illegal_content(first))
    older_defamation = await submit(api, defamation(second))
    newer_defamation = await submit(api, defamation(third))

    queue = await notices_as(api, moderator)
    page_one = await notices_as(api, moderator, first=2)
    only_illegal = await notices_as(api, moderator, kind="ILLEGAL_CONTENT")

    assert [n["id"] for n in queue] == [
        older_defamation["id"],
        newer_defamation["id"],
        illegal["id"],
    ]
    assert [n["id"] for n in page_one] == [n["id"] for n in queue[:2]]
    assert [n["id"] for n in only_illegal] == [illegal["id"]]
    assert queue[2]["posterNotifyBy"] is None and queue[2]["legalGround"]


async def test_the_queue_pages_on(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    ids = []
    for n in range(3):
        ids.append((await submit(api, illegal_content(await posted(api, poster, f"C{n}"))))["id"])
    first = (await api.data(LEGAL_NOTICES, {"first": 2}, token=moderator.token))["legalNotices"]
    after = first["pageInfo"]["endCursor"]
    rest = (await api.data(LEGAL_NOTICES, {"first": 2, "after": after}, token=moderator.token))[
        "legalNotices"
    ]

    assert first["pageInfo"]["hasNextPage"] is True
    seen = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
    assert seen == ids and rest["pageInfo"]["hasNextPage"] is False


async def test_a_rejected_notice_is_closed_and_logged(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    receipt = await submit(api, illegal_content(comment_id))

    rejected = await act(api, moderator, REJECT, noticeId=receipt["id"], reason="Names no law")
    twice = await act(api, moderator, REJECT, noticeId=receipt["id"], reason="Again")
    decided = await act(
        api, moderator, DECIDE, noticeId=receipt["id"], decision="CONTENT_REMOVED", reason="x"
    )

    assert (rejected["status"], rejected["decisionReason"]) == ("REJECTED", "Names no law")
    assert rejected["decidedBy"] == {"id": moderator.id}
    assert rejected["comment"]["status"] == "PUBLISHED"
    assert (twice["__typename"], decided["__typename"]) == ("NotAllowed", "NotAllowed")
    log = (await api.data(LOG, {"commentId": comment_id}, token=moderator.token))["moderationLog"]
    assert [e["node"]["kind"] for e in log["edges"]] == ["DECIDE_NOTICE"]
    assert log["edges"][0]["node"]["notice"] == {"id": receipt["id"], "status": "REJECTED"}


async def test_removal_on_an_illegal_content_notice_issues_a_statement(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    receipt = await submit(api, illegal_content(comment_id))

    decided = await act(
        api,
        moderator,
        DECIDE,
        noticeId=receipt["id"],
        decision="CONTENT_REMOVED",
        reason="Incitement under s.18",
    )

    assert (decided["status"], decided["decision"]) == ("DECIDED", "CONTENT_REMOVED")
    assert decided["comment"]["status"] == "REMOVED"
    [statement] = await statements_of(api, poster)
    assert statement["ground"] == "ILLEGAL_CONTENT" and statement["automated"] is False
    assert statement["reason"] == "Incitement under s.18"
    assert await ModerationAction.filter(kind=ActionKind.DECIDE_NOTICE).count() == 1


async def test_only_a_defamation_complaint_goes_to_the_poster(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    receipt = await submit(api, illegal_content(comment_id))

    refused = await act(api, moderator, NOTIFY_POSTER, noticeId=receipt["id"], reason="x")
    missing = await act(api, moderator, NOTIFY_POSTER, noticeId="NOTICE-ID", reason="x")

    assert (refused["__typename"], missing["__typename"]) == ("NotAllowed", "NotFound")


async def test_the_notifiers_details_stay_with_moderators(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    await submit(api, illegal_content(comment_id, consentsToShareDetails=True))
    query = """
    query($id: ID!) {
      user(id: $id) {
        noticesAboutMe { edges { node { notifierName notifierEmail explanation } } }
      }
    }
    """

    as_poster = await api.data(query, {"id": poster.id}, token=poster.token)
    as_moderator = await api.data(query, {"id": poster.id}, token=moderator.token)

    [seen_by_poster] = [e["node"] for e in as_poster["user"]["noticesAboutMe"]["edges"]]
    [seen_by_moderator] = [e["node"] for e in as_moderator["user"]["noticesAboutMe"]["edges"]]
    # an illegal-content notifier's details never go to the poster
    assert (seen_by_poster["notifierName"], seen_by_poster["notifierEmail"]) == (None, None)
    assert seen_by_poster["explanation"]
    assert seen_by_moderator["notifierEmail"] == "nora@example.org"
