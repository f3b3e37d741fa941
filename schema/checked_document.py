"""Parse and validate each document text once, within bounds that are checked, not hoped for.

Parsing and validation run on the event loop, where nothing else is answered meanwhile and
the operation timeout cannot fire. So before graphql-core validates a document:

1. the parser stops at BTL_MAX_TOKENS tokens (and as many comments);
2. one pass, linear in the document, measures its operations with their fragments spread
   in (schema/document_shape.py) and refuses them over BTL_MAX_FIELDS fields, the depth a
   thread needs (BTL_MAX_REPLY_DEPTH), BTL_MAX_ALIASES aliases or BTL_MAX_DIRECTIVES
   directives;
3. validation then gets a CPU budget (BTL_VALIDATION_TIMEOUT_SECONDS), checked at every
   node, and graphql-core's overlapping-fields rule, quadratic in repeated fields, a budget
   of comparisons in proportion to BTL_MAX_FIELDS.
"""

from __future__ import annotations

import gc
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import graphql.validation.rules.overlapping_fields_can_be_merged as overlapping_fields
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    ValidationContext,
    parse,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.schema.schema import validate_document

from schema.document_shape import measure_document
from service.config import Settings

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
# comparisons the overlapping-fields rule may make per field allowed (a thread page makes
# about one per field; each comparison costs a few microseconds)
COMPARISONS_PER_FIELD = 20
Rules = tuple[type[ASTValidationRule], ...]


def limit_error(message: str, code: str = LIMIT_EXCEEDED) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def thread_depth(max_reply_depth: int) -> int:
    """Depth of the deepest thread a client needs: article > comments > edges > node, then
    replies > edges > node per reply level, then the author's fields."""
    return 4 + 3 * max_reply_depth + 2


class _OverBudget(ValidationAbortedError):
    """Raised inside graphql-core's validation, which keeps it as the last error."""


def _time_budget_rule(seconds: float) -> type[ASTValidationRule]:
    class ValidationTimeBudget(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.deadline = time.thread_time() + seconds

        def enter(self, *_: Any) -> None:
            if time.thread_time() > self.deadline:
                raise _OverBudget(
                    f"Checking the document took more than {seconds:g} s of CPU "
                    "(BTL_VALIDATION_TIMEOUT_SECONDS).",
                    extensions={"code": LIMIT_EXCEEDED},
                )

    return ValidationTimeBudget


@dataclass
class _Entry:
    document: DocumentNode
    shape_errors: list[GraphQLError] | None = None
    validated: dict[Rules, list[GraphQLError]] = field(default_factory=dict)


class DocumentChecker:
    """Parses and validates documents under one set of limits, each text once (an LRU)."""

    def __init__(self, settings: Settings, max_documents: int = 256) -> None:
        self.settings = settings
        self.max_documents = max_documents
        self.entries: OrderedDict[str, _Entry] = OrderedDict()
        self.time_budget = _time_budget_rule(settings.validation_timeout_seconds)

    def parse(self, query: str) -> DocumentNode:
        """The document, or a GraphQLError (a syntax error or a limit, named)."""
        return self._entry(query).document

    def bounded(self, query: str) -> DocumentNode:
        """The document if it is within every limit checked before validation."""
        entry = self._entry(query)
        errors = self._shape_errors(entry)
        if errors:
            raise errors[0]
        return entry.document

    def validate(
        self, schema: GraphQLSchema, query: str | None, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        entry = self.entries.get(query) if query is not None else None
        if entry is None or entry.document is not document:
            entry = _Entry(document)  # a document not parsed here: checked, not kept
        known = entry.validated.get(rules)
        if known is not None:
            return known
        errors = self._shape_errors(entry) or self._validate(schema, document, rules)
        if not any(isinstance(e, _OverBudget) for e in errors):  # the CPU time varies
            entry.validated[rules] = errors
        return errors

    def _entry(self, query: str) -> _Entry:
        entry = self.entries.get(query)
        if entry is not None:
            self.entries.move_to_end(query)
            return entry
        entry = self.entries[query] = _Entry(self._parse(query))
        if len(self.entries) > self.max_documents:
            self.entries.popitem(last=False)
        return entry

    def _parse(self, query: str) -> DocumentNode:
        limits = self.settings
        if len(query) > limits.max_document_chars:
            raise limit_error(
                f"The document has {len(query)} characters; the limit is "
                f"{limits.max_document_chars} (BTL_MAX_DOCUMENT_CHARS)."
            )
        try:
            return parse(
                query, max_lexical_tokens=limits.max_tokens, max_comments=limits.max_tokens
            )
        except GraphQLSyntaxError as error:
            if "contains more than" not in error.message:
                raise
            raise limit_error(
                f"The document has more than {limits.max_tokens} tokens or comments "
                "(BTL_MAX_TOKENS)."
            ) from None

    def _shape_errors(self, entry: _Entry) -> list[GraphQLError]:
        if entry.shape_errors is None:
            entry.shape_errors = shape_errors(entry.document, self.settings)
        return entry.shape_errors

    def _validate(
        self, schema: GraphQLSchema, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        # read by the rule when validation starts; nothing else runs until it ends
        overlapping_fields.MAX_COMPLEXITY_BUDGET = COMPARISONS_PER_FIELD * self.settings.max_fields
        # a garbage collection landing inside (100 ms and more in a big heap) would be charged
        # to the document's CPU budget; what validation allocates is bounded by the limits
        collecting = gc.isenabled()
        gc.disable()
        try:
            errors = validate_document(schema, document, (self.time_budget, *rules))
        finally:
            if collecting:
                gc.enable()
        return [self._named(error) for error in errors]

    def _named(self, error: GraphQLError) -> GraphQLError:
        """graphql-core's own budgets abort with a bare "Validation aborted.": say which."""
        if type(error) is not ValidationAbortedError or error.message != "Validation aborted.":
            return error
        budget = COMPARISONS_PER_FIELD * self.settings.max_fields
        return limit_error(
            "Validation gave up: the document nests or repeats fields or fragments too much "
            f"(at most {budget} comparisons, {COMPARISONS_PER_FIELD} per field of "
            "BTL_MAX_FIELDS). Ask for each field once."
        )


def shape_errors(document: DocumentNode, settings: Settings) -> list[GraphQLError]:
    """The limits the document is over, measured in one pass (fragments measured once)."""
    shape = measure_document(document)
    max_depth = thread_depth(settings.max_reply_depth)
    errors = []
    if shape.fields > settings.max_fields:
        errors.append(
            f"The operation selects {shape.fields} fields once its fragments are spread in; "
            f"the limit is {settings.max_fields} (BTL_MAX_FIELDS)."
        )
    if shape.depth > max_depth:
        errors.append(
            f"The operation nests {shape.depth} fields deep; the limit is {max_depth}, "
            "what the deepest thread needs (BTL_MAX_REPLY_DEPTH)."
        )
    if shape.aliases > settings.max_aliases:
        errors.append(
            f"The document has {shape.aliases} aliases; the limit is {settings.max_aliases} "
            "(BTL_MAX_ALIASES)."
        )
    if shape.directives > settings.max_directives:
        errors.append(
            f"The document has {shape.directives} directives; the limit is "
            f"{settings.max_directives} (BTL_MAX_DIRECTIVES)."
        )
    return [limit_error(message) for message in errors]
