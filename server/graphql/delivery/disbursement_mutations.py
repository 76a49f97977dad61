"""Mutations of delivery: enrolling into schedules, taking attendance, ad hoc and bulk disbursements."""

from decimal import Decimal

import strawberry

from server.domain.delivery import attendance, bulk, disbursements, schedule_assignments
from server.domain.delivery.models import BenefitSchedule
from server.graphql.context import Info
from server.graphql.delivery.disbursement_queries import roster_of
from server.graphql.delivery.disbursement_types import BenefitDisbursement, BulkDisbursement
from server.graphql.delivery.inputs import (
    AttendanceInput,
    BenefitDisbursementInput,
    BulkDisbursementInput,
    ScheduleEnrollmentInput,
)
from server.graphql.delivery.types import Roster, ScheduleAssignment
from server.graphql.errors import UserError
from server.graphql.mapping import from_model, input_values, optional_id, parse_id
from server.graphql.payloads import ERRORS, payload, payload_type
from server.graphql.runner import run_mutation

ScheduleAssignmentPayload = payload_type(
    "ScheduleAssignmentPayload",
    "schedule_assignment",
    ScheduleAssignment,
    "The schedule assignment made (ENROLLED or WAITLISTED) or changed, or the errors that stopped the change.",
    "The schedule assignment as saved; null on errors.",
)

AttendancePayload = payload_type(
    "AttendancePayload",
    "roster",
    Roster,
    "The roster as saved, or the errors that stopped the save (nothing was saved).",
    "The session's roster as saved; null on errors.",
)

BenefitDisbursementPayload = payload_type(
    "BenefitDisbursementPayload",
    "disbursement",
    BenefitDisbursement,
    "The disbursement as saved, or the errors that stopped the change.",
    "The disbursement as saved; null on errors.",
)


@strawberry.type(description="The bulk disbursement made (or found again by its key), or the errors.")
class BulkDisbursementPayload:
    bulk: BulkDisbursement | None = strawberry.field(description="The bulk disbursement as saved; null on errors.")
    replayed: bool = strawberry.field(
        description="True when the key had been used: the first result is returned and nothing new was created."
    )
    warning: str | None = strawberry.field(
        description="Set when the benefit has approved schedules (whose sessions record their own disbursements)."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class DisbursementMutation:
    @strawberry.mutation(
        description="Enrolls an authorized referral's participant into a schedule or a session; past capacity, "
        "waitlists. Starts the referral. Provider users."
    )
    async def enroll_in_schedule(self, info: Info, input: ScheduleEnrollmentInput) -> ScheduleAssignmentPayload:
        result = await run_mutation(
            info,
            lambda s, p: schedule_assignments.enroll_in_schedule(
                s,
                p,
                referral_id=parse_id(input.referral_id, field="referralId"),
                schedule_id=optional_id(input.schedule_id, field="scheduleId"),
                from_date=input.from_date,
                session_id=optional_id(input.session_id, field="sessionId"),
            ),
            fields={"id": "referralId", "authorizationStatus": "referralId"},  # the referral's
        )
        return payload(ScheduleAssignmentPayload, result)

    @strawberry.mutation(
        description="Takes a participant off a schedule (kept, WITHDRAWN); the freed place goes to the waitlist, "
        "oldest first. Provider users."
    )
    async def withdraw_from_schedule(self, info: Info, id: strawberry.ID) -> ScheduleAssignmentPayload:
        result = await run_mutation(info, lambda s, p: schedule_assignments.withdraw(s, p, parse_id(id)))
        return payload(ScheduleAssignmentPayload, result)

    @strawberry.mutation(
        description="Enrolls a waitlisted participant by hand, whatever their place in the waitlist, when the "
        "sessions they would join have a place (CONFLICT when full); their referral on hold starts. Provider users."
    )
    async def promote_from_waitlist(self, info: Info, id: strawberry.ID) -> ScheduleAssignmentPayload:
        result = await run_mutation(info, lambda s, p: schedule_assignments.promote(s, p, parse_id(id)))
        return payload(ScheduleAssignmentPayload, result)

    @strawberry.mutation(
        description="Records everyone's attendance in one all-or-nothing save and completes the session; on a "
        "completed session, corrects it. Provider users."
    )
    async def take_attendance(
        self, info: Info, session_id: strawberry.ID, marks: list[AttendanceInput]
    ) -> AttendancePayload:
        async def change(s, p):
            found = await attendance.take_attendance(
                s, p, parse_id(session_id, field="sessionId"), [input_values(m) for m in marks]
            )
            _, lines = await attendance.roster(s, p, found.id)
            return roster_of(found, lines, (await s.get(BenefitSchedule, found.schedule_id)).capacity)

        return payload(AttendancePayload, await run_mutation(info, change))

    @strawberry.mutation(
        description="Records an ad hoc delivery: agency staff on their agency's assignments, provider users on "
        "assignments referred to their provider and being served. Agency staff and provider users."
    )
    async def record_benefit_disbursement(
        self, info: Info, input: BenefitDisbursementInput
    ) -> BenefitDisbursementPayload:
        result = await run_mutation(
            info,
            disbursements.record_disbursement,
            input_values(input),
            # A provider's referral is the assignment's: its state is named by the assignment given.
            fields={"referralId": "benefitAssignmentId", "authorizationStatus": "benefitAssignmentId"},
        )
        return payload(BenefitDisbursementPayload, result)

    @strawberry.mutation(
        description="Corrects a disbursement's quantity, or voids it, with a note; its earlier values are kept. "
        "Agency staff correct their agency's, provider users those their provider delivered. Agency staff and "
        "provider users."
    )
    async def correct_benefit_disbursement(
        self,
        info: Info,
        id: strawberry.ID,
        note: str,
        quantity: Decimal | None = None,
        void: bool = False,
    ) -> BenefitDisbursementPayload:
        result = await run_mutation(
            info,
            lambda s, p: disbursements.correct_disbursement(
                s, p, parse_id(id), quantity=quantity, void=void, note=note
            ),
        )
        return payload(BenefitDisbursementPayload, result)

    @strawberry.mutation(
        description="Disburses one benefit to many recipients at once, all or nothing. A retry with the same "
        "idempotency key returns the first result and creates nothing. Agency staff."
    )
    async def disburse_in_bulk(
        self, info: Info, input: BulkDisbursementInput, idempotency_key: str
    ) -> BulkDisbursementPayload:
        result, errors = await run_mutation(info, bulk.disburse, input_values(input), idempotency_key)
        if errors:
            return BulkDisbursementPayload(bulk=None, replayed=False, warning=None, errors=errors)
        record, plan = result
        return BulkDisbursementPayload(
            bulk=from_model(BulkDisbursement, record),
            replayed=plan is None,
            warning=plan.warning if plan else None,
            errors=[],
        )
