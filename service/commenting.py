"""Who may comment: the one function that decides, for the comment box and for posting alike."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service import entitlements
from service.accounts import is_staff, status_of
from service.articles import comments_open
from service.config import Settings
from service.errors import (
    AccountSuspended,
    CommentsClosed,
    DomainError,
    RulesNotAccepted,
    SubscriptionRequired,
    Unauthenticated,
)
from service.models import Article, CommunityRules, Entitlement, User, UserStatus
from service.runtime import Runtime


class BlockedReason(StrEnum):
    NOT_SIGNED_IN = "NOT_SIGNED_IN"
    SUBSCRIPTION_REQUIRED = "SUBSCRIPTION_REQUIRED"
    RULES_NOT_ACCEPTED = "RULES_NOT_ACCEPTED"
    SUSPENDED = "SUSPENDED"
    BANNED = "BANNED"
    COMMENTS_CLOSED = "COMMENTS_CLOSED"


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: BlockedReason | None
    error: DomainError | None

    @property
    def allowed(self) -> bool:
        return self.reason is None


ALLOWED = Verdict(None, None)


def decide(
    settings: Settings,
    viewer: User | None,
    article: Article,
    held: list[Entitlement],
    rules: CommunityRules | None,
) -> Verdict:
    """The first failing check, in the order the contract gives."""
    if viewer is None:
        return Verdict(BlockedReason.NOT_SIGNED_IN, Unauthenticated("Sign in to comment."))
    if not is_staff(viewer) and not entitlements.is_subscriber(held, settings):
        return Verdict(
            BlockedReason.SUBSCRIPTION_REQUIRED,
            SubscriptionRequired("Commenting is for subscribers.", settings.subscribe_url),
        )
    if rules is not None and (viewer.accepted_rules_version or 0) < rules.version:
        return Verdict(
            BlockedReason.RULES_NOT_ACCEPTED,
            RulesNotAccepted("Accept the current community rules to comment.", rules),
        )
    status = status_of(viewer)
    if status == UserStatus.SUSPENDED:
        return Verdict(
            BlockedReason.SUSPENDED,
            AccountSuspended("Your account is suspended.", viewer.suspended_until),
        )
    if status == UserStatus.BANNED:
        return Verdict(BlockedReason.BANNED, AccountSuspended("Your account is banned.", None))
    if not comments_open(article):
        return Verdict(
            BlockedReason.COMMENTS_CLOSED, CommentsClosed("Comments are closed on this article.")
        )
    return ALLOWED


async def verdicts(rt: Runtime, viewer: User | None, found: list[Article]) -> dict[str, Verdict]:
    """`decide` for each article, loading the viewer's entitlements and the rules once
    (a page's resolvers use their loaders instead)."""
    from service import loading, rules

    held = (await loading.entitlements_by_user_id([viewer.id]))[0] if viewer else []
    current = await rt.shared.read("current rules", rules.current)
    return {a.id: decide(rt.settings, viewer, a, held, current) for a in found}


async def require_permission(rt: Runtime, viewer: User | None, article: Article) -> User:
    """Raise the error of the first failing check; return the commenter."""
    result = (await verdicts(rt, viewer, [article]))[article.id]
    if result.error is not None:
        raise result.error
    assert viewer is not None
    return viewer
