"""Open websockets, and the viewers they were opened as.

A socket signs in once, at connection_init, and keeps that viewer, so what it may see can
change under it: the session is revoked (logout, a password change elsewhere) or expires,
or the account changes (role, ban, suspension). Such a socket is closed before it is sent
another event: 4401 when the session ended (sign in again), 4403 when the account changed
(reconnect, and see threads as you now may).

A socket is checked (a) at once when the domain announces an account change
(events.account_changed, through the broadcaster, so on every instance): the user's
sockets are marked unconfirmed before any later event reaches them, and their events wait
for the check; (b) every BTL_WS_SESSION_CHECK_SECONDS, all of a process's signed-in sockets
in one query per 500 sessions, for changes nothing announced; (c) against the session's
expiry before each event, which costs no query.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any

from service import events, sessions
from service.clock import now
from service.models import User

logger = logging.getLogger("btl.live")
CloseSocket = Callable[[int, str], Coroutine[Any, Any, None]]
SESSION_ENDED = (4401, "Session ended")
SESSION_EXPIRED = (4401, "Session expired")
ACCOUNT_CHANGED = (4403, "Account changed; reconnect")
NOT_CHECKED = (1013, "Could not check the session; reconnect")
TOO_SLOW = (1013, "Events waited past BTL_WS_QUEUE_EVENTS; reconnect")
CHECK_BATCH = 500


def same_view(before: User, after: User) -> bool:
    """Whether the account still sees threads as it did (role, ban, suspension)."""
    return (before.role, before.banned, before.suspended_until) == (
        after.role,
        after.banned,
        after.suspended_until,
    )


@dataclass(eq=False, slots=True)  # thousands of them, mostly idle
class LiveConnection:
    """One websocket: who it signed in as, how many operations it runs, how to close it."""

    close_socket: CloseSocket
    registry: LiveConnections
    session: sessions.LiveSession | None = None
    subscriptions: int = 0
    closed: tuple[int, str] | None = None
    pending_check: asyncio.Future[None] | None = None
    _closing: asyncio.Task[None] | None = None

    @property
    def viewer(self) -> User | None:
        return self.session.user if self.session else None

    async def confirm(self) -> bool:
        """Whether the next event may still go out to this socket as its viewer."""
        if self.pending_check is not None:
            await asyncio.shield(self.pending_check)
        if self.closed is None and self.session and now() >= self.session.expires_at:
            self.close(*SESSION_EXPIRED)
        return self.closed is None

    def close(self, code: int, reason: str) -> None:
        """Closed from now on; the close frame goes out when the socket can take it (a
        stalled client must not hold up the checks of everyone else)."""
        if self.closed is None:
            self.closed = (code, reason)
            self._closing = asyncio.get_running_loop().create_task(self.close_socket(code, reason))


class LiveConnections:
    """A process's websockets: the subscriptions they run, the viewers they were opened as."""

    def __init__(self, check_seconds: float) -> None:
        self.check_seconds = check_seconds
        self.subscriptions = 0
        self.signed_in: dict[int, set[LiveConnection]] = {}  # by user id
        self._unwatch: Callable[[], None] | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._checks: set[asyncio.Task[None]] = set()

    def watch(self, connection: LiveConnection) -> None:
        """Keep a signed-in socket's viewer checked until `forget`."""
        assert connection.session is not None
        self.signed_in.setdefault(connection.session.user.id, set()).add(connection)
        if self._unwatch is None:
            self._unwatch = events.watch_accounts(self._account_changed)
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    def forget(self, connection: LiveConnection) -> None:
        if connection.session is None:
            return
        user_id = connection.session.user.id
        connections = self.signed_in.get(user_id, set())
        connections.discard(connection)
        if not connections:
            self.signed_in.pop(user_id, None)
        if not self.signed_in and self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
            if self._sweeper is not None:
                self._sweeper.cancel()
                self._sweeper = None

    def _account_changed(self, user_id: int) -> None:
        connections = list(self.signed_in.get(user_id, ()))
        if not connections:
            return
        done = asyncio.get_running_loop().create_future()
        for connection in connections:
            connection.pending_check = done
        task = asyncio.get_running_loop().create_task(self._check_now(connections, done))
        self._checks.add(task)
        task.add_done_callback(self._checks.discard)

    async def _check_now(
        self, connections: list[LiveConnection], done: asyncio.Future[None]
    ) -> None:
        try:
            await self.check(connections)
        except Exception:
            logger.exception("could not check the sessions of a changed account")
            for connection in connections:  # it changed, and we can't tell how: close
                connection.close(*NOT_CHECKED)
        finally:
            done.set_result(None)
            for connection in connections:
                if connection.pending_check is done:
                    connection.pending_check = None

    async def check(self, connections: Collection[LiveConnection]) -> None:
        """Close the sockets whose session ended or whose account changed (one query)."""
        opened = {c: c.session for c in connections if c.session and c.closed is None}
        live = await sessions.live_sessions({s.session_id for s in opened.values()})
        for connection, session in opened.items():
            found = live.get(session.session_id)
            if found is None:
                expired = now() >= session.expires_at
                connection.close(*(SESSION_EXPIRED if expired else SESSION_ENDED))
            elif not same_view(session.user, found.user):
                connection.close(*ACCOUNT_CHANGED)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            everyone = [c for group in self.signed_in.values() for c in group]
            for start in range(0, len(everyone), CHECK_BATCH):
                try:
                    await self.check(everyone[start : start + CHECK_BATCH])
                except Exception:  # the database is away: try again next round
                    logger.warning("could not check websocket sessions", exc_info=True)
