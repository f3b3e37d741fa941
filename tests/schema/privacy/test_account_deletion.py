"""deleteMyAccount and cancelAccountDeletion: erased after the grace period, once, unless
cancelled; a password (or a fresh single sign-on) confirms it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from service.clock import clock, now
from service.erasure import ERASE
from service.models import ActionKind, Job, ModerationAction, Role
from tests.schema.legal.helpers import run_due_jobs
from tests.schema.privacy.helpers import CANCEL, DELETE, MY_DATA, posted
from tests.sso_support import AUDIENCE, HS_SECRET, ISSUER, mint_hs256
from tests.support import Api, Person

ME = "{ me { id displayName email deletionScheduledAt } }"
SIGN_IN = """
mutation SignIn($token: String!) {
  signInWithPublisherToken(token: $token) { __typename ... on AuthSession { token user { id } } }
}
"""
DAY = 24 * 3600


async def delete(api: Api, person: Person, password: str | None) -> dict[str, Any]:
    result = await api.data(DELETE, {"password": password}, token=person.token)
    answer: dict[str, Any] = result["deleteMyAccount"]
    return answer


async def me(api: Api, person: Person) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await api.data(ME, token=person.token))["me"]
    return found


async def erasures() -> int:
    return await ModerationAction.filter(kind=ActionKind.ERASE_USER).count()


async def test_the_account_is_erased_once_after_the_grace_period(api: Api) -> None:
    # given
    reader = await api.person(subscriber=True, name="Leaving Reader")
    await posted(api, reader, "my words")

    # when
    answer = await delete(api, reader, reader.password)

    # then: scheduled 24 hours on, and nothing happens before then
    due = datetime.fromisoformat(answer["deletionScheduledAt"])
    assert answer["__typename"] == "User"
    assert timedelta(hours=24) - timedelta(seconds=5) < due - now() <= timedelta(hours=24)
    assert (await me(api, reader)) == {
        "id": reader.id,
        "displayName": "Leaving Reader",
        "email": reader.email,
        "deletionScheduledAt": answer["deletionScheduledAt"],
    }
    clock.advance(DAY - 60)
    await run_due_jobs()
    assert (await me(api, reader)) is not None
    assert await erasures() == 0

    # when: the grace period is over
    clock.advance(120)
    await run_due_jobs()

    # then: erased, once
    assert (await me(api, reader)) is None
    assert await erasures() == 1
    clock.advance(DAY)
    await run_due_jobs()
    assert await erasures() == 1
    assert await Job.filter(kind=ERASE, done_at=None).count() == 0


async def test_the_grace_period_is_configurable(make_api: object) -> None:
    api: Api = await make_api(deletion_grace_hours=2)  # type: ignore[operator]
    reader = await api.person()

    answer = await delete(api, reader, reader.password)

    due = datetime.fromisoformat(answer["deletionScheduledAt"])
    assert timedelta(hours=2) - timedelta(seconds=5) < due - now() <= timedelta(hours=2)


async def test_a_wrong_or_missing_password_schedules_nothing(api: Api) -> None:
    reader = await api.person()

    wrong = await delete(api, reader, "not my password at all")
    missing = await delete(api, reader, None)

    assert wrong["__typename"] == missing["__typename"] == "InvalidCredentials"
    assert (await me(api, reader) or {})["deletionScheduledAt"] is None
    assert await Job.filter(kind=ERASE).count() == 0


async def test_deletion_asked_twice_keeps_the_first_date_and_one_job(api: Api) -> None:
    reader = await api.person()
    first = await delete(api, reader, reader.password)
    clock.advance(3600)

    second = await delete(api, reader, reader.password)

    assert second == first
    assert await Job.filter(kind=ERASE).count() == 1


async def test_a_cancelled_deletion_erases_nothing(api: Api) -> None:
    # given
    reader = await api.person(subscriber=True, name="Staying Reader")
    await delete(api, reader, reader.password)

    # when
    cancelled = (await api.data(CANCEL, token=reader.token))["cancelAccountDeletion"]

    # then
    assert cancelled == {"id": reader.id, "deletionScheduledAt": None}
    clock.advance(2 * DAY)
    await run_due_jobs()
    assert (await me(api, reader) or {})["displayName"] == "Staying Reader"
    assert await erasures() == 0


async def test_asked_again_after_a_cancel_the_new_date_holds(api: Api) -> None:
    # given: asked, cancelled, and asked again 12 hours later
    reader = await api.person()
    await delete(api, reader, reader.password)
    await api.data(CANCEL, token=reader.token)
    clock.advance(12 * 3600)
    again = await delete(api, reader, reader.password)

    # when: the first request's job comes due
    clock.advance(12 * 3600 + 60)
    await run_due_jobs()

    # then: not erased before the second date, erased after it
    assert (await me(api, reader) or {})["deletionScheduledAt"] == again["deletionScheduledAt"]
    clock.advance(12 * 3600)
    await run_due_jobs()
    assert await me(api, reader) is None
    assert await erasures() == 1


async def test_an_erased_readers_token_is_refused_and_cancel_comes_too_late(api: Api) -> None:
    # given
    reader = await api.person(subscriber=True)
    await delete(api, reader, reader.password)
    clock.advance(DAY + 60)
    await run_due_jobs()

    # then: the token is nobody's
    assert await me(api, reader) is None
    assert await api.error_code(CANCEL, token=reader.token) == "UNAUTHENTICATED"
    assert await api.error_code(MY_DATA, token=reader.token) == "UNAUTHENTICATED"
    assert await api.error_code(DELETE, {"password": reader.password}, reader.token) == (
        "UNAUTHENTICATED"
    )
    login = await api.gql(
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) "
        "{ __typename } }",
        {"e": reader.email, "p": reader.password},
    )
    assert login["data"]["login"]["__typename"] == "InvalidCredentials"


async def test_an_admin_cannot_delete_their_own_account(api: Api) -> None:
    admin = await api.person(Role.ADMIN)

    answer = await delete(api, admin, admin.password)

    assert answer["__typename"] == "NotAllowed"
    assert await Job.filter(kind=ERASE).count() == 0


async def test_signed_out_nobody_deletes_anything(api: Api) -> None:
    assert await api.error_code(DELETE, {"password": "x"}) == "UNAUTHENTICATED"
    assert await api.error_code(CANCEL) == "UNAUTHENTICATED"


async def test_a_single_sign_on_account_needs_a_fresh_sign_in(make_api: object) -> None:
    # given: a reader signed in through the publisher 11 minutes ago
    api: Api = await make_api(  # type: ignore[operator]
        sso_issuer=ISSUER, sso_audience=AUDIENCE, sso_secret=HS_SECRET
    )
    signed = (await api.data(SIGN_IN, {"token": mint_hs256(sub="sso-leaver")}))[
        "signInWithPublisherToken"
    ]
    old = Person(signed["user"]["id"], "", "", signed["token"])
    clock.advance(11 * 60)

    # when
    refused = await delete(api, old, None)

    # then: refused; a new sign-in (under 10 minutes old) may
    assert refused["__typename"] == "NotAllowed"
    assert "less than 10 minutes" in refused["message"]
    fresh = (await api.data(SIGN_IN, {"token": mint_hs256(sub="sso-leaver")}))[
        "signInWithPublisherToken"
    ]
    clock.advance(9 * 60)
    accepted = await delete(api, Person(old.id, "", "", fresh["token"]), None)
    assert accepted["__typename"] == "User" and accepted["deletionScheduledAt"]


async def test_a_reader_made_admin_during_the_grace_period_is_not_erased(api: Api) -> None:
    # given
    reader = await api.person(name="Promoted Reader")
    admin = await api.person(Role.ADMIN)
    await delete(api, reader, reader.password)

    # when
    promote = "mutation($id: ID!) { setUserRole(userId: $id, role: ADMIN) { __typename } }"
    await api.data(promote, {"id": reader.id}, token=admin.token)
    clock.advance(DAY + 60)
    await run_due_jobs()

    # then
    assert (await me(api, reader) or {})["displayName"] == "Promoted Reader"
    assert await erasures() == 0
