"""Test helpers: a GraphQL client over the ASGI app, and quick ways to set up people."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from service import accounts
from service.clock import now
from service.models import Entitlement, Role

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@dataclass
class Person:
    id: str
    email: str
    display_name: str
    token: str
    password: str = PASSWORD


@dataclass
class Api:
    client: httpx.AsyncClient
    app: Starlette
    tokens: dict[str, str] = field(default_factory=dict)

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        response = await self.raw(query, variables, token, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.gql(query, variables, token)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> str:
        body = await self.gql(query, variables, token)
        assert body.get("errors"), body
        code: str = body["errors"][0]["extensions"]["code"]
        return code

    async def person(
        self, role: Role = Role.READER, *, subscriber: bool = False, name: str | None = None
    ) -> Person:
        """A signed-in account, made through the domain (the GraphQL path has its own tests)."""
        n = next(_numbers)
        display_name = name or f"Reader {n}"
        email = f"person{n}@example.com"
        user = await accounts.create_user(
            email=email, password=PASSWORD, display_name=display_name, role=role
        )
        if subscriber:
            await Entitlement.create(
                user=user, product="digital", starts_at=now() - timedelta(days=1), created_at=now()
            )
        body = await self.data(LOGIN, {"input": {"email": email, "password": PASSWORD}})
        return Person(str(user.id), email, display_name, body["login"]["token"])


LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AuthSession { token expiresAt user { id email } }
    ... on Error { message }
    ... on RateLimited { retryAfterSeconds }
  }
}
"""

POST = """
mutation Post($input: PostCommentInput!) {
  postComment(input: $input) {
    __typename
    ... on Comment { id body status replyCount createdAt author { id displayName } }
    ... on InvalidInput { field message }
    ... on SubscriptionRequired { subscribeUrl }
    ... on RulesNotAccepted { rules { version } }
    ... on AccountSuspended { until }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}
"""


async def post_comment(
    api: Api, person: Person, body: str = "First!", article: str = "story-1", **extra: Any
) -> dict[str, Any]:
    result = await api.data(
        POST, {"input": {"articleId": article, "body": body, **extra}}, token=person.token
    )
    posted: dict[str, Any] = result["postComment"]
    return posted
