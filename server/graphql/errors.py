"""How failures reach clients: expected ones typed (code and field), unexpected ones masked and logged."""

import logging

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import IntegrityError

from server.db import is_busy
from server.domain.errors import Conflict, DomainError, ErrorCode, InvalidInput

log = logging.getLogger("server.graphql")

ErrorCodeType = strawberry.enum(ErrorCode, description="Why a request failed, for clients to act on.")


@strawberry.type(description="An expected failure of a mutation: what was wrong and with which argument.")
class UserError:
    code: ErrorCodeType = strawberry.field(description="The kind of failure.")
    field: str | None = strawberry.field(
        description="What is at fault, as a path into the mutation's arguments: an argument by its name (`id`, "
        "`expectedVersion`, `note`), the fields of `input` without `input.` (`name`, `consent.givenAt`), list "
        "items by index (`marks[1].participantId`, `participantIds[3]`). A fault in a stored record (its status, "
        "a draft's missing consent) names the argument that designates it (`id`, `referralId`). Null when no "
        "one value is at fault (e.g. a change saved by someone else at the same time)."
    )
    message: str = strawberry.field(description="What was wrong, in words for people.")


def user_errors(error: DomainError) -> list[UserError]:
    found = error.errors if isinstance(error, InvalidInput) else [error]
    return [UserError(code=e.code, field=e.field, message=e.message) for e in found]


def busy() -> Conflict:
    """Other changes held the records (or the database) for longer than a change may wait."""
    return Conflict("Busy with other changes saved at the same time: try again in a moment.")


def domain_error_of(error: GraphQLError) -> DomainError | None:
    original = error.original_error
    if isinstance(original, IntegrityError):
        # A concurrent writer took the same unique value between our check and our insert.
        return Conflict("This conflicts with a record saved at the same time. Try again.")
    if original is not None and is_busy(original):
        return busy()
    return original if isinstance(original, DomainError) else None


def describe_errors(errors: list[GraphQLError]) -> None:
    """Gives domain errors their code and field; logs the unexpected ones, which MaskErrors then hides."""
    for error in errors:
        domain = domain_error_of(error)
        if domain is not None:
            error.message = domain.message
            error.extensions = {"code": domain.code.value, "field": domain.field}
            if isinstance(domain, InvalidInput):
                error.extensions["errors"] = [
                    {"code": e.code.value, "field": e.field, "message": e.message} for e in domain.errors
                ]
        elif not unexpected(error):
            error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
        else:
            log.error("unexpected error in %s", error.path, exc_info=error.original_error)


UNEXPECTED = "Unexpected error; it has been logged."


def unexpected(error: GraphQLError) -> bool:
    """A failure while resolving a field that no rule foresaw. Request errors (syntax, validation, variable
    coercion) have no path: they are the client's to fix and keep their message."""
    return error.path is not None and error.original_error is not None and domain_error_of(error) is None


__all__ = ["ErrorCode", "ErrorCodeType", "UserError", "describe_errors", "unexpected", "user_errors"]
