"""The per-request context every resolver receives."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import strawberry

from schema.freshness import CacheDeps
from schema.loaders import Loaders
from service.api_keys import ApiKeyCaller
from service.live import LiveConnection
from service.models import User
from service.runtime import Runtime


@dataclass(slots=True)  # one per websocket, thousands of them idle
class Context:
    runtime: Runtime
    # the HTTP request or the websocket it came on: the HTTP edge's (resolvers never read it)
    connection: Any
    viewer: User | None
    session_id: int | None
    client_address: str
    loaders: Loaders
    cache_deps: CacheDeps | None = None
    # a machine caller's API key (no viewer then): see schema/permissions.py
    api_key: ApiKeyCaller | None = None
    # the websocket's connection_init payload (strawberry fills it in)
    connection_params: dict[str, Any] | None = None
    # the websocket the operation came on (web/websocket.py); None over HTTP
    live: LiveConnection | None = None
    request_id: str = field(default_factory=lambda: secrets.token_hex(8))


Info = strawberry.Info[Context, Any]
