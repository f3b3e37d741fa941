"""The domain's expected failures. `schema/` maps each to a result-union member."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.models import CommunityRules


class DomainError(Exception):
    code = "DOMAIN_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    code = "INVALID_INPUT"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    code = "NOT_FOUND"


class NotAllowed(DomainError):
    code = "NOT_ALLOWED"


class InvalidCredentials(DomainError):
    code = "INVALID_CREDENTIALS"


class EmailTaken(DomainError):
    code = "EMAIL_TAKEN"


class AlreadyReported(DomainError):
    code = "ALREADY_REPORTED"


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class SubscriptionRequired(DomainError):
    code = "SUBSCRIPTION_REQUIRED"

    def __init__(self, message: str, subscribe_url: str | None) -> None:
        super().__init__(message)
        self.subscribe_url = subscribe_url


class RulesNotAccepted(DomainError):
    code = "RULES_NOT_ACCEPTED"

    def __init__(self, message: str, rules: CommunityRules) -> None:
        super().__init__(message)
        self.rules = rules


class CommentsClosed(DomainError):
    code = "COMMENTS_CLOSED"


class AccountSuspended(DomainError):
    code = "ACCOUNT_SUSPENDED"

    def __init__(self, message: str, until: datetime | None) -> None:
        super().__init__(message)
        self.until = until


class Unauthenticated(DomainError):
    """The operation needs a signed-in user (a GraphQL error, not a union member)."""

    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    """The viewer lacks the role the operation needs."""

    code = "FORBIDDEN"


class BadUserInput(DomainError):
    """An argument the client should never send (a GraphQL error with BAD_USER_INPUT)."""

    code = "BAD_USER_INPUT"


class Unavailable(DomainError):
    """Something the operation needs outside btl did not answer (e.g. the publisher's keys)."""

    code = "UNAVAILABLE"
