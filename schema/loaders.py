"""Per-request DataLoaders, named after what they load. Built fresh in every context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from schema.loaders_legal import LegalLoaders
from service import ignores, loading, recommendations, reports, rules, threads
from service.accounts import is_staff
from service.models import (
    Article,
    Comment,
    CommentRevision,
    CommunityRules,
    Entitlement,
    Report,
    ReportReason,
    User,
)
from service.threads import Page

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
W = TypeVar("W")


def _loader(load: Callable[[list[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
    async def load_fn(keys: list[K]) -> Sequence[V]:
        return await load(keys)

    return DataLoader(load_fn=load_fn)


def _by_page_size(
    load: Callable[..., Awaitable[dict[int, Page[V]]]],
) -> Callable[[list[tuple[int, int]]], Awaitable[list[Page[V]]]]:
    """Keys are (owner id, page size): one query per page size asked, for every owner."""

    async def pages(keys: list[tuple[int, int]]) -> list[Page[V]]:
        found: dict[tuple[int, int], Page[V]] = {}
        for size in {first for _, first in keys}:
            owners = [owner for owner, first in keys if first == size]
            found.update({(o, size): p for o, p in (await load(owners, first=size)).items()})
        return [found[key] for key in keys]

    return pages


class Loaders:
    """One request's loaders, each built on first use (most requests need one or two)."""

    def __init__(self, viewer: User | None) -> None:
        self.viewer = viewer
        self.staff = is_staff(viewer)

    @cached_property
    def user_by_id(self) -> DataLoader[int, User | None]:
        return _loader(loading.users_by_id)

    @cached_property
    def article_by_id(self) -> DataLoader[str, Article]:
        return _loader(loading.articles_by_id)

    @cached_property
    def comment_by_id(self) -> DataLoader[int, Comment | None]:
        return _loader(loading.comments_by_id)

    @cached_property
    def entitlements_by_user_id(self) -> DataLoader[int, list[Entitlement]]:
        return _loader(loading.entitlements_by_user_id)

    @cached_property
    def revisions_by_comment_id(self) -> DataLoader[int, list[CommentRevision]]:
        return _loader(loading.revisions_by_comment_id)

    @cached_property
    def first_replies_by_parent(self) -> DataLoader[tuple[int, int], Page[Comment]]:
        staff = self.staff
        viewer_id = self.viewer.id if self.viewer is not None else None

        async def first_replies(parents: list[int], *, first: int) -> dict[int, Page[Comment]]:
            return await threads.first_replies(
                parents, first=first, staff=staff, viewer_id=viewer_id
            )

        return _loader(_by_page_size(first_replies))

    @cached_property
    def first_reports_by_comment(self) -> DataLoader[tuple[int, int], Page[Report]]:
        return _loader(_by_page_size(reports.first_pages))

    @cached_property
    def reported_ids_by_article(self) -> DataLoader[str, frozenset[int]]:
        viewer = self.viewer

        async def reported_ids(article_ids: list[str]) -> list[frozenset[int]]:
            if viewer is None:
                return [frozenset() for _ in article_ids]
            return await loading.reported_comment_ids(viewer.id, article_ids)

        return _loader(reported_ids)

    @cached_property
    def recommended_ids_by_article(self) -> DataLoader[str, frozenset[int]]:
        viewer = self.viewer

        async def recommended_ids(article_ids: list[str]) -> list[frozenset[int]]:
            if viewer is None:
                return [frozenset() for _ in article_ids]
            return await recommendations.recommended_ids(viewer.id, article_ids)

        return _loader(recommended_ids)

    @cached_property
    def ignored_ids_by_user(self) -> DataLoader[int, frozenset[int]]:
        return _loader(ignores.ignored_ids)

    @cached_property
    def current_rules(self) -> DataLoader[str, CommunityRules | None]:
        async def current_rules(keys: list[str]) -> list[CommunityRules | None]:
            latest = await rules.current()
            return [latest for _ in keys]

        return _loader(current_rules)

    @cached_property
    def open_reasons_by_comment_id(self) -> DataLoader[int, list[ReportReason]]:
        return _loader(reports.open_reasons)

    @cached_property
    def legal(self) -> LegalLoaders:
        return LegalLoaders()


async def related(loader: DataLoader[Any, Any], key: Any, wrap: Callable[..., W]) -> W | None:
    """The object a row points at (`key`, null for none), loaded in the request's batch and
    wrapped in its GraphQL type; None when there is none."""
    if key is None:
        return None
    found = await loader.load(key)
    return wrap(model=found) if found is not None else None
