"""Reading a GraphQL request before strawberry does: refuse what no client should send,
resolve Apollo persisted queries, and say who is asking from where."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

JSON_TYPES = ("application/json", "application/graphql-response+json")


@dataclass(frozen=True)
class Operation:
    request: Request  # the request strawberry will run (with a persisted query filled in)
    query: str
    operation_name: str | None
    variables: Any


def refuse(status: int, message: str, code: str | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JSONResponse({"errors": [error]}, status_code=status)


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


def bearer_token(
    connection: HTTPConnection, init_payload: dict[str, Any] | None = None
) -> str | None:
    header = connection.headers.get("authorization")
    if header is None and init_payload:
        value = init_payload.get("authorization") or init_payload.get("Authorization")
        header = value if isinstance(value, str) else None
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


class PersistedQueries:
    """Apollo's automatic persisted queries: documents by SHA-256, in an LRU bounded in bytes.

    Only documents within BTL_MAX_DOCUMENT_CHARS reach it (read_operation checks first)."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.queries: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: Any) -> str | Response | None:
        """The query to run, a refusal, or None when the request uses no persisted query."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if not isinstance(persisted, dict):
            return query
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str):
            return refuse(400, "persistedQuery needs a sha256Hash.")
        if query is None:
            known = self.queries.get(digest)
            if known is None:  # the client sends the full query next (the APQ round trip)
                return refuse(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            self.queries.move_to_end(digest)
            return known
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            return refuse(400, "provided sha does not match query", "INVALID_PERSISTED_QUERY")
        if digest not in self.queries:
            self.queries[digest] = query
            self.size += _footprint(digest, query)
        while self.size > self.max_bytes and self.queries:
            evicted, evicted_query = self.queries.popitem(last=False)
            self.size -= _footprint(evicted, evicted_query)
        return query


def _footprint(digest: str, query: str) -> int:
    # a str of code points < 256 takes a byte each, others 2 or 4; ~100 bytes of overhead
    return len(digest) + len(query.encode()) + 100


# JSON deeper than this is no GraphQL request (inputs nest a few levels); Python's decoder
# fails with RecursionError near 1,000 levels, and what is below that still costs a stack
MAX_JSON_DEPTH = 64


def nests_deeper(value: Any, limit: int) -> bool:
    """Whether objects and arrays in `value` nest deeper than `limit` (without recursion)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        inner = item.values() if isinstance(item, dict) else item
        stack.extend((i, depth + 1) for i in inner if isinstance(i, dict | list))
    return False


def decode_json(text: str | bytes, what: str) -> Any | Response:
    """The decoded value, or a 400 saying what is wrong with it."""
    too_deep = refuse(400, f"{what} nests JSON deeper than {MAX_JSON_DEPTH} levels.")
    try:
        value = json.loads(text)
    except RecursionError:
        return too_deep
    except ValueError:
        return refuse(400, f"{what} is not valid JSON.")
    return too_deep if nests_deeper(value, MAX_JSON_DEPTH) else value


async def _read_body(request: Request, limit: int, seconds: float) -> bytes | Response:
    """The body, or a refusal once it grows past `limit` bytes (never buffered past that) or
    has not all arrived after `seconds` (a client trickling it holds a connection)."""
    too_large = refuse(
        413,
        f"The request body is larger than {limit} bytes (BTL_MAX_BODY_BYTES).",
        "LIMIT_EXCEEDED",
    )
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return too_large
    chunks, size = [], 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    return too_large
                chunks.append(chunk)
    except TimeoutError:
        slow = refuse(
            408,
            f"The request body did not arrive within {seconds:g} s "
            "(BTL_READ_TIMEOUT_SECONDS).",
            "TIMEOUT",
        )
        slow.headers["connection"] = "close"  # the rest of the body is not read
        return slow
    return b"".join(chunks)


def _loads(text: str | None, what: str) -> Any | Response:
    if text is None or text == "":
        return None
    return decode_json(text, f"`{what}`")


async def read_operation(
    request: Request,
    *,
    max_body_bytes: int,
    max_document_chars: int,
    read_timeout_seconds: float,
    persisted: PersistedQueries,
) -> Operation | Response | None:
    """The operation asked for, or a refusal; None lets strawberry answer (e.g. the console)."""
    if request.method == "POST":
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in JSON_TYPES:
            return refuse(415, "POST a JSON body with Content-Type: application/json.")
        body = await _read_body(request, max_body_bytes, read_timeout_seconds)
        if isinstance(body, Response):
            return body
        payload = decode_json(body, "The request body")
        if isinstance(payload, Response):
            return payload
        if not isinstance(payload, dict):
            return refuse(400, "The request body must be one JSON object (no batching).")
        query, extensions = payload.get("query"), payload.get("extensions")
        variables = payload.get("variables")
    else:
        params = request.query_params
        if "query" not in params and "extensions" not in params:
            return None
        query, variables = params.get("query"), _loads(params.get("variables"), "variables")
        extensions = _loads(params.get("extensions"), "extensions")
        for value in (variables, extensions):
            if isinstance(value, Response):
                return value
        payload = dict(params)
    if query is not None and not isinstance(query, str):
        return refuse(400, "The request has no query string.")
    name = payload.get("operationName")
    if name is not None and not isinstance(name, str):
        return refuse(400, "`operationName` must be a string.")
    for value, what in ((variables, "variables"), (extensions, "extensions")):
        if value is not None and not isinstance(value, dict):
            return refuse(400, f"`{what}` must be a JSON object.")
    if query is not None and len(query) > max_document_chars:  # before it is persisted
        return refuse(
            413,
            f"The document has {len(query)} characters; the limit is {max_document_chars} "
            "(BTL_MAX_DOCUMENT_CHARS).",
            "LIMIT_EXCEEDED",
        )
    resolved = persisted.resolve(query, extensions)
    if isinstance(resolved, Response):
        return resolved
    if resolved is None:
        return refuse(400, "The request has no query string.")
    if request.method == "POST":
        # strawberry reads the body from here: the one read, or with the persisted query
        assert isinstance(body, bytes)
        request._body = body
        if resolved is not query:
            payload["query"] = resolved
            request._body = json.dumps(payload).encode()
        run_request = request
    else:
        payload["query"] = resolved
        scope = dict(request.scope)
        scope["query_string"] = urlencode(payload).encode()
        run_request = Request(scope, request.receive)
    return Operation(run_request, resolved, name, variables)
