"""The publisher's JWKS: fetched once and kept, fetched again for a rotated key (at most once
a minute, without a restart), and a JWKS endpoint that is down or hangs fails sign-in
cleanly instead of hanging the server."""

from __future__ import annotations

import asyncio
import time

from service.clock import clock
from tests.schema.publisher.conftest import MakeApi
from tests.schema.publisher.test_sign_in_with_publisher_token import SIGN_IN, sign_in
from tests.sso_support import JwksServer, SigningKey, mint
from tests.support import Api


async def test_the_jwks_is_fetched_once_and_kept(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey
) -> None:
    for n in range(3):
        assert (await sign_in(publisher_api, mint(key_a, sub=f"r{n}")))["__typename"] == (
            "AuthSession"
        )

    assert jwks.fetches == 1


async def test_a_rotated_key_is_fetched_without_a_restart(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey, key_b: SigningKey
) -> None:
    # given btl has key A, and the publisher rotates to key B
    assert (await sign_in(publisher_api, mint(key_a)))["__typename"] == "AuthSession"
    jwks.serve(key_b)
    clock.advance(61)  # the last fetch is more than a minute old

    # when a token signed with B arrives
    result = await sign_in(publisher_api, mint(key_b))

    # then btl fetched the JWKS again and trusts B; A, gone from the JWKS, is dropped
    assert result["__typename"] == "AuthSession"
    assert jwks.fetches == 2
    assert (await sign_in(publisher_api, mint(key_a)))["__typename"] == "InvalidCredentials"


async def test_unknown_kids_make_at_most_one_fetch_a_minute(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey, key_b: SigningKey
) -> None:
    await sign_in(publisher_api, mint(key_a))
    jwks.serve(key_a, key_b)

    # when tokens name keys btl lacks, within the minute
    for n in range(5):
        stranger = SigningKey(kid=f"made-up-{n}", private=key_a.private)
        assert (await sign_in(publisher_api, mint(stranger)))["__typename"] == "InvalidCredentials"
    within_the_minute = await sign_in(publisher_api, mint(key_b))

    # then nothing more was fetched, even for B; after the minute, B is fetched and trusted
    assert within_the_minute["__typename"] == "InvalidCredentials"
    assert jwks.fetches == 1
    clock.advance(61)
    assert (await sign_in(publisher_api, mint(key_b)))["__typename"] == "AuthSession"
    assert jwks.fetches == 2


async def test_keys_are_fetched_again_when_an_hour_old(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey
) -> None:
    await sign_in(publisher_api, mint(key_a))

    clock.advance(3601)
    await sign_in(publisher_api, mint(key_a))

    assert jwks.fetches == 2


async def test_a_jwks_that_errors_fails_sign_in_as_unavailable(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey
) -> None:
    jwks.mode = "error"

    body = await publisher_api.gql(SIGN_IN, {"token": mint(key_a)})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


async def test_a_jwks_nobody_listens_on_fails_sign_in_as_unavailable(
    make_publisher_api: MakeApi, key_a: SigningKey
) -> None:
    api = await make_publisher_api(sso_jwks_url="http://127.0.0.1:9/jwks.json")  # discard port

    body = await api.gql(SIGN_IN, {"token": mint(key_a)})

    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


async def test_a_jwks_back_up_lets_readers_in_after_the_minute(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey
) -> None:
    jwks.mode = "error"
    assert (await publisher_api.gql(SIGN_IN, {"token": mint(key_a)}))["errors"]
    jwks.serve(key_a)

    # within the minute btl does not ask again; after it, the reader gets in
    assert (await publisher_api.gql(SIGN_IN, {"token": mint(key_a)}))["errors"]
    assert jwks.fetches == 1
    clock.advance(61)
    assert (await sign_in(publisher_api, mint(key_a)))["__typename"] == "AuthSession"


async def test_a_jwks_that_never_answers_does_not_hang_sign_in(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey
) -> None:
    jwks.mode = "hang"
    started = time.monotonic()

    # when a sign-in waits on the JWKS
    signing_in = asyncio.create_task(publisher_api.gql(SIGN_IN, {"token": mint(key_a)}))
    await asyncio.sleep(0.2)

    # then other requests are served meanwhile: the fetch does not block the event loop
    assert (await publisher_api.data("{ communityRules { version } }")) == {"communityRules": None}
    assert not signing_in.done()
    # and the sign-in gives up with a clear answer instead of hanging
    body = await asyncio.wait_for(signing_in, timeout=10)
    assert time.monotonic() - started < 10
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


async def test_keys_held_keep_working_while_the_jwks_is_down(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey
) -> None:
    await sign_in(publisher_api, mint(key_a))
    jwks.mode = "error"
    clock.advance(3601)  # old enough to fetch again, and the fetch fails

    result = await sign_in(publisher_api, mint(key_a, sub="another"))

    assert result["__typename"] == "AuthSession"
    assert jwks.fetches == 2
