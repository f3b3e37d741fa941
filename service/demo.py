"""`python -m service seed-demo`: a thread worth looking at right after `make run`."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from service import accounts, counters, moderation_log
from service.clock import now
from service.models import (
    ActionKind,
    Article,
    Comment,
    CommentStatus,
    CommunityRules,
    Entitlement,
    Report,
    ReportReason,
    Role,
    User,
)
from service.passwords import hash_password

DEMO_ARTICLE = "demo-article"
READER_PASSWORD = "demo reader password"
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


REPORT_NOTES = ("Personal attack on another reader.", "Looks like spam.", None)


async def _staff(email: str, name: str, role: Role) -> tuple[User, str]:
    """The demo's admin or moderator with a new password of its own (each run prints them)."""
    password = secrets.token_urlsafe(12)
    existing = await User.filter(email=email).first()
    if existing is None:
        created = await accounts.create_user(
            email=email, password=password, display_name=name, role=role
        )
        return created, password
    existing.password_hash = await hash_password(password)
    await existing.save(update_fields=["password_hash"])
    return existing, password


async def _reader(email: str, name: str) -> User:
    existing = await User.filter(email=email).first()
    if existing:
        return existing
    return await accounts.create_user(
        email=email, password=READER_PASSWORD, display_name=name, role=Role.READER
    )


async def seed(readers: int = 36, top_level: int = 180) -> None:
    admin, admin_password = await _staff("admin@demo.btl", "Demo Admin", Role.ADMIN)
    moderator, moderator_password = await _staff(
        "moderator@demo.btl", "Demo Moderator", Role.MODERATOR
    )
    if await Comment.filter(article_id=DEMO_ARTICLE).exists():
        print(f"article {DEMO_ARTICLE!r} is already seeded; the staff have new passwords")
    else:
        await _thread(readers, top_level)
    total = await Comment.filter(article_id=DEMO_ARTICLE).count()
    queued = await Comment.filter(article_id=DEMO_ARTICLE, open_report_count__gt=0).count()
    print(f"article {DEMO_ARTICLE!r}: {total} comments, {queued} in the moderation queue")
    print(f"admin      {admin.email} / {admin_password}")
    print(f"moderator  {moderator.email} / {moderator_password}")
    print(f"readers    reader0@demo.btl .. reader{readers - 1}@demo.btl / {READER_PASSWORD}")
    print("run `python -m service seed-demo` again for new staff passwords")


async def _thread(readers: int, top_level: int) -> None:
    rng = random.Random(7)
    people = [await _reader(f"reader{n}@demo.btl", f"Reader {n}") for n in range(readers)]
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
        tops = []
        for _ in range(top_level):
            moment += timedelta(seconds=rng.randint(20, 120))
            top = await Comment.create(
                article_id=DEMO_ARTICLE,
                author=rng.choice(people),
                body=rng.choice(SENTENCES),
                created_at=moment,
            )
            tops.append(top)
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
        await _reports(rng, people, tops[-12:], moment)
        await counters.recount(DEMO_ARTICLE)


async def _reports(
    rng: random.Random, people: list[User], recent: list[Comment], at: datetime
) -> None:
    """A queue to work: a few recent comments reported by one to three readers; the most
    reported was hidden by the part-time safety valve, as it would be at night."""
    for position, comment in enumerate(rng.sample(recent, 6)):
        reporters = [p for p in rng.sample(people, 4) if p.id != comment.author_id]
        count = 3 if position == 0 else rng.choice((1, 1, 2))
        first = at + timedelta(minutes=position)
        for n, reporter in enumerate(reporters[:count]):
            await Report.create(
                comment=comment,
                reporter=reporter,
                reason=rng.choice((ReportReason.ABUSE, ReportReason.SPAM, ReportReason.OFF_TOPIC)),
                note=rng.choice(REPORT_NOTES),
                created_at=first + timedelta(seconds=n),
            )
        comment.open_report_count = count
        comment.first_open_report_at = first
        comment.last_open_report_at = first + timedelta(seconds=count - 1)
        fields = ["open_report_count", "first_open_report_at", "last_open_report_at"]
        if position == 0:
            comment.status = CommentStatus.HIDDEN
            fields.append("status")
        await comment.save(update_fields=fields)
        if position == 0:
            await moderation_log.record(
                ActionKind.AUTO_HIDE,
                moderator=None,
                comment=comment,
                reason="3 readers reported it while moderation was part-time",
            )
