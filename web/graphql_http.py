"""POST and GET /graphql: an operation read, answered inside the one guard, as GraphQL over
HTTP says.

Signed out: the exact public cache, or a fresh answer that notes what it depends on so it
can be kept. Signed in: the shared signed-out answer with the reader's own fields laid over
it (web/viewer_overlay.py) when the document allows, else executed for them. A browser
asking for the page gets the moderators' console. Websockets are web/websocket.py's.
"""

from __future__ import annotations

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.audience import Audience, DocumentAudiences
from schema.context import Context
from schema.freshness import CacheDeps, noting
from schema.schema import BtlSchema
from service.accounts import is_staff
from service.models import User
from service.runtime import Runtime
from web.callers import NOBODY, Caller, bearer_token, context_for, identify
from web.console import console_page
from web.guard import guarded
from web.operations import Operation, described, read_operation
from web.persisted import PersistedQueries
from web.public_cache import CachedAnswer, PublicCache, cache_key, is_query
from web.request_log import RequestRecord, current
from web.responses import (
    PRIVATE,
    VARY,
    encode,
    graphql_answer,
    http_caching,
    media_type,
    refuse,
)
from web.viewer_overlay import Plan, Planner, Templates, fill

SHAREABLE = frozenset({Audience.PUBLIC, Audience.VIEWER})
OVER_GET = frozenset({OperationType.QUERY})  # GET is safe: it never changes anything
OVER_POST = frozenset({OperationType.QUERY, OperationType.MUTATION})
MAX_LOGGED_NAME = 100


def noted() -> RequestRecord:
    """The request's record for its log line and metrics (web/request_log.py)."""
    return current() or RequestRecord("-")  # a throwaway outside the request log


class GraphQLHTTP:
    def __init__(
        self,
        runtime: Runtime,
        schema: BtlSchema,
        public_cache: PublicCache,
        persisted: PersistedQueries,
    ) -> None:
        self.runtime = runtime
        self.schema = schema
        self.public_cache = public_cache
        self.persisted = persisted
        self.planner = Planner(schema._schema, schema.checker)
        self.templates = Templates()
        self.document_audiences = DocumentAudiences(schema._schema, schema.checker.bounded)

    def shareable(self, query: str) -> bool:
        """Whether a signed-out answer to this document may be kept for every signed-out
        reader: it asks for PUBLIC fields, and VIEWER ones (the same for everyone signed
        out); never for a SELF or STAFF field, nor an undeclared one."""
        found = self.document_audiences.of(query)
        return found is not None and found <= SHAREABLE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        settings = self.runtime.settings
        operation = await read_operation(
            request,
            max_body_bytes=settings.max_body_bytes,
            max_document_chars=settings.max_document_chars,
            read_timeout_seconds=settings.read_timeout_seconds,
            persisted=self.persisted,
        )
        if operation is None:  # a GET asking for no operation: a browser wants the console
            if "text/html" in request.headers.get("accept", ""):
                response: Response = console_page(request)
            else:
                response = refuse(400, "No GraphQL query found in the request.")
        elif isinstance(operation, Response):
            # a refusal, or PersistedQueryNotFound: a cache keeping it would answer it again
            # after the client registered the query (as Apollo Server marks it)
            response = operation
            response.headers.setdefault("cache-control", PRIVATE)
        else:
            self._note(operation)
            timeout = settings.operation_timeout_seconds
            response = await guarded(timeout, lambda: self._answer(operation))
        response.headers.setdefault("x-content-type-options", "nosniff")
        # the answer depends on who asks and on the media type asked for, whatever it is
        response.headers["vary"] = VARY
        await response(scope, receive, send)

    def _note(self, operation: Operation) -> None:
        """The operation's name and type in the request's log line (the document is parsed
        once: the schema's checker keeps it for the execution)."""
        record = noted()
        try:
            document = self.schema.checker.parse(operation.query)
        except GraphQLError:
            name, kind = operation.operation_name, None
        else:
            name, kind = described(document, operation.operation_name)
        record.operation_name = name[:MAX_LOGGED_NAME] if name is not None else None
        record.operation_type = kind

    async def _answer(self, operation: Operation) -> Response:
        token = bearer_token(operation.request)
        if token is None:
            return await self._signed_out(operation)
        caller = await identify(token)
        record = noted()
        record.viewer_id = caller.viewer.id if caller.viewer is not None else None
        response = None
        if caller.viewer is not None and not is_staff(caller.viewer):
            response = await self._overlaid(operation, caller.viewer)
        if response is None:
            record.cache = None  # executed in full, whatever the overlay looked at
            response = await self._executed(operation, caller)
        response.headers["cache-control"] = PRIVATE
        return response

    async def _signed_out(self, operation: Operation) -> Response:
        key = cache_key(
            operation.query, operation.operation_name, operation.variables, operation.media
        )
        cached = await self.public_cache.answer(key)
        shareable = self.shareable(operation.query)
        record = noted()
        failed: list[Response] = []  # this request's own answer, when it computed an error
        if cached is not None:
            record.cache = "hit"
        elif shareable and is_query(operation.query, operation.operation_name):
            record.cache = "miss"  # computed here, or by the concurrent miss it joined
            cached = await self.public_cache.computed_once(
                key, lambda: self._kept(operation, key, failed)
            )
        if cached is not None:
            response = Response(cached.body, cached.status_code, media_type=cached.media_type)
            expires_at = cached.expires_at
        elif failed:  # not executed a second time: the error is the answer
            response, expires_at = failed[0], None
        else:
            deps = await self.public_cache.begin() if shareable else None
            record.cache = "miss" if deps is not None else None
            response = await self._executed(operation, NOBODY, deps)
            expires_at = deps.expires_at if deps is not None else None
            if deps is not None and response.status_code == 200:
                media = response.headers.get("content-type", "application/json")
                await self.public_cache.keep(key, deps, bytes(response.body), 200, media)
        settings = self.runtime.settings
        return http_caching(operation.request, response, settings.public_max_age, expires_at)

    async def _kept(
        self, operation: Operation, key: str, failed: list[Response]
    ) -> CachedAnswer | None:
        """A signed-out answer computed and kept (when it can be); None for an error status,
        whose response goes to `failed` (it is the computing request's own answer)."""
        deps = await self.public_cache.begin()
        response = await self._executed(operation, NOBODY, deps)
        if response.status_code != 200:
            failed.append(response)
            return None
        media = response.headers.get("content-type", "application/json")
        return await self.public_cache.keep(key, deps, bytes(response.body), 200, media)

    async def _executed(
        self, operation: Operation, caller: Caller, deps: CacheDeps | None = None
    ) -> Response:
        context = context_for(self.runtime, operation.request, caller, deps)
        result = await self.execute(operation, operation.query, context)
        if isinstance(result, Response):
            return result
        noted().errors = bool(result.errors)
        if deps is not None and result.errors:
            deps.not_cacheable()  # an answer with errors is computed every time
        return graphql_answer(
            result,
            graphql_response=operation.graphql_response,
            by_key=caller.api_key is not None,
        )

    async def execute(
        self, operation: Operation, query: str, context: Context
    ) -> ExecutionResult | Response:
        allowed = OVER_GET if operation.request.method == "GET" else OVER_POST
        try:
            return await self.schema.execute(
                query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type == OperationType.SUBSCRIPTION:
                return refuse(400, "Subscriptions run over the websocket on /graphql.")
            # GraphQL over HTTP: a mutation over GET is not allowed; POST it
            refused = refuse(405, "Mutations are not allowed over GET: POST them.")
            refused.headers["allow"] = "POST"
            return refused
        except CannotGetOperationTypeError as exc:
            return refuse(400, exc.as_http_error_reason())
        except MissingQueryError:
            return refuse(400, "No GraphQL query found in the request.")
        finally:
            noting(None)  # nothing made after the answer belongs to it

    async def _overlaid(self, operation: Operation, viewer: User) -> Response | None:
        """The shared signed-out answer with the viewer's fields laid over; None: run it."""
        if not self.runtime.settings.viewer_overlay:
            return None
        plan = self.planner.plan(operation.query)
        if plan is None:
            return None
        body = await self._shared_answer(operation, plan)
        if body is None:
            return None  # the ordinary way gives the right errors
        text = await fill(self.runtime, viewer, self.templates.of(plan, body))
        if text is None:
            return None  # the reader has a PENDING comment: their answer is their own
        return Response(text.encode(), 200, media_type=media_type(operation.graphql_response))

    async def _shared_answer(self, operation: Operation, plan: Plan) -> bytes | None:
        key = cache_key(plan.query, operation.operation_name, operation.variables, "overlay")
        cached = await self.public_cache.answer(key)
        if cached is not None:
            noted().cache = "overlay"
            return cached.body
        noted().cache = "overlay-miss"
        cached = await self.public_cache.computed_once(
            key, lambda: self._kept_for_overlay(operation, plan, key)
        )
        return cached.body if cached is not None else None

    async def _kept_for_overlay(
        self, operation: Operation, plan: Plan, key: str
    ) -> CachedAnswer | None:
        deps = await self.public_cache.begin()
        context = context_for(self.runtime, operation.request, NOBODY, deps)
        result = await self.execute(operation, plan.query, context)
        if isinstance(result, Response) or result.errors or result.extensions:
            return None
        body = encode({"data": result.data})
        return await self.public_cache.keep(key, deps, body, 200, "application/json")
