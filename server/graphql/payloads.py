"""A mutation's payload: the record it saved as one named field, or the errors that stopped it.

`payload_type` declares the GraphQL type once per kind of record; `payload` fills it from `run_mutation`'s result.
"""

from typing import Any

import strawberry

from server.graphql.errors import UserError
from server.graphql.mapping import from_model

ERRORS = "Why the change was refused; empty when it was made."


def payload_type(name: str, field: str, node_type: type, description: str, field_description: str) -> Any:
    """The GraphQL type `name`: `field` (a `node_type`, null on errors), then `errors`."""
    namespace = {
        "__annotations__": {field: node_type | None, "errors": list[UserError]},
        "__qualname__": name,
        field: strawberry.field(description=field_description),
        "errors": strawberry.field(description=ERRORS),
    }
    cls = strawberry.type(type(name, (), namespace), description=description)
    cls.payload_field = field
    cls.node_type = node_type
    return cls


def payload(payload_cls: Any, result: tuple[Any, list[UserError]]) -> Any:
    """`payload_cls` from `run_mutation`'s result: the saved record (as its GraphQL type) or None and the errors.

    A record already of the GraphQL type (a roster built by its resolver) is used as it is.
    """
    record, errors = result
    node_type = payload_cls.node_type
    if record is not None and not isinstance(record, node_type):
        record = from_model(node_type, record)
    return payload_cls(**{payload_cls.payload_field: record, "errors": errors})
