"""An error's `field` as the caller sent it: the domain names fields in its own words (`version`, `id`,
`consentGivenAt`); this names them as paths into the failing field's arguments, in one place.

A path starts at an argument (`sessionId`, `expectedVersion`, `filter.providerId`, `marks[1].participantId`);
the fields of an argument named `input` are named without it (`name`, `consent.givenAt`, `participantIds[3]`).
A fault in a stored record rather than in a value sent (its status, a draft's missing consent) is named by the
argument that designates the record (`id`, `referralId`); a fault of no one value (a record changed by someone
else meanwhile, when no `expectedVersion` was given) has no field: null.
"""

import re
from collections.abc import Mapping

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    NullValueNode,
    VariableNode,
    get_nullable_type,
)

from server.domain.errors import DomainError, InvalidInput
from server.graphql.context import Info

# The domain's names for a record's own state: a fault there is named by the argument designating the record.
RECORD_STATE = frozenset({"status", "approvalStatus", "authorizationStatus"})

Renamed = Mapping[str, str | None]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = re.compile(rf"{_NAME}(?:\.{_NAME}|\[\d+\])*")
_PART = re.compile(rf"({_NAME})|\[(\d+)\]")


def segments(path: str) -> list[str | int] | None:
    """`marks[1].participantId` → ["marks", 1, "participantId"]; None when it is not such a path."""
    if not _PATH.fullmatch(path):
        return None
    return [name if name else int(index) for name, index in _PART.findall(path)]


def is_argument_path(path: str, arguments: Mapping[str, GraphQLArgument]) -> bool:
    """Whether `path` names an argument of a field, or a place inside one (input fields, list items)."""
    parts = segments(path)
    if parts is None or (parts[0] == "input" and len(parts) > 1):
        return False
    if parts[0] in arguments:
        return _walk(arguments[parts[0]].type, parts[1:])
    return "input" in arguments and _walk(arguments["input"].type, parts)


def _walk(kind: GraphQLInputType, parts: list[str | int]) -> bool:
    for part in parts:
        kind = get_nullable_type(kind)
        if isinstance(part, int):
            if not isinstance(kind, GraphQLList):
                return False
            kind = kind.of_type
        elif isinstance(kind, GraphQLInputObjectType) and part in kind.fields:
            kind = kind.fields[part].type
        else:
            return False
    return True


def name_fields(error: DomainError, info: Info, renamed: Renamed | None = None) -> DomainError:
    """`error` (and each error it gathers) with its field named as `info`'s field's arguments; in place.

    `renamed` maps the domain's names this operation knows otherwise (`{"id": "sessionId"}`; None: no field).
    Otherwise a path of the operation stays, a field of its `filter` goes under `filter.`, `version` is
    `expectedVersion` when the caller gave one (else null), a record's state is `id` where the operation has
    one, and any other name is left as the domain gave it (the test suite fails on such a name: give it in
    `renamed`).
    """
    raw = info._raw_info
    definition: GraphQLField = raw.parent_type.fields[raw.field_name]
    renamed = renamed or {}

    def given(argument: str) -> bool:
        """Whether the caller gave `argument` a value (not null)."""
        for node in raw.field_nodes[0].arguments:
            if node.name.value == argument:
                if isinstance(node.value, VariableNode):
                    return info.variable_values.get(node.value.name.value) is not None
                return not isinstance(node.value, NullValueNode)
        return False

    def name(field: str | None) -> str | None:
        if field is None:
            return None
        if field in renamed:
            return renamed[field]
        if is_argument_path(field, definition.args):
            return field
        if "filter" in definition.args and is_argument_path(f"filter.{field}", definition.args):
            return f"filter.{field}"  # the domain takes a list's filter as its own arguments
        if field == "version":
            return "expectedVersion" if given("expectedVersion") else None
        if field in RECORD_STATE and "id" in definition.args:
            return "id"
        return field

    for each in error.errors if isinstance(error, InvalidInput) else [error]:
        _rename(each, name(each.field))
    if isinstance(error, InvalidInput):
        error.field, error.message = error.errors[0].field, error.errors[0].message
    return error


def _rename(error: DomainError, field: str | None) -> None:
    """Names the field, also where the message starts with the domain's name for it ("consentGivenAt must…")."""
    if error.field and field and error.message.startswith(f"{error.field} "):
        error.message = field + error.message[len(error.field) :]
    error.field = field
