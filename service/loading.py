"""Batch reads behind the per-request loaders: one query for many keys, answers in key order."""

from __future__ import annotations

from collections import defaultdict

from service import articles
from service.models import Article, Comment, CommentRevision, Entitlement, Report, User


async def users_by_id(ids: list[int]) -> list[User | None]:
    found = {u.id: u for u in await User.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def comments_by_id(ids: list[int]) -> list[Comment | None]:
    found = {c.id: c for c in await Comment.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def articles_by_id(ids: list[str]) -> list[Article]:
    found = {a.id: a for a in await Article.filter(id__in=ids)}
    return [found.get(i) or articles.unsaved(i) for i in ids]


async def entitlements_by_user_id(user_ids: list[int]) -> list[list[Entitlement]]:
    by_user: dict[int, list[Entitlement]] = defaultdict(list)
    for row in await Entitlement.filter(user_id__in=user_ids).order_by("starts_at", "id"):
        by_user[row.user_id].append(row)
    return [by_user[i] for i in user_ids]


async def revisions_by_comment_id(ids: list[int]) -> list[list[CommentRevision]]:
    by_comment: dict[int, list[CommentRevision]] = defaultdict(list)
    rows = await CommentRevision.filter(comment_id__in=ids).order_by("replaced_at", "id")
    for row in rows:
        by_comment[row.comment_id].append(row)
    return [by_comment[i] for i in ids]


async def reported_comment_ids(reporter_id: int, article_ids: list[str]) -> list[frozenset[int]]:
    """Per article, the comments this reader has reported (a reader reports few)."""
    rows = await Report.filter(
        reporter_id=reporter_id, comment__article_id__in=article_ids
    ).values_list("comment_id", "comment__article_id")
    by_article: dict[str, set[int]] = defaultdict(set)
    for comment_id, article_id in rows:
        by_article[article_id].add(comment_id)
    return [frozenset(by_article[a]) for a in article_ids]
