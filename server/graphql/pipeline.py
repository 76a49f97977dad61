"""What every GraphQL request goes through besides execution, as one Strawberry extension with one hook: the
document's token limit and the parse cache, the anonymous caller's validation rule, validation within the limits
(cached), and the masking of unexpected errors. One extension and one hook rather than five extensions: Strawberry
wraps each hook anew on every request, which cost more than the work the hooks do."""

from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache

from graphql import GraphQLError
from graphql.language.parser import parse
from strawberry.extensions import MaskErrors

from server.graphql.anonymous import AnonymousCaller, is_anonymous
from server.graphql.errors import UNEXPECTED, unexpected
from server.graphql.limits import Limits, validate_within_limits

# Apps send the same few documents again and again: each text is parsed once (then validated once, see limits).
PARSED_DOCUMENTS = 256
_parse = lru_cache(maxsize=PARSED_DOCUMENTS)(parse)


class RequestRules(MaskErrors):
    def __init__(self, limits: Limits, max_tokens: int) -> None:
        super().__init__(should_mask_error=unexpected, error_message=UNEXPECTED)
        self.limits = limits
        self.max_tokens = max_tokens

    def on_operation(self) -> Iterator[None]:
        """Parses and validates ahead of Strawberry's own steps, which then find the work done. A document that does
        not parse is left to Strawberry's parsing step, which reports the error as it does."""
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        if is_anonymous(context.context):  # no introspection, no suggestions without a sign-in
            context.validation_rules = (*context.validation_rules, AnonymousCaller)
        if context.graphql_document is None and context.query:
            with suppress(GraphQLError):
                context.graphql_document = _parse(context.query, **context.parse_options)
        if context.graphql_document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = validate_within_limits(
                context.schema._schema, context.graphql_document, context.validation_rules, self.limits
            )
        yield from super().on_operation()  # masks what failed unexpectedly, once the operation is done

    def _process_result(self, result: object) -> None:
        # MaskErrors' own test is an isinstance of a runtime protocol, slow enough to show in a profile.
        if getattr(result, "errors", None):
            result.errors = self._process_errors(result.errors)
