"""Reading a GraphQL operation from an HTTP request: refuse what no client should send
(413, 415, 408, 400 with a JSON reason), resolve persisted queries, and keep the rest as an
`Operation` to answer."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, OperationDefinitionNode
from starlette.requests import Request
from starlette.responses import Response

from web.persisted import PersistedQueries
from web.responses import refuse, wants_graphql_response

JSON_TYPES = ("application/json", "application/graphql-response+json")


@dataclass(frozen=True, slots=True)
class Operation:
    request: Request
    query: str  # with a persisted query filled in
    operation_name: str | None
    variables: dict[str, Any] | None
    graphql_response: bool  # answer as application/graphql-response+json

    @property
    def media(self) -> str:
        return "graphql-response" if self.graphql_response else "json"


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


async def read_body(request: Request, limit: int, seconds: float) -> bytes | Response:
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
    """The operation asked for, or a refusal; None: a GET that asks for none (the console)."""
    if request.method == "POST":
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in JSON_TYPES:
            return refuse(415, "POST a JSON body with Content-Type: application/json.")
        body = await read_body(request, max_body_bytes, read_timeout_seconds)
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
    resolved = await persisted.resolve(query, extensions)
    if isinstance(resolved, Response):
        return resolved
    if resolved is None:
        return refuse(400, "The request has no query string.")
    return Operation(request, resolved, name, variables, wants_graphql_response(request))


def described(document: DocumentNode, name: str | None) -> tuple[str | None, str | None]:
    """The name and type (query, mutation, subscription) of the operation `name` picks in
    the document: the named one, or the only one when no name is given; (name, None) when
    none is picked (execution then answers why)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None and len(operations) == 1:
        only = operations[0]
        return (only.name.value if only.name else None), only.operation.value
    for operation in operations:
        if name is not None and operation.name is not None and operation.name.value == name:
            return name, operation.operation.value
    return name, None
