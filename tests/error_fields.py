"""Checks that every error `field` in an answer names what the caller could send: a path into the arguments
of the field that failed (the root field of a mutation's payload errors, the field at the error's `path`
otherwise). The fields of an argument named `input` go without `input.`; list items are `[n]`.

conftest's `gql` runs it on every answer, so the whole suite sweeps every error any test provokes.
"""

import re
from functools import cache

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    parse,
)

from server.graphql.schema import build_schema

PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*")
PART = re.compile(r"([A-Za-z_]\w*)|\[(\d+)\]")


@cache
def schema() -> GraphQLSchema:
    return build_schema()._schema


def is_path(field: GraphQLField, path: str) -> bool:
    """Whether `path` is an argument of `field`, or lies inside one (or inside the `input` argument)."""
    if not PATH.fullmatch(path):
        return False
    parts = [name or int(index) for name, index in PART.findall(path)]
    if parts[0] == "input" and len(parts) > 1:
        return False  # the input's fields go without `input.`
    if parts[0] in field.args:
        kind, rest = field.args[parts[0]].type, parts[1:]
    elif "input" in field.args:
        kind, rest = field.args["input"].type, parts
    else:
        return False
    for part in rest:
        kind = get_nullable_type(kind)
        if isinstance(part, int) and isinstance(kind, GraphQLList):
            kind = kind.of_type
        elif isinstance(part, str) and isinstance(kind, GraphQLInputObjectType) and part in kind.fields:
            kind = kind.fields[part].type
        else:
            return False
    return True


def _field_node(selections: SelectionSetNode, key: str, fragments: dict) -> FieldNode | None:
    """The field answered under response key `key` (its alias or name), through fragments."""
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if (selection.alias or selection.name).value == key:
                return selection
            continue
        if isinstance(selection, FragmentSpreadNode):
            inner = fragments[selection.name.value].selection_set
        else:
            inner = selection.selection_set
        found = _field_node(inner, key, fragments)
        if found is not None:
            return found
    return None


def _field_at(root: GraphQLObjectType, operation, fragments: dict, path: list) -> GraphQLField | None:
    kind: GraphQLObjectType = root
    selections = operation.selection_set
    definition = None
    for key in path:
        if isinstance(key, int):
            continue
        node = _field_node(selections, key, fragments) if selections else None
        if node is None or node.name.value not in kind.fields:
            return None
        definition = kind.fields[node.name.value]
        kind, selections = get_named_type(definition.type), node.selection_set
    return definition


def check_error_fields(document: str, body: dict) -> None:
    """Fails (assert) when an error in `body`, the answer to `document`, names a field the operation lacks."""
    try:
        parsed = parse(document)
    except GraphQLError:
        return
    operations = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        return
    operation = operations[0]
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    mutation = operation.operation == OperationType.MUTATION
    root = schema().mutation_type if mutation else schema().query_type
    found: list[tuple[list, str]] = []  # (path of the failing field, error field)
    if mutation:
        for key, value in (body.get("data") or {}).items():
            if isinstance(value, dict) and isinstance(value.get("errors"), list):
                found += [([key], e["field"]) for e in value["errors"] if e.get("field") is not None]
    for error in body.get("errors") or []:
        extensions = error.get("extensions") or {}
        named = [extensions.get("field")] + [e.get("field") for e in extensions.get("errors") or []]
        named = [n for n in named if n is not None]
        if named:
            assert error.get("path"), f"an error naming {named} has no path: {error}"
            found += [(error["path"], n) for n in named]
    for path, field in found:
        definition = _field_at(root, operation, fragments, path)
        assert definition is not None, f"no field at {path} in {document}"
        assert is_path(definition, field), (
            f"error field {field!r} at {path} is not a path into its arguments "
            f"({', '.join(definition.args)}); the error: {body}"
        )
