"""What one document may ask for: its depth, its aliases and its cost (its fields once fragments are expanded).

Each operation is measured in time linear in the document's size: every definition is walked once, and a fragment's
measure, computed once, is added at each of its spreads (cost and aliases once per spread, depth from the level of
the spread). A fragment spread 2 times in each of 40 nested fragments is thus measured in 41 steps, not 2^40.
A spread that closes a cycle, or names no fragment, counts nothing: graphql-core's NoFragmentCycles and
KnownFragmentNames refuse such documents.

One selection set may select one response key at most `repeated_fields` times and have at most `spreads` fragment
spreads, the fragments and inline fragments spread into it merged (and, in an operation within the cost limit, the
selection sets of its fields with one response key merged too): graphql-core's OverlappingFieldsCanBeMerged compares
such fields, and such fragments, pairwise.

The limits are checked before graphql-core's validation rules, which a document past them does not reach. Refusals
are validation errors (code GRAPHQL_VALIDATION_FAILED, see errors.py) whose `limit` extension says which limit was
passed (`depth`, `aliases`, `cost`, `repeated_fields` or `fragment_spreads`) and `allowed` its value.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
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


def _in_order(spreads: dict[str, list[str]]) -> Iterator[str]:
    """Every fragment named in `spreads` (a fragment's name: the fragments it spreads), each after the fragments it
    spreads, but for a spread that closes a cycle (depth-first, without recursion)."""
    done: set[str] = set()
    for start in spreads:
        if start in done:
            continue
        path = {start}
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(spreads[start]))]
        while stack:
            name, pending = stack[-1]
            for spread in pending:
                if spread in spreads and spread not in done and spread not in path:
                    path.add(spread)
                    stack.append((spread, iter(spreads[spread])))
                    break
            else:
                stack.pop()
                path.discard(name)
                done.add(name)
                yield name


def _cyclic(fragments: dict[str, FragmentDefinitionNode]) -> bool:
    """Whether a fragment spreads itself, directly or not (in `_in_order`'s order, a spread closing a cycle is the
    only one naming a fragment not before the fragment spreading it)."""
    spreads: dict[str, list[str]] = {}
    for name, fragment in fragments.items():
        spreads[name] = _level(fragment.selection_set, nested := [])[1]
        while nested:
            spreads[name] += _level(nested.pop(), nested)[1]
    position = {name: i for i, name in enumerate(_in_order(spreads))}
    return any(position[spread] >= position[name] for name in spreads for spread in spreads[name] if spread in spreads)


def _measure_fragments(walked: dict[str, _Walked]) -> dict[str, Measure]:
    """Every fragment's measure, each fragment's spreads measured before it."""
    measured: dict[str, Measure] = {}
    for name in _in_order({name: [spread for spread, _ in w.spreads] for name, w in walked.items()}):
        measured[name] = _combine(walked[name], measured)
    return measured


def _level(selection_set: SelectionSetNode, nested: list[SelectionSetNode]) -> tuple[Counter[str], list[str]]:
    """One selection set's fields by response key and the fragments it spreads, its inline fragments' merged in
    (as graphql-core's OverlappingFieldsCanBeMerged merges them); the fields' own selection sets go to `nested`."""
    keys: Counter[str] = Counter()
    spreads: list[str] = []
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                keys[(selection.alias or selection.name).value] += 1
                if selection.selection_set:
                    nested.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                spreads.append(selection.name.value)
    return keys, spreads


@dataclass(frozen=True)
class Breadth:
    """The most one selection set of a definition selects one response key (`repeated`, with that `key`), and the
    most fragments spread into one of its selection sets (`spreads`): fragments spread into it merged, each spread
    counting (a fragment spreading two others counts three)."""

    repeated: int = 0
    key: str = ""
    spreads: int = 0


@dataclass(frozen=True)
class _Top:
    """A fragment's top selection set once merged: its fields by response key, and the fragments spread into it."""

    keys: Counter[str]
    spreads: frozenset[str]


def _merge(keys: Counter[str], spreads: list[str], tops: dict[str, _Top]) -> tuple[Counter[str], frozenset[str]]:
    """A fragment spread more than once into one selection set counts once, as graphql-core compares it once."""
    merged, names = Counter(keys), set(spreads)
    for name in names.copy():
        top = tops.get(name)
        if top is not None:  # unknown or cyclic: counts nothing (and is refused by other rules)
            merged.update(top.keys)
            names |= top.spreads
    return merged, frozenset(names)


def breadths(document: DocumentNode, limits: "Limits") -> list[tuple[ExecutableDefinitionNode, Breadth]]:
    """Each operation and fragment of `document` with its breadth, past which graphql-core's
    OverlappingFieldsCanBeMerged (quadratic in a selection set's fields with one response key, and in its fragment
    spreads) would take too long. Linear: every definition is walked once, and a fragment's top selection set,
    merged once, is added at each of its spreads; a fragment past `limits` (refused as it is) adds nothing where it is
    spread, so a merge adds at most `limits.spreads` fragments' fields, each at most `limits.repeated_fields` times."""
    walked: dict[str, tuple[FragmentDefinitionNode, Counter[str], list[str], list[SelectionSetNode]]] = {}
    operations: list[OperationDefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            if definition.name.value not in walked:
                nested: list[SelectionSetNode] = []
                walked[definition.name.value] = (definition, *_level(definition.selection_set, nested), nested)
        elif isinstance(definition, OperationDefinitionNode):
            operations.append(definition)
    tops: dict[str, _Top] = {}
    # A fragment past the limits counts nothing where it is spread: its own definition is refused.
    over = _Top(Counter(), frozenset())
    for name in _in_order({name: spreads for name, (_, _, spreads, _) in walked.items()}):
        keys, names = _merge(walked[name][1], walked[name][2], tops)
        past = len(names) > limits.spreads or (keys and max(keys.values()) > limits.repeated_fields)
        tops[name] = over if past else _Top(keys, names)

    def breadth(top: tuple[Counter[str], frozenset[str]], nested: list[SelectionSetNode]) -> Breadth:
        found = Breadth()
        levels = [top]
        while levels or nested:
            keys, names = levels.pop() if levels else _merge(*_level(nested.pop(), nested), tops)
            key, repeated = max(keys.items(), key=lambda item: item[1], default=("", 0))
            found = Breadth(
                *((repeated, key) if repeated > found.repeated else (found.repeated, found.key)),
                max(found.spreads, len(names)),
            )
        return found

    found: list[tuple[ExecutableDefinitionNode, Breadth]] = []
    for operation in operations:
        nested = []
        found.append((operation, breadth(_merge(*_level(operation.selection_set, nested), tops), nested)))
    for definition, keys, spreads, nested in walked.values():
        found.append((definition, breadth(_merge(keys, spreads, tops), list(nested))))
    return found


def expanded_breadth(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode], budget: int
) -> Breadth:
    """The breadth of `operation` once its fragments are expanded and the selection sets of its fields with one
    response key merged (as graphql-core compares them: `viewer { a } viewer { a }` compares the two `a`). Visits at
    most `budget` selections (enough for an operation within the cost limit; a cycle, refused by NoFragmentCycles,
    stops there)."""
    found = Breadth()
    groups = [[operation.selection_set]]  # selection sets merged into one
    while groups and budget > 0:
        keys: Counter[str] = Counter()
        children: dict[str, list[SelectionSetNode]] = {}
        spreads: set[str] = set()  # each fragment merged once, as graphql-core compares it once
        pending = groups.pop()
        while pending and budget > 0:
            for selection in pending.pop().selections:
                budget -= 1
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    keys[key] += 1
                    if selection.selection_set:
                        children.setdefault(key, []).append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name not in spreads and name in fragments:
                        pending.append(fragments[name].selection_set)
                    spreads.add(name)
        groups.extend(children.values())
        key, repeated = max(keys.items(), key=lambda item: item[1], default=("", 0))
        if repeated > found.repeated:
            found = Breadth(repeated, key, found.spreads)
        if len(spreads) > found.spreads:
            found = Breadth(found.repeated, found.key, len(spreads))
    return found


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
    """The most one operation may ask for (Settings.max_query_depth, max_query_aliases, max_query_cost), and one
    selection set (Settings.max_repeated_fields, max_fragment_spreads)."""

    depth: int
    aliases: int
    cost: int
    repeated_fields: int = 20
    spreads: int = 50


def refusals(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """An error for each limit an operation of `document` passes, and one for each selection-set limit the document
    passes (at its widest definition)."""
    errors = []
    measured = list(measure(document))
    for operation, found in measured:
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
    widest = breadths(document, limits)
    # Within the cost limit, an operation expanded and merged is measured too (its nested selection sets merged
    # across fields and fragments); visiting it takes about three steps a field (fields, spreads, inline fragments).
    # A document with a fragment cycle is not expanded: NoFragmentCycles refuses it.
    fragments = {d.name.value: d for d in reversed(document.definitions) if isinstance(d, FragmentDefinitionNode)}
    for operation, found in measured if not _cyclic(fragments) else []:
        if found.cost <= limits.cost:
            widest.append((operation, expanded_breadth(operation, fragments, 4 * limits.cost + 1000)))
    definition, found = max(widest, key=lambda each: each[1].repeated, default=(None, Breadth()))
    if found.repeated > limits.repeated_fields:
        message = (
            f"'{found.key}' is selected {found.repeated} times in one selection set. Allowed: {limits.repeated_fields}"
        )
        extensions = {"limit": "repeated_fields", "allowed": limits.repeated_fields}
        errors.append(GraphQLError(message, definition, extensions=extensions))
    definition, found = max(widest, key=lambda each: each[1].spreads, default=(None, Breadth()))
    if found.spreads > limits.spreads:
        message = f"{found.spreads} fragments are spread into one selection set. Allowed: {limits.spreads}"
        extensions = {"limit": "fragment_spreads", "allowed": limits.spreads}
        errors.append(GraphQLError(message, definition, extensions=extensions))
    return errors


@lru_cache(maxsize=256)
def validate_within_limits(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...], limits: Limits
) -> list[GraphQLError]:
    """The limits first, then graphql-core's rules (not run on a document past the limits, which is refused at the
    cost of measuring it). Cached: the parse cache hands back the same document for the same text."""
    from strawberry.schema.schema import validate_document  # (imported here: it imports the extensions)

    return refusals(document, limits) or validate_document(schema, document, rules)
