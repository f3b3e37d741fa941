"""transparencyReport: the figures of a period, for admins."""

from __future__ import annotations

from datetime import UTC, datetime

from service.clock import clock
from service.models import Role
from tests.schema.legal.helpers import (
    APPEAL,
    DECIDE,
    DECIDE_APPEAL,
    REJECT,
    act,
    defamation,
    illegal_content,
    posted,
    statements_of,
    submit,
)
from tests.schema.moderation.helpers import SATURDAY_NOON_LONDON, report
from tests.support import Api

REPORT = """
query($from: DateTime!, $to: DateTime!) {
  transparencyReport(from: $from, to: $to) {
    from to reportsReceived medianHoursToNoticeDecision automatedRestrictions
    appealsLodged appealsReversed
    noticesReceived { kind count } noticeDecisions { kind count } restrictions { kind count }
  }
}
"""
PERIOD = {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}


def counts(rows: list[dict[str, object]]) -> dict[object, object]:
    return {row["kind"]: row["count"] for row in rows}


async def test_the_report_counts_what_happened_in_the_period(api: Api) -> None:
    # given, on a Saturday in November: three reports that hide a comment, three notices,
    # one removed two hours later, one rejected, and an appeal that reverses the removal
    clock.set(SATURDAY_NOON_LONDON)
    admin = await api.person(Role.ADMIN)
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    hidden = await posted(api, poster, "Hidden")
    for _ in range(3):
        await report(api, await api.person(), hidden)
    first, second = await posted(api, poster, "One"), await posted(api, poster, "Two")
    removed = await submit(api, illegal_content(first))
    rejected = await submit(api, illegal_content(second))
    await submit(api, defamation(second))
    clock.advance(2 * 3600)
    await act(
        api, moderator, DECIDE, noticeId=removed["id"], decision="CONTENT_REMOVED", reason="Illegal"
    )
    await act(api, moderator, REJECT, noticeId=rejected["id"], reason="No law named")
    [statement] = [s for s in await statements_of(api, poster) if s["notice"]]
    appeal = await act(api, poster, APPEAL, statementId=statement["id"], explanation="No")
    await act(api, admin, DECIDE_APPEAL, appealId=appeal["id"], reverse=True, reason="Fine")
    # and in December, a notice that falls outside the period
    clock.set(datetime(2026, 12, 2, 12, tzinfo=UTC))
    await submit(api, defamation(first, notifierEmail="late@example.org"))

    # when an admin asks for November
    figures = (await api.data(REPORT, PERIOD, token=admin.token))["transparencyReport"]

    # then
    assert figures["reportsReceived"] == 3
    assert counts(figures["noticesReceived"]) == {"ILLEGAL_CONTENT": 2, "DEFAMATION": 1}
    assert counts(figures["noticeDecisions"]) == {
        "CONTENT_REMOVED": 1,
        "CONTENT_KEPT": 0,
        "REJECTED": 1,
    }
    assert 2.0 <= figures["medianHoursToNoticeDecision"] < 2.1
    assert counts(figures["restrictions"])["COMMENT_HIDDEN"] == 1
    assert counts(figures["restrictions"])["COMMENT_REMOVED"] == 1
    assert figures["automatedRestrictions"] == 1
    assert (figures["appealsLodged"], figures["appealsReversed"]) == (1, 1)


async def test_the_report_is_for_admins_and_needs_a_sensible_period(api: Api) -> None:
    moderator = await api.person(Role.MODERATOR)
    admin = await api.person(Role.ADMIN)

    as_moderator = await api.error_code(REPORT, PERIOD, token=moderator.token)
    backwards = await api.error_code(
        REPORT, {"from": PERIOD["to"], "to": PERIOD["from"]}, token=admin.token
    )
    empty = (await api.data(REPORT, PERIOD, token=admin.token))["transparencyReport"]

    assert (as_moderator, backwards) == ("FORBIDDEN", "BAD_USER_INPUT")
    assert empty["medianHoursToNoticeDecision"] is None
    assert empty["reportsReceived"] == 0
