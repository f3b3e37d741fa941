"""The publisher's signing keys, and the check of its sign-in tokens (PyJWT does the JWT work).

HS256 tokens are checked with BTL_SSO_SECRET only; RS256, ES256 and EdDSA tokens with the
key their `kid` names in the JWKS at BTL_SSO_JWKS_URL (a token without `kid`: the JWKS's only
key, when it holds just one). The algorithm a key may be used with
comes from the key, never from the token alone: `alg: none`, or an HS256 token "signed" with
an RSA public key, finds no key to pass.

The JWKS is fetched without blocking the event loop (httpx), kept, and fetched again when a
token names a key it lacks (a rotation at the publisher, without a restart) or when it is an
hour old; at most once a minute, so tokens with made-up `kid`s cannot make btl hammer the
publisher. A JWKS that cannot be fetched fails sign-in at once with Unavailable.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
from jwt import PyJWK

from service.clock import now
from service.config import Settings
from service.errors import InvalidCredentials, Unavailable

logger = logging.getLogger("btl.sso")

SIGNED_BY_JWKS = frozenset({"RS256", "ES256", "EdDSA"})
MAX_TOKEN_CHARS = 8192  # a sign-in token is a few hundred characters; more is not one
REFETCH_AT_MOST_EVERY = timedelta(minutes=1)
KEEP_FOR = timedelta(hours=1)
FETCH_TIMEOUT_SECONDS = 3.0  # well inside BTL_OPERATION_TIMEOUT_SECONDS's default of 5
MAX_JWKS_BYTES = 256 * 1024
NOT_TRUSTED = "The sign-in token is not valid."


# a token that names no `kid` may use the publisher's key when the JWKS holds just one
ONLY_KEY = ""

class PublisherKeys:
    """One process's view of the publisher's keys (built once, in the Runtime)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: datetime | None = None
        self._fetch_failed = False
        self._lock = asyncio.Lock()

    async def claims_of(self, token: str) -> dict[str, Any]:
        """The token's verified claims; InvalidCredentials for a token not to be trusted,
        Unavailable when the publisher's keys cannot be fetched."""
        if len(token) > MAX_TOKEN_CHARS:
            raise InvalidCredentials(NOT_TRUSTED)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidCredentials(NOT_TRUSTED) from None
        algorithm = header.get("alg")
        key = await self._key_for(algorithm, header.get("kid"))
        settings = self.settings
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                audience=settings.sso_audience,
                issuer=settings.sso_issuer,
                leeway=settings.sso_leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidCredentials(f"{NOT_TRUSTED} ({exc})") from None
        return claims

    async def _key_for(self, algorithm: object, kid: object) -> Any:
        if algorithm == "HS256" and self.settings.sso_secret is not None:
            return self.settings.sso_secret
        if algorithm in SIGNED_BY_JWKS and self.settings.sso_jwks_url is not None:
            if kid is None:
                kid = ONLY_KEY
            elif not isinstance(kid, str) or not 1 <= len(kid) <= 200:
                raise InvalidCredentials(f"{NOT_TRUSTED} (its `kid` is not a key's name)")
            jwk = await self._jwk(kid)
            if jwk.algorithm_name != algorithm:  # the key decides what it signs with
                raise InvalidCredentials(f"{NOT_TRUSTED} (key {kid} does not sign {algorithm})")
            return jwk.key
        raise InvalidCredentials(f"{NOT_TRUSTED} (algorithm {algorithm!r} is not accepted)")

    async def _jwk(self, kid: str) -> PyJWK:
        key = self._keys.get(kid)
        if key is not None and not self._old():
            return key
        async with self._lock:  # one fetch at a time; those waiting use its result
            if (kid not in self._keys or self._old()) and self._may_fetch():
                await self._fetch()
            key = self._keys.get(kid)
        if key is not None:
            return key
        if self._fetch_failed:
            raise Unavailable("The publisher's sign-in keys cannot be fetched; try again soon.")
        if kid == ONLY_KEY:
            raise InvalidCredentials(f"{NOT_TRUSTED} (no `kid`, and there are several keys)")
        raise InvalidCredentials(f"{NOT_TRUSTED} (the publisher lists no key {kid})")

    def _old(self) -> bool:
        return self._fetched_at is None or now() - self._fetched_at >= KEEP_FOR

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or now() - self._fetched_at >= REFETCH_AT_MOST_EVERY

    async def _fetch(self) -> None:
        """Replace the keys with the JWKS's; on failure keep the ones held (they may still
        be the publisher's) and remember it, so sign-in says Unavailable, not invalid."""
        url = str(self.settings.sso_jwks_url)
        self._fetched_at = now()
        try:
            async with asyncio.timeout(FETCH_TIMEOUT_SECONDS):
                document = await _download(url)
            keys = _usable_keys(document)
        except Exception as exc:  # down, slow, too big, not JSON, no usable key
            logger.warning("cannot fetch the SSO JWKS from %s: %s", url, exc or type(exc).__name__)
            self._fetch_failed = True
            return
        self._keys = keys
        self._fetch_failed = False


async def _download(url: str) -> Any:
    async with (
        httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as client,
        client.stream("GET", url, headers={"accept": "application/json"}) as response,
    ):
        response.raise_for_status()
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_JWKS_BYTES:
                raise ValueError(f"the JWKS is larger than {MAX_JWKS_BYTES} bytes")
    return json.loads(body)


def _usable_keys(document: Any) -> dict[str, PyJWK]:
    """The signing keys by their `kid`, and the only one also under ONLY_KEY when there is
    just one; others (encryption keys, symmetric keys, kinds PyJWT does not know) are left
    out."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("the JWKS has no `keys` list")
    keys: dict[str, PyJWK] = {}
    signing: list[PyJWK] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") == "oct":
            continue
        try:
            jwk = PyJWK(entry)
        except jwt.PyJWTError:
            continue
        if jwk.public_key_use not in (None, "sig"):
            continue
        signing.append(jwk)
        if isinstance(jwk.key_id, str) and jwk.key_id:
            keys[jwk.key_id] = jwk
    if len(signing) == 1:
        keys[ONLY_KEY] = signing[0]
    if not keys:
        raise ValueError("the JWKS has no usable signing key")
    return keys
