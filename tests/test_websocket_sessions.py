"""A websocket sees threads as its viewer may now: a bad token is refused, and a session that
ends (logout, password change, expiry) or an account that changes (role, ban) closes the
socket before the next event can show what the viewer may no longer see."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from service import events
from service.clock import clock
from service.models import Role
from tests.conftest import REDIS_URL
from tests.live_support import (
    LEGACY_WS,
    TRANSPORT_WS,
    Live,
    live_server,
    next_event,
    receive,
    subscribe,
    until_closed,
)
from tests.schema.moderation.helpers import BAN, REMOVE
from tests.served import create_user, serve
from tests.support import LOGIN, Api, Person, post_comment

EVENTS = 'subscription { commentEvents(articleId: "story-1") { kind comment { id body status } } }'
LOGOUT = "mutation { logout }"
SET_ROLE = """
mutation SetRole($userId: ID!, $role: Role!) { setUserRole(userId: $userId, role: $role) {
  __typename } }
"""
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }
"""
SECRET = "Text only staff may read once it is removed"


@pytest.fixture
def make_live(database_url: str) -> Callable[..., Any]:
    return live_server(database_url)


async def moderator_watching(live: Live) -> tuple[Person, Any, str]:
    """A moderator subscribed to story-1 who has seen a reader's comment arrive."""
    moderator = await live.api.person(Role.MODERATOR)
    reader = await live.api.person(subscriber=True)
    socket = await live.connect(moderator.token)
    await subscribe(socket, EVENTS)
    await events_ready()
    posted = await post_comment(live.api, reader, SECRET)
    assert (await next_event(socket))["comment"]["body"] == SECRET
    return moderator, socket, posted["id"]


async def events_ready() -> None:
    """The subscription is registered once the server has handled the subscribe message."""
    await asyncio.sleep(0.3)


async def remove(api: Api, comment_id: str) -> None:
    other = await api.person(Role.MODERATOR)
    result = await api.data(
        REMOVE, {"input": {"commentId": comment_id, "reason": "Rules"}}, token=other.token
    )
    assert result["removeComment"]["__typename"] == "Comment"


def saw_text(messages: list[dict[str, Any]]) -> bool:
    return SECRET in str(messages)


async def test_websocket_logout_closes_the_moderators_socket(make_live: Any) -> None:
    async with make_live() as live:
        # given
        moderator, socket, comment_id = await moderator_watching(live)

        # when
        assert (await live.api.data(LOGOUT, token=moderator.token))["logout"] is True
        await remove(live.api, comment_id)

        # then
        seen, code, reason = await until_closed(socket)
    assert not saw_text(seen)
    assert (code, reason) == (4401, "Session ended")


async def test_websocket_demoted_moderator_no_longer_sees_removed_text(make_live: Any) -> None:
    async with make_live() as live:
        moderator, socket, comment_id = await moderator_watching(live)
        admin = await live.api.person(Role.ADMIN)

        demoted = await live.api.data(
            SET_ROLE, {"userId": moderator.id, "role": "READER"}, token=admin.token
        )
        await remove(live.api, comment_id)

        seen, code, reason = await until_closed(socket)
    assert demoted["setUserRole"]["__typename"] == "User"
    assert not saw_text(seen)
    assert code == 4403
    assert "reconnect" in reason


async def test_websocket_password_change_closes_the_other_sessions_sockets(
    make_live: Any,
) -> None:
    async with make_live() as live:
        moderator, socket, comment_id = await moderator_watching(live)
        second = await live.connect(moderator.token)
        await subscribe(second, EVENTS)
        login = await live.api.data(
            LOGIN, {"input": {"email": moderator.email, "password": moderator.password}}
        )
        other_token = login["login"]["token"]

        changed = await live.api.data(
            CHANGE_PASSWORD,
            {"input": {"currentPassword": moderator.password, "newPassword": "a new passphrase!"}},
            token=other_token,
        )
        await remove(live.api, comment_id)

        seen, code, _ = await until_closed(socket)
        _, second_code, _ = await until_closed(second)
    assert changed["changePassword"]["__typename"] == "User"
    assert not saw_text(seen)
    assert code == second_code == 4401


async def test_websocket_banned_reader_socket_is_closed(make_live: Any) -> None:
    async with make_live() as live:
        reader = await live.api.person(subscriber=True)
        moderator = await live.api.person(Role.MODERATOR)
        socket = await live.connect(reader.token)
        await subscribe(socket, EVENTS)
        await events_ready()

        banned = await live.api.data(
            BAN, {"input": {"userId": reader.id, "reason": "Spam"}}, token=moderator.token
        )

        _, code, _ = await until_closed(socket)
    assert banned["banUser"]["__typename"] == "User"
    assert code == 4403


async def test_websocket_expired_session_closes_before_the_next_event(make_live: Any) -> None:
    async with make_live(session_ttl_seconds=60) as live:
        _, socket, comment_id = await moderator_watching(live)

        clock.advance(61)
        try:
            await remove(live.api, comment_id)
            seen, code, reason = await until_closed(socket)
        finally:
            clock.reset()
    assert not saw_text(seen)
    assert (code, reason) == (4401, "Session expired")


async def test_websocket_session_is_checked_again_without_a_signal(
    make_live: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a change no signal announces (another tool, a lost message) is still seen in time
    async with make_live(ws_session_check_seconds=0.2) as live:
        moderator, socket, _ = await moderator_watching(live)
        monkeypatch.setattr(events, "account_changed", _no_signal)

        assert (await live.api.data(LOGOUT, token=moderator.token))["logout"] is True

        _, code, _ = await until_closed(socket)
    assert code == 4401


async def _no_signal(user_id: int) -> None:
    return None


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_websocket_bad_token_is_refused(make_live: Any, protocol: str) -> None:
    async with make_live() as live:
        socket = await live.open_socket("not-a-token", protocol=protocol)

        seen, code, reason = await until_closed(socket)
    assert "connection_ack" not in str(seen)
    assert (code, reason) == (4401, "Unauthorized")


async def test_websocket_without_token_is_anonymous(make_live: Any) -> None:
    async with make_live() as live:
        reader = await live.api.person(subscriber=True)
        moderator = await live.api.person(Role.MODERATOR)
        posted = await post_comment(live.api, reader, SECRET)
        anonymous = await live.connect()
        await subscribe(anonymous, EVENTS)
        await events_ready()

        await live.api.data(
            REMOVE, {"input": {"commentId": posted["id"], "reason": "Rules"}}, token=moderator.token
        )

        event = await next_event(anonymous)
    assert event["comment"] == {"id": posted["id"], "body": None, "status": "REMOVED"}


async def test_websocket_signed_in_reader_keeps_their_view(make_live: Any) -> None:
    # the session checks leave a live session alone
    async with make_live(ws_session_check_seconds=0.1) as live:
        reader = await live.api.person(subscriber=True)
        socket = await live.connect(reader.token)
        await subscribe(socket, EVENTS)
        await events_ready()

        first = await post_comment(live.api, reader, "One")
        await events_ready()
        second = await post_comment(live.api, reader, "Two")

        bodies = [(await next_event(socket))["comment"]["body"] for _ in range(2)]
    assert (first["body"], second["body"]) == ("One", "Two")
    assert bodies == ["One", "Two"]


async def test_websocket_logout_on_another_instance_closes_the_socket(tmp_path: Path) -> None:
    if not REDIS_URL:
        pytest.skip("BTL_TEST_REDIS_URL is not set: the signal across instances is not tested")
    shared = {"BTL_REDIS_URL": REDIS_URL, "BTL_DATABASE_URL": f"sqlite://{tmp_path}/both.sqlite3"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with serve(tmp_path / "a", **shared) as first, serve(tmp_path / "b", **shared) as second:
        create_user(first, "mod@example.com", "a long moderator passphrase", "Mod", "MODERATOR")
        async with httpx.AsyncClient(base_url=second.url, timeout=30) as client:
            api = Api(client, None)  # type: ignore[arg-type]
            login = await api.data(
                LOGIN,
                {"input": {"email": "mod@example.com", "password": "a long moderator passphrase"}},
            )
            token = login["login"]["token"]
            socket = await websockets.connect(
                first.url.replace("http", "ws") + "/graphql", subprotocols=[TRANSPORT_WS]
            )
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
            await socket.send(json.dumps(init))
            assert (await receive(socket))["type"] == "connection_ack"
            await subscribe(socket, EVENTS)
            await events_ready()

            assert (await api.data(LOGOUT, token=token))["logout"] is True

            _, code, _ = await until_closed(socket)
    assert code == 4401
