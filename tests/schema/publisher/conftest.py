"""A publisher's login (keys A and B, a JWKS on a local port) and a btl set up for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from service.clock import clock
from tests.sso_support import JwksServer, SigningKey, publisher_settings, running_jwks
from tests.support import Api

MakeApi = Callable[..., Awaitable[Api]]


@pytest.fixture(scope="session")
def key_a() -> SigningKey:
    return SigningKey.generate("key-a")


@pytest.fixture(scope="session")
def key_b() -> SigningKey:
    return SigningKey.generate("key-b")


@pytest.fixture(scope="session")
def jwks_server() -> Iterator[JwksServer]:
    yield from running_jwks()


@pytest.fixture
def jwks(jwks_server: JwksServer, key_a: SigningKey) -> Iterator[JwksServer]:
    """The publisher lists key A; nothing fetched yet."""
    jwks_server.serve(key_a)
    jwks_server.fetches = 0
    jwks_server.released.clear()
    yield jwks_server
    jwks_server.released.set()  # a request left hanging ends now


@pytest.fixture
async def make_publisher_api(make_api: Any, jwks: JwksServer) -> AsyncIterator[MakeApi]:
    """Build a btl set up for the publisher, with other settings if given."""
    built: list[Api] = []

    async def build(**overrides: Any) -> Api:
        api: Api = await make_api(**{**publisher_settings(jwks.url), **overrides})
        built.append(api)
        return api

    yield build
    for api in built:
        await api.client.aclose()
    clock.reset()


@pytest.fixture
async def publisher_api(make_publisher_api: MakeApi) -> Api:
    return await make_publisher_api()
