"""Every field declares who may see it; the cache, the overlay and private fields follow that.

The walk below fails on any field added without an audience, on a private field that could
not answer null, and on a public type that says nothing of how its answers stay fresh.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import strawberry
from graphql import GraphQLNonNull, GraphQLObjectType

from schema.audience import CARRIED, Audience, field_audiences, public_field, viewer_field
from schema.context import Info
from schema.freshness import note_article
from schema.schema import schema as served_schema
from schema.types.articles import ArticleType
from service import articles
from service.config import Settings
from service.models import Article
from tests.support import Api
from web.app import create_app

GRAPHQL = served_schema._schema
ROOTS = {"Query", "Mutation", "Subscription"}


def _object_types() -> list[GraphQLObjectType]:
    return [
        t
        for t in GRAPHQL.type_map.values()
        if isinstance(t, GraphQLObjectType) and not t.name.startswith("__")
    ]


def test_every_field_of_the_schema_declares_an_audience() -> None:
    undeclared = sorted(f"{t}.{f}" for (t, f), a in field_audiences(GRAPHQL).items() if a is None)

    assert undeclared == []


def test_fields_that_answer_null_to_others_are_nullable() -> None:
    wrong = []
    for type_ in _object_types():
        for name, field in type_.fields.items():
            definition = field.extensions["strawberry-definition"]
            nulls = any(type(e).__name__ == "_OnlyFor" for e in definition.extensions)
            if nulls and isinstance(field.type, GraphQLNonNull):
                wrong.append(f"{type_.name}.{name}")

    assert wrong == []


def test_types_with_self_fields_say_whose_they_are() -> None:
    audiences = field_audiences(GRAPHQL)
    missing = []
    for type_ in _object_types():
        selfish = any(
            audiences[(type_.name, name)] is Audience.SELF
            and type(e).__name__ == "_OnlyFor"
            for name, field in type_.fields.items()
            for e in field.extensions["strawberry-definition"].extensions
        )
        origin = type_.extensions["strawberry-definition"].origin
        if selfish and not isinstance(getattr(origin, "owner_id", None), property):
            missing.append(type_.name)

    assert missing == []


def test_public_types_say_how_their_answers_stay_fresh() -> None:
    """Either its objects note what they depend on as they are made, or it is only ever part
    of the field that returns it (connections, edges, errors)."""
    audiences = field_audiences(GRAPHQL)
    silent = []
    for type_ in _object_types():
        if type_.name in ROOTS:
            continue
        public = any(audiences[(type_.name, n)] is Audience.PUBLIC for n in type_.fields)
        origin = type_.extensions["strawberry-definition"].origin
        notes = "__post_init__" in vars(origin)
        if public and not notes and not getattr(origin, CARRIED, False):
            silent.append(type_.name)

    assert silent == []


# ---------------------------------------------------------------- a throwaway field


@strawberry.type(name="StoryPage")
class StoryPage:
    """A story's count with `viewerName` (the viewer's own display name), declared VIEWER."""

    model: strawberry.Private[Article]

    def __post_init__(self) -> None:
        note_article(self.model)

    @public_field
    def comment_count(self) -> int:
        return self.model.comment_count

    @viewer_field
    def viewer_name(self, info: Info) -> str | None:
        viewer = info.context.viewer
        return viewer.display_name if viewer else None


@strawberry.type(name="StoryPage")
class MisdeclaredStoryPage(StoryPage):
    """The same field, wrongly declared PUBLIC."""

    @public_field
    def viewer_name(self, info: Info) -> str | None:
        viewer = info.context.viewer
        return viewer.display_name if viewer else None


@strawberry.type(name="Query")
class QueryWithViewerName:
    @public_field
    async def story(self, id: strawberry.ID) -> StoryPage:
        return StoryPage(model=await articles.get(str(id)))

    @public_field
    async def article(self, id: strawberry.ID) -> ArticleType:
        return ArticleType(model=await articles.get(str(id)))


@strawberry.type(name="Query")
class QueryWithMisdeclaredName:
    @public_field
    async def story(self, id: strawberry.ID) -> MisdeclaredStoryPage:
        return MisdeclaredStoryPage(model=await articles.get(str(id)))

    @public_field
    async def article(self, id: strawberry.ID) -> ArticleType:
        return ArticleType(model=await articles.get(str(id)))


# with a VIEWER field the overlay fills, so a signed-in reader's page could be overlaid
PAGE = """
query Page {
  story(id: "story-1") { commentCount viewerName }
  article(id: "story-1") { commentPermission { allowed } }
}
"""


async def _api_with(database_url: str, query: type) -> Api:
    app = create_app(Settings(database_url=database_url), manage_database=False, query=query)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    return Api(httpx.AsyncClient(transport=transport, base_url="http://btl.test"), app)


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_viewer_field_never_comes_from_a_shared_answer(
    api: Api, database_url: str, method: str
) -> None:
    # given two readers and a signed-out answer already cached
    ada = await api.person(name="Ada")
    bob = await api.person(name="Bob")
    throwaway = await _api_with(database_url, QueryWithViewerName)

    async def ask(token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "GET":
            response = await throwaway.client.get(
                "/graphql", params={"query": PAGE}, headers=headers
            )
        else:
            response = await throwaway.client.post(
                "/graphql", json={"query": PAGE}, headers=headers
            )
        return response.json()["data"]["story"]["viewerName"]

    async with throwaway.client:
        assert await ask(None) is None
        assert await ask(None) is None  # served from the public cache

        # when each reader asks, then
        assert await ask(ada.token) == "Ada"
        assert await ask(bob.token) == "Bob"
        assert await ask(None) is None


async def test_the_same_field_declared_public_would_be_shared(
    api: Api, database_url: str
) -> None:
    """The control: the declaration, not the resolver, decides (wrongly declared PUBLIC, the
    overlay hands a reader the signed-out value)."""
    ada = await api.person(name="Ada")
    throwaway = await _api_with(database_url, QueryWithMisdeclaredName)

    async with throwaway.client:
        await throwaway.data(PAGE)
        answer = await throwaway.data(PAGE, token=ada.token)

    assert answer["story"]["viewerName"] is None
