"""commentEvents over a real websocket (graphql-transport-ws) against a served btl."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.served import create_user, serve

websockets = pytest.importorskip("websockets", reason="the websockets client is not installed")

SUBSCRIBE = (
    'subscription { commentEvents(articleId: "live-1") { kind comment { id body status } } }'
)
PASSWORD = "a long moderator passphrase"


async def login(client: httpx.AsyncClient, email: str) -> str:
    answer = await client.post(
        "/graphql",
        json={
            "query": f'mutation {{ login(input: {{email: "{email}", password: "{PASSWORD}"}}) '
            "{ ... on AuthSession { token } } }"
        },
    )
    token: str = answer.json()["data"]["login"]["token"]
    return token


async def next_event(socket: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        if message["type"] == "next":
            data: dict[str, Any] = message["payload"]["data"]["commentEvents"]
            return data
        assert message["type"] in {"ping", "pong"}, message


async def open_subscription(url: str, token: str | None) -> Any:
    socket = await websockets.connect(
        url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return socket


async def test_readers_and_moderators_see_a_thread_change_live(tmp_path: Path) -> None:
    with serve(tmp_path) as served:
        create_user(served, "mod@example.com", PASSWORD, "Live Moderator", "MODERATOR")
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            token = await login(client, "mod@example.com")
            reader = await open_subscription(served.url, None)
            moderator = await open_subscription(served.url, token)
            await asyncio.sleep(0.3)  # both subscriptions registered

            posted = await client.post(
                "/graphql",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "query": 'mutation { postComment(input: {articleId: "live-1", '
                    'body: "Breaking"}) { ... on Comment { id } } }'
                },
            )
            comment_id = posted.json()["data"]["postComment"]["id"]
            added = [await next_event(reader), await next_event(moderator)]
            await client.post(
                "/graphql",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "query": f'mutation {{ deleteComment(id: "{comment_id}") {{ __typename }} }}'
                },
            )
            withdrawn_for_reader = await next_event(reader)
            withdrawn_for_moderator = await next_event(moderator)
            await reader.close()
            await moderator.close()

    expected = {"id": comment_id, "body": "Breaking", "status": "PUBLISHED"}
    assert added == [{"kind": "ADDED", "comment": expected}] * 2
    assert withdrawn_for_reader == {
        "kind": "UPDATED",
        "comment": {"id": comment_id, "body": None, "status": "WITHDRAWN"},
    }
    assert withdrawn_for_moderator["comment"]["body"] == "Breaking"  # moderators keep the text
