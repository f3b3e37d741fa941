"""Who may see a field: every field of the schema declares one audience where it is defined.

- PUBLIC: the same for everyone who is not staff; may be cached and shared.
- VIEWER: depends on who asks (`viewerHasReported`, `commentPermission`, a mutation's answer).
- SELF: the person themself and staff; null for anyone else.
- STAFF: moderators and admins; null for anyone else.

A field says it with `public_field`, `viewer_field`, `self_field` or `staff_field` (thin
wrappers of `strawberry.field`); a type whose fields all share one audience says it once
with `@audience(...)` above its `@strawberry.type`. SELF and STAFF are enforced here, not
in resolvers: the field resolves to null for anyone else. The public cache, the signed-in
overlay and the private-field rule read the declarations through `field_audiences`; a field
without one is treated as STAFF (tests/schema/test_audience.py fails on it).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)
from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    FieldExtension,
    SyncExtensionResolver,
)

from schema.context import Info
from service.accounts import is_staff

AUDIENCE = "btl.audience"
TYPE_AUDIENCE = "__btl_audience__"
C = TypeVar("C", bound=type)


class Audience(StrEnum):
    PUBLIC = "PUBLIC"
    VIEWER = "VIEWER"
    SELF = "SELF"
    STAFF = "STAFF"


def viewer_is_staff(info: Info) -> bool:
    """Moderators and admins in good standing see STAFF fields (a banned one sees none)."""
    return is_staff(info.context.viewer)


def may_see(audience: Audience, source: Any, info: Info) -> bool:
    if audience is Audience.STAFF:
        return viewer_is_staff(info)
    if audience is Audience.SELF:
        viewer = info.context.viewer
        owner = getattr(source, "owner_id", None)  # a type without an owner: staff only
        return viewer_is_staff(info) or (viewer is not None and owner == viewer.id)
    return True


class _OnlyFor(FieldExtension):
    """Null for whoever the audience leaves out; the resolver does not run for them."""

    def __init__(self, audience: Audience) -> None:
        self.audience = audience

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs) if may_see(self.audience, source, info) else None

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any
    ) -> Any:
        if not may_see(self.audience, source, info):
            return None
        return await next_(source, info, **kwargs)


def _declared(audience: Audience, restrict: bool) -> Callable[..., Any]:
    def field(
        resolver: Any = None,
        *,
        metadata: Mapping[str, Any] | None = None,
        extensions: list[FieldExtension] | None = None,
        **kwargs: Any,
    ) -> Any:
        enforced = [_OnlyFor(audience)] if restrict else []
        declared = strawberry.field(
            metadata={**(metadata or {}), AUDIENCE: audience},
            extensions=[*enforced, *(extensions or [])],
            **kwargs,
        )
        return declared(resolver) if resolver is not None else declared

    return field


public_field = _declared(Audience.PUBLIC, restrict=False)
viewer_field = _declared(Audience.VIEWER, restrict=False)
# root fields behind a permission class refuse instead (FORBIDDEN): declare them with
# `staff_field(permission_classes=[...])`, which then needs no null for others
self_field = _declared(Audience.SELF, restrict=True)
staff_field = _declared(Audience.STAFF, restrict=True)
gated_staff_field = _declared(Audience.STAFF, restrict=False)


def audience(declared: Audience) -> Callable[[C], C]:
    """Every field of the decorated type has this audience, unless the field says otherwise.

    Only for audiences that need no enforcement per field: PUBLIC and VIEWER, or a type only
    reachable through a SELF or STAFF field (which already answers null for others)."""

    def mark(cls: C) -> C:
        setattr(cls, TYPE_AUDIENCE, declared)
        return cls

    return mark


CARRIED = "__btl_carried__"


def carried(cls: C) -> C:
    """A type whose values are only ever part of the field that returns them (a connection,
    an edge, page info, an error in a result): that field's object keeps the answer fresh.

    Every other type with PUBLIC fields notes what its objects depend on as they are made
    (`__post_init__` calling schema.freshness.s note_* functions); the audience test
    fails on a type that does neither."""
    setattr(cls, CARRIED, True)
    return cls


def declared_audience(graphql_type: GraphQLObjectType, field_name: str) -> Audience | None:
    """The audience declared on the field, else on its type; None when nothing is declared."""
    field = graphql_type.fields[field_name]
    definition = field.extensions.get("strawberry-definition")
    found = getattr(definition, "metadata", None) or {}
    if AUDIENCE in found:
        return Audience(found[AUDIENCE])
    type_definition = graphql_type.extensions.get("strawberry-definition")
    origin = getattr(type_definition, "origin", None)
    declared = getattr(origin, TYPE_AUDIENCE, None)
    return Audience(declared) if declared is not None else None


def field_audiences(schema: GraphQLSchema) -> dict[tuple[str, str], Audience | None]:
    """Every field of every object type (introspection aside) with its declared audience."""
    return {
        (type_.name, name): declared_audience(type_, name)
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name in type_.fields
    }


class FieldAudiences:
    """The schema's declarations, read once; an undeclared field counts as STAFF."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.declared = field_audiences(schema)

    def of(self, type_name: str, field_name: str) -> Audience:
        if field_name.startswith("__"):
            return Audience.PUBLIC  # __typename: the type's name, the same for everyone
        return self.declared.get((type_name, field_name)) or Audience.STAFF


class DocumentAudiences:
    """The audiences a document asks for (every field of every operation and fragment, each
    visited once), kept for the documents seen most recently; None: it does not validate
    against the schema's types (it then runs the ordinary way and fails there)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        parse: Callable[[str], DocumentNode],
        max_documents: int = 256,
    ) -> None:
        self.schema = schema
        self.audiences = FieldAudiences(schema)
        self.parse = parse  # the schema's own, under its limits (and its cache)
        self.max_documents = max_documents
        self.found: OrderedDict[str, frozenset[Audience] | None] = OrderedDict()

    def of(self, query: str) -> frozenset[Audience] | None:
        if query in self.found:
            self.found.move_to_end(query)
            return self.found[query]
        found = self.found[query] = self._audiences(query)
        if len(self.found) > self.max_documents:
            self.found.popitem(last=False)
        return found

    def _audiences(self, query: str) -> frozenset[Audience] | None:
        try:
            document = self.parse(query)
        except GraphQLError:
            return None
        type_info = TypeInfo(self.schema)
        collector = _AudienceCollector(self.schema, type_info, self.audiences)
        visit(document, TypeInfoVisitor(type_info, collector))
        return None if collector.unknown else frozenset(collector.found)


class _AudienceCollector(Visitor):
    def __init__(self, schema: GraphQLSchema, type_info: TypeInfo, audiences: FieldAudiences):
        super().__init__()
        self.schema = schema
        self.type_info = type_info
        self.audiences = audiences
        self.found: set[Audience] = set()
        self.unknown = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        if parent is None or self.type_info.get_field_def() is None:
            self.unknown = True
        elif isinstance(parent, GraphQLObjectType):
            self.found.add(self.audiences.of(parent.name, name))
        elif not name.startswith("__"):  # on an interface: its audience on every type with it
            for possible in self.schema.get_possible_types(parent):
                if name in possible.fields:
                    self.found.add(self.audiences.of(possible.name, name))
