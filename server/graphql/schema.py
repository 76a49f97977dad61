"""The schema: every area's queries and mutations, with limits on documents (tokens, depth, aliases, cost) and on
time, and error masking."""

import asyncio
import re
from functools import cache
from typing import Any

import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    get_named_type,
    is_non_null_type,
)
from strawberry.types import ExecutionContext, ExecutionResult

from server.config import Settings
from server.graphql.accounts.mutations import AccountsMutation, UserManagementMutation
from server.graphql.accounts.queries import AccountsQuery
from server.graphql.anonymous import is_anonymous, strip_suggestions
from server.graphql.api_clients.mutations import ApiClientsMutation
from server.graphql.api_clients.queries import ApiClientsQuery
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
from server.graphql.errors import describe_errors
from server.graphql.limits import Limits
from server.graphql.network.mutations import NetworkMutation
from server.graphql.network.queries import NetworkQuery
from server.graphql.pipeline import RequestRules
from server.graphql.referrals.mutations import ReferralsMutation
from server.graphql.referrals.queries import ReferralsQuery
from server.graphql.sign_on.mutations import SignOnMutation
from server.graphql.sign_on.queries import SignOnQuery


@strawberry.type(
    description="Everything Caseway answers. Every field, and introspection, needs a signed-in user. Root fields "
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
    ApiClientsQuery,
    SignOnQuery,
):
    pass


@strawberry.type(description="Every change Caseway makes; each is one transaction with its audit event.")
class Mutation(
    AccountsMutation,
    UserManagementMutation,
    NetworkMutation,
    CatalogueMutation,
    ClientsMutation,
    ReferralsMutation,
    DeliveryMutation,
    DisbursementMutation,
    CasesMutation,
    ApiClientsMutation,
    SignOnMutation,
):
    pass


class CasewaySchema(strawberry.Schema):
    # How long one request's GraphQL may run (seconds); set by `_schema`.
    timeout_seconds: float = 30.0

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Strawberry's, stopped past `timeout_seconds` (a last guard: the document limits come first): the request
        is cancelled (a change in progress rolls back) and answers a TIMEOUT error."""
        timeout = asyncio.timeout(self.timeout_seconds)
        try:
            async with timeout:
                return await super().execute(*args, **kwargs)
        except TimeoutError:
            if not timeout.expired():
                raise
        if (db := getattr(kwargs.get("context_value"), "db", None)) is not None:
            db.spoil()  # stopped part-way: none of its changes is kept, as its answer says
        message = f"The request took more than {self.timeout_seconds:g} seconds and was stopped. Ask for less."
        return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": "TIMEOUT"})])

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        if is_anonymous(execution_context and execution_context.context):
            strip_suggestions(errors)
        describe_errors(errors)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or Settings()
    return _schema(
        settings.max_query_depth,
        settings.max_query_tokens,
        settings.max_query_aliases,
        settings.max_query_cost,
        settings.query_timeout_seconds,
        settings.max_repeated_fields,
        settings.max_fragment_spreads,
    )


# How a root field's arguments are described, when not where they are declared (a declared description wins):
# - COMMON_ARGUMENTS: the arguments that mean the same on every field that takes them; their texts name no record,
#   so they fit wherever they are used;
# - `id` and `expectedVersion`: after the record the field reads or changes (what it returns, or its payload's one
#   record), unless FIELD_ARGUMENTS says otherwise;
# - `input`: its input type's description (which says whether it is a new record or changes to one);
# - FIELD_ARGUMENTS: every other argument, per (field, argument).
# tests/test_schema.py checks that every argument ends up described and that no FIELD_ARGUMENTS entry is unused.
COMMON_ARGUMENTS = {
    "filter": "Narrows the list; absent fields do not narrow it.",
    "first": "How many items to return, 1 to 100.",
    "after": "Return the items after this cursor (a page's endCursor).",
    "idempotencyKey": "A key unique to this request (e.g. a UUID); resending it creates nothing twice.",
}

# A status change keeps its note as the referral's statusNote and in its history; an authorization step, in its
# history only.
_STATUS_NOTE = "A note, kept as the referral's statusNote and in its history."
_STATUS_REASON_NOTE = "The reason in words, kept as statusNote and in the history; required with the reason OTHER."
_AUTHORIZATION_NOTE = "A note for the referral's history."
_AUTHORIZATION_REASON_NOTE = "The reason in words, for the referral's history; required with the reason OTHER."

FIELD_ARGUMENTS = {
    ("programs", "search"): "Part of the program's name, any case.",
    ("participants", "search"): "Part of a name, the client ID, phone or email; any case, with or without accents.",
    ("enrollments", "participantId"): "Only this participant's enrollments.",
    ("enrollments", "programId"): "Only enrollments in this program.",
    ("enrollments", "active"): "Only active enrollments (true) or only ended ones (false).",
    ("benefitSessions", "scheduleId"): "Only this schedule's sessions.",
    ("benefitSessions", "startsAfter"): "Only sessions starting at or after this time.",
    ("benefitSessions", "startsBefore"): "Only sessions starting before this time.",
    ("sessionRoster", "sessionId"): "The session's id.",
    ("scheduleAssignments", "scheduleId"): "Only assignments to this schedule or one of its sessions.",
    ("scheduleAssignments", "referralId"): "Only assignments serving this referral.",
    ("scheduleAssignments", "participantId"): "Only this participant's assignments.",
    ("scheduleAssignments", "statuses"): "Only assignments in these statuses.",
    ("caseNotes", "participantId"): "Only notes about this participant.",
    ("caseNotes", "caseId"): "Only notes of this case.",
    ("incidents", "participantId"): "Only incidents involving this participant.",
    ("addParticipantAlert", "participantId"): "The participant to raise the alert on.",
    ("referrals", "orderBy"): "The order, NEWEST unless given; page on in the order the cursor came from.",
    ("createReferral", "send"): "Send it to the provider at once (consent needed) instead of saving a draft.",
    ("sendReferral", "note"): _STATUS_NOTE,
    ("cancelReferral", "reason"): "Why the agency cancels it (required).",
    ("cancelReferral", "note"): _STATUS_REASON_NOTE,
    ("markReferralEnteredInError", "reason"): "Why it was entered in error (required).",
    ("markReferralEnteredInError", "note"): _STATUS_REASON_NOTE,
    ("acceptReferral", "note"): _STATUS_NOTE,
    ("rejectReferral", "reason"): "Why the provider rejects it (required).",
    ("rejectReferral", "note"): _STATUS_REASON_NOTE,
    ("holdReferral", "reason"): "Why the provider puts it on hold (required).",
    ("holdReferral", "note"): _STATUS_REASON_NOTE,
    ("startReferral", "note"): _STATUS_NOTE,
    ("completeReferral", "note"): _STATUS_NOTE,
    ("failReferral", "reason"): "Why the service failed (required).",
    ("failReferral", "note"): _STATUS_REASON_NOTE,
    ("requestAuthorization", "note"): _AUTHORIZATION_NOTE,
    ("authorizeReferral", "note"): _AUTHORIZATION_NOTE,
    ("denyAuthorization", "reason"): "Why the agency denies the authorization (required).",
    ("denyAuthorization", "note"): _AUTHORIZATION_REASON_NOTE,
    ("approveBenefitSchedule", "note"): "A note for the provider, kept as the schedule's reviewerNote.",
    ("rejectBenefitSchedule", "note"): "Why it is rejected (required), kept as the schedule's reviewerNote.",
    ("cancelBenefitSession", "note"): "Why it is cancelled (required), kept as the session's statusNote.",
    ("postponeBenefitSession", "id"): "The id of the session to postpone.",
    ("postponeBenefitSession", "startsAt"): "When the new session starts, with its offset.",
    ("postponeBenefitSession", "endsAt"): "When the new session ends, with its offset.",
    ("postponeBenefitSession", "note"): "Why it is postponed, kept as the old session's statusNote.",
    ("takeAttendance", "sessionId"): "The id of the session whose roster is marked.",
    ("takeAttendance", "marks"): "One mark per person on the roster; every person must be marked.",
    ("correctBenefitDisbursement", "note"): "Why it is corrected (required), kept with its earlier values.",
    ("correctBenefitDisbursement", "quantity"): "The corrected quantity; leave it out when voiding.",
    ("correctBenefitDisbursement", "void"): "Void the disbursement instead of changing its quantity (it is kept, "
    "as VOIDED).",
    ("moveCase", "status"): "The status to move the case to.",
    ("addCaseTeamMember", "caseId"): "The case to add the caseworker to.",
    ("addCaseTeamMember", "userId"): "The caseworker's user id (a user of your agency).",
    ("removeCaseTeamMember", "caseId"): "The case to take the caseworker off.",
    ("removeCaseTeamMember", "userId"): "The caseworker's user id.",
    ("moveCarePlan", "action"): "The step to take.",
    ("linkCarePlanItems", "benefitAssignmentIds"): "Benefit assignments of the case's participant to put under "
    "the plan.",
    ("linkCarePlanItems", "enrollmentIds"): "Program enrollments of the case's participant to put under the plan.",
    ("addCarePlanGoal", "carePlanId"): "The care plan to add the goal to.",
    ("addCarePlanTask", "goalId"): "The goal to add the task under.",
    ("amendCaseNote", "id"): "The id of the final note to amend.",
}


def _record_name(field: GraphQLField) -> str | None:
    """The record a root field reads or changes, in words: the object it returns, or its payload's one record."""
    returned = get_named_type(field.type)
    if not isinstance(returned, GraphQLObjectType):
        return None
    if "id" not in returned.fields:
        records = {get_named_type(f.type) for name, f in returned.fields.items() if name != "errors"}
        records = [t for t in records if isinstance(t, GraphQLObjectType) and "id" in t.fields]
        if len(records) != 1:
            return None
        returned = records[0]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", returned.name).lower()


def _derived(field: GraphQLField, name: str, argument: GraphQLArgument) -> str | None:
    if name == "input":
        return get_named_type(argument.type).description
    record = _record_name(field)
    if record is None:
        return None
    if name == "id":
        return f"The {record}'s id."
    if name == "expectedVersion":
        optional = "" if is_non_null_type(argument.type) else " Leave it out to skip the check."
        return f"The {record}'s version as you last read it: the change is refused if the {record} changed since." + (
            optional
        )
    return None


def _describe_arguments(schema: strawberry.Schema) -> strawberry.Schema:
    for root in (schema._schema.query_type, schema._schema.mutation_type):
        for field_name, field in root.fields.items():
            for name, argument in field.args.items():
                if not argument.description:
                    argument.description = (
                        FIELD_ARGUMENTS.get((field_name, name))
                        or COMMON_ARGUMENTS.get(name)
                        or _derived(field, name, argument)
                    )
    return schema


@cache
def _schema(
    max_depth: int,
    max_tokens: int,
    max_aliases: int,
    max_cost: int,
    timeout_seconds: float,
    max_repeated_fields: int,
    max_spreads: int,
) -> strawberry.Schema:
    schema = _describe_arguments(
        CasewaySchema(
            query=Query,
            mutation=Mutation,
            extensions=[
                lambda: RequestRules(
                    Limits(max_depth, max_aliases, max_cost, max_repeated_fields, max_spreads), max_tokens
                )
            ],
        )
    )
    schema.timeout_seconds = timeout_seconds
    return schema
