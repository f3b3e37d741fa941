"""Refuse abusive operations before they cost anything: size, depth, aliases, directives, cost.

Each refusal is a GraphQL error with extensions.code LIMIT_EXCEEDED that names the limit and
its BTL_ variable. What the document alone decides is checked once per document text
(schema/checked_document.py); the cost, which depends on the variables, once per operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from schema.checked_document import DocumentChecker, limit_error
from service.config import Settings
from service.threads import MAX_PAGE

DEFAULT_PAGE = 20
# connection plumbing: free in itself, what it wraps is what costs
PLUMBING = frozenset({"edges", "node", "pageInfo", "cursor", "__typename"})


class CheckedDocument(SchemaExtension):
    """Strawberry's parse and validation steps, through the bounded, caching checker."""

    def __init__(self, checker: DocumentChecker) -> None:
        self.checker = checker

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            context.graphql_document = self.checker.parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = self.checker.validate(
            context.schema._schema,
            context.query,
            context.graphql_document,
            tuple(context.validation_rules),
        )
        yield


def _argument(node: FieldNode, name: str, variables: dict[str, Any]) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if isinstance(value, VariableNode):
                return variables.get(value.name.value)
            if isinstance(value, ListValueNode):
                return list(value.values)
            return getattr(value, "value", None)
    return None


def _multiplier(node: FieldNode, variables: dict[str, Any]) -> int:
    """How many times a field's selection runs: `first` for connections, ids for articles."""
    name = node.name.value
    if name == "articles":
        ids = _argument(node, "ids", variables)
        return max(1, len(ids)) if isinstance(ids, list) else 100
    if name in {"comments", "replies", "reports", "moderationQueue", "moderationLog"}:
        first = _argument(node, "first", variables)
        try:
            # beyond the page limit the field refuses by itself (BAD_USER_INPUT)
            return min(max(1, int(first)), MAX_PAGE) if first is not None else DEFAULT_PAGE
        except (TypeError, ValueError):
            return DEFAULT_PAGE
    return 1


class _Cost:
    """Every field costs 1 (connection plumbing 0); a list's selection costs as many times as
    it may return items. Each fragment is costed once, however often it is spread."""

    def __init__(
        self, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.of_fragment: dict[str, int] = {}

    def selection_set(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                own = 0 if selection.name.value in PLUMBING else 1
                total += own + _multiplier(selection, self.variables) * inner
            elif isinstance(selection, InlineFragmentNode):
                total += self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        if name not in self.of_fragment and name in self.fragments:
            self.of_fragment[name] = 0  # a cycle adds nothing (validation refused it anyway)
            self.of_fragment[name] = self.selection_set(self.fragments[name].selection_set)
        return self.of_fragment.get(name, 0)


def operation_cost(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    """The worst-case cost of `operation`; a variable not given takes its default value."""
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    return _Cost(fragments, {**defaults, **variables}).selection_set(operation.selection_set)


class CostLimiter(SchemaExtension):
    """Refuse an operation whose worst-case cost (variables known) is over the limit."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.result:
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            operations = [
                d
                for d in document.definitions
                if isinstance(d, OperationDefinitionNode)
                and (
                    context.operation_name is None
                    or (d.name and d.name.value == context.operation_name)
                )
            ]
            cost = sum(
                operation_cost(op, fragments, context.variables or {}) for op in operations[:1]
            )
            if cost > self.max_cost:
                error = limit_error(
                    f"The operation costs {cost}; the limit is {self.max_cost} "
                    "(BTL_MAX_COST). Ask for smaller pages."
                )
                if context.operation_type is OperationType.SUBSCRIPTION:
                    raise error  # subscribe() never reads a result set here
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield


def limit_extensions(
    settings: Settings, checker: DocumentChecker
) -> list[Callable[[], SchemaExtension]]:
    return [
        lambda: CheckedDocument(checker),
        lambda: CostLimiter(settings.max_cost),
    ]
