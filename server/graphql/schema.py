"""The schema: every area's queries and mutations, with depth, token and alias limits and error masking."""

from functools import cache

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from server.config import Settings
from server.graphql.accounts.mutations import AccountsMutation
from server.graphql.accounts.queries import AccountsQuery
from server.graphql.audit.queries import AuditQuery
from server.graphql.cases.mutations import CasesMutation
from server.graphql.cases.queries import CasesQuery
from server.graphql.catalogue.mutations import CatalogueMutation
from server.graphql.catalogue.queries import CatalogueQuery
from server.graphql.clients.mutations import ClientsMutation
from server.graphql.clients.queries import ClientsQuery
from server.graphql.delivery.disbursement_mutations import DisbursementMutation
from server.graphql.delivery.disbursement_queries import DisbursementQuery
from server.graphql.delivery.mutations import DeliveryMutation
from server.graphql.delivery.queries import DeliveryQuery
from server.graphql.errors import describe_errors, mask_errors
from server.graphql.network.mutations import NetworkMutation
from server.graphql.network.queries import NetworkQuery
from server.graphql.referrals.mutations import ReferralsMutation
from server.graphql.referrals.queries import ReferralsQuery


@strawberry.type(
    description="Everything Caseway answers. Every field but introspection needs a signed-in user. Root fields "
    "are nullable: a field refused or failed is null with its error, and the others still answer."
)
class Query(
    AccountsQuery,
    NetworkQuery,
    CatalogueQuery,
    ClientsQuery,
    ReferralsQuery,
    DeliveryQuery,
    DisbursementQuery,
    CasesQuery,
    AuditQuery,
):
    pass


@strawberry.type(description="Every change Caseway makes; each is one transaction with its audit event.")
class Mutation(
    AccountsMutation,
    NetworkMutation,
    CatalogueMutation,
    ClientsMutation,
    ReferralsMutation,
    DeliveryMutation,
    DisbursementMutation,
    CasesMutation,
):
    pass


class CasewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        describe_errors(errors)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    return _schema(settings.max_query_depth, settings.max_query_tokens, settings.max_query_aliases)


# The arguments every list, lookup and mutation shares, described once.
COMMON_ARGUMENTS = {
    "id": "The record's id.",
    "input": "The values to save; in an update, only the fields given change.",
    "filter": "Narrows the list; absent fields do not narrow it.",
    "first": "How many items to return, 1 to 100.",
    "after": "Return the items after this cursor (a page's endCursor).",
    "search": "Part of the name, any case.",
    "reason": "Why (required to reject, hold, cancel, fail, mark in error or deny).",
    "note": "In words: why (required with the reason OTHER, to reject a schedule and to cancel a session).",
    "expectedVersion": "The version you saw; the change is refused if the referral changed since.",
    "participantId": "The participant.",
    "programId": "The program.",
    "active": "Only (in)active ones.",
    "send": "Send it to the provider at once.",
    "scheduleId": "The schedule.",
    "startsAfter": "Only sessions starting at or after this time.",
    "startsBefore": "Only sessions starting before this time.",
    "startsAt": "The new start, with its offset.",
    "endsAt": "The new end, with its offset.",
    "sessionId": "The session.",
    "referralId": "The referral.",
    "statuses": "Only in these statuses.",
    "marks": "One mark per person on the roster; every person must be marked.",
    "quantity": "The corrected quantity (leave out to void).",
    "void": "Void the disbursement instead (it is kept, as VOIDED).",
    "idempotencyKey": "A key unique to this request (e.g. a UUID); resending it creates nothing twice.",
    "caseId": "The case.",
    "userId": "The caseworker (a user of your agency).",
    "status": "The status to move to.",
    "action": "What to do.",
    "benefitAssignmentIds": "Benefit assignments of the client to put under the plan.",
    "enrollmentIds": "Program enrollments of the client to put under the plan.",
    "carePlanId": "The care plan.",
    "goalId": "The goal.",
}


def _describe_common_arguments(schema: strawberry.Schema) -> strawberry.Schema:
    for root in (schema._schema.query_type, schema._schema.mutation_type):
        for field in root.fields.values():
            for name, argument in field.args.items():
                if not argument.description and name in COMMON_ARGUMENTS:
                    argument.description = COMMON_ARGUMENTS[name]
    return schema


@cache
def _schema(max_depth: int, max_tokens: int, max_aliases: int) -> strawberry.Schema:
    # The depth and alias rules are made once: ValidationCache is keyed by the rule classes, which these
    # limiters create anew with every instance.
    limits = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    return _describe_common_arguments(
        CasewaySchema(
            query=Query,
            mutation=Mutation,
            extensions=[
                lambda: MaxTokensLimiter(max_token_count=max_tokens),
                lambda: AddValidationRules(limits),
                mask_errors,
                # Apps send the same few documents again and again: parse and validate each once.
                lambda: ParserCache(maxsize=256),
                lambda: ValidationCache(maxsize=256),
            ],
        )
    )
