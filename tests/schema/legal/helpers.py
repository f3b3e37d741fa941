"""Documents and set-up shared by the legal-duties tests."""

from __future__ import annotations

from typing import Any

from service import job_kinds, jobs
from tests.support import Api, Person, post_comment

SUBMIT = """
mutation Submit($input: SubmitNoticeInput!) {
  submitNotice(input: $input) {
    __typename
    ... on NoticeReceipt { id kind receivedAt }
    ... on InvalidInput { field message }
    ... on RateLimited { retryAfterSeconds message }
    ... on Error { message }
  }
}
"""
NOTICE_FIELDS = """
  id kind status receivedAt notifierName notifierEmail legalGround explanation meaning
  consentsToShareDetails posterNotifyBy posterNotifiedAt posterRespondBy overdue decision
  decidedAt decisionReason decidedBy { id }
  posterResponse { consentsToRemoval respondedAt name address consentsToShareDetails }
  comment { id status }
"""
LEGAL_NOTICES = f"""
query Notices($status: NoticeStatus, $kind: NoticeKind, $after: String, $first: Int) {{
  legalNotices(status: $status, kind: $kind, after: $after, first: $first) {{
    edges {{ cursor node {{ {NOTICE_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
NOTIFY_POSTER = f"""
mutation Notify($input: NoticeActionInput!) {{
  notifyPoster(input: $input) {{
    __typename ... on LegalNotice {{ {NOTICE_FIELDS} }} ... on Error {{ message }}
  }}
}}
"""
REJECT = f"""
mutation Reject($input: NoticeActionInput!) {{
  rejectNotice(input: $input) {{
    __typename ... on LegalNotice {{ {NOTICE_FIELDS} }} ... on Error {{ message }}
  }}
}}
"""
DECIDE = f"""
mutation Decide($input: DecideNoticeInput!) {{
  decideNotice(input: $input) {{
    __typename ... on LegalNotice {{ {NOTICE_FIELDS} }} ... on Error {{ message }}
  }}
}}
"""
RESPOND = f"""
mutation Respond($input: RespondToNoticeInput!) {{
  respondToNotice(input: $input) {{
    __typename ... on LegalNotice {{ {NOTICE_FIELDS} }}
    ... on InvalidInput {{ field }} ... on Error {{ message }}
  }}
}}
"""
STATEMENT_FIELDS = """
  id restriction ground rulesVersion reason automated createdAt appealableUntil
  comment { id status } notice { id kind } appeal { id status }
"""
MY_STATEMENTS = f"""
query {{ me {{ statements(first: 50) {{ edges {{ node {{ {STATEMENT_FIELDS} }} }} }} }} }}
"""
APPEAL_FIELDS = """
  id status explanation createdAt decidedAt decisionReason decidedBy { id }
  statement { id restriction }
"""
APPEAL = f"""
mutation Appeal($input: AppealInput!) {{
  appealStatement(input: $input) {{
    __typename ... on Appeal {{ {APPEAL_FIELDS} }} ... on InvalidInput {{ field }}
    ... on Error {{ message }}
  }}
}}
"""
DECIDE_APPEAL = f"""
mutation DecideAppeal($input: DecideAppealInput!) {{
  decideAppeal(input: $input) {{
    __typename ... on Appeal {{ {APPEAL_FIELDS} }} ... on InvalidInput {{ field }}
    ... on Error {{ message }}
  }}
}}
"""
MY_INBOX = """
query Inbox($unreadOnly: Boolean) {
  me {
    unreadNotificationCount
    notifications(first: 50, unreadOnly: $unreadOnly) {
      edges { node {
        id kind readAt comment { id } statement { id restriction } notice { id status }
        appeal { id status }
      } }
    }
  }
}
"""


def illegal_content(comment_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "commentId": comment_id,
        "kind": "ILLEGAL_CONTENT",
        "explanation": "It incites violence against a named group.",
        "legalGround": "Public Order Act 1986, s.18",
        "notifierName": "Nora Notifier",
        "notifierEmail": "nora@example.org",
        "goodFaith": True,
        **overrides,
    }


def defamation(comment_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "commentId": comment_id,
        "kind": "DEFAMATION",
        "explanation": "I have never been convicted of anything.",
        "meaning": "That I am a convicted fraudster.",
        "notifierName": "Carla Complainant",
        "notifierEmail": "carla@example.org",
        "consentsToShareDetails": False,
        "goodFaith": True,
        **overrides,
    }


async def submit(api: Api, notice: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = (await api.data(SUBMIT, {"input": notice}, token=token))[
        "submitNotice"
    ]
    return result


async def posted(api: Api, author: Person, body: str = "He is a fraudster.") -> str:
    comment = await post_comment(api, author, body)
    assert comment["__typename"] == "Comment", comment
    comment_id: str = comment["id"]
    return comment_id


async def act(api: Api, person: Person, document: str, **input_: Any) -> dict[str, Any]:
    """Run a mutation whose one argument is `input`; return the result-union value."""
    result = await api.data(document, {"input": input_}, token=person.token)
    value: dict[str, Any] = next(iter(result.values()))
    return value


async def notices_as(api: Api, moderator: Person, **filters: Any) -> list[dict[str, Any]]:
    result = await api.data(LEGAL_NOTICES, filters, token=moderator.token)
    return [edge["node"] for edge in result["legalNotices"]["edges"]]


async def statements_of(api: Api, person: Person) -> list[dict[str, Any]]:
    result = await api.data(MY_STATEMENTS, token=person.token)
    return [edge["node"] for edge in result["me"]["statements"]["edges"]]


async def inbox_of(api: Api, person: Person, unread_only: bool = False) -> dict[str, Any]:
    result = await api.data(MY_INBOX, {"unreadOnly": unread_only}, token=person.token)
    me: dict[str, Any] = result["me"]
    return me


async def run_due_jobs() -> int:
    """One scheduler's pass over what is due now (the app's runs every few seconds)."""
    return await jobs.Scheduler(job_kinds.handlers()).run_due()
