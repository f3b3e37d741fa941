"""Against a served btl: notificationEvents over a real websocket, and the scheduler the app
starts delivering mail by itself to a real local SMTP server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.mailbox import Mailbox, smtp_server
from tests.served import create_user, free_port, serve
from tests.test_live_events import PASSWORD, login

websockets = pytest.importorskip("websockets", reason="the websockets client is not installed")

SUBSCRIBE = "subscription { notificationEvents { kind comment { id body } } }"


async def graphql(client: httpx.AsyncClient, token: str | None, query: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = await client.post("/graphql", headers=headers, json={"query": query})
    data: dict[str, Any] = answer.json()["data"]
    return data


async def next_notification(socket: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=20))
        if message["type"] == "next":
            data: dict[str, Any] = message["payload"]["data"]["notificationEvents"]
            return data
        assert message["type"] in {"ping", "pong"}, message


async def test_a_reply_reaches_the_author_live_and_a_receipt_goes_by_mail(tmp_path: Path) -> None:
    with (
        smtp_server(Mailbox(free_port())) as mailbox,
        serve(
            tmp_path,
            BTL_SMTP_URL=f"smtp://127.0.0.1:{mailbox.port}",
            BTL_MAIL_FROM="legal@paper.example",
            BTL_JOBS_INTERVAL_SECONDS="0.2",
        ) as served,
    ):
        for who in ("author", "replier"):
            create_user(served, f"{who}@example.com", PASSWORD, who.title(), "MODERATOR")
        async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
            author = await login(client, "author@example.com")
            replier = await login(client, "replier@example.com")
            socket = await websockets.connect(
                served.url.replace("http", "ws") + "/graphql",
                subprotocols=["graphql-transport-ws"],
            )
            await socket.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {author}"}}
                )
            )
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            await socket.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
            )
            await asyncio.sleep(1)  # the subscription is registered (a loaded machine is slow)

            posted = await graphql(
                client,
                author,
                'mutation { postComment(input: {articleId: "live-2", body: "Thoughts?"}) '
                "{ ... on Comment { id } } }",
            )
            parent = posted["postComment"]["id"]
            replied = await graphql(
                client,
                replier,
                f'mutation {{ postComment(input: {{articleId: "live-2", body: "Yes", '
                f'parentId: "{parent}"}}) {{ ... on Comment {{ id }} }} }}',
            )
            event = await next_notification(socket)
            await socket.close()

            receipt = await graphql(
                client,
                None,
                f'mutation {{ submitNotice(input: {{commentId: "{parent}", kind: '
                'ILLEGAL_CONTENT, explanation: "Illegal", legalGround: "Some Act", '
                'notifierName: "Nora", notifierEmail: "nora@example.org", goodFaith: true}) '
                "{ ... on NoticeReceipt { id } } }",
            )
            # the app's scheduler delivers it within a few of its 0.2 s rounds (the reply's
            # mail to the author may come first: wait for Nora's own)
            mails = await asyncio.to_thread(mailbox.wait_for, "nora@example.org", 10)

    reply = replied["postComment"]["id"]
    assert event == {"kind": "REPLY", "comment": {"id": reply, "body": "Yes"}}
    [mail] = mails
    assert receipt["submitNotice"]["id"] in mail["Subject"]
