"""A graphql-transport-ws operation run as a member of a live feed (schema/live_feeds.py).

Strawberry runs each operation in a task of its own that reads the operation's stream; a
feed member needs none: it is registered with the socket's operations (so `complete`, the
limits and the socket's end treat it like any other), and its feed sends it the messages
strawberry would have sent: `next` for each answer, `error` when the first answer is a
refusal, `complete` when the feed ends.
"""

from __future__ import annotations

import json
from typing import Any, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.types.execution import PreExecutionError

from schema.context import Context
from schema.live_feeds import RunAs, SharedAnswer
from schema.live_members import Member
from schema.schema import BtlSchema
from schema.streams import is_refusal, refusal
from web.ws_protocol import SEND_FRAME, WRITABLE, text_frame

Handler = BaseGraphQLTransportWSHandler[Context, None]


def next_message(operation_id: str, answer: SharedAnswer) -> str:
    """The `next` message strawberry would send with this answer (and its JSON encoding)."""
    head = json.dumps({"id": operation_id, "type": "next"}, separators=(",", ":"))
    return f'{head[:-1]},"payload":{answer.text}}}'


class OperationSink:
    """A member's messages on its socket."""

    __slots__ = ("handler", "operation", "send_frame", "writable")

    def __init__(self, handler: Handler, operation: Operation[Context, None]) -> None:
        self.handler = handler
        self.operation = operation
        scope = getattr(getattr(handler.websocket, "ws", None), "scope", None) or {}
        extensions = scope.get("extensions") or {}
        self.writable = extensions.get(WRITABLE)
        self.send_frame = extensions.get(SEND_FRAME)

    def ready(self) -> bool:
        # without the extension (another server) every message goes through a queue
        return self.writable is not None and bool(self.writable())

    async def result(self, result: Any) -> None:
        answer = getattr(result, "data", None)
        if isinstance(answer, SharedAnswer) and self._sent_as_frame(answer):
            return
        if isinstance(result, PreExecutionError) or is_refusal(result):
            forget(self.handler, self.operation.id)
            await self.operation.send_initial_errors(result.errors)
        else:
            await self.operation.send_next(result)

    async def results(self, results: list[Any]) -> None:
        answers = [getattr(result, "data", None) for result in results]
        shared = [a for a in answers if isinstance(a, SharedAnswer)]
        if len(shared) == len(results) and self._sent_as_frames(shared):
            return
        for result in results:
            await self.result(result)

    def _sent_as_frame(self, answer: SharedAnswer) -> bool:
        return self._sent_as_frames([answer])

    def _sent_as_frames(self, answers: list[SharedAnswer]) -> bool:
        """Each message's frame, made once per operation id for all sockets, written as it
        is and in one write: the way thousands of sockets get events cheaply."""
        operation_id = self.operation.id
        if self.send_frame is None or self.operation.completed:
            return False
        frames = []
        for answer in answers:
            frame = answer.encoded.get(operation_id)
            if frame is None:
                frame = text_frame(next_message(operation_id, answer).encode())
                answer.encoded[operation_id] = frame
            frames.append(frame)
        return bool(self.send_frame(frames[0] if len(frames) == 1 else b"".join(frames)))

    async def end(self, error: BaseException | None) -> None:
        forget(self.handler, self.operation.id)
        if isinstance(error, Exception):
            await self.handler.handle_task_exception(error)
        if self.operation.id in self.handler.operations:  # not completed by the client
            await self.operation.send_operation_message(
                {"id": self.operation.id, "type": "complete"}
            )


def members(handler: Handler) -> dict[str, Member]:
    """The socket's operations that are feed members, by id (kept on its handler)."""
    found: dict[str, Member] | None = handler.__dict__.get("feed_members")
    if found is None:
        found = handler.__dict__["feed_members"] = {}
    return found


def join(handler: Handler, message: SubscribeMessage) -> bool:
    """Run the operation as a feed member, if it may be one; False: strawberry runs it."""
    context = handler.context
    live = context.live
    payload = message["payload"]
    query = payload["query"]
    if (
        live is None
        or not handler.connection_acknowledged
        or message["id"] in handler.operations
        or refusal(query, live, context) is not None  # refused the ordinary way
    ):
        return False
    variables = payload.get("variables")
    operation_name = payload.get("operationName")
    schema = cast(BtlSchema, handler.schema)

    def run(group: Context) -> Any:  # keeps the schema, not this socket
        return schema.stream(query, variables, group, None, operation_name)

    operation = Operation(handler, message["id"], query, variables, operation_name)
    sink = OperationSink(handler, operation)
    member = schema.feeds.join(cast(RunAs, run), query, variables, operation_name, context, sink)
    if member is None:
        return False
    handler.operations[operation.id] = operation
    members(handler)[operation.id] = member
    live.subscriptions += 1
    live.registry.subscriptions += 1
    return True


def forget(handler: Handler, operation_id: str) -> bool:
    """The member's part of the socket's books, if the operation was a member."""
    found: dict[str, Member] = handler.__dict__.get("feed_members") or {}
    member = found.pop(operation_id, None)
    if member is None:
        return False
    member.leave()
    live = handler.context.live
    if live is not None:
        live.subscriptions -= 1
        live.registry.subscriptions -= 1
    return True


def leave(handler: Handler, operation_id: str) -> bool:
    """The client completed the operation, or the socket closed: False if not a member."""
    if not forget(handler, operation_id):
        return False
    handler.operations.pop(operation_id, None)
    return True
