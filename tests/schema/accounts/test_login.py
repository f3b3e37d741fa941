from __future__ import annotations

from passlib.context import CryptContext

from service.config import RateLimit
from service.models import User
from tests.support import LOGIN, PASSWORD, Api

ME = "{ me { id email } }"


async def test_login_returns_a_token_that_signs_requests_in(api: Api) -> None:
    person = await api.person()

    result = await api.data(LOGIN, {"input": {"email": person.email.upper(), "password": PASSWORD}})

    assert result["login"]["__typename"] == "AuthSession"
    assert result["login"]["user"]["email"] == person.email
    me = (await api.data(ME, token=result["login"]["token"]))["me"]
    assert me == {"id": person.id, "email": person.email}


async def test_login_unknown_email_and_wrong_password_read_the_same(api: Api) -> None:
    person = await api.person()

    wrong_password = await api.data(
        LOGIN, {"input": {"email": person.email, "password": "nope nope nope"}}
    )
    unknown_email = await api.data(
        LOGIN, {"input": {"email": "who@example.com", "password": PASSWORD}}
    )

    assert wrong_password["login"]["__typename"] == "InvalidCredentials"
    assert wrong_password == unknown_email


async def test_login_failures_are_throttled_per_email(make_api: object) -> None:
    api: Api = await make_api(rate_limit_login=RateLimit(3, 300))  # type: ignore[operator]
    async with api.client:
        person = await api.person()
        for _ in range(3):
            await api.data(LOGIN, {"input": {"email": person.email, "password": "wrong wrong"}})

        # even the right password is refused while the email is throttled
        result = await api.data(LOGIN, {"input": {"email": person.email, "password": PASSWORD}})

    assert result["login"]["__typename"] == "RateLimited"
    assert 0 < result["login"]["retryAfterSeconds"] <= 300


async def test_login_failures_are_throttled_per_address(make_api: object) -> None:
    api: Api = await make_api(rate_limit_login=RateLimit(3, 300))  # type: ignore[operator]
    async with api.client:
        for n in range(3):
            await api.data(
                LOGIN, {"input": {"email": f"x{n}@example.com", "password": "wrong wrong"}}
            )

        result = await api.data(
            LOGIN, {"input": {"email": "other@example.com", "password": "wrong wrong"}}
        )

    assert result["login"]["__typename"] == "RateLimited"


async def test_login_attempts_through_aliases_each_count(make_api: object) -> None:
    api: Api = await make_api(rate_limit_login=RateLimit(3, 300))  # type: ignore[operator]
    attempts = " ".join(
        f'a{n}: login(input: {{email: "v@example.com", password: "guess number {n}"}}) '
        "{ __typename }"
        for n in range(5)
    )
    async with api.client:
        result = await api.data(f"mutation {{ {attempts} }}")

    kinds = [result[f"a{n}"]["__typename"] for n in range(5)]
    assert kinds == ["InvalidCredentials"] * 3 + ["RateLimited"] * 2


async def test_login_rehashes_a_password_stored_with_weaker_parameters(api: Api) -> None:
    person = await api.person()
    weaker = CryptContext(
        schemes=["argon2"],
        argon2__type="ID",
        argon2__memory_cost=8192,
        argon2__time_cost=1,
        argon2__parallelism=1,
    )
    await User.filter(id=int(person.id)).update(password_hash=weaker.hash(PASSWORD))

    result = await api.data(LOGIN, {"input": {"email": person.email, "password": PASSWORD}})

    assert result["login"]["__typename"] == "AuthSession"
    stored = (await User.get(id=int(person.id))).password_hash
    assert "m=19456,t=2,p=1" in stored


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(make_api: object) -> None:
    # the test client connects from 203.0.113.7; as a trusted proxy its X-Forwarded-For counts
    api: Api = await make_api(  # type: ignore[operator]
        rate_limit_login=RateLimit(2, 300), trusted_proxies=frozenset({"203.0.113.7"})
    )
    wrong = {"input": {"email": "nobody@example.com", "password": "wrong wrong"}}
    async with api.client:
        for _ in range(2):
            await api.gql(LOGIN, wrong, headers={"X-Forwarded-For": "198.51.100.1"})
        other_reader = await api.gql(
            LOGIN,
            {"input": {"email": "else@example.com", "password": "wrong wrong"}},
            headers={"X-Forwarded-For": "198.51.100.2"},
        )
        same_reader = await api.gql(
            LOGIN,
            {"input": {"email": "else@example.com", "password": "wrong wrong"}},
            headers={"X-Forwarded-For": "198.51.100.1"},
        )

    assert other_reader["data"]["login"]["__typename"] == "InvalidCredentials"
    assert same_reader["data"]["login"]["__typename"] == "RateLimited"


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_api: object) -> None:
    api: Api = await make_api(rate_limit_login=RateLimit(2, 300))  # type: ignore[operator]
    async with api.client:
        for n in range(2):
            await api.gql(
                LOGIN,
                {"input": {"email": f"n{n}@example.com", "password": "wrong wrong"}},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            )
        spoofed = await api.gql(
            LOGIN,
            {"input": {"email": "n9@example.com", "password": "wrong wrong"}},
            headers={"X-Forwarded-For": "198.51.100.99"},
        )

    assert spoofed["data"]["login"]["__typename"] == "RateLimited"


async def test_throttles_are_shared_through_redis(make_api: object) -> None:
    import os

    import pytest

    redis_url = os.environ.get("BTL_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("BTL_TEST_REDIS_URL is not set: the shared throttle is not tested")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    limits = {"rate_limit_login": RateLimit(2, 300), "redis_url": redis_url}
    first: Api = await make_api(**limits)  # type: ignore[operator]
    second: Api = await make_api(**limits)  # type: ignore[operator]
    wrong = {"input": {"email": "shared@example.com", "password": "wrong wrong"}}
    async with first.client, second.client:
        for _ in range(2):
            await first.data(LOGIN, wrong)

        # another instance sees the same count
        result = await second.data(LOGIN, wrong)

    assert result["login"]["__typename"] == "RateLimited"
