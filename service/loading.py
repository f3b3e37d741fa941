"""Batch reads behind the per-request loaders: one query for many keys, answers in key order."""

from __future__ import annotations

from collections import defaultdict

from service import articles, sql
from service.models import Article, Comment, CommentRevision, Entitlement, User


async def users_by_id(ids: list[int]) -> list[User | None]:
    found = {u.id: u for u in await User.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def comments_by_id(ids: list[int]) -> list[Comment | None]:
    found = {c.id: c for c in await Comment.filter(id__in=ids)}
    return [found.get(i) for i in ids]


async def articles_by_id(ids: list[str]) -> list[Article]:
    return await articles.by_ids(ids)


async def entitlements_by_user_id(user_ids: list[int]) -> list[list[Entitlement]]:
    by_user: dict[int, list[Entitlement]] = defaultdict(list)
    rows = await sql.fetch(
        f"SELECT * FROM entitlements WHERE user_id IN ({sql.marks(len(user_ids))}) "
        "ORDER BY starts_at, id",
        *user_ids,
    )
    for row in rows:
        entitlement = Entitlement._init_from_db(**row)
        by_user[row["user_id"]].append(entitlement)
    return [by_user[i] for i in user_ids]


async def revisions_by_comment_id(ids: list[int]) -> list[list[CommentRevision]]:
    by_comment: dict[int, list[CommentRevision]] = defaultdict(list)
    rows = await CommentRevision.filter(comment_id__in=ids).order_by("replaced_at", "id")
    for row in rows:
        by_comment[row.comment_id].append(row)
    return [by_comment[i] for i in ids]


async def reported_comment_ids(reporter_id: int, article_ids: list[str]) -> list[frozenset[int]]:
    """Per article, the comments this reader has reported (a reader reports few)."""
    rows = await sql.fetch(
        "SELECT r.comment_id, c.article_id FROM reports r JOIN comments c ON c.id = r.comment_id "
        f"WHERE r.reporter_id = {{}} AND c.article_id IN ({sql.marks(len(article_ids))})",
        reporter_id,
        *article_ids,
    )
    by_article: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        by_article[row["article_id"]].add(int(row["comment_id"]))
    return [frozenset(by_article[a]) for a in article_ids]
