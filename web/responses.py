"""GraphQL over HTTP: an execution result, a refusal or a cached answer as a response.

Clients that accept `application/graphql-response+json` get it, with 400 and no `data` for
a request error (parse, validation, variables, limits); `application/json` clients keep the
classic 200. A storage failure is 503. Signed-out GET answers carry an ETag and a short
public max-age; everything else is `no-store`, and every answer varies on who asks and on
the media type asked for.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from graphql import GraphQLError
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from strawberry.types import ExecutionResult

from schema.permissions import OUTSIDE_SCOPES
from schema.unavailable import is_unavailable
from service.clock import now
from service.errors import DomainError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"
JSON = "application/json"
VARY = "Authorization, Accept"
PRIVATE = "private, no-store"
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


def wants_graphql_response(connection: HTTPConnection) -> bool:
    return "application/graphql-response+json" in connection.headers.get("accept", "").lower()


def refuse(status: int, message: str, code: str | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JSONResponse({"errors": [error]}, status_code=status)


def format_error(error: GraphQLError, *, by_key: bool = False) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    # no "Did you mean ...?" for fields, arguments, types or enum values: don't map the schema
    formatted["message"] = _SUGGESTION.sub("", formatted["message"])
    original = error.original_error
    if isinstance(original, DomainError):
        formatted["extensions"] = {**formatted.get("extensions", {}), "code": original.code}
    code = formatted.get("extensions", {}).get("code")
    if by_key and code == "UNAUTHENTICATED":
        # a key is no user: what needs one is outside the key's scopes, not a sign-in
        return {**formatted, "message": OUTSIDE_SCOPES, "extensions": {"code": "FORBIDDEN"}}
    return formatted


def encode(data: object) -> bytes:
    """The one JSON encoding of every answer (the overlay cuts the same bytes)."""
    return json.dumps(data, separators=(",", ":")).encode()


def graphql_answer(
    result: ExecutionResult, *, graphql_response: bool, by_key: bool = False
) -> Response:
    # a request error has no path and no data
    request_error = (
        result.data is None
        and bool(result.errors)
        and all(e.path is None for e in result.errors or ())
    )
    body: dict[str, Any] = {}
    if not (graphql_response and request_error):
        body["data"] = result.data
    if result.errors:
        body["errors"] = [format_error(e, by_key=by_key) for e in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    status = 200
    if is_unavailable(result.errors):
        status = 503  # a full disk or a lost database: try again later
    elif graphql_response and request_error:
        status = 400
    return Response(encode(body), status, media_type=media_type(graphql_response))


def media_type(graphql_response: bool) -> str:
    return GRAPHQL_RESPONSE_JSON if graphql_response else JSON


def timed_out(timeout: float) -> JSONResponse:
    message = (
        f"The operation ran longer than {timeout:g} s and was cancelled "
        "(BTL_OPERATION_TIMEOUT_SECONDS)."
    )
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]},
        status_code=503,
    )


def http_caching(
    request: Request, response: Response, max_age: int, expires_at: datetime | None
) -> Response:
    """Signed-out GET answers can sit in a CDN for a few seconds, with an ETag; never past
    the moment the answer stops being true (a count allowed to lag, a closing)."""
    if request.method != "GET" or response.status_code != 200:
        response.headers["cache-control"] = "no-store"
        return response
    etag = '"' + hashlib.sha256(bytes(response.body)).hexdigest()[:32] + '"'
    if expires_at is not None:
        max_age = max(0, min(max_age, int((expires_at - now()).total_seconds())))
    caching = {"etag": etag, "cache-control": f"public, max-age={max_age}", "vary": VARY}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=caching)
    response.headers.update(caching)
    return response
