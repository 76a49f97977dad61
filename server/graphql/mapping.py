"""From domain records to GraphQL objects, and from GraphQL input to the plain values the domain checks."""

import enum
from typing import Any, TypeVar

import strawberry
from sqlmodel import SQLModel

from server.domain.errors import Invalid

T = TypeVar("T")


def from_model(cls: type[T], record: SQLModel) -> T:
    """`cls` filled from `record`'s same-named attributes; resolver fields are left to their resolvers.

    The record itself rides along as the private `record` field, for resolvers that need more of it.
    """
    values: dict[str, Any] = {}
    for field in cls.__strawberry_definition__.fields:
        if field.base_resolver is not None:
            continue
        name = field.python_name
        value = getattr(record, name)
        values[name] = strawberry.ID(str(value)) if name == "id" else value
    if "record" in cls.__annotations__:
        values["record"] = record
    return cls(**values)


def parse_id(value: strawberry.ID | str, *, field: str = "id") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise Invalid(f"{value!r} is not an id.", field=field)
    return number


def input_values(data: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the client gave (UNSET ones left out), nested inputs as dicts: what the domain takes."""
    values: dict[str, Any] = {}
    for field in data.__strawberry_definition__.fields:
        name = field.python_name
        value = getattr(data, name)
        if value is strawberry.UNSET or name in skip:
            continue
        values[name] = _plain(value)
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value
    if hasattr(value, "__strawberry_definition__"):
        return input_values(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
