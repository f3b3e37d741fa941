"""Two real btl processes on one PostgreSQL database and one Redis behave as one service:
a write on one is read fresh on the other (signed out too, after the other cached the
page), live events and notifications reach websocket subscribers of both, rate limits and
persisted queries are shared, and due jobs run once though both schedulers run."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.live_support import TRANSPORT_WS, receive, subscribe
from tests.mailbox import Mailbox, smtp_server
from tests.served import Served, create_user, free_port, fresh_postgres, serve, wait_for_port
from tests.support import LOGIN, POST

PASSWORD = "a long fleet passphrase"
COMMENT_LIMIT = 5
REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { __typename ... on AuthSession { token user { id } } }
}
"""
GRANT = """
mutation Grant($input: GrantEntitlementInput!) {
  grantEntitlement(input: $input) { __typename }
}
"""
THREAD = """
query Thread($id: ID!) {
  article(id: $id) { commentCount comments(first: 20) { edges { node { id body } } } }
}
"""
SUBMIT_NOTICE = """
mutation Notice($input: SubmitNoticeInput!) { submitNotice(input: $input) { __typename } }
"""


@dataclass
class Fleet:
    one: httpx.AsyncClient
    two: httpx.AsyncClient
    servers: tuple[Served, Served]
    admin: str  # an admin's token
    mailbox: Mailbox
    database_url: str
    redis_url: str

    async def reader(self, name: str) -> tuple[str, str]:
        """A subscriber, registered on one instance and granted on the other: (id, token)."""
        email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
        variables = {"input": {"email": email, "password": PASSWORD, "displayName": name}}
        registered = await data(self.one, REGISTER, variables)
        session = registered["register"]
        assert session["__typename"] == "AuthSession", session
        grant = {"userId": session["user"]["id"], "product": "digital"}
        granted = await data(
            self.two, GRANT, {"input": {**grant, "startsAt": "2020-01-01T00:00:00Z"}}, self.admin
        )
        assert granted["grantEntitlement"]["__typename"] == "Entitlement", granted
        return session["user"]["id"], session["token"]


async def data(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def post(
    client: httpx.AsyncClient, token: str, article: str, body: str, parent: str | None = None
) -> dict[str, Any]:
    extra = {"parentId": parent} if parent else {}
    variables = {"input": {"articleId": article, "body": body, **extra}}
    answer = await data(client, POST, variables, token)
    posted: dict[str, Any] = answer["postComment"]
    return posted


async def thread(client: httpx.AsyncClient, article: str) -> dict[str, Any]:
    """The thread as a signed-out reader reads it: GET, the publicly cached way."""
    response = await client.get(
        "/graphql", params={"query": THREAD, "variables": json.dumps({"id": article})}
    )
    assert response.status_code == 200, response.text
    article_data: dict[str, Any] = response.json()["data"]["article"]
    return article_data


def bodies(article: dict[str, Any]) -> list[str]:
    return [edge["node"]["body"] for edge in article["comments"]["edges"]]


@pytest.fixture(scope="module")
def fleet_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, ...]]:
    if not (POSTGRES_URL and REDIS_URL):
        pytest.skip(
            "two instances need one PostgreSQL and one Redis: set BTL_TEST_POSTGRES_URL "
            "and BTL_TEST_REDIS_URL"
        )
    import redis

    # a loop of its own, leaving the suite's event loop where it is (asyncio.run would not)
    loop = asyncio.new_event_loop()
    try:
        database_url = loop.run_until_complete(fresh_postgres(POSTGRES_URL, "fleet"))
    finally:
        loop.close()
    redis.Redis.from_url(REDIS_URL).flushdb()
    root = tmp_path_factory.mktemp("fleet")
    with ExitStack() as stack:
        mailbox = stack.enter_context(smtp_server(Mailbox(free_port())))
        shared = {
            "BTL_DATABASE_URL": database_url,
            "BTL_REDIS_URL": REDIS_URL,
            "BTL_RATE_LIMIT_COMMENTS": f"{COMMENT_LIMIT}/600",
            "BTL_JOBS_INTERVAL_SECONDS": "0.1",
            "BTL_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}",
            "BTL_MAIL_FROM": "legal@paper.example",
        }
        servers = []
        for name in ("one", "two"):
            (root / name).mkdir()
            first = not servers
            servers.append(stack.enter_context(serve(root / name, migrate=first, **shared)))
        create_user(servers[0], "admin@example.com", PASSWORD, "Admin", "ADMIN")
        yield servers[0], servers[1], mailbox, database_url, REDIS_URL


@pytest.fixture
async def fleet(fleet_servers: tuple[Any, ...]) -> AsyncIterator[Fleet]:
    one, two, mailbox, database_url, redis_url = fleet_servers
    async with (
        httpx.AsyncClient(base_url=one.url, timeout=30) as first,
        httpx.AsyncClient(base_url=two.url, timeout=30) as second,
    ):
        variables = {"input": {"email": "admin@example.com", "password": PASSWORD}}
        admin = (await data(second, LOGIN, variables))["login"]["token"]
        yield Fleet(first, second, (one, two), admin, mailbox, database_url, redis_url)


def cached_answers(redis_url: str) -> int:
    import redis

    return len(redis.Redis.from_url(redis_url).keys("btl:answer:*"))


async def test_a_write_on_one_is_read_fresh_on_the_other(fleet: Fleet) -> None:
    # given: the other instance has read and cached the signed-out page
    article = f"fleet-{uuid.uuid4().hex[:8]}"
    _, token = await fleet.reader("Writer")
    await post(fleet.one, token, article, "first")
    cached_before = cached_answers(fleet.redis_url)
    assert bodies(await thread(fleet.two, article)) == ["first"]
    assert bodies(await thread(fleet.two, article)) == ["first"]
    assert cached_answers(fleet.redis_url) > cached_before
    assert bodies(await thread(fleet.one, article)) == ["first"]  # the shared entry

    # when: a comment is posted on the first instance
    await post(fleet.one, token, article, "second")

    # then: both read it at once, signed out and signed in
    for client in (fleet.two, fleet.one):
        read = await thread(client, article)
        assert (read["commentCount"], bodies(read)) == (2, ["second", "first"])
    signed_in = await data(fleet.two, THREAD, {"id": article}, token)
    assert bodies(signed_in["article"]) == ["second", "first"]


async def _socket(served: Served, token: str, query: str) -> ClientConnection:
    socket = await websockets.connect(
        served.url.replace("http", "ws", 1) + "/graphql", subprotocols=[TRANSPORT_WS]
    )
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    await socket.send(json.dumps(init))
    assert (await receive(socket))["type"] == "connection_ack"
    await subscribe(socket, query)
    return socket


async def _next(socket: ClientConnection, field: str) -> dict[str, Any]:
    message = await receive(socket)
    assert message["type"] == "next", message
    payload: dict[str, Any] = message["payload"]["data"][field]
    return payload


async def test_live_events_and_notifications_reach_subscribers_of_both(fleet: Fleet) -> None:
    # given: an author listening on both instances, to the thread and to their notifications
    article = f"live-{uuid.uuid4().hex[:8]}"
    _, author = await fleet.reader("Author")
    _, replier = await fleet.reader("Replier")
    events = (
        f'subscription {{ commentEvents(articleId: "{article}") {{ kind comment {{ body }} }} }}'
    )
    inbox = "subscription { notificationEvents { kind comment { body } } }"
    one, two = fleet.servers
    sockets = [
        await _socket(one, author, events),
        await _socket(two, author, events),
        await _socket(one, author, inbox),
        await _socket(two, author, inbox),
    ]
    await asyncio.sleep(0.5)  # each server has handled its subscribe message
    try:
        # when: the author posts on one instance and is replied to on the other
        parent = await post(fleet.one, author, article, "Thoughts?")
        await post(fleet.two, replier, article, "Yes", parent["id"])

        # then: every socket hears of it
        thread_events = [
            [await _next(socket, "commentEvents") for _ in range(2)] for socket in sockets[:2]
        ]
        notifications = [await _next(socket, "notificationEvents") for socket in sockets[2:]]
    finally:
        for socket in sockets:
            await socket.close()
    seen = [[(e["kind"], e["comment"]["body"]) for e in each] for each in thread_events]
    assert seen == [[("ADDED", "Thoughts?"), ("ADDED", "Yes")]] * 2
    assert notifications == [{"kind": "REPLY", "comment": {"body": "Yes"}}] * 2


async def test_rate_limits_are_shared(fleet: Fleet) -> None:
    # given: a reader who posted up to the limit, across both instances
    article = f"limits-{uuid.uuid4().hex[:8]}"
    _, token = await fleet.reader("Eager")
    clients = [fleet.one, fleet.two]
    posted = [
        (await post(clients[n % 2], token, article, f"n{n}"))["__typename"]
        for n in range(COMMENT_LIMIT)
    ]

    # when: one more on the instance that saw fewer of them
    refused = await post(fleet.two, token, article, "one too many")

    # then
    assert posted == ["Comment"] * COMMENT_LIMIT
    assert refused["__typename"] == "RateLimited"


async def test_persisted_queries_registered_on_one_are_served_by_the_other(fleet: Fleet) -> None:
    # given: a document neither instance has seen (unique by its article)
    article = f"apq-{uuid.uuid4().hex[:8]}"
    query = f'{{ article(id: "{article}") {{ id commentCount }} }}'
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": digest}})
    unknown = await fleet.two.get("/graphql", params={"extensions": extensions})

    # when: the first instance is told it
    told = await fleet.one.get("/graphql", params={"query": query, "extensions": extensions})

    # then: the second serves it by its hash alone
    by_hash = await fleet.two.get("/graphql", params={"extensions": extensions})
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert told.status_code == 200, told.text
    assert by_hash.status_code == 200, by_hash.text
    assert by_hash.json() == {"data": {"article": {"id": article, "commentCount": 0}}}


async def test_due_jobs_run_once_with_both_schedulers_running(fleet: Fleet) -> None:
    # given: a comment, and both instances' schedulers claiming due jobs every 0.1 s
    article = f"jobs-{uuid.uuid4().hex[:8]}"
    _, token = await fleet.reader("Poster")
    comment = await post(fleet.one, token, article, "Said something")
    tag = uuid.uuid4().hex[:8]
    notifiers = [f"nora-{tag}-{n}@example.org" for n in range(6)]

    # when: notices arrive on both, each queueing a receipt mail (a due job)
    for n, notifier in enumerate(notifiers):
        notice = {
            "commentId": comment["id"],
            "kind": "ILLEGAL_CONTENT",
            "explanation": "Illegal",
            "legalGround": "Some Act",
            "notifierName": f"Nora {n}",
            "notifierEmail": notifier,
            "goodFaith": True,
        }
        receipt = await data((fleet.one, fleet.two)[n % 2], SUBMIT_NOTICE, {"input": notice})
        assert receipt["submitNotice"]["__typename"] == "NoticeReceipt", receipt

    def received() -> list[str]:
        return [mail["To"] for mail in fleet.mailbox.received if mail["To"] in notifiers]

    for _ in range(100):
        if len(received()) >= len(notifiers):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # ten more rounds of both schedulers: a second delivery would show

    # then: each receipt was sent once, each job claimed once
    assert sorted(received()) == sorted(notifiers)
    jobs = await _jobs(fleet.database_url)
    assert jobs and all(job["done_at"] is not None and job["attempts"] == 1 for job in jobs)


async def _jobs(database_url: str) -> list[dict[str, Any]]:
    import asyncpg

    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await conn.fetch("SELECT kind, attempts, done_at, claimed_by FROM jobs")
    finally:
        await conn.close()
    return [dict(row) for row in rows if row["kind"] == "mail.deliver"]


@pytest.fixture(scope="module")
def balancer(
    fleet_servers: tuple[Any, ...], repo_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """deploy/haproxy.cfg as compose.yaml runs it, but listening on a free port here and
    pointing at the two served instances; its URL."""
    if shutil.which("haproxy") is None:
        pytest.skip("haproxy is not installed: the load balancer's configuration is not run")
    one, two = fleet_servers[:2]
    port = free_port()
    config = (repo_root / "deploy" / "haproxy.cfg").read_text()
    config = config.replace("bind :8080", f"bind 127.0.0.1:{port}")
    for name, served in (("btl-1", one), ("btl-2", two)):
        address = served.url.removeprefix("http://")
        config = config.replace(f"server {name} {name}:8000", f"server {name} {address}")
    path = tmp_path_factory.mktemp("haproxy") / "haproxy.cfg"
    path.write_text(config)
    process = subprocess.Popen(
        ["haproxy", "-db", "-f", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_the_load_balancer_passes_requests_and_websockets(
    fleet: Fleet, balancer: str
) -> None:
    # given: a reader listening to a thread through the balancer
    article = f"lb-{uuid.uuid4().hex[:8]}"
    _, token = await fleet.reader("Balanced")
    events = f'subscription {{ commentEvents(articleId: "{article}") {{ comment {{ body }} }} }}'
    socket = await _socket(Served(balancer, {}), token, events)
    await asyncio.sleep(0.5)  # the server has handled the subscribe message
    try:
        async with httpx.AsyncClient(base_url=balancer, timeout=30) as client:
            # when: comments are posted through it, each request on a new connection
            for n in range(4):
                variables = {"input": {"articleId": article, "body": f"via lb {n}"}}
                headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
                response = await client.post(
                    "/graphql", json={"query": POST, "variables": variables}, headers=headers
                )
                assert response.json()["data"]["postComment"]["__typename"] == "Comment"
            ready = await client.get("/readyz")

        # then: the socket through the balancer hears every one
        heard = [(await _next(socket, "commentEvents"))["comment"]["body"] for _ in range(4)]
    finally:
        await socket.close()
    assert ready.status_code == 200
    assert heard == [f"via lb {n}" for n in range(4)]
