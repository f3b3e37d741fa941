"""Articles: keyed by the publisher's story id, created on the first write that needs one."""

from __future__ import annotations

from datetime import datetime

from service import sql
from service.clock import now
from service.errors import BadUserInput
from service.models import Article

MAX_ARTICLE_IDS = 100


def check_article_id(article_id: str) -> str:
    if (
        not 1 <= len(article_id) <= 200
        or not article_id.isprintable()
        or article_id != article_id.strip()
    ):
        raise BadUserInput("An article id has 1 to 200 printable characters.")
    return article_id


def unsaved(article_id: str) -> Article:
    """How an article the service has not seen reads: open, no comments. Never saved."""
    return Article(id=article_id, closed=False, comment_count=0, version=0, created_at=now())


async def get(article_id: str) -> Article:
    check_article_id(article_id)
    rows = await sql.fetch("SELECT * FROM articles WHERE id = {}", article_id)
    return Article._init_from_db(**rows[0]) if rows else unsaved(article_id)


async def get_many(article_ids: list[str]) -> list[Article]:
    if len(article_ids) > MAX_ARTICLE_IDS:
        raise BadUserInput(f"Ask for at most {MAX_ARTICLE_IDS} articles at once.")
    for article_id in article_ids:
        check_article_id(article_id)
    return await by_ids(article_ids)


async def by_ids(article_ids: list[str]) -> list[Article]:
    """Articles in the order asked; one never written to reads as `unsaved`."""
    rows = await sql.fetch(
        f"SELECT * FROM articles WHERE id IN ({sql.marks(len(article_ids))})", *article_ids
    )
    found = {a.id: a for a in (Article._init_from_db(**row) for row in rows)}
    return [found.get(article_id) or unsaved(article_id) for article_id in article_ids]


def is_saved(article: Article) -> bool:
    return bool(article._saved_in_db)


async def ensure(article_id: str) -> None:
    """Create the article row if missing; safe when two first posts race (no conflict error)."""
    await Article.bulk_create([unsaved(article_id)], ignore_conflicts=True)


def comments_open(article: Article, at: datetime | None = None) -> bool:
    if article.closed:
        return False
    return article.closes_at is None or article.closes_at > (at or now())


async def versions(article_ids: list[str]) -> dict[str, int]:
    """Each article's thread version; an article never written to is at version 0."""
    # asked on every cached public answer: hand-written, the query builder costs more
    rows = await sql.fetch(
        f"SELECT id, version FROM articles WHERE id IN ({sql.marks(len(article_ids))})",
        *article_ids,
    )
    found = {row["id"]: int(row["version"]) for row in rows}
    return {article_id: found.get(article_id, 0) for article_id in article_ids}
