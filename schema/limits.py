"""Refuse abusive operations before they cost anything: size, depth, aliases, directives, cost.

Each refusal is a GraphQL error that names the limit and its BTL_ variable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    VariableNode,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.types.graphql import OperationType

from service.config import Settings
from service.threads import MAX_PAGE

DEFAULT_PAGE = 20
# connection plumbing: free in itself, what it wraps is what costs
PLUMBING = frozenset({"edges", "node", "pageInfo", "cursor", "__typename"})


def limit_error(message: str, code: str = "LIMIT_EXCEEDED") -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def thread_depth(max_reply_depth: int) -> int:
    """Depth of the deepest thread a client needs: article > comments > edges > node, then
    replies > edges > node per reply level, then the author's fields."""
    return 4 + 3 * max_reply_depth + 2


def max_directives_rule(limit: int) -> type[ASTValidationRule]:
    class MaxDirectives(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0

        def enter_directive(self, node: DirectiveNode, *args: Any) -> None:
            self.count += 1
            if self.count == limit + 1:
                self.report_error(
                    limit_error(
                        f"The document has more than {limit} directives (BTL_MAX_DIRECTIVES)."
                    )
                )

    return MaxDirectives


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


def operation_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: frozenset[str] = frozenset(),
) -> int:
    """Every field costs 1 (connection plumbing 0); a list's selection costs as many times as
    it may return items."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            inner = operation_cost(selection.selection_set, fragments, variables, seen)
            own = 0 if selection.name.value in PLUMBING else 1
            total += own + _multiplier(selection, variables) * inner
        elif isinstance(selection, InlineFragmentNode):
            total += operation_cost(selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += operation_cost(
                    fragments[name].selection_set, fragments, variables, seen | {name}
                )
    return total


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
                operation_cost(op.selection_set, fragments, context.variables or {})
                for op in operations[:1]
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


def limit_extensions(settings: Settings) -> list[Callable[[], SchemaExtension]]:
    # The rule classes are made once: ValidationCache keys on them, so a class made per
    # request would validate every document again.
    rules = [
        *QueryDepthLimiter(max_depth=thread_depth(settings.max_reply_depth)).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
        max_directives_rule(settings.max_directives),
    ]
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(rules),
        lambda: CostLimiter(settings.max_cost),
    ]
