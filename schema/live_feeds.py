"""Live events executed once per audience, not once per subscriber.

Every `commentEvents` subscriber with the same document, variables and audience would get
the same answer to each event, so a process runs one subscription per such group (a *feed*)
with a context standing for the audience and serialises each answer once; its members (the
sockets' operations, schema/live_members.py, web/feed_members.py) keep no task while idle.
An event's comment and whatever the document asks about it are read once per feed, however
many sockets listen, and the post that made the event never waits for any of it: the
broadcaster hands the event to the feed's queue, and the feed runs in a task of its own.

The feed sends in rounds: all that is pending to every socket, each in one write, then a
pause (ROUND_PAUSE times the round) that leaves the process to requests; a burst of posts
then costs a few writes per socket, not one per event.

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
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

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
from schema.live_members import END, Failed, Member, Sink
from schema.loaders import Loaders
from service.accounts import is_staff
from service.events import SubscriberTooSlow

Stream = AsyncGenerator[Any, None]
RunAs = Callable[[Context], Awaitable[Stream]]
SHARED_FIELDS = frozenset({"commentEvents"})
# a socket write costs ~30 us of kernel time: a round to 5,000 sockets is ~0.15 s of the
# process, however many events it carries
ROUND_PAUSE = 3.0
MAX_PAUSE_SECONDS = 0.25
YIELD_EVERY = 500  # sockets
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


class Feed:
    """One execution of a document for one audience, fanned out to its members."""

    def __init__(self, feeds: Feeds, key: FeedKey, run: RunAs, context: Context) -> None:
        self.feeds = feeds
        self.key = key
        self.members: set[Member] = set()
        # answers not yet sent: a round sends all of them, so under a burst of posts each
        # socket gets several events per write rather than one write per event
        self.pending: list[Any] = []
        self.sending: asyncio.Task[None] | None = None
        self.task = asyncio.get_running_loop().create_task(self._run(run, context))

    def _send(self, item: Any) -> None:
        self.pending.append(item)
        if self.sending is None:
            self.sending = asyncio.get_running_loop().create_task(self._rounds())

    async def _rounds(self) -> None:
        """Send what is pending to every member; then leave the loop to requests for a
        while (ROUND_PAUSE times the round, at most MAX_PAUSE_SECONDS), so a burst of posts
        is sent a few events per socket per round and posting keeps most of the process."""
        loop = asyncio.get_running_loop()
        try:
            while self.pending:
                items, self.pending = self.pending, []
                started = loop.time()
                for sent, member in enumerate(list(self.members), 1):
                    if member in self.members:  # not left since the round began
                        await member.deliver(items)
                    if sent % YIELD_EVERY == 0:
                        await asyncio.sleep(0)  # let requests in during a long round
                await asyncio.sleep(min(MAX_PAUSE_SECONDS, ROUND_PAUSE * (loop.time() - started)))
        finally:
            self.sending = None

    async def _run(self, run: RunAs, context: Context) -> None:
        ending: Any = END
        try:
            source = await run(context)
            try:
                async for result in source:
                    if _too_slow(result):
                        ending = Failed(SubscriberTooSlow())
                        break
                    self._send(shared(result))
            finally:
                await source.aclose()
        except asyncio.CancelledError:  # the last member left
            self.feeds.forget(self)
            if self.sending is not None:
                self.sending.cancel()
            raise
        except Exception as error:  # every member's operation fails as its own would have
            ending = Failed(error)
        self.feeds.forget(self)  # before the members learn: a newcomer starts a new feed
        self._send(ending)

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
