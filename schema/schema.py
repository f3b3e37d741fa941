"""The strawberry schema: every folder's types merged, with the service's extensions."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.audience import Audience, audience
from schema.limits import limit_extensions
from schema.mutations.accounts import AccountMutations
from schema.mutations.admin import AdminMutations
from schema.mutations.comments import CommentMutations
from schema.mutations.moderation import ModerationMutations
from schema.mutations.premoderation import PremoderationMutations
from schema.mutations.reader import ReaderMutations
from schema.public_cache import PublicCacheGuard
from schema.queries import AccountQueries
from schema.queries_moderation import ModerationQueries
from schema.queries_reader import ReaderQueries
from schema.queries_threads import ThreadQueries
from schema.subscriptions import CommentSubscriptions
from service.config import Settings
from service.errors import DomainError

logger = logging.getLogger("btl.graphql")

Query = merge_types("Query", (AccountQueries, ThreadQueries, ModerationQueries, ReaderQueries))
# a mutation's answer belongs to whoever made it
Mutation = audience(Audience.VIEWER)(
    merge_types(
        "Mutation",
        (
            AccountMutations,
            CommentMutations,
            ModerationMutations,
            AdminMutations,
            ReaderMutations,
            PremoderationMutations,
        ),
    )
)


def is_unexpected(error: GraphQLError) -> bool:
    """Only errors the code did not mean to raise are masked and logged."""
    original = error.original_error
    return original is not None and not isinstance(original, DomainError | GraphQLError)


class BtlSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context: Any = execution_context.context if execution_context else None
        request_id = getattr(context, "request_id", "-")
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "request %s: unexpected error in %s",
                    request_id,
                    ".".join(str(p) for p in error.path or ()),
                    exc_info=error.original_error,
                )


def build_schema(settings: Settings, query: type = Query) -> strawberry.Schema:
    """The served schema; tests may give another Query (e.g. one with a throwaway field)."""
    extensions: list[Any] = [
        *limit_extensions(settings),
        # parsing and validating the same document again is ~40 % of a thread page
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: MaskErrors(should_mask_error=is_unexpected, error_message="Internal error."),
        PublicCacheGuard,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return BtlSchema(
        query=query,
        mutation=Mutation,
        subscription=CommentSubscriptions,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
    )


schema = build_schema(Settings())
