"""What one document may ask for: its depth, its aliases and its cost (its fields once fragments are expanded).

Each operation is measured in time linear in the document's size: every definition is walked once, and a fragment's
measure, computed once, is added at each of its spreads (cost and aliases once per spread, depth from the level of
the spread). A fragment spread 2 times in each of 40 nested fragments is thus measured in 41 steps, not 2^40.
A spread that closes a cycle, or names no fragment, counts nothing: graphql-core's NoFragmentCycles and
KnownFragmentNames refuse such documents.

The limits are checked before graphql-core's validation rules, which a document past them does not reach. Refusals
are validation errors (code GRAPHQL_VALIDATION_FAILED, see errors.py) whose `limit` extension says which limit was
passed (`depth`, `aliases` or `cost`) and `allowed` its value.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

# Introspection's type references nest `ofType` about ten deep (GraphiQL's own query does): unwrapping a type is not
# a level of depth. The rest of introspection (`__schema { types { fields { type { fields … } } } }`) counts.
_FLAT_FIELDS = frozenset({"ofType"})


@dataclass(frozen=True)
class Measure:
    """How deep (the deepest field's level, root fields being level 0), how many aliases, how many fields."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


@dataclass
class _Walked:
    """One definition's own fields and aliases, and the fragments it spreads with the level of each spread."""

    own: Measure
    spreads: list[tuple[str, int]] = field(default_factory=list)


def _walk(selection_set: SelectionSetNode) -> _Walked:
    """Walks one definition's selections once (without entering its spreads), without recursion."""
    depth = aliases = cost = 0
    spreads: list[tuple[str, int]] = []
    pending = [(selection_set, 0)]
    while pending:
        selections, level = pending.pop()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                cost += 1
                aliases += selection.alias is not None
                depth = max(depth, level)
                if selection.selection_set:
                    nested = level if selection.name.value in _FLAT_FIELDS else level + 1
                    pending.append((selection.selection_set, nested))
            elif isinstance(selection, InlineFragmentNode):
                pending.append((selection.selection_set, level))
            elif isinstance(selection, FragmentSpreadNode):
                spreads.append((selection.name.value, level))
    return _Walked(Measure(depth, aliases, cost), spreads)


def _combine(walked: _Walked, measured: dict[str, Measure]) -> Measure:
    depth, aliases, cost = walked.own.depth, walked.own.aliases, walked.own.cost
    for name, level in walked.spreads:
        fragment = measured.get(name)
        if fragment is not None:  # unknown or cyclic: counts nothing (and is refused by other rules)
            depth = max(depth, level + fragment.depth)
            aliases += fragment.aliases
            cost += fragment.cost
    return Measure(depth, aliases, cost)


def _measure_fragments(walked: dict[str, _Walked]) -> dict[str, Measure]:
    """Every fragment's measure, each fragment's spreads measured before it (depth-first, without recursion)."""
    measured: dict[str, Measure] = {}
    for start in walked:
        if start in measured:
            continue
        path = {start}
        stack: list[tuple[str, Iterator[tuple[str, int]]]] = [(start, iter(walked[start].spreads))]
        while stack:
            name, spreads = stack[-1]
            for spread, _ in spreads:
                if spread in walked and spread not in measured and spread not in path:
                    path.add(spread)
                    stack.append((spread, iter(walked[spread].spreads)))
                    break
            else:
                stack.pop()
                path.discard(name)
                measured[name] = _combine(walked[name], measured)
    return measured


def measure(document: DocumentNode) -> list[tuple[OperationDefinitionNode, Measure]]:
    """Each operation of `document` with its measure, fragments expanded."""
    fragments: dict[str, _Walked] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            # A name defined twice is refused by UniqueFragmentNames; the first one is measured.
            fragments.setdefault(definition.name.value, _walk(definition.selection_set))
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    measured = _measure_fragments(fragments)
    return [(operation, _combine(_walk(operation.selection_set), measured)) for operation in operations]


@dataclass(frozen=True)
class Limits:
    """The most one operation may ask for (Settings.max_query_depth, max_query_aliases, max_query_cost)."""

    depth: int
    aliases: int
    cost: int


def refusals(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """An error for each limit an operation of `document` passes."""
    errors = []
    for operation, found in measure(document):
        name = operation.name.value if operation.name else "anonymous"
        passed = [
            ("depth", found.depth, f"'{name}' exceeds maximum operation depth of {limits.depth}"),
            ("aliases", found.aliases, f"{found.aliases} aliases found. Allowed: {limits.aliases}"),
            (
                "cost",
                found.cost,
                f"'{name}' selects {found.cost} fields once its fragments are expanded. Allowed: {limits.cost}",
            ),
        ]
        for limit, value, message in passed:
            allowed = getattr(limits, limit)
            if value > allowed:
                errors.append(GraphQLError(message, operation, extensions={"limit": limit, "allowed": allowed}))
    return errors


@lru_cache(maxsize=256)
def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...], limits: Limits
) -> list[GraphQLError]:
    from strawberry.schema.schema import validate_document  # (imported here: it imports the extensions)

    return refusals(document, limits) or validate_document(schema, document, rules)


class ValidateWithinLimits(SchemaExtension):
    """Validation: the limits first, then graphql-core's rules (not run on a document past the limits, which is
    refused at the cost of measuring it). Cached: apps send the same few documents again and again (the parser
    cache hands back the same document for the same text)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = _validate(
            context.schema._schema, context.graphql_document, context.validation_rules, self.limits
        )
        yield
