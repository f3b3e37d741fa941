"""A burst of concurrent password guesses is limited like a sequence of them."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from passlib.context import CryptContext

from service.config import RateLimit
from service.models import User
from tests.schema.accounts.test_sessions import CHANGE_PASSWORD
from tests.support import LOGIN, PASSWORD, Api, Person

GUESSES = 100
RIGHT_AT = 37  # where the right password sits among the wrong ones


@pytest.fixture
async def limited_api(make_api: Any) -> Any:
    """An Api allowing 10 login attempts in 300 s (the Redis windows: tests/service), with
    time for a burst's checks on a busy machine."""
    api: Api = await make_api(rate_limit_login=RateLimit(10, 300), operation_timeout_seconds=60)
    async with api.client:
        yield api


async def _slow_to_check(person: Person) -> None:
    """Store the password with costlier argon2 parameters: each check takes long enough
    that a burst's requests all arrive while the first checks are still running."""
    costly = CryptContext(schemes=["argon2"], argon2__time_cost=4, argon2__memory_cost=19456)
    await User.filter(id=int(person.id)).update(password_hash=costly.hash(PASSWORD))


def _kinds(answers: list[dict[str, Any]], field: str) -> Counter[str]:
    return Counter(answer["data"][field]["__typename"] for answer in answers)


async def test_login_burst_checks_at_most_the_limit_of_guesses(limited_api: Api) -> None:
    # given
    api = limited_api
    person = await api.person()
    await _slow_to_check(person)
    passwords = [f"wrong guess {n}" for n in range(GUESSES)]
    passwords.insert(RIGHT_AT, PASSWORD)

    # when: every guess at once
    answers = await asyncio.gather(
        *(
            api.gql(LOGIN, {"input": {"email": person.email, "password": password}})
            for password in passwords
        )
    )

    # then: only 10 attempts were checked at all; the rest were refused unchecked
    kinds = _kinds(answers, "login")
    checked = kinds["InvalidCredentials"] + kinds["AuthSession"]
    assert checked <= 10, kinds
    assert kinds["RateLimited"] >= GUESSES + 1 - 10, kinds


async def test_change_password_burst_checks_at_most_the_limit_of_guesses(
    limited_api: Api,
) -> None:
    # given
    api = limited_api
    person = await api.person()
    await _slow_to_check(person)
    currents = [f"wrong guess {n}" for n in range(GUESSES)]
    currents.insert(RIGHT_AT, PASSWORD)

    # when
    answers = await asyncio.gather(
        *(
            api.gql(
                CHANGE_PASSWORD,
                {"input": {"currentPassword": current, "newPassword": "a brand new passphrase"}},
                token=person.token,
            )
            for current in currents
        )
    )

    # then
    kinds = _kinds(answers, "changePassword")
    checked = kinds["InvalidCredentials"] + kinds["User"]
    assert checked <= 10, kinds
    assert kinds["RateLimited"] >= GUESSES + 1 - 10, kinds


async def test_login_that_succeeds_gives_its_attempt_back(limited_api: Api) -> None:
    # given: nine wrong guesses, one short of the limit
    api = limited_api
    person = await api.person()
    for n in range(9):
        wrong = {"input": {"email": person.email, "password": f"wrong guess {n}"}}
        assert (await api.data(LOGIN, wrong))["login"]["__typename"] == "InvalidCredentials"

    # when: the owner signs in three times
    right = {"input": {"email": person.email, "password": PASSWORD}}
    signed_in = [(await api.data(LOGIN, right))["login"]["__typename"] for _ in range(3)]

    # then: those cost nothing, and the tenth wrong guess is still checked, the eleventh not
    assert signed_in == ["AuthSession"] * 3
    tenth = {"input": {"email": person.email, "password": "wrong guess 10"}}
    assert (await api.data(LOGIN, tenth))["login"]["__typename"] == "InvalidCredentials"
    assert (await api.data(LOGIN, tenth))["login"]["__typename"] == "RateLimited"
