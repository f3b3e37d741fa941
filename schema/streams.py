"""The limits every operation on a websocket runs under.

HTTP refuses abusive documents in web/operations.py and the limit extensions; strawberry
runs a socket's operations through `Schema.stream`, which skips the first and ignores a
refusal the cost extension makes (it sets a result that subscribe() never reads), and an
error raised while parsing escapes it as a traceback. `stream_within_limits` puts the
size and subscription caps in front of it and turns every refusal into the protocol's
`error` message.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.types.execution import ExecutionResult, PreExecutionError

from schema.checked_document import limit_error
from schema.context import Context
from service.live import LiveConnection

Stream = AsyncGenerator[Any, None]


def refusal(query: str | None, live: LiveConnection, context: Context) -> GraphQLError | None:
    """Why the socket may not run another operation now, if it may not."""
    settings = context.runtime.settings
    if query is not None and len(query) > settings.max_document_chars:
        return limit_error(
            f"The document has {len(query)} characters; the limit is "
            f"{settings.max_document_chars} (BTL_MAX_DOCUMENT_CHARS)."
        )
    per_connection = settings.ws_max_subscriptions_per_connection
    if live.subscriptions >= per_connection:
        return limit_error(
            f"This connection already runs {per_connection} subscriptions "
            "(BTL_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION)."
        )
    if live.registry.subscriptions >= settings.ws_max_subscriptions:
        return limit_error(
            f"This server already runs {settings.ws_max_subscriptions} subscriptions "
            "(BTL_WS_MAX_SUBSCRIPTIONS); try again later.",
            "UNAVAILABLE",
        )
    return None


def _as_limit(error: GraphQLError, context: Context) -> GraphQLError:
    if isinstance(error, GraphQLSyntaxError) and "tokens. Parsing aborted" in error.message:
        limit = context.runtime.settings.max_tokens
        return limit_error(f"The document has more than {limit} tokens (BTL_MAX_TOKENS).")
    return error


def is_refusal(result: Any) -> bool:
    """A request error, as HTTP means it: no data, and no error belongs to a field."""
    return (
        isinstance(result, ExecutionResult)
        and result.data is None
        and bool(result.errors)
        and all(e.path is None for e in result.errors or ())
    )


async def stream_within_limits(
    run: Callable[[], Awaitable[Stream]], query: str | None, context: Any
) -> Stream:
    """`Schema.stream` for a socket's operation, within the socket's limits."""
    live: LiveConnection | None = getattr(context, "live", None)
    if live is None:  # not from a socket
        return await run()
    return _guarded(run, query, live, context)


async def _guarded(
    run: Callable[[], Awaitable[Stream]],
    query: str | None,
    live: LiveConnection,
    context: Context,
) -> Stream:
    refused = refusal(query, live, context)
    if refused is not None:
        yield PreExecutionError(data=None, errors=[refused])
        return
    # counted from the first read to the close: strawberry reads a stream at once
    live.subscriptions += 1
    live.registry.subscriptions += 1
    try:
        async with aclosing(await run()) as source:
            try:
                first = await anext(source)
            except StopAsyncIteration:
                return
            except GraphQLError as error:  # raised while parsing (strawberry lets it escape)
                yield PreExecutionError(data=None, errors=[_as_limit(error, context)])
                return
            if is_refusal(first) and not isinstance(first, PreExecutionError):
                yield PreExecutionError(data=None, errors=first.errors)
                return
            yield first
            async for result in source:
                yield result
    finally:
        live.subscriptions -= 1
        live.registry.subscriptions -= 1
