"""A defamation complaint end to end: the 48-hour clock, the poster's window, consent,
refusal and silence (Defamation Act 2013 s.5 and the Website Operators Regulations)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service import job_kinds, jobs
from service.clock import clock
from service.defamation_clock import LONDON
from service.models import ActionKind, ModerationAction, Role
from tests.schema.legal.helpers import (
    DECIDE,
    NOTIFY_POSTER,
    RESPOND,
    act,
    defamation,
    notices_as,
    posted,
    run_due_jobs,
    statements_of,
    submit,
)
from tests.support import Api, Person

FRIDAY_CHRISTMAS_EVE_2027 = datetime(2027, 12, 24, 16, 0, tzinfo=LONDON)
TUESDAY_1_DECEMBER_2026 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # GMT: London = UTC


def at(text: str | None) -> datetime:
    assert text is not None
    return datetime.fromisoformat(text)


def about(text: str | None, expected: datetime) -> bool:
    """The injected clock runs on from where it was set: a deadline is later by as long as
    the test took to get there (well under a minute)."""
    return expected <= at(text) < expected + timedelta(minutes=1)


async def _complaint(
    api: Api, moment: datetime, **overrides: object
) -> tuple[Person, Person, str, str]:
    """At `moment`: a poster's comment and a defamation complaint about it."""
    clock.set(moment)
    moderator = await api.person(Role.MODERATOR)
    poster = await api.person(subscriber=True)
    comment_id = await posted(api, poster)
    receipt = await submit(api, defamation(comment_id, **overrides))
    assert receipt["__typename"] == "NoticeReceipt", receipt
    return moderator, poster, comment_id, receipt["id"]


async def _told(api: Api, moment: datetime, **overrides: object) -> tuple[Person, Person, str, str]:
    moderator, poster, comment_id, notice_id = await _complaint(api, moment, **overrides)
    told = await act(api, moderator, NOTIFY_POSTER, noticeId=notice_id, reason="Please answer")
    assert told["status"] == "AWAITING_POSTER", told
    return moderator, poster, comment_id, notice_id


async def test_notify_by_skips_the_christmas_weekend_and_its_bank_holidays(api: Api) -> None:
    # given a complaint on Friday 24 December 2027 at 16:00
    moderator, _, _, notice_id = await _complaint(api, FRIDAY_CHRISTMAS_EVE_2027)

    # when the legal team looks at it
    [notice] = await notices_as(api, moderator)

    # then the poster must be told by Thursday 30 December at 16:00 (27 and 28 are holidays)
    assert notice["id"] == notice_id
    assert about(notice["posterNotifyBy"], datetime(2027, 12, 30, 16, 0, tzinfo=LONDON))
    assert notice["status"] == "RECEIVED" and notice["overdue"] is False


async def test_notify_by_skips_a_weekend_and_the_notice_is_overdue_after_it(api: Api) -> None:
    moderator, _, _, _ = await _complaint(api, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))

    [before] = await notices_as(api, moderator)
    clock.set(datetime(2026, 12, 1, 16, 2, tzinfo=UTC))
    [after] = await notices_as(api, moderator)

    assert about(before["posterNotifyBy"], datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    assert (before["overdue"], after["overdue"]) == (False, True)


async def test_the_poster_may_answer_until_midnight_at_the_end_of_the_fifth_day(
    api: Api,
) -> None:
    _, poster, comment_id, _notice_id = await _told(api, TUESDAY_1_DECEMBER_2026)

    [notice] = await _my_notices(api, poster)

    assert at(notice["posterNotifiedAt"]) >= TUESDAY_1_DECEMBER_2026
    assert at(notice["posterRespondBy"]) == datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
    assert notice["comment"] == {"id": comment_id, "status": "PUBLISHED"}


async def test_consent_removes_the_comment_at_once_with_nobody_deciding(api: Api) -> None:
    _, poster, comment_id, notice_id = await _told(api, TUESDAY_1_DECEMBER_2026)

    answered = await act(api, poster, RESPOND, noticeId=notice_id, consentsToRemoval=True)

    assert answered["status"] == "DECIDED"
    assert answered["decision"] == "CONTENT_REMOVED"
    assert answered["decidedBy"] is None
    assert answered["comment"] == {"id": comment_id, "status": "REMOVED"}
    assert answered["posterResponse"]["consentsToRemoval"] is True
    [statement] = await statements_of(api, poster)
    assert (statement["restriction"], statement["ground"]) == ("COMMENT_REMOVED", "DEFAMATION")
    assert statement["automated"] is False  # the poster chose it
    assert statement["notice"] == {"id": notice_id, "kind": "DEFAMATION"}


async def test_a_refusal_needs_a_name_and_address_and_then_a_moderator_decides(
    api: Api,
) -> None:
    moderator, poster, _comment_id, notice_id = await _told(api, TUESDAY_1_DECEMBER_2026)

    # when the poster refuses without saying who they are
    nameless = await act(api, poster, RESPOND, noticeId=notice_id, consentsToRemoval=False)
    addressless = await act(
        api, poster, RESPOND, noticeId=notice_id, consentsToRemoval=False, name="Pat Poster"
    )
    refused = await act(
        api,
        poster,
        RESPOND,
        noticeId=notice_id,
        consentsToRemoval=False,
        name="Pat Poster",
        address="1 High Street\nLondon",
    )

    # then only the full refusal counts; the name and address are for moderators only
    assert (nameless["__typename"], nameless["field"]) == ("InvalidInput", "name")
    assert (addressless["__typename"], addressless["field"]) == ("InvalidInput", "address")
    assert refused["status"] == "POSTER_REFUSED"
    assert refused["posterResponse"]["consentsToRemoval"] is False
    assert (refused["posterResponse"]["name"], refused["posterResponse"]["address"]) == (None, None)
    [seen_by_moderator] = await notices_as(api, moderator)
    assert seen_by_moderator["posterResponse"]["name"] == "Pat Poster"
    assert seen_by_moderator["posterResponse"]["address"] == "1 High Street\nLondon"

    # and a moderator decides; silence jobs no longer act on it
    kept = await act(
        api, moderator, DECIDE, noticeId=notice_id, decision="CONTENT_KEPT", reason="Fair comment"
    )
    assert (kept["status"], kept["decision"]) == ("DECIDED", "CONTENT_KEPT")
    assert kept["decidedBy"] == {"id": moderator.id}
    assert kept["comment"]["status"] == "PUBLISHED"
    clock.advance(7 * 86400)
    await run_due_jobs()
    assert (await statements_of(api, poster)) == []


async def test_silence_past_the_deadline_removes_the_comment_by_itself(api: Api) -> None:
    moderator, poster, comment_id, _notice_id = await _told(api, TUESDAY_1_DECEMBER_2026)

    # a minute before the deadline, the job is not due
    clock.set(datetime(2026, 12, 6, 23, 59, tzinfo=UTC))
    assert await run_due_jobs() == 0
    # at the deadline, it is
    clock.set(datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC))
    assert await run_due_jobs() >= 1

    [notice] = await notices_as(api, moderator)
    assert (notice["status"], notice["decision"]) == ("DECIDED", "CONTENT_REMOVED")
    assert notice["decidedBy"] is None and notice["overdue"] is False
    assert notice["comment"] == {"id": comment_id, "status": "REMOVED"}
    [statement] = await statements_of(api, poster)
    assert statement["automated"] is True
    assert statement["ground"] == "DEFAMATION"


async def test_the_poster_cannot_answer_late_twice_or_for_someone_else(api: Api) -> None:
    _, poster, _, notice_id = await _told(api, TUESDAY_1_DECEMBER_2026)
    stranger = await api.person()

    by_stranger = await act(api, stranger, RESPOND, noticeId=notice_id, consentsToRemoval=True)
    first = await act(
        api,
        poster,
        RESPOND,
        noticeId=notice_id,
        consentsToRemoval=False,
        name="Pat Poster",
        address="1 High Street",
    )
    twice = await act(api, poster, RESPOND, noticeId=notice_id, consentsToRemoval=True)
    unknown = await act(api, poster, RESPOND, noticeId="NOTICE-ID", consentsToRemoval=True)

    assert by_stranger["__typename"] == "NotAllowed"
    assert first["status"] == "POSTER_REFUSED"
    assert twice["__typename"] == "NotAllowed"
    assert unknown["__typename"] == "NotFound"


async def test_an_answer_after_the_deadline_is_refused(api: Api) -> None:
    _, poster, _comment_id, notice_id = await _told(api, TUESDAY_1_DECEMBER_2026)
    clock.set(datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC))  # the job has not run yet

    late = await act(
        api,
        poster,
        RESPOND,
        noticeId=notice_id,
        consentsToRemoval=False,
        name="Pat Poster",
        address="1 High Street",
    )

    assert late["__typename"] == "NotAllowed"


async def test_complainant_details_reach_the_poster_only_with_consent(api: Api) -> None:
    _, shy_poster, _, _ = await _told(api, TUESDAY_1_DECEMBER_2026)
    _, poster, _, _ = await _told(api, TUESDAY_1_DECEMBER_2026, consentsToShareDetails=True)

    [hidden] = await _my_notices(api, shy_poster)
    [shown] = await _my_notices(api, poster)

    assert (hidden["notifierName"], hidden["notifierEmail"]) == (None, None)
    assert (shown["notifierName"], shown["notifierEmail"]) == (
        "Carla Complainant",
        "carla@example.org",
    )


async def test_a_deadline_claimed_by_a_killed_scheduler_is_done_once_after_restart(
    api: Api,
) -> None:
    # given a poster's deadline that a scheduler claimed and then died with
    _, poster, _comment_id, _notice_id = await _told(api, TUESDAY_1_DECEMBER_2026)
    clock.set(datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC))
    killed = jobs.Scheduler(job_kinds.handlers(), lease_seconds=300, name="killed")
    assert [job.kind for job in await killed.claim()] == ["notice.poster_deadline"]

    # when the restarted instance's scheduler runs, before and after the claim expires
    restarted = jobs.Scheduler(job_kinds.handlers(), name="restarted")
    before_expiry = await restarted.run_due()
    clock.advance(301)
    after_expiry = await restarted.run_due()
    again = await restarted.run_due()

    # then the comment came down exactly once
    assert (before_expiry, after_expiry, again) == (0, 1, 0)
    assert len(await statements_of(api, poster)) == 1
    decisions = await ModerationAction.filter(kind=ActionKind.DECIDE_NOTICE).count()
    assert decisions == 1


MY_NOTICES = """
query {
  me {
    noticesAboutMe {
      edges { node {
        id status notifierName notifierEmail posterNotifiedAt posterRespondBy meaning
        comment { id status }
      } }
    }
  }
}
"""


async def _my_notices(api: Api, poster: Person) -> list[dict[str, object]]:
    result = await api.data(MY_NOTICES, token=poster.token)
    return [edge["node"] for edge in result["me"]["noticesAboutMe"]["edges"]]


async def test_notices_about_a_poster_are_theirs_and_staffs_only(api: Api) -> None:
    _, poster, _, _ = await _told(api, TUESDAY_1_DECEMBER_2026)
    stranger = await api.person()

    result = await api.data(
        "query($id: ID!) { user(id: $id) { noticesAboutMe { edges { node { id } } } } }",
        {"id": poster.id},
        token=stranger.token,
    )

    assert result["user"]["noticesAboutMe"] is None
    assert len(await _my_notices(api, poster)) == 1
