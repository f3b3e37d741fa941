"""What a signed-out answer depends on, so the HTTP edge can keep it exactly.

The objects an answer is made of note themselves as they are made (`CacheDeps`): an article
its version, a comment the article whose thread it belongs to, a person or the rules the
public epoch, something that changes by the clock the moment it does. Which objects note
what is declared with the types (see schema/audience.py); the cache itself, which stores and
checks answers, is web/public_cache.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from service.clock import now
from service.models import Article, Comment


@dataclass
class CacheDeps:
    """What a signed-out answer depends on, gathered while it is computed.

    The objects of the answer note themselves as they are made (`noting`): an Article its
    version, a Comment the article whose thread it belongs to, a User or the rules the public
    epoch. The answer is kept only if every article its comments belong to had its version
    read, and the epoch was read (before anything else) if anything used it: a path that
    forgets to read a version makes an answer that is not kept, never one kept too long."""

    article_versions: dict[str, int] = field(default_factory=dict)
    articles_shown: set[str] = field(default_factory=set)
    epoch: int | None = None  # read when the answer began, before any row it shows
    uses_epoch: bool = False
    expires_at: datetime | None = None
    cacheable: bool = True

    def read_article(self, article_id: str, version: int) -> None:
        self.article_versions.setdefault(article_id, version)

    def true_until(self, moment: datetime) -> None:
        if self.expires_at is None or moment < self.expires_at:
            self.expires_at = moment

    def not_cacheable(self) -> None:
        self.cacheable = False

    def complete(self) -> bool:
        """Whether every version the answer depends on was read in time."""
        return (
            self.cacheable
            and (bool(self.article_versions) or self.uses_epoch)
            and self.articles_shown <= self.article_versions.keys()
            and (self.epoch is not None or not self.uses_epoch)
        )


# the signed-out answer being computed in this task, if any (set by the HTTP view)
_noting: ContextVar[CacheDeps | None] = ContextVar("btl_cache_deps", default=None)


def noting(deps: CacheDeps | None) -> None:
    """From here on in this task, objects made for the answer note themselves in `deps`."""
    _noting.set(deps)


def note_article(article: Article) -> None:
    """The answer shows this article: it holds while the version does."""
    deps = _noting.get()
    if deps is None:
        return
    deps.read_article(article.id, article.version)
    if article.closes_at is not None:
        note_until(article.closes_at)  # commentsOpen flips by itself then


def note_comment(comment: Comment) -> None:
    """The answer shows a comment of this article: the article's version must have been read."""
    deps = _noting.get()
    if deps is not None:
        deps.articles_shown.add(comment.article_id)


def note_epoch(until: datetime | None = None) -> None:
    """The answer shows a person or the rules: it holds while the public epoch does (and
    until `until`, e.g. the end of a suspension)."""
    deps = _noting.get()
    if deps is None:
        return
    deps.uses_epoch = True
    if until is not None:
        note_until(until)


def note_until(moment: datetime) -> None:
    """What the answer shows changes by the clock at `moment` (a coverage level, a closing)."""
    deps = _noting.get()
    if deps is not None and moment > now():
        deps.true_until(moment)


def note_lagging(seconds: int) -> None:
    """The answer shows something allowed to lag (recommendation counts, which never move an
    article's version): it is kept at most `seconds`, and not at all when that is 0."""
    deps = _noting.get()
    if deps is None:
        return
    if seconds <= 0:
        deps.not_cacheable()
    else:
        deps.true_until(now() + timedelta(seconds=seconds))


def note_uncovered() -> None:
    """The answer shows a list no version covers (a user's history across articles): it is
    never kept."""
    deps = _noting.get()
    if deps is not None:
        deps.not_cacheable()


class PublicCacheGuard(SchemaExtension):
    """Only queries are kept: a signed-out `login` or `register` must run every time."""

    def on_execute(self) -> Iterator[None]:
        deps = getattr(self.execution_context.context, "cache_deps", None)
        if deps is not None and self.execution_context.operation_type != OperationType.QUERY:
            deps.not_cacheable()
        yield
