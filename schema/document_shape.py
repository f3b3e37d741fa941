"""How big a document's operations are once their fragments are spread in, in one pass.

Each fragment is measured once and its measure reused wherever it is spread, so a document
whose fragments spread each other twice over (2^20 fields in 800 characters) costs twenty
steps, not a million. Strawberry's depth and alias limiters walk every spread again: that is
what this replaces.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Shape:
    fields: int = 0  # field selections, fragments spread in
    # nested fields that have a selection, introspection fields not counted (as strawberry's
    # QueryDepthLimiter counts)
    depth: int = 0
    aliases: int = 0  # aliased fields, fragments spread in

    def beside(self, other: Shape) -> Shape:
        """Two selections of one selection set."""
        return Shape(
            self.fields + other.fields,
            max(self.depth, other.depth),
            self.aliases + other.aliases,
        )


@dataclass(frozen=True, slots=True)
class DocumentShape:
    fields: int  # of the largest operation
    depth: int  # of the deepest operation
    aliases: int  # in all operations together
    directives: int  # as written, in every definition


class _Measure:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.shapes: dict[str, Shape] = {}
        self.directives = 0

    def fragment(self, name: str) -> Shape:
        # measured in dependency order (see measure_document): a spread that is not known
        # yet closes a cycle or names no fragment, which validation reports
        return self.shapes.get(name, Shape())

    def selection_set(self, selection_set: SelectionSetNode | None) -> Shape:
        shape = Shape()
        if selection_set is None:
            return shape
        for selection in selection_set.selections:
            self.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                introspection = selection.name.value.startswith("__")
                counted = selection.selection_set is not None and not introspection
                shape = shape.beside(
                    Shape(
                        1 + inner.fields,
                        1 + inner.depth if counted else 0,
                        (selection.alias is not None) + inner.aliases,
                    )
                )
            elif isinstance(selection, InlineFragmentNode):
                shape = shape.beside(self.selection_set(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                shape = shape.beside(self.fragment(selection.name.value))
        return shape


def _spreads(selection_set: SelectionSetNode) -> list[str]:
    names, stack = [], [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
    return names


def _dependency_order(fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Fragments after the fragments they spread (without recursion: chains can be long)."""
    spreads = {name: _spreads(f.selection_set) for name, f in fragments.items()}
    order: list[str] = []
    done: set[str] = set()
    for root in fragments:
        if root in done:
            continue
        path = [(root, iter(spreads[root]))]
        on_path = {root}
        while path:
            name, pending = path[-1]
            for spread in pending:
                if spread in spreads and spread not in done and spread not in on_path:
                    path.append((spread, iter(spreads[spread])))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                done.add(name)
                order.append(name)
    return order


def _directives(nodes: tuple[DirectiveNode, ...] | None) -> int:
    return len(nodes or ())


def measure_document(document: DocumentNode) -> DocumentShape:
    """The shape of every operation in `document`, in time linear in its size."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    measure = _Measure(fragments)
    for name in _dependency_order(fragments):
        fragment = fragments[name]
        measure.directives += _directives(fragment.directives)
        measure.shapes[name] = measure.selection_set(fragment.selection_set)
    fields = depth = aliases = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        measure.directives += _directives(definition.directives) + sum(
            _directives(v.directives) for v in definition.variable_definitions or ()
        )
        shape = measure.selection_set(definition.selection_set)
        fields, depth = max(fields, shape.fields), max(depth, shape.depth)
        aliases += shape.aliases
    return DocumentShape(fields, depth, aliases, measure.directives)
