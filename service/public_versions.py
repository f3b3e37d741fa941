"""What a cached signed-out answer is valid for: article versions and the public epoch.

Each article's version moves with every change its thread shows (service/counters.py).
The public epoch moves with every change to what signed-out readers see of people or of
the rules (a display name, a role, a ban or suspension, an erased account, new rules):
rare events whose reach is not one article. Both live in the database, so every instance
sees a change the moment it commits.
"""

from __future__ import annotations

from service import sql


async def read(article_ids: list[str], *, epoch: bool) -> tuple[dict[str, int], int | None]:
    """Each article's version (0 for one never written to), and the epoch when asked (else
    None): one query."""
    parts, values = [], []
    if article_ids:
        parts.append(
            "SELECT id, version, 0 AS is_epoch FROM articles "
            f"WHERE id IN ({sql.marks(len(article_ids))})"
        )
        values += article_ids
    if epoch:
        parts.append("SELECT '' AS id, value AS version, 1 AS is_epoch FROM public_epoch")
    versions = dict.fromkeys(article_ids, 0)
    current_epoch = None
    if parts:
        for row in await sql.fetch(" UNION ALL ".join(parts), *values):
            if int(row["is_epoch"]):
                current_epoch = int(row["version"])
            else:
                versions[row["id"]] = int(row["version"])
    return versions, current_epoch


async def bump_epoch() -> None:
    """Inside the caller's transaction: every cached answer showing people or rules is stale."""
    await sql.execute("UPDATE public_epoch SET value = value + 1 WHERE id = 1")
