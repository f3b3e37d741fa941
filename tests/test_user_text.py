"""What users write must show what it holds, and a moment they give must say its time zone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from service.clock import now
from service.models import Role
from tests.support import LOGIN, POST, Api

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width joiners": "\u200c\u200d\u2060",
    "byte order mark": "\ufeff",
    "soft hyphen and a word joiner": "\u00ad\u2060",
    "Hangul filler": "\u3164",
    "variation selector": "\ufe0f",
}
BIDI = {
    "right-to-left override": "pay \u202eetirw\u202c now",
    "left-to-right embedding": "a \u202ab",
    "first-strong isolate": "a \u2068b\u2069 c",
    "right-to-left isolate": "\u2067x",
}
EDIT = """
mutation Edit($id: ID!, $body: String!) {
  editComment(input: {commentId: $id, body: $body}) {
    __typename ... on InvalidInput { field message }
  }
}
"""
REPORT_WITH_NOTE = """
mutation Report($id: ID!, $note: String) {
  reportComment(input: {commentId: $id, reason: OTHER, note: $note}) {
    __typename ... on InvalidInput { field message }
  }
}
"""


@pytest.mark.parametrize("text", [*INVISIBLE.values(), *BIDI.values()])
async def test_a_comment_body_is_refused_when_it_does_not_show_what_it_holds(
    api: Api, text: str
) -> None:
    reader = await api.person(subscriber=True)

    posted = await api.data(
        POST, {"input": {"articleId": "story-1", "body": text}}, token=reader.token
    )

    assert posted["postComment"]["__typename"] == "InvalidInput", posted
    assert posted["postComment"]["field"] == "body"


async def test_a_lone_surrogate_in_a_comment_body_is_invalid_input(api: Api) -> None:
    reader = await api.person(subscriber=True)
    # JSON may escape half a surrogate pair; it decodes to text no database can store
    variables = {"input": {"articleId": "story-1", "body": "ok \ud800"}}

    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": POST, "variables": variables}).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {reader.token}"},
    )

    posted = response.json()["data"]["postComment"]
    assert (posted["__typename"], posted["field"]) == ("InvalidInput", "body")


async def test_edits_and_report_notes_are_held_to_the_same_rules(api: Api) -> None:
    reader = await api.person(subscriber=True)
    other = await api.person(subscriber=True)
    posted = await api.data(
        POST, {"input": {"articleId": "story-1", "body": "fine"}}, token=reader.token
    )
    comment_id = posted["postComment"]["id"]

    edited = await api.data(EDIT, {"id": comment_id, "body": "\u200b\ufeff"}, token=reader.token)
    reported = await api.data(
        REPORT_WITH_NOTE, {"id": comment_id, "note": "see \u202eti"}, token=other.token
    )

    assert edited["editComment"] == {
        "__typename": "InvalidInput",
        "field": "body",
        "message": "body has no visible character.",
    }
    assert reported["reportComment"]["__typename"] == "InvalidInput"
    assert reported["reportComment"]["field"] == "note"


@pytest.mark.parametrize(
    "text",
    [
        "\u05e9\u05dc\u05d5\u05dd \u200fhello",  # Hebrew with a right-to-left mark
        "\U0001f44d\ufe0f",  # an emoji with its variation selector
        "caf\u0065\u0301",  # a combining accent, normalised
        "\u0627\u0644\u0633\u0644\u0627\u0645",  # Arabic
    ],
)
async def test_text_with_something_visible_is_accepted(api: Api, text: str) -> None:
    reader = await api.person(subscriber=True)

    posted = await api.data(
        POST, {"input": {"articleId": "story-1", "body": text}}, token=reader.token
    )

    assert posted["postComment"]["__typename"] == "Comment", posted


SUSPEND = """
mutation Suspend($id: ID!, $until: DateTime!) {
  suspendUser(input: {userId: $id, until: $until, reason: "test"}) {
    __typename ... on InvalidInput { field }
  }
}
"""
GRANT = """
mutation Grant($id: ID!, $startsAt: DateTime!, $endsAt: DateTime) {
  grantEntitlement(input: {userId: $id, product: "digital", startsAt: $startsAt,
                           endsAt: $endsAt}) {
    __typename ... on InvalidInput { field }
  }
}
"""
CONFIGURE = """
mutation Configure($closesAt: DateTime) {
  configureArticle(input: {id: "story-1", closesAt: $closesAt}) {
    __typename ... on InvalidInput { field }
  }
}
"""


def naive(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat()


async def test_every_date_time_input_refuses_a_moment_without_a_time_zone(api: Api) -> None:
    # given
    admin = await api.person(Role.ADMIN)
    reader = await api.person()
    soon, later = now() + timedelta(days=1), now() + timedelta(days=30)
    calls = {
        "until": (SUSPEND, {"id": reader.id, "until": naive(soon)}),
        "startsAt": (GRANT, {"id": reader.id, "startsAt": naive(soon)}),
        "endsAt": (
            GRANT,
            {"id": reader.id, "startsAt": soon.isoformat(), "endsAt": naive(later)},
        ),
        "closesAt": (CONFIGURE, {"closesAt": naive(soon)}),
    }

    for field, (document, variables) in calls.items():
        # when
        answer = await api.data(document, variables, token=admin.token)

        # then
        [result] = answer.values()
        assert result == {"__typename": "InvalidInput", "field": field}, (field, answer)


REGISTER = """
mutation Register($input: RegisterInput!) { register(input: $input) { __typename } }
"""


async def test_a_password_with_half_a_surrogate_pair_is_a_password(api: Api) -> None:
    # it cannot be encoded as plain UTF-8; hashing it answered "Internal error."
    credentials = {"email": "half@example.com", "password": "correct horse battery \ud800"}
    register = {"query": REGISTER, "variables": {"input": {**credentials, "displayName": "Half"}}}
    login = {"query": LOGIN, "variables": {"input": credentials}}

    answers = [
        (
            await api.client.post(
                "/graphql",
                content=json.dumps(request).encode(),
                headers={"content-type": "application/json"},
            )
        ).json()
        for request in (register, login)
    ]

    assert answers[0] == {"data": {"register": {"__typename": "AuthSession"}}}
    assert answers[1]["data"]["login"]["__typename"] == "AuthSession"
