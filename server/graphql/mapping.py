"""From domain records to GraphQL objects, and from GraphQL input to the plain values the domain checks."""

import enum
from functools import cache
from typing import Any, TypeVar

import strawberry
from sqlmodel import SQLModel

from server.domain.errors import Invalid
from server.domain.validation import record_id

T = TypeVar("T")


def from_model(cls: type[T], record: SQLModel) -> T:
    """`cls` filled from `record`'s same-named attributes; resolver fields are left to their resolvers.

    The record itself rides along as the private `record` field, for resolvers that need more of it.
    """
    names, has_record = _filled_from_record(cls)
    values: dict[str, Any] = {name: getattr(record, name) for name in names}
    if "id" in values:
        values["id"] = strawberry.ID(str(values["id"]))
    if has_record:
        values["record"] = record
    return cls(**values)


@cache
def _filled_from_record(cls: type) -> tuple[tuple[str, ...], bool]:
    """The fields of `cls` that `from_model` copies (those without a resolver), and whether it carries `record`:
    worked out once per type, not for every record of every list."""
    names = tuple(f.python_name for f in cls.__strawberry_definition__.fields if f.base_resolver is None)
    return names, "record" in cls.__annotations__


def parse_id(value: strawberry.ID | str, *, field: str = "id") -> int:
    """An id argument as the record id it spells (`record_id`'s rule); anything else is INVALID on `field`."""
    try:
        return record_id(value)
    except ValueError:
        raise Invalid(f"{value!r} is not an id.", field=field) from None


def optional_id(value: strawberry.ID | str | None, *, field: str) -> int | None:
    """An optional id argument: None when absent, otherwise checked like `parse_id`."""
    return None if value is None else parse_id(value, field=field)


def parse_ids(values: list | None, *, field: str) -> list[int] | None:
    """A list of ids; a bad one is named by its index (`field[2]`)."""
    return None if values is None else [parse_id(v, field=f"{field}[{i}]") for i, v in enumerate(values)]


def to_id(value: int | None) -> strawberry.ID | None:
    """A stored id as a GraphQL ID (None stays None)."""
    return None if value is None else strawberry.ID(str(value))


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
