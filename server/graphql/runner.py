"""Runs domain reads in a read session and domain changes in one transaction each.

A query's expected failure becomes a typed GraphQL error (see errors.py); a mutation's becomes payload errors.
Either way its field is named as the caller sent it (see error_fields.py); `fields` gives an operation's own
names for the domain's (`{"id": "sessionId"}`, or None for no field).

Both call a domain function with the session, the principal and the arguments given:
`run_mutation(info, programs.create, input_values(input))`. An argument whose reading can fail (`parse_id`) goes in
a lambda instead, `lambda s, p: programs.update(s, p, parse_id(id), ...)`, so that its failure is the operation's
(a payload error, named by `fields`) rather than the whole request's.
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from server.db import is_busy
from server.domain.errors import Conflict, DomainError, Unauthenticated
from server.domain.principal import Principal
from server.graphql.context import Info
from server.graphql.error_fields import Renamed, name_fields
from server.graphql.errors import UserError, busy, user_errors

R = TypeVar("R")


async def run_query(
    info: Info, read: Callable[..., Awaitable[R]], *args: Any, fields: Renamed | None = None, **kwargs: Any
) -> R:
    """`read(session, principal, *args, **kwargs)` in a read session."""
    principal = signed_in(info)
    try:
        async with info.context.db.read() as session:
            return await read(session, principal, *args, **kwargs)
    except DomainError as error:
        name_fields(error, info, fields)
        raise


def signed_in(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:
        raise Unauthenticated(info.context.caller.problem or "Sign in first.")
    return principal


async def run_mutation(
    info: Info, change: Callable[..., Awaitable[R]], *args: Any, fields: Renamed | None = None, **kwargs: Any
) -> tuple[R | None, list[UserError]]:
    """`change(session, principal, *args, **kwargs)`'s result, or None and the errors; a failed change leaves
    nothing behind (no audit either).

    A missing sign-in is not a payload error: it fails the whole request, as it does for queries. Contention
    (another change held the records past the wait) is a CONFLICT to retry. Every read goes through `change`'s
    session: opening another one inside it raises (see server/db.py).
    """
    principal = signed_in(info)
    try:
        async with info.context.db.write() as session:
            result = await change(session, principal, *args, **kwargs)
    except Unauthenticated:
        raise
    except DomainError as error:
        return None, user_errors(name_fields(error, info, fields))
    except IntegrityError:
        return None, user_errors(Conflict("This conflicts with a record saved at the same time. Try again."))
    except Exception as error:
        if not is_busy(error):
            raise
        return None, user_errors(busy())
    return result, []
