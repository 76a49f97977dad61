"""What a caller who has not signed in may learn of the schema: nothing. Introspection (`__schema`, `__type`) is
refused with UNAUTHENTICATED, and error messages carry no "Did you mean …?" suggestions. Signed-in users keep
both (GraphiQL sends the token typed in its bar).

The refusal is a validation rule added for anonymous callers only, so the validation cache, keyed by the rules,
never answers an anonymous caller with a signed-in caller's result, nor the other way round."""

import re
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationContext, ValidationRule, get_named_type, is_introspection_type

from server.domain.errors import Unauthenticated

SIGN_IN_TO_INTROSPECT = "Sign in to read the schema: introspection needs a signed-in user."
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?$")


class AnonymousCaller(ValidationRule):
    """Refuses introspection (once per document) and hides suggestions from every rule's messages."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        context._hide_suggestions = True  # read by graphql-core's rules as they report
        self.refused = False

    def enter_field(self, node: FieldNode, *_args: Any) -> Any:
        kind = self.context.get_type()
        if kind is None or not is_introspection_type(get_named_type(kind)):
            return None
        if not self.refused:
            self.refused = True
            self.report_error(
                GraphQLError(SIGN_IN_TO_INTROSPECT, node, original_error=Unauthenticated(SIGN_IN_TO_INTROSPECT))
            )
        return self.SKIP


def is_anonymous(context: Any) -> bool:
    """Whether the request's context has no signed-in principal (no context at all counts as anonymous)."""
    return getattr(context, "principal", None) is None


def strip_suggestions(errors: list[GraphQLError]) -> None:
    """Removes "Did you mean …?" from request errors raised outside validation (variable values of an enum)."""
    for error in errors:
        if error.path is None and "Did you mean" in error.message:
            error.message = _SUGGESTION.sub("", error.message)
