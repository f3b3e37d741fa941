"""Live events executed once per audience, not once per subscriber.

Every `commentEvents` subscriber with the same document, variables and audience would get
the same answer to each event, so a process runs one subscription per such group (a *feed*)
with a context standing for the audience, serialises each answer once, and puts the text
in each member's bounded queue; strawberry sends a member's items on its socket as it would
its own results. An event's comment and whatever the document asks about it are read once
per feed, however many sockets listen.

The audience is what a fresh execution of the document depends on besides the event:
- signed out: one for everyone;
- a moderator or admin in good standing, by role, when the document asks no VIEWER field;
- anyone else signed in: their own (their account as it was when the socket signed in,
  so an account changed since never shares an answer computed for it before).

Each event still waits for its socket's account check (service/live.py `confirm`) before it
goes out, and a member more than BTL_WS_QUEUE_EVENTS events behind is closed (1013) while
the feed and the other members go on.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError

from schema.audience import Audience, DocumentAudiences
from schema.context import Context
from schema.loaders import Loaders
from service.accounts import is_staff
from service.events import SubscriberTooSlow
from service.live import TOO_SLOW, LiveConnection

Stream = AsyncGenerator[Any, None]
RunAs = Callable[[Context], Awaitable[Stream]]
SHARED_FIELDS = frozenset({"commentEvents"})
FeedKey = tuple[str, str, str | None, tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class SharedAnswer:
    """A `next` message's payload, serialised once for every member of a feed: it stands
    in for the result's data, and the socket sends `text` as the whole payload."""

    text: str
    # the whole message as sent, by operation id: made once for all sockets using that id
    encoded: dict[str, bytes] = field(default_factory=dict, compare=False)


def shared(result: Any) -> Any:
    """The result as every member gets it: an answer with data is serialised here once (as
    strawberry would serialise it for each socket); anything else is passed on as it is."""
    if not isinstance(result, ExecutionResult) or isinstance(result, PreExecutionError):
        return result
    if result.data is None:  # a refusal: the operation's first result decides what it means
        return result
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    text = json.dumps(payload, separators=(",", ":"))
    return ExecutionResult(data=SharedAnswer(text), errors=None)  # type: ignore[arg-type]


class FeedTooSlow(GraphQLError):
    """A feed fell BTL_WS_QUEUE_EVENTS events behind (the process is overloaded): each of
    its sockets is closed as too slow (1013) and reconnects."""

    def __init__(self) -> None:
        super().__init__("The live feed fell behind.")


def _too_slow(result: Any) -> bool:
    errors = result.errors if isinstance(result, ExecutionResult) else None
    return any(isinstance(error, FeedTooSlow) for error in errors or ())


class _End:
    """The feed's stream ended: so does each member's operation."""


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


END = _End()


class Sink(Protocol):
    """Where a member's items go: its socket, as its operation's messages (web/websocket.py)."""

    def ready(self) -> bool:
        """Whether a message would go out now, without waiting for the socket to drain."""

    async def result(self, result: Any) -> None: ...

    async def end(self, error: BaseException | None) -> None:
        """The operation is over (an error, or None when it completed)."""


class Member:
    """One socket's operation in a feed. It keeps no task while idle: the feed sends each
    item straight to a socket that can take it, and only a socket that is not ready (or
    whose account check is under way) gets a task draining its queue, bounded by
    BTL_WS_QUEUE_EVENTS (past that it is closed as too slow)."""

    __slots__ = ("drain", "feed", "limit", "live", "queue", "sink")

    def __init__(self, feed: Feed, live: LiveConnection | None, limit: int, sink: Sink) -> None:
        self.feed = feed
        self.live = live
        self.limit = limit
        self.sink = sink
        self.queue: deque[Any] | None = None  # while a drain runs
        self.drain: asyncio.Task[None] | None = None

    async def deliver(self, item: Any) -> None:
        """Called by the feed for each item, in order."""
        if self.queue is None and self.sink.ready() and self._checked():
            await self._send(item)
            return
        if self.queue is None:
            self.queue = deque()
            self.drain = asyncio.get_running_loop().create_task(self._drain())
        if len(self.queue) >= self.limit and item is not END:
            self.queue.clear()  # too slow: free what it holds, close it next
            self.queue.append(_Failed(SubscriberTooSlow()))
            self.feed.members.discard(self)
        else:
            self.queue.append(item)

    def _checked(self) -> bool:
        """No account check is pending (confirm() would not wait)."""
        return self.live is None or self.live.pending_check is None

    async def _drain(self) -> None:
        assert self.queue is not None
        while self.queue:
            await self._send(self.queue.popleft())
        self.queue = self.drain = None

    async def _send(self, item: Any) -> None:
        try:
            if item is END:
                await self._end(None)
            elif isinstance(item, _Failed):
                if isinstance(item.error, SubscriberTooSlow) and self.live is not None:
                    self.live.close(*TOO_SLOW)
                await self._end(None if isinstance(item.error, SubscriberTooSlow) else item.error)
            elif self.live is not None and not await self.live.confirm():
                await self._end(None)  # the session ended or the account changed: closing
            else:
                await self.sink.result(item)
        except Exception:  # the socket went away meanwhile: its handler cleans up
            self.leave()

    async def _end(self, error: BaseException | None) -> None:
        self.leave()
        await self.sink.end(error)

    def leave(self) -> None:
        """The operation is over (completed by the client, its socket closed, or ended)."""
        self.feed.leave(self)
        if self.drain is not None and self.drain is not asyncio.current_task():
            self.drain.cancel()
        self.queue = self.drain = None


class Feed:
    """One execution of a document for one audience, fanned out to its members."""

    def __init__(self, feeds: Feeds, key: FeedKey, run: RunAs, context: Context) -> None:
        self.feeds = feeds
        self.key = key
        self.members: set[Member] = set()
        self.task = asyncio.get_running_loop().create_task(self._run(run, context))

    async def _run(self, run: RunAs, context: Context) -> None:
        ending: Any = END
        try:
            source = await run(context)
            try:
                async for result in source:
                    if _too_slow(result):
                        ending = _Failed(SubscriberTooSlow())
                        break
                    item = shared(result)
                    for member in list(self.members):
                        await member.deliver(item)
            finally:
                await source.aclose()
        except asyncio.CancelledError:  # the last member left
            self.feeds.forget(self)
            raise
        except Exception as error:  # every member's operation fails as its own would have
            ending = _Failed(error)
        self.feeds.forget(self)  # before the members learn: a newcomer starts a new feed
        for member in list(self.members):
            await member.deliver(ending)
        self.members.clear()

    def leave(self, member: Member) -> None:
        self.members.discard(member)
        if not self.members and not self.task.done() and self.task is not asyncio.current_task():
            self.feeds.forget(self)
            self.task.cancel()


class Feeds:
    """A process's feeds, by document, variables and audience."""

    def __init__(self, schema: GraphQLSchema, parse: Callable[[str], DocumentNode]) -> None:
        self.parse = parse
        self.audiences = DocumentAudiences(schema, parse)
        self.feeds: dict[FeedKey, Feed] = {}

    def join(
        self,
        run: RunAs,
        query: str | None,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
        sink: Sink,
    ) -> Member | None:
        """The operation as a member of its audience's feed, or None: it runs on its own."""
        if query is None or not isinstance(context, Context):
            return None
        audience = self._audience(query, operation_name, context)
        if audience is None:
            return None
        try:
            given = json.dumps(variables or {}, sort_keys=True)
            key: FeedKey = (query, given, operation_name, audience)
        except (TypeError, ValueError):
            return None
        feed = self.feeds.get(key)
        if feed is None:
            group = replace(
                context,
                connection=None,
                live=None,
                connection_params=None,
                loaders=Loaders(context.viewer),
            )
            feed = self.feeds[key] = Feed(self, key, run, group)
        member = Member(feed, context.live, context.runtime.settings.ws_queue_events, sink)
        feed.members.add(member)
        return member

    def forget(self, feed: Feed) -> None:
        if self.feeds.get(feed.key) is feed:
            del self.feeds[feed.key]

    def _audience(
        self, query: str, operation_name: str | None, context: Context
    ) -> tuple[Any, ...] | None:
        if not self._only_shared_fields(query, operation_name):
            return None
        asked = self.audiences.of(query)
        if asked is None:  # not valid: it fails the ordinary way
            return None
        viewer = context.viewer
        if context.api_key is not None:
            return None
        if viewer is None:
            return ("signed out",)
        if is_staff(viewer) and Audience.VIEWER not in asked:
            return ("staff", viewer.role)
        return ("viewer", viewer.id, viewer.role, viewer.banned, viewer.suspended_until)

    def _only_shared_fields(self, query: str, operation_name: str | None) -> bool:
        """A subscription whose root fields (no fragments, no directives) are all shared."""
        try:
            document = self.parse(query)
        except GraphQLError:
            return False
        operations = [
            d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
            and (operation_name is None or (d.name is not None and d.name.value == operation_name))
        ]
        if len(operations) != 1 or operations[0].operation != OperationType.SUBSCRIPTION:
            return False
        return all(
            isinstance(s, FieldNode) and not s.directives and s.name.value in SHARED_FIELDS
            for s in operations[0].selection_set.selections
        )
