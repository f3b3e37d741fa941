"""Per-request DataLoaders, named after what they load. Built fresh in every context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from service import loading, reports, rules, threads
from service.accounts import is_staff
from service.models import (
    Article,
    Comment,
    CommentRevision,
    CommunityRules,
    Entitlement,
    ReportReason,
    User,
)
from service.threads import Page

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _loader(load: Callable[[list[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
    async def load_fn(keys: list[K]) -> Sequence[V]:
        return await load(keys)

    return DataLoader(load_fn=load_fn)


@dataclass
class Loaders:
    user_by_id: DataLoader[int, User | None]
    article_by_id: DataLoader[str, Article]
    comment_by_id: DataLoader[int, Comment | None]
    entitlements_by_user_id: DataLoader[int, list[Entitlement]]
    revisions_by_comment_id: DataLoader[int, list[CommentRevision]]
    first_replies_by_parent: DataLoader[tuple[int, int], Page[Comment]]
    reported_ids_by_article: DataLoader[str, frozenset[int]]
    current_rules: DataLoader[str, CommunityRules | None]
    open_reasons_by_comment_id: DataLoader[int, list[ReportReason]]

    @classmethod
    def for_viewer(cls, viewer: User | None) -> Loaders:
        staff = is_staff(viewer)

        async def first_replies(keys: list[tuple[int, int]]) -> list[Page[Comment]]:
            pages: dict[tuple[int, int], Page[Comment]] = {}
            for size in {first for _, first in keys}:
                parents = [parent for parent, first in keys if first == size]
                found = await threads.first_replies(parents, first=size, staff=staff)
                pages.update({(parent, size): page for parent, page in found.items()})
            return [pages[key] for key in keys]

        async def reported_ids(article_ids: list[str]) -> list[frozenset[int]]:
            if viewer is None:
                return [frozenset() for _ in article_ids]
            return await loading.reported_comment_ids(viewer.id, article_ids)

        async def current_rules(keys: list[str]) -> list[CommunityRules | None]:
            latest = await rules.current()
            return [latest for _ in keys]

        return cls(
            user_by_id=_loader(loading.users_by_id),
            article_by_id=_loader(loading.articles_by_id),
            comment_by_id=_loader(loading.comments_by_id),
            entitlements_by_user_id=_loader(loading.entitlements_by_user_id),
            revisions_by_comment_id=_loader(loading.revisions_by_comment_id),
            first_replies_by_parent=_loader(first_replies),
            reported_ids_by_article=_loader(reported_ids),
            current_rules=_loader(current_rules),
            open_reasons_by_comment_id=_loader(reports.open_reasons),
        )
