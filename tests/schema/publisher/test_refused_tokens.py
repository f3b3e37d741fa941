"""Tokens btl must not trust: each is InvalidCredentials (or a 413 for a body too large),
never a 500, and none creates or changes an account."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from service.clock import clock
from service.config import RateLimit
from service.models import Entitlement, User
from tests.schema.publisher.conftest import MakeApi
from tests.schema.publisher.test_sign_in_with_publisher_token import SIGN_IN, sign_in
from tests.sso_support import HS_SECRET, JwksServer, SigningKey, claims, mint, mint_hs256
from tests.support import Api


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    """A token put together by hand: what an attacker sends, which no library would mint."""
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    return head + "." + _b64(signature)


def alg_none(key: SigningKey) -> str:
    return unsigned({"alg": "none", "typ": "JWT"}, claims())


def hs256_with_the_rsa_public_key(key: SigningKey) -> str:
    """The algorithm-confusion attack: HMAC keyed with the RSA public key everyone can read."""
    public_pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
    head = unsigned(header, claims()).rsplit(".", 1)[0]
    signature = hmac.new(public_pem, head.encode(), hashlib.sha256).digest()
    return head + "." + _b64(signature)


def signed_by_a_stranger(key: SigningKey) -> str:
    """Right kid, wrong private key: the signature does not verify."""
    return mint(SigningKey.generate(key.kid))


def unknown_kid(key: SigningKey) -> str:
    return mint(SigningKey(kid="nobody-knows-me", private=key.private))


WRONG_SHAPES: list[Any] = [
    "digital",
    [{"product": ""}],
    [{"product": "digital"}],  # no startsAt
    [{"product": "digital", "startsAt": "yesterday"}],
    [{"product": "digital", "startsAt": "2024-01-01T00:00:00"}],  # no time zone
    [{"product": "digital", "startsAt": "2024-02-01T00:00Z", "endsAt": "2024-01-01T00:00Z"}],
    [{"product": 7, "startsAt": "2024-01-01T00:00Z"}],
    [{"product": "digital", "startsAt": 10**20}],
    [{"product": "digital", "startsAt": True}],
    [{"product": "digital", "startsAt": "2024-01-01T00:00Z"}] * 51,
]


def _with_entitlements(shape: Any, key: SigningKey) -> str:
    return mint(key, entitlements=shape)


REFUSED: dict[str, Callable[[SigningKey], str]] = {
    "expired": lambda k: mint(k, exp=int(time.time()) - 3600),
    "not yet valid (nbf)": lambda k: mint(k, nbf=int(time.time()) + 3600),
    "issued in the future (iat)": lambda k: mint(k, iat=int(time.time()) + 3600),
    "wrong issuer": lambda k: mint(k, iss="https://evil.example"),
    "wrong audience": lambda k: mint(k, aud="another-service"),
    "no expiry": lambda k: jwt.encode(
        {key: v for key, v in claims().items() if key != "exp"},
        k.private,
        algorithm="RS256",
        headers={"kid": k.kid},
    ),
    "no subject": lambda k: mint(k, sub=None),
    "bad signature": signed_by_a_stranger,
    "unknown kid": unknown_kid,
    "alg none": alg_none,
    "HS256 keyed with the RSA public key": hs256_with_the_rsa_public_key,
    "HS256 with another secret": lambda k: mint_hs256("x" * 40),
    "RS384 (not accepted)": lambda k: jwt.encode(
        claims(), k.private, algorithm="RS384", headers={"kid": k.kid}
    ),
    "sub over 255 characters": lambda k: mint(k, sub="s" * 256),
    "sub not a string": lambda k: mint(k, sub=12),
    "not a JWT at all": lambda k: "hello",
    "a 20 KB token": lambda k: mint(k, padding="x" * 20_000),
    **{
        f"entitlements of the wrong shape #{n}": partial(_with_entitlements, shape)
        for n, shape in enumerate(WRONG_SHAPES)
    },
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_a_token_not_to_be_trusted_is_invalid_credentials(
    publisher_api: Api, key_a: SigningKey, case: str
) -> None:
    # given a reader who signed in once (nothing of theirs may change)
    assert (await sign_in(publisher_api, mint(key_a, sub="reader-1")))["__typename"] == (
        "AuthSession"
    )
    users_before = await User.all().count()

    # when
    body = await publisher_api.gql(SIGN_IN, {"token": REFUSED[case](key_a)})

    # then
    assert "errors" not in body, body
    assert body["data"]["signInWithPublisherToken"]["__typename"] == "InvalidCredentials"
    assert await User.all().count() == users_before
    assert await Entitlement.all().count() == 0


async def test_a_token_of_100_kb_is_refused_before_it_is_read(
    publisher_api: Api, key_a: SigningKey
) -> None:
    response = await publisher_api.raw(SIGN_IN, {"token": mint(key_a, padding="x" * 100_000)})

    assert response.status_code == 413
    assert response.json()["errors"][0]["message"]
    assert await User.all().count() == 0


async def test_a_token_of_100_kb_in_a_body_allowed_that_size_is_invalid_credentials(
    make_publisher_api: MakeApi, key_a: SigningKey
) -> None:
    api = await make_publisher_api(max_body_bytes=1_000_000)

    result = await sign_in(api, mint(key_a, padding="x" * 100_000))

    assert result["__typename"] == "InvalidCredentials"
    assert await User.all().count() == 0


async def test_a_token_just_expired_passes_within_the_leeway(
    make_publisher_api: MakeApi, key_a: SigningKey
) -> None:
    api = await make_publisher_api(sso_leeway_seconds=60)
    token = mint(key_a, exp=int(time.time()) - 20)

    assert (await sign_in(api, token))["__typename"] == "AuthSession"


async def test_with_no_leeway_the_same_token_is_refused(
    make_publisher_api: MakeApi, key_a: SigningKey
) -> None:
    api = await make_publisher_api(sso_leeway_seconds=0)
    token = mint(key_a, exp=int(time.time()) - 20)

    assert (await sign_in(api, token))["__typename"] == "InvalidCredentials"


async def test_an_hs256_token_is_refused_where_no_secret_is_set(
    make_publisher_api: MakeApi,
) -> None:
    api = await make_publisher_api(sso_secret=None)

    assert (await sign_in(api, mint_hs256(HS_SECRET)))["__typename"] == "InvalidCredentials"


async def test_failed_sign_ins_are_rate_limited_per_client_address(
    make_publisher_api: MakeApi, key_a: SigningKey
) -> None:
    api = await make_publisher_api(rate_limit_login=RateLimit(2, 300))
    for _ in range(2):
        assert (await sign_in(api, "not a token"))["__typename"] == "InvalidCredentials"

    # when even a good token comes from the same address
    result = await sign_in(api, mint(key_a))

    # then
    assert result["__typename"] == "RateLimited"
    assert result["retryAfterSeconds"] > 0
    assert await User.all().count() == 0


async def test_a_token_naming_no_key_uses_the_only_key_and_not_one_of_several(
    publisher_api: Api, jwks: JwksServer, key_a: SigningKey, key_b: SigningKey
) -> None:
    # given: a token signed by key A that names no `kid` (some logins leave it out)
    token = jwt.encode(claims(sub="no-kid"), key_a.private, algorithm="RS256")

    # when the publisher lists key A alone: it is the key
    alone = await sign_in(publisher_api, token)

    # then
    assert alone["__typename"] == "AuthSession"

    # when the publisher lists two keys (btl fetches them again once its copy is an hour old)
    jwks.serve(key_a, key_b)
    clock.advance(3601)
    several = await sign_in(publisher_api, token)

    # then: which key it means is not for btl to guess
    assert several["__typename"] == "InvalidCredentials"
    assert await User.filter(external_subject="no-kid").count() == 1
