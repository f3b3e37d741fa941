"""Appeals (DSA Art. 20): once, within six months, decided by someone other than the one who
decided; a reversal puts the comment back or lifts the restriction."""

from __future__ import annotations

from typing import Any

from service.clock import clock
from service.models import Role
from tests.schema.legal.helpers import (
    APPEAL,
    DECIDE_APPEAL,
    act,
    inbox_of,
    posted,
    statements_of,
)
from tests.support import Api, Person

REMOVE = """
mutation($input: ModerateCommentInput!) { removeComment(input: $input) { __typename } }
"""
AMEND = """
mutation($input: AmendCommentInput!) { amendComment(input: $input) { __typename } }
"""
BAN = "mutation($input: ModerateUserInput!) { banUser(input: $input) { __typename } }"
COMMENT = "query($id: ID!) { comment(id: $id) { status body amendedByModerator } }"
USER = "query($id: ID!) { user(id: $id) { status } }"
APPEALS = """
query($status: AppealStatus) {
  appeals(status: $status) { edges { node { id status explanation statement { id } } } }
}
"""
LOG = """
query($commentId: ID) {
  moderationLog(commentId: $commentId) {
    edges { node { kind moderator { id } appeal { id status } } }
  }
}
"""


async def _removed(api: Api) -> tuple[Person, Person, str, str]:
    """A moderator removed a reader's comment: the reader's statement id."""
    moderator = await api.person(Role.MODERATOR)
    author = await api.person(subscriber=True)
    comment_id = await posted(api, author)
    await api.data(
        REMOVE, {"input": {"commentId": comment_id, "reason": "Abuse"}}, token=moderator.token
    )
    [statement] = await statements_of(api, author)
    return moderator, author, comment_id, statement["id"]


async def _appeal(api: Api, person: Person, statement_id: str) -> dict[str, Any]:
    return await act(
        api, person, APPEAL, statementId=statement_id, explanation="It was a fair point."
    )


async def test_the_user_appeals_once(api: Api) -> None:
    _, author, _, statement_id = await _removed(api)

    first = await _appeal(api, author, statement_id)
    twice = await _appeal(api, author, statement_id)

    assert first["__typename"] == "Appeal" and first["status"] == "OPEN"
    assert first["statement"]["id"] == statement_id
    assert first["decidedBy"] is None
    assert twice["__typename"] == "NotAllowed"
    [statement] = await statements_of(api, author)
    assert statement["appeal"] == {"id": first["id"], "status": "OPEN"}


async def test_nobody_else_appeals_a_users_statement(api: Api) -> None:
    moderator, _, _, statement_id = await _removed(api)
    stranger = await api.person()

    by_stranger = await _appeal(api, stranger, statement_id)
    by_moderator = await _appeal(api, moderator, statement_id)
    unknown = await _appeal(api, stranger, "STATEMENT-ID")
    signed_out = await api.error_code(
        APPEAL, {"input": {"statementId": statement_id, "explanation": "x"}}
    )

    assert (by_stranger["__typename"], by_moderator["__typename"]) == ("NotAllowed", "NotAllowed")
    assert unknown["__typename"] == "NotFound"
    assert signed_out == "UNAUTHENTICATED"


async def test_an_appeal_after_six_months_is_refused(api: Api) -> None:
    _, author, _, statement_id = await _removed(api)
    clock.advance(185 * 86400)
    author.token = await _sign_in(api, author)  # the session has expired by then too

    late = await _appeal(api, author, statement_id)

    assert late["__typename"] == "NotAllowed"


async def test_an_empty_appeal_is_invalid(api: Api) -> None:
    _, author, _, statement_id = await _removed(api)

    empty = await act(api, author, APPEAL, statementId=statement_id, explanation="  ")

    assert (empty["__typename"], empty["field"]) == ("InvalidInput", "explanation")


async def test_the_deciding_moderator_cannot_rule_on_the_appeal(api: Api) -> None:
    moderator, author, comment_id, statement_id = await _removed(api)
    appeal = await _appeal(api, author, statement_id)

    ruling = await act(
        api, moderator, DECIDE_APPEAL, appealId=appeal["id"], reverse=True, reason="I was wrong"
    )

    assert ruling["__typename"] == "NotAllowed"
    comment = (await api.data(COMMENT, {"id": comment_id}, token=moderator.token))["comment"]
    assert comment["status"] == "REMOVED"


async def test_a_reversal_publishes_the_comment_again_and_is_logged(api: Api) -> None:
    _, author, comment_id, statement_id = await _removed(api)
    other = await api.person(Role.ADMIN)
    appeal = await _appeal(api, author, statement_id)

    reversed_ = await act(
        api, other, DECIDE_APPEAL, appealId=appeal["id"], reverse=True, reason="Fair comment"
    )
    again = await act(
        api, other, DECIDE_APPEAL, appealId=appeal["id"], reverse=False, reason="Changed mind"
    )

    assert (reversed_["status"], reversed_["decisionReason"]) == ("REVERSED", "Fair comment")
    assert reversed_["decidedBy"] == {"id": other.id}
    assert again["__typename"] == "NotAllowed"
    comment = (await api.data(COMMENT, {"id": comment_id}))["comment"]
    assert comment["status"] == "PUBLISHED"
    log = (await api.data(LOG, {"commentId": comment_id}, token=other.token))["moderationLog"]
    assert [e["node"]["kind"] for e in log["edges"]] == ["REVERSE_ON_APPEAL", "REMOVE"]
    assert log["edges"][0]["node"]["appeal"] == {"id": appeal["id"], "status": "REVERSED"}
    # the appellant hears of it, without the name of who decided
    inbox = await inbox_of(api, author)
    decided = [e["node"] for e in inbox["notifications"]["edges"] if e["node"]["appeal"]]
    assert [(n["kind"], n["appeal"]["status"]) for n in decided] == [("APPEAL_DECIDED", "REVERSED")]
    [statement] = await statements_of(api, author)
    assert statement["appeal"]["status"] == "REVERSED"


async def test_an_upheld_decision_stands(api: Api) -> None:
    _, author, comment_id, statement_id = await _removed(api)
    other = await api.person(Role.MODERATOR)
    appeal = await _appeal(api, author, statement_id)

    upheld = await act(
        api, other, DECIDE_APPEAL, appealId=appeal["id"], reverse=False, reason="Clear abuse"
    )

    assert upheld["status"] == "UPHELD"
    comment = (await api.data(COMMENT, {"id": comment_id}, token=other.token))["comment"]
    assert comment["status"] == "REMOVED"
    open_appeals = (await api.data(APPEALS, {"status": "OPEN"}, token=other.token))["appeals"]
    assert open_appeals["edges"] == []


async def test_a_reversed_ban_is_lifted(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    other = await api.person(Role.MODERATOR)
    author = await api.person(subscriber=True)
    await api.data(BAN, {"input": {"userId": author.id, "reason": "Spam"}}, token=moderator.token)
    [statement] = await statements_of(api, author)
    appeal = await _appeal(api, author, statement["id"])

    await act(api, other, DECIDE_APPEAL, appealId=appeal["id"], reverse=True, reason="Not spam")

    assert (await api.data(USER, {"id": author.id}))["user"]["status"] == "ACTIVE"


async def test_a_reversed_amendment_restores_the_authors_text(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    other = await api.person(Role.MODERATOR)
    author = await api.person(subscriber=True)
    comment_id = await posted(api, author, "My own words")
    await api.data(
        AMEND,
        {"input": {"commentId": comment_id, "body": "[edited]", "reason": "Tone"}},
        token=moderator.token,
    )
    [statement] = await statements_of(api, author)
    appeal = await _appeal(api, author, statement["id"])

    await act(api, other, DECIDE_APPEAL, appealId=appeal["id"], reverse=True, reason="Fine")

    comment = (await api.data(COMMENT, {"id": comment_id}))["comment"]
    assert (comment["body"], comment["amendedByModerator"]) == ("My own words", False)


async def test_the_appeals_queue_is_oldest_first_and_for_staff(api: Api) -> None:
    _, first_author, _, first_statement = await _removed(api)
    _, second_author, _, second_statement = await _removed(api)
    first = await _appeal(api, first_author, first_statement)
    second = await _appeal(api, second_author, second_statement)
    admin = await api.person(Role.ADMIN)

    queue = (await api.data(APPEALS, {}, token=admin.token))["appeals"]["edges"]
    refused = await api.error_code(APPEALS, {}, token=first_author.token)

    assert [e["node"]["id"] for e in queue] == [first["id"], second["id"]]
    assert refused == "FORBIDDEN"


LOGIN = """
mutation($input: LoginInput!) { login(input: $input) { ... on AuthSession { token } } }
"""


async def _sign_in(api: Api, person: Person) -> str:
    result = await api.data(LOGIN, {"input": {"email": person.email, "password": person.password}})
    token: str = result["login"]["token"]
    return token
