"""The Error interface and its members: expected outcomes clients switch on."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.audience import Audience, audience, carried
from service import errors

if TYPE_CHECKING:
    from schema.types.rules import CommunityRulesType


@strawberry.interface(name="Error")
class Error:
    message: str


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class InvalidInput(Error):
    field: str | None = None


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class NotFound(Error):
    pass


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class NotAllowed(Error):
    pass


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class InvalidCredentials(Error):
    pass


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class EmailTaken(Error):
    pass


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class RateLimited(Error):
    retry_after_seconds: int


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class SubscriptionRequired(Error):
    subscribe_url: str | None = None


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class RulesNotAccepted(Error):
    rules: Annotated[CommunityRulesType, strawberry.lazy("schema.types.rules")]


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class CommentsClosed(Error):
    pass


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class AccountSuspended(Error):
    until: datetime | None = None


@audience(Audience.PUBLIC)
@carried
@strawberry.type
class AlreadyReported(Error):
    pass


def error_member(exc: errors.DomainError) -> Error:
    """The union member for a domain error; GraphQL-level errors are raised again."""
    from schema.types.rules import CommunityRulesType

    match exc:
        case errors.InvalidInput():
            return InvalidInput(message=exc.message, field=exc.field)
        case errors.NotFound():
            return NotFound(message=exc.message)
        case errors.NotAllowed():
            return NotAllowed(message=exc.message)
        case errors.InvalidCredentials():
            return InvalidCredentials(message=exc.message)
        case errors.EmailTaken():
            return EmailTaken(message=exc.message)
        case errors.RateLimited():
            return RateLimited(message=exc.message, retry_after_seconds=exc.retry_after_seconds)
        case errors.SubscriptionRequired():
            return SubscriptionRequired(message=exc.message, subscribe_url=exc.subscribe_url)
        case errors.RulesNotAccepted():
            return RulesNotAccepted(message=exc.message, rules=CommunityRulesType.of(exc.rules))
        case errors.CommentsClosed():
            return CommentsClosed(message=exc.message)
        case errors.AccountSuspended():
            return AccountSuspended(message=exc.message, until=exc.until)
        case errors.AlreadyReported():
            return AlreadyReported(message=exc.message)
    raise exc
