"""Signed-in thread pages: the shared signed-out answer, with the viewer's own fields laid over.

A reader's thread page differs from a signed-out reader's in a few fields only:
`Comment.viewerHasReported`, `viewerCanEdit`, `viewerHasRecommended`, `viewerIgnoresAuthor`
and `Article.commentPermission` — unless the reader has a comment waiting for a moderator
(PENDING), which they alone see: their pages then run the ordinary way.
Executing the whole page again for every signed-in reader costs more than ten times the
cached signed-out answer, so for a reader (not staff, who see more) asking a document
made of thread fields alone, btl:

1. rewrites the document once, adding `btl__vN: id` beside each set of viewer fields, so
   the answer says which comment or article each set belongs to;
2. takes the signed-out answer to that document from the exact public cache (computing it
   anonymously on a miss), and cuts it once into a template where the viewer's values go;
3. fills the template from the viewer's flags for the ids it names (one query, which also
   says whether the reader has a PENDING comment, and gives `recommendCount` as of now: the
   shared answer's may lag, a reader's may not) and the gate's verdict for each article.

Anything else — another field, a directive, a mutation, an error in the signed-out
answer — runs the ordinary way. tests/schema/test_viewer_overlay.py checks that both
ways give the same bytes, for every state a reader's flags can be in."""

from __future__ import annotations

import json
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    print_ast,
    visit,
)

from schema.audience import Audience, FieldAudiences
from schema.checked_document import DocumentChecker
from service import articles, commenting, comments
from service.models import User
from service.runtime import Runtime

MARK = "btl__v"

# The VIEWER fields the overlay computes for a reader (with the subfields of their values);
# a document with any other VIEWER field, or a SELF or STAFF one, runs the ordinary way.
# PUBLIC fields come from the shared answer: schema/audience.py says which they are.
FILLED = {
    "Comment": frozenset(
        {"viewerHasReported", "viewerCanEdit", "viewerHasRecommended", "viewerIgnoresAuthor"}
    ),
    "Article": frozenset({"commentPermission"}),
    "CommentPermission": frozenset({"allowed", "reason"}),
}
VIEWER_FIELDS = {name: FILLED[name] for name in ("Comment", "Article")}
# PUBLIC fields a signed-out answer may show lagging (recommendation counts never move the
# thread's version): a reader gets them as of now, like an answer executed for them
REFRESHED = {"Comment": frozenset({"recommendCount"})}


@dataclass(frozen=True, slots=True)
class ViewerField:
    response_key: str
    name: str
    # for commentPermission: (response key, CommentPermission field) of each subfield
    subfields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    """One selection set on a Comment or an Article that asks for viewer fields."""

    type_name: str
    fields: tuple[ViewerField, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    query: str  # the document with the markers added
    sites: tuple[Site, ...]


class _Ineligible(Exception):
    pass


class _Planner(Visitor):
    def __init__(self, type_info: TypeInfo, audiences: FieldAudiences) -> None:
        super().__init__()
        self.type_info = type_info
        self.audiences = audiences
        self.sites: list[Site] = []

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        if node.operation != OperationType.QUERY:
            raise _Ineligible

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        raise _Ineligible  # @skip/@include would make the overlay's fields conditional

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_type()
        name = node.name.value
        if node.alias is not None and node.alias.value.startswith(MARK):
            raise _Ineligible
        if parent is None or self.type_info.get_field_def() is None:
            raise _Ineligible
        if name == "__typename":
            return
        audience = self.audiences.of(parent.name, name)
        if audience is Audience.PUBLIC:
            return
        if audience is not Audience.VIEWER or name not in FILLED.get(parent.name, ()):
            raise _Ineligible

    def leave_selection_set(self, node: SelectionSetNode, *_: Any) -> SelectionSetNode | None:
        parent = self.type_info.get_parent_type()
        type_name = parent.name if parent else ""
        wanted = VIEWER_FIELDS.get(type_name, frozenset()) | REFRESHED.get(type_name, frozenset())
        found = [
            _viewer_field(selection)
            for selection in node.selections
            if isinstance(selection, FieldNode) and selection.name.value in wanted
        ]
        if not found:
            return None
        assert parent is not None
        marker = FieldNode(
            alias=NameNode(value=f"{MARK}{len(self.sites)}"),
            name=NameNode(value="id"),
            arguments=(),
            directives=(),
        )
        self.sites.append(Site(parent.name, tuple(found)))
        return SelectionSetNode(selections=(*node.selections, marker))


def _viewer_field(node: FieldNode) -> ViewerField:
    key = node.alias.value if node.alias else node.name.value
    if node.selection_set is None:
        return ViewerField(key, node.name.value)
    subfields = []
    for selection in node.selection_set.selections:
        if not isinstance(selection, FieldNode):
            raise _Ineligible  # fragments inside commentPermission: not worth the code
        subfields.append(
            (
                selection.alias.value if selection.alias else selection.name.value,
                selection.name.value,
            )
        )
    return ViewerField(key, node.name.value, tuple(subfields))


class Planner:
    """Plans per document text, kept for the documents seen most recently."""

    def __init__(
        self, schema: GraphQLSchema, checker: DocumentChecker, max_documents: int = 256
    ) -> None:
        self.schema = schema
        self.audiences = FieldAudiences(schema)
        for type_name, names in FILLED.items():
            for name in names:  # the overlay never computes a value everybody shares
                assert self.audiences.of(type_name, name) is Audience.VIEWER, (type_name, name)
        self.checker = checker  # the limits execution applies, and its parsed documents
        self.max_documents = max_documents
        self.plans: OrderedDict[str, Plan | None] = OrderedDict()

    def plan(self, query: str) -> Plan | None:
        if query in self.plans:
            self.plans.move_to_end(query)
            return self.plans[query]
        plan = self._make(query)
        self.plans[query] = plan
        if len(self.plans) > self.max_documents:
            self.plans.popitem(last=False)
        return plan

    def _make(self, query: str) -> Plan | None:
        try:
            document = self.checker.bounded(query)
        except GraphQLError:
            return None  # the ordinary way refuses it with the limit named
        type_info = TypeInfo(self.schema)
        planner = _Planner(type_info, self.audiences)
        try:
            rewritten: DocumentNode = visit(document, TypeInfoVisitor(type_info, planner))
        except _Ineligible:
            return None
        if not planner.sites:
            return None  # nothing of the viewer's: the signed-out path serves it as is
        return Plan(print_ast(rewritten), tuple(planner.sites))


@dataclass(frozen=True, slots=True)
class Slot:
    """One value the viewer changes, in the order it appears in the answer's text."""

    type_name: str  # "Comment" or "Article"
    entity_id: str
    field: str  # a Comment's viewer field, or commentPermission's allowed / reason


@dataclass(frozen=True, slots=True)
class Template:
    """A signed-out answer cut where the viewer's values go: no JSON work per request."""

    chunks: tuple[str, ...]  # one more than slots
    slots: tuple[Slot, ...]
    comment_ids: tuple[int, ...]
    article_ids: tuple[str, ...]


# a placeholder no answer can contain: NUL is refused in every text field, and the nonce
# is drawn when the process starts
_NONCE = secrets.token_hex(8)
_PLACEHOLDER = re.compile(rf'"\\u0000{_NONCE}:(\d+)\\u0000"')


def template_of(plan: Plan, body: bytes) -> Template:
    """Cut the signed-out answer to `plan.query` (with its markers) into a template."""
    answer = json.loads(body)
    marked: list[tuple[dict[str, Any], Site, str]] = []
    _collect(answer["data"], plan, marked)
    slots: list[Slot] = []

    def placeholder(slot: Slot) -> str:
        slots.append(slot)
        return f"\x00{_NONCE}:{len(slots) - 1}\x00"

    for obj, site, key in marked:
        entity_id = str(obj.pop(key))
        for field in site.fields:
            if not field.subfields:
                obj[field.response_key] = placeholder(Slot(site.type_name, entity_id, field.name))
                continue
            permission = obj[field.response_key]
            for sub_key, sub_name in field.subfields:
                if sub_name in ("allowed", "reason"):
                    permission[sub_key] = placeholder(Slot(site.type_name, entity_id, sub_name))
    pieces = _PLACEHOLDER.split(json.dumps(answer, separators=(",", ":")))
    ordered = tuple(slots[int(index)] for index in pieces[1::2])
    return Template(
        chunks=tuple(pieces[0::2]),
        slots=ordered,
        comment_ids=tuple(
            dict.fromkeys(int(s.entity_id) for s in ordered if s.type_name == "Comment")
        ),
        article_ids=tuple(dict.fromkeys(s.entity_id for s in ordered if s.type_name == "Article")),
    )


async def fill(rt: Runtime, viewer: User, template: Template) -> str | None:
    """The answer for this viewer: their flags and permission written into the template;
    None when the reader has a PENDING comment (only they see it: their answer is their own)."""
    counted = any(slot.field in REFRESHED["Comment"] for slot in template.slots)
    flags = await comments.viewer_flags(rt, viewer, list(template.comment_ids), with_counts=counted)
    if flags.has_pending:
        return None
    verdicts = (
        await commenting.verdicts(
            rt,
            viewer,
            await rt.shared.read(
                ("articles", *template.article_ids),
                lambda: articles.by_ids(list(template.article_ids)),
            ),
        )
        if template.article_ids
        else {}
    )
    by_field = {
        "viewerHasReported": flags.reported,
        "viewerCanEdit": flags.editable,
        "viewerHasRecommended": flags.recommended,
        "viewerIgnoresAuthor": flags.author_ignored,
    }
    out = [template.chunks[0]]
    for slot, chunk in zip(template.slots, template.chunks[1:], strict=True):
        flagged = by_field.get(slot.field)
        if slot.field == "recommendCount":
            out.append(str(flags.recommend_counts.get(int(slot.entity_id), 0)))
            out.append(chunk)
            continue
        if flagged is not None:
            value = int(slot.entity_id) in flagged
        elif slot.field == "allowed":
            value = verdicts[slot.entity_id].allowed
        else:
            reason = verdicts[slot.entity_id].reason
            out.append(f'"{reason.name}"' if reason else "null")
            out.append(chunk)
            continue
        out.append("true" if value else "false")
        out.append(chunk)
    return "".join(out)


class Templates:
    """Templates of the answers served most recently in this process, bounded in size."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple[str, bytes], Template] = OrderedDict()

    def of(self, plan: Plan, body: bytes) -> Template:
        key = (plan.query, body)
        template = self.entries.get(key)
        if template is not None:
            self.entries.move_to_end(key)
            return template
        template = self.entries[key] = template_of(plan, body)
        self.size += _footprint(key)
        while self.size > self.max_bytes and len(self.entries) > 1:
            evicted, _ = self.entries.popitem(last=False)
            self.size -= _footprint(evicted)
        return template


def _footprint(key: tuple[str, bytes]) -> int:
    return len(key[0]) + 2 * len(key[1])  # the body as key, and again cut into chunks


def _collect(value: Any, plan: Plan, marked: list[tuple[dict[str, Any], Site, str]]) -> None:
    if isinstance(value, list):
        for item in value:
            _collect(item, plan, marked)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key.startswith(MARK):
                marked.append((value, plan.sites[int(key[len(MARK) :])], key))
            elif isinstance(item, dict | list):
                _collect(item, plan, marked)
