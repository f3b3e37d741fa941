"""The strawberry schema: every folder's types merged, with the service's extensions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from schema.audience import Audience, audience
from schema.checked_document import DocumentChecker
from schema.freshness import PublicCacheGuard
from schema.limits import limit_extensions
from schema.live_feeds import Feeds
from schema.mutations.accounts import AccountMutations
from schema.mutations.admin import AdminMutations
from schema.mutations.comments import CommentMutations
from schema.mutations.legal import LegalMutations
from schema.mutations.moderation import ModerationMutations
from schema.mutations.premoderation import PremoderationMutations
from schema.mutations.privacy import PrivacyMutations
from schema.mutations.publisher import PublisherMutations
from schema.mutations.reader import ReaderMutations
from schema.queries import AccountQueries
from schema.queries_legal import LegalQueries
from schema.queries_moderation import ModerationQueries
from schema.queries_privacy import PrivacyQueries
from schema.queries_reader import ReaderQueries
from schema.queries_threads import ThreadQueries
from schema.streams import Stream, stream_within_limits
from schema.subscriptions import CommentSubscriptions
from schema.subscriptions_notifications import NotificationSubscriptions
from schema.unavailable import MaskUnexpectedErrors
from service.config import Settings
from service.errors import DomainError

logger = logging.getLogger("btl.graphql")

Query = merge_types(
    "Query",
    (
        AccountQueries,
        ThreadQueries,
        ModerationQueries,
        LegalQueries,
        ReaderQueries,
        PrivacyQueries,
    ),
)
# a mutation's answer belongs to whoever made it
Mutation = audience(Audience.VIEWER)(
    merge_types(
        "Mutation",
        (
            AccountMutations,
            CommentMutations,
            ModerationMutations,
            AdminMutations,
            LegalMutations,
            PublisherMutations,
            ReaderMutations,
            PremoderationMutations,
            PrivacyMutations,
        ),
    )
)
Subscription = audience(Audience.VIEWER)(
    merge_types("Subscription", (CommentSubscriptions, NotificationSubscriptions))
)


def is_unexpected(error: GraphQLError) -> bool:
    """Only errors the code did not mean to raise are masked and logged."""
    original = error.original_error
    return original is not None and not isinstance(original, DomainError | GraphQLError)


class BtlSchema(strawberry.Schema):
    # parses and validates each document text once, within the limits (the overlay planner
    # parses through it too)
    checker: DocumentChecker
    # live thread subscriptions, executed once per audience (schema/live_feeds.py)
    feeds: Feeds

    async def _prepare_operation_async(
        self, context: ExecutionContext, extensions_runner: SchemaExtensionsRunner
    ) -> PreExecutionError | None:
        # the checker's parse (schema/limits.py CheckedDocument.on_parse) refuses a document
        # with a GraphQLError; execute() answers it, but the websocket's stream() lets it
        # escape and closes the subscription without a word
        try:
            return await super()._prepare_operation_async(context, extensions_runner)
        except GraphQLError as error:
            context.pre_execution_errors = [error]
            return PreExecutionError(data=None, errors=[error])

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

    async def stream(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        operation_extensions: dict[str, Any] | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
    ) -> Stream:
        """How a websocket runs every operation: within the same limits as HTTP."""
        return await stream_within_limits(
            lambda: super(BtlSchema, self).stream(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                operation_extensions,
                allowed_operation_types,
            ),
            query,
            context_value,
        )


def build_schema(settings: Settings, query: type = Query) -> BtlSchema:
    """The served schema; tests may give another Query (e.g. one with a throwaway field)."""
    # it keeps what it parsed and validated: parsing and validating the same document again
    # is ~40 % of a thread page
    checker = DocumentChecker(settings)
    extensions: list[Any] = [
        *limit_extensions(settings, checker),
        lambda: MaskUnexpectedErrors(
            should_mask_error=is_unexpected, error_message="Internal error."
        ),
        PublicCacheGuard,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    built = BtlSchema(
        query=query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
    )
    built.checker = checker
    built.feeds = Feeds(built._schema, checker.bounded)
    return built


schema = build_schema(Settings())
