"""The bench's data: readers with sessions and entitlements, and articles with comments."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from documents import ARTICLE, HASH


def ts(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def seed(db: Path, authors: int, top_level: int) -> list[str]:
    """Users with sessions (tokens returned), entitlements, and the article's comments."""
    conn = sqlite3.connect(db)
    start = datetime.now(UTC) - timedelta(days=1)
    tokens = []
    for n in range(authors):
        conn.execute(
            "INSERT INTO users (id, email, display_name, display_name_key, password_hash, role,"
            " banned, created_at) VALUES (?, ?, ?, ?, ?, 'READER', 0, ?)",
            (n + 1, f"bench{n}@example.com", f"Bench {n}", f"bench {n}", HASH, ts(start)),
        )
        token = f"bench-token-{n}-" + "x" * 20
        tokens.append(token)
        conn.execute(
            "INSERT INTO sessions (user_id, token_hash, created_at, expires_at) VALUES (?,?,?,?)",
            (
                n + 1,
                hashlib.sha256(token.encode()).hexdigest(),
                ts(start),
                ts(start + timedelta(days=30)),
            ),
        )
        conn.execute(
            "INSERT INTO entitlements (user_id, product, starts_at, created_at) VALUES (?,?,?,?)",
            (n + 1, "digital", ts(start - timedelta(days=1)), ts(start)),
        )
    conn.execute(
        "INSERT INTO articles (id, closed, comment_count, version, created_at)"
        " VALUES (?, 0, 0, 0, ?)",
        (ARTICLE, ts(start)),
    )
    conn.commit()
    conn.close()
    grow(db, top_level, authors)
    return tokens


def grow(db: Path, total: int, authors: int) -> None:
    """Add top-level comments until the article has `total`, keeping its counter right."""
    conn = sqlite3.connect(db)
    have = conn.execute(
        "SELECT COUNT(*) FROM comments WHERE article_id = ?", (ARTICLE,)
    ).fetchone()[0]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = (
        (
            ARTICLE,
            n % authors + 1,
            f"Bench comment number {n}, with a little text to carry.",
            ts(start + timedelta(seconds=n)),
        )
        for n in range(have, total)
    )
    conn.executemany(
        "INSERT INTO comments (article_id, author_id, ancestry, depth, body, status, created_at,"
        " amended_by_moderator, reply_count, open_report_count) "
        "VALUES (?, ?, '', 0, ?, 'PUBLISHED', ?, 0, 0, 0)",
        rows,
    )
    conn.execute("UPDATE articles SET comment_count = ? WHERE id = ?", (total, ARTICLE))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def deep_cursor(db: Path, depth: int, article: str = ARTICLE) -> str:
    from service.threads import encode_cursor

    conn = sqlite3.connect(db)
    created, row_id = conn.execute(
        "SELECT created_at, id FROM comments WHERE article_id = ? AND parent_id IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
        (article, depth - 1),
    ).fetchone()
    conn.close()
    return encode_cursor(datetime.fromisoformat(created), row_id)


def page_ids(db: Path, count: int) -> list[int]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT id FROM comments WHERE article_id = ? AND parent_id IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        (ARTICLE, count),
    ).fetchall()
    conn.close()
    return [row[0] for row in rows]


def ranked_deep_cursor(db: Path, depth: int) -> str:
    """A MOST_RECOMMENDED cursor `depth` comments in (every count is 0 in the bench)."""
    from service.ranking import encode_cursor

    conn = sqlite3.connect(db)
    created, row_id = conn.execute(
        "SELECT created_at, id FROM comments WHERE article_id = ? AND parent_id IS NULL "
        "ORDER BY recommend_count DESC, created_at DESC, id DESC LIMIT 1 OFFSET ?",
        (ARTICLE, depth - 1),
    ).fetchone()
    conn.close()
    return encode_cursor(0, datetime.fromisoformat(created), row_id, datetime.now(UTC))


def apply_sqlite(db: Path, plan: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    """Statements written for PostgreSQL ($n, datetimes, booleans) run on SQLite."""
    conn = sqlite3.connect(db)
    for statement, rows in plan:
        text = re.sub(r"\$\d+", "?", statement).replace("false", "0").replace("true", "1")
        conn.executemany(
            text, [[ts(v) if isinstance(v, datetime) else v for v in row] for row in rows]
        )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def first_ids(db: Path, article: str, count: int = 20) -> list[int]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT id FROM comments WHERE article_id = ? AND parent_id IS NULL "
        "ORDER BY created_at DESC, id DESC LIMIT ?",
        (article, count),
    ).fetchall()
    conn.close()
    return [row[0] for row in rows]


HUGE = "huge-article"


def seed_huge(db: Path, authors: int, total: int = 33_000) -> int:
    """A thread of `total` comments, a quarter of them replies: five comments with 500 replies
    each, the other replies one to three under earlier comments. Answers the id of a comment
    with 500 replies."""
    conn = sqlite3.connect(db)
    start = datetime(2026, 2, 1, tzinfo=UTC)
    conn.execute(
        "INSERT INTO articles (id, closed, comment_count, version, created_at)"
        " VALUES (?, 0, ?, 0, ?)",
        (HUGE, total, ts(start)),
    )
    replies = total // 4
    top = total - replies
    body = "A comment in a very long thread, with a little text to carry."
    conn.executemany(
        "INSERT INTO comments (article_id, author_id, ancestry, depth, body, status, created_at,"
        " amended_by_moderator, reply_count, open_report_count) "
        "VALUES (?, ?, '', 0, ?, 'PUBLISHED', ?, 0, 0, 0)",
        ((HUGE, n % authors + 1, body, ts(start + timedelta(seconds=2 * n))) for n in range(top)),
    )
    parents = [
        row[0]
        for row in conn.execute("SELECT id FROM comments WHERE article_id = ? ORDER BY id", (HUGE,))
    ]
    busy = parents[:: len(parents) // 5][:5]  # five comments spread over the thread
    chosen = [p for p in busy for _ in range(500)]
    rest = replies - len(chosen)
    chosen += [parents[(n * 7919) % len(parents)] for n in range(rest)]
    conn.executemany(
        "INSERT INTO comments (article_id, author_id, parent_id, ancestry, depth, body, status,"
        " created_at, amended_by_moderator, reply_count, open_report_count) "
        "VALUES (?, ?, ?, ?, 1, ?, 'PUBLISHED', ?, 0, 0, 0)",
        (
            (
                HUGE,
                n % authors + 1,
                parent,
                f"{parent}/",
                f"Reply {n}: {body}",
                ts(start + timedelta(seconds=2 * top + n)),
            )
            for n, parent in enumerate(chosen)
        ),
    )
    conn.execute(
        "UPDATE comments SET reply_count = counts.n FROM (SELECT parent_id, COUNT(*) AS n"
        " FROM comments WHERE article_id = ? AND parent_id IS NOT NULL GROUP BY parent_id)"
        " AS counts WHERE comments.id = counts.parent_id",
        (HUGE,),
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return busy[0]


def depth_reaching(db: Path, article: str, comments: int) -> int:
    """How many top-level comments (newest first) hold `comments` comments with their
    replies: a page that deep is `comments` comments into the thread as readers see it."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT reply_count FROM comments WHERE article_id = ? AND parent_id IS NULL "
        "ORDER BY created_at DESC, id DESC",
        (article,),
    ).fetchall()
    conn.close()
    seen = 0
    for depth, (replies,) in enumerate(rows, start=1):
        seen += 1 + replies
        if seen >= comments:
            return depth
    return len(rows)
