"""Who is asking, from where: the bearer token's session or API key, the client's address,
and the per-request context every resolver receives."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from schema.context import Context
from schema.freshness import CacheDeps, noting
from schema.loaders import Loaders
from service import api_keys, sessions
from service.api_keys import ApiKeyCaller
from service.models import User
from service.runtime import Runtime
from web.request_log import current


@dataclass(frozen=True, slots=True)
class Caller:
    """A signed-in reader (with their session), a machine key, or nobody."""

    viewer: User | None = None
    session_id: int | None = None
    api_key: ApiKeyCaller | None = None


NOBODY = Caller()


def bearer_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization")
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


async def identify(token: str) -> Caller:
    """The token's caller; an unknown, expired or revoked token is nobody."""
    if api_keys.looks_like_key(token):
        key = await api_keys.authenticate(token)
        return Caller(api_key=key) if key is not None else NOBODY
    found = await sessions.authenticate(token)
    return Caller(viewer=found[0], session_id=found[1]) if found is not None else NOBODY


def client_address(connection: HTTPConnection, trusted_proxies: frozenset[str]) -> str:
    """The peer address, or X-Forwarded-For's nearest untrusted hop behind trusted proxies."""
    peer = connection.client.host if connection.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    forwarded = [hop.strip() for hop in connection.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in forwarded if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        if hop not in trusted_proxies:
            return hop
    return peer


def context_for(
    runtime: Runtime,
    connection: HTTPConnection,
    caller: Caller,
    deps: CacheDeps | None = None,
    **extra: Any,
) -> Context:
    """A fresh context (its own loaders); `deps` collects what a signed-out answer shows."""
    noting(deps)  # the objects made for this answer note what it depends on
    answering = current()
    if answering is not None:  # an unexpected error's log line names the request
        extra.setdefault("request_id", answering.request_id)
    return Context(
        runtime=runtime,
        connection=connection,
        viewer=caller.viewer,
        session_id=caller.session_id,
        client_address=client_address(connection, runtime.settings.trusted_proxies),
        loaders=Loaders(caller.viewer),
        cache_deps=deps,
        api_key=caller.api_key,
        **extra,
    )
