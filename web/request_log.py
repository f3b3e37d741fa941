"""Every request's id and its one log line.

The outermost middleware: it gives each request (and websocket) an id — the one a trusted
proxy sent in `X-Request-Id` (BTL_TRUSTED_PROXIES, as for `X-Forwarded-For`), if it is a
plain token of at most 128 characters, else a new one — and puts it on the answer, whatever
route or error the answer comes from. When the answer is done it writes one log line
(logger `btl.request`): the id, method, path (never the query string), status, duration,
and what /graphql noted in the request's `RequestRecord`: the operation's name and type,
whether the public cache or the overlay answered, the viewer's id. Never a token, a
password or an email: nothing from the headers or the body is logged.

An exception nothing else caught is logged here once, with its traceback and the id, and
answered 500 (uvicorn would log it a second time, without the id).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from contextvars import ContextVar
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii as quoted  # json.dumps' own, in C
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.log_writer import direct_writer
from web.responses import encode

logger = logging.getLogger("btl.request")

HEADER = b"x-request-id"
VALID_ID = re.compile(rb"[A-Za-z0-9._:=+/-]{1,128}")
MAX_PATH_CHARS = 200


@dataclass(slots=True)
class RequestRecord:
    """What the log line and the metrics say about one request; /graphql fills it in."""

    request_id: str
    kind: str = "http"  # or "websocket"
    operation_name: str | None = None
    operation_type: str | None = None  # query, mutation, subscription
    cache: str | None = None  # hit, miss (public cache); overlay, overlay-miss
    viewer_id: int | None = None
    errors: bool = False  # the answer carries GraphQL errors


_current: ContextVar[RequestRecord | None] = ContextVar("btl_request", default=None)


def current() -> RequestRecord | None:
    """The record of the request being answered (None outside one)."""
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Every log line written while a request is answered carries its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            answering = _current.get()
            if answering is not None:
                record.request_id = answering.request_id
        return True


def request_id(scope: Scope, trusted_proxies: frozenset[str]) -> str:
    """A trusted proxy's id when it sent a well-formed one, else a new one."""
    client = scope.get("client")
    if client and client[0] in trusted_proxies:
        for name, value in scope["headers"]:
            if name == HEADER and VALID_ID.fullmatch(value):
                return str(value.decode("ascii"))
    return secrets.token_hex(16)


class Observer(Protocol):
    """The metrics (web/metrics.py), told when each request begins and ends."""

    def begin(self, scope: Scope) -> None: ...
    def end(self, record: RequestRecord, scope: Scope, status: int, seconds: float) -> None: ...


class RequestLog:
    def __init__(
        self,
        app: ASGIApp,
        trusted_proxies: frozenset[str],
        observe: Observer | None = None,
        lines: bool = True,
    ) -> None:
        self.app = app
        self.trusted_proxies = trusted_proxies
        self.observe = observe
        self.lines = lines  # BTL_REQUEST_LOG: false leaves the request lines to the proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id(scope, self.trusted_proxies), kind)
        header = (HEADER, record.request_id.encode("ascii"))
        status = 0  # 0: nothing answered yet
        close_code: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status, close_code
            what = message["type"]
            if what == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            elif what == "websocket.accept":
                status = 101
                message["headers"] = [*message.get("headers", ()), header]
            elif what == "websocket.close":
                close_code = message.get("code", 1000)
                status = status or 403  # closed before the handshake: uvicorn answers 403
            await send(message)

        token = _current.set(record)
        if self.observe is not None:
            self.observe.begin(scope)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unexpected error", extra={"request_id": record.request_id})
            if kind == "http" and status == 0:
                await _internal_error(send_with_id)
            status = status or 500
        finally:
            seconds = time.perf_counter() - started
            _current.reset(token)
            self._log(record, scope, status, seconds, close_code)
            if self.observe is not None:
                self.observe.end(record, scope, status, seconds)

    def _log(
        self,
        record: RequestRecord,
        scope: Scope,
        status: int,
        seconds: float,
        close_code: int | None,
    ) -> None:
        if not self.lines or not logger.isEnabledFor(logging.INFO):
            return
        writer = direct_writer(logger)
        if writer is not None:  # the same line as below, without the logging machinery
            writer.request_line(_fields_text(record, scope, status, seconds, close_code))
            return
        fields: dict[str, Any] = {
            "request_id": record.request_id,
            "kind": record.kind,
            "method": scope.get("method", "GET"),
            "path": scope["path"][:MAX_PATH_CHARS],
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "operation_name": record.operation_name,
            "operation_type": record.operation_type,
            "cache": record.cache,
            "viewer_id": record.viewer_id,
        }
        if close_code is not None:
            fields["close_code"] = close_code
        # no logger.info: it would look for the caller's file and line on every request
        line = logger.makeRecord(logger.name, logging.INFO, "", 0, "request", (), None)
        line.__dict__.update(fields)
        line.request_fields = fields  # web/logs.py formats these lines the short way
        logger.handle(line)


def _fields_text(
    record: RequestRecord, scope: Scope, status: int, seconds: float, close_code: int | None
) -> str:
    """`json.dumps` of `_log`'s fields, from its opening quote (a request id is a plain token:
    no character of it needs escaping)."""
    viewer = record.viewer_id
    return (
        f'"request_id": "{record.request_id}", "kind": "{record.kind}", '
        f'"method": {quoted(scope.get("method", "GET"))}, '
        f'"path": {quoted(scope["path"][:MAX_PATH_CHARS])}, "status": {status}, '
        f'"duration_ms": {round(seconds * 1000, 2)!r}, '
        f'"operation_name": {_text(record.operation_name)}, '
        f'"operation_type": {_text(record.operation_type)}, "cache": {_text(record.cache)}, '
        f'"viewer_id": {"null" if viewer is None else int(viewer)}'
        + ("}" if close_code is None else f', "close_code": {int(close_code)}}}')
    )


def _text(value: str | None) -> str:
    return "null" if value is None else quoted(value)


async def _internal_error(send: Send) -> None:
    error = {"message": "Internal error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    body = encode({"errors": [error]})
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
