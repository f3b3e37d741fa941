"""`python -m service seed-demo`: a thread worth looking at right after `make run`."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from tortoise.transactions import in_transaction

from service import accounts, counters
from service.clock import now
from service.models import Article, Comment, CommunityRules, Entitlement, Role, User

DEMO_ARTICLE = "demo-article"
SENTENCES = (
    "This is the best reporting I've read on the subject.",
    "I'm not sure the numbers in the third paragraph add up.",
    "Does anyone have a link to the original study?",
    "Living here, I can say the situation is more complicated.",
    "Great piece. The interviews really bring it to life.",
    "The headline oversells what the article actually says.",
    "We had the same debate in our town council last year.",
    "Thanks for covering this; nobody else has.",
)


async def _account(email: str, name: str, role: Role, password: str) -> User:
    existing = await User.filter(email=email).first()
    if existing:
        return existing
    return await accounts.create_user(email=email, password=password, display_name=name, role=role)


async def seed(readers: int = 36, top_level: int = 180) -> None:
    if await Comment.filter(article_id=DEMO_ARTICLE).exists():
        print(f"article {DEMO_ARTICLE!r} is already seeded; nothing to do")
        return
    rng = random.Random(7)
    staff_password = secrets.token_urlsafe(12)
    reader_password = "demo reader password"
    admin = await _account("admin@demo.btl", "Demo Admin", Role.ADMIN, staff_password)
    moderator = await _account(
        "moderator@demo.btl", "Demo Moderator", Role.MODERATOR, staff_password
    )
    people = [
        await _account(f"reader{n}@demo.btl", f"Reader {n}", Role.READER, reader_password)
        for n in range(readers)
    ]
    start = now() - timedelta(hours=6)
    async with in_transaction():
        for person in people:
            if not await Entitlement.filter(user=person).exists():
                await Entitlement.create(
                    user=person,
                    product="digital",
                    starts_at=start - timedelta(days=30),
                    created_at=start,
                )
        if not await CommunityRules.exists():
            await CommunityRules.create(
                version=1,
                updated_at=start,
                body="Be civil. Stay on topic. No personal attacks, spam or illegal content.",
            )
        await User.filter(id__in=[p.id for p in people]).update(accepted_rules_version=1)
        await Article.bulk_create(
            [Article(id=DEMO_ARTICLE, title="A demo story", created_at=start)],
            ignore_conflicts=True,
        )
        moment = start
        for _ in range(top_level):
            moment += timedelta(seconds=rng.randint(20, 120))
            top = await Comment.create(
                article_id=DEMO_ARTICLE,
                author=rng.choice(people),
                body=rng.choice(SENTENCES),
                created_at=moment,
            )
            for _ in range(rng.choice((0, 0, 1, 2, 3))):
                moment += timedelta(seconds=rng.randint(5, 60))
                await Comment.create(
                    article_id=DEMO_ARTICLE,
                    author=rng.choice(people),
                    parent=top,
                    ancestry=f"{top.id}/",
                    depth=1,
                    body=rng.choice(SENTENCES),
                    created_at=moment,
                )
        await counters.recount(DEMO_ARTICLE)
    total = await Comment.filter(article_id=DEMO_ARTICLE).count()
    print(f"article {DEMO_ARTICLE!r}: {total} comments from {readers} subscribers")
    print(f"admin      {admin.email} / {staff_password}")
    print(f"moderator  {moderator.email} / {staff_password}")
    print(f"readers    reader0@demo.btl .. reader{readers - 1}@demo.btl / {reader_password}")
