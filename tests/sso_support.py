"""A publisher's login for the tests: real RSA keys, a JWKS served on a local port, tokens
minted with PyJWT, and the API-key and webhook helpers the publisher tests share."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from standardwebhooks import Webhook

from service import api_keys
from service.models import Role
from tests.support import Api

ISSUER = "https://login.example-news.test"
AUDIENCE = "btl-comments"
HS_SECRET = "an HS256 secret of at least thirty-two characters"
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, kid: str) -> SigningKey:
        return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = RSAAlgorithm.to_jwk(self.private.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}


def claims(**overrides: Any) -> dict[str, Any]:
    """A valid claim set for the configured issuer and audience (times are real time: PyJWT
    checks them against the wall clock)."""
    moment = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "reader-1",
        "iat": moment,
        "exp": moment + 300,
        "name": "Ada Reader",
        "email": "ada@example.com",
    }
    return {key: value for key, value in {**base, **overrides}.items() if value is not None}


def mint(key: SigningKey, **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), key.private, algorithm="RS256", headers={"kid": key.kid})


def mint_hs256(secret: str = HS_SECRET, **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), secret, algorithm="HS256")


@dataclass
class JwksServer:
    """Serves `document` at /jwks.json; `mode` "error" answers 500, "hang" never answers."""

    document: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    mode: str = "up"
    fetches: int = 0
    released: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def serve(self, *keys: SigningKey) -> None:
        self.document = {"keys": [key.jwk() for key in keys]}
        self.mode = "up"

    def start(self) -> None:
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's name
                jwks.fetches += 1
                if jwks.mode == "hang":
                    jwks.released.wait(30)
                    return
                status = 500 if jwks.mode == "error" else 200
                body = json.dumps(jwks.document).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.released.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def running_jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def publisher_settings(jwks_url: str) -> dict[str, Any]:
    """The Settings overrides of a site whose publisher signs with a JWKS and an HS256 secret."""
    return {
        "sso_issuer": ISSUER,
        "sso_audience": AUDIENCE,
        "sso_jwks_url": jwks_url,
        "sso_secret": HS_SECRET,
        "webhook_secret": WEBHOOK_SECRET,
    }


async def api_key(*scopes: api_keys.Scope, name: str = "subscriptions") -> str:
    _, token = await api_keys.create(name, frozenset(scopes))
    return token


def signed_headers(body: str, *, message_id: str, at: float | None = None) -> dict[str, str]:
    """Standard Webhooks headers for `body`, signed with the `standardwebhooks` package."""
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(at if at is not None else time.time(), UTC)
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": Webhook(WEBHOOK_SECRET).sign(message_id, moment, body),
    }


async def deliver(
    client: httpx.AsyncClient, payload: Any, *, message_id: str = "msg_1", at: float | None = None
) -> httpx.Response:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    headers = signed_headers(body, message_id=message_id, at=at)
    return await client.post("/webhooks/entitlements", content=body, headers=headers)


async def admin_token(api: Api) -> str:
    return (await api.person(Role.ADMIN)).token
