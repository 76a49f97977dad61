"""Queries of rosters, enrollments into schedules, disbursements and the bulk preview."""

import strawberry

from server.domain.delivery import attendance, bulk, disbursements, schedule_assignments
from server.domain.delivery.models import BenefitSchedule
from server.domain.delivery.models import ScheduleAssignmentStatus as Status
from server.graphql.context import Info
from server.graphql.delivery.disbursement_types import BenefitDisbursement, BulkDisbursementPreview
from server.graphql.delivery.inputs import BenefitDisbursementFilter, BulkDisbursementInput
from server.graphql.delivery.types import (
    BenefitSession,
    Roster,
    RosterLine,
    ScheduleAssignment,
    ScheduleAssignmentStatus,
)
from server.graphql.mapping import from_model, input_values, optional_id, parse_id
from server.graphql.pagination import DEFAULT_PAGE_SIZE, Connection, connection
from server.graphql.runner import run_query


def roster_of(found, lines, capacity: int) -> Roster:
    return Roster(
        session=from_model(BenefitSession, found),
        lines=[RosterLine(line=line) for line in lines],
        capacity=capacity,
    )


@strawberry.type
class DisbursementQuery:
    @strawberry.field(
        description="A session's roster: everyone enrolled on its date, with attendance taken so far. Agency "
        "staff and provider users."
    )
    async def session_roster(self, info: Info, session_id: strawberry.ID) -> Roster | None:
        async def read(s, p):
            found, lines = await attendance.roster(s, p, parse_id(session_id, field="sessionId"))
            return roster_of(found, lines, (await s.get(BenefitSchedule, found.schedule_id)).capacity)

        return await run_query(info, read, fields={"id": "sessionId"})

    @strawberry.field(
        description="Schedule assignments (who is enrolled into or waitlisted for a schedule or session), oldest "
        "first (the waitlist's order). Agency staff and provider users."
    )
    async def schedule_assignments(
        self,
        info: Info,
        schedule_id: strawberry.ID | None = None,
        referral_id: strawberry.ID | None = None,
        participant_id: strawberry.ID | None = None,
        statuses: list[ScheduleAssignmentStatus] | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[ScheduleAssignment] | None:
        page = await run_query(
            info,
            lambda s, p: schedule_assignments.list_schedule_assignments(
                s,
                p,
                schedule_id=optional_id(schedule_id, field="scheduleId"),
                referral_id=optional_id(referral_id, field="referralId"),
                participant_id=optional_id(participant_id, field="participantId"),
                statuses=[Status(x.value) for x in statuses] if statuses else None,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(ScheduleAssignment, r))

    @strawberry.field(
        description="Disbursements, latest service date first: agency staff see their agency's, provider users "
        "those their provider delivered. Agency staff and provider users."
    )
    async def benefit_disbursements(
        self,
        info: Info,
        filter: BenefitDisbursementFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[BenefitDisbursement] | None:
        f = filter or BenefitDisbursementFilter()
        page = await run_query(
            info,
            lambda s, p: disbursements.list_disbursements(
                s,
                p,
                participant_id=optional_id(f.participant_id, field="filter.participantId"),
                benefit_assignment_id=optional_id(f.benefit_assignment_id, field="filter.benefitAssignmentId"),
                referral_id=optional_id(f.referral_id, field="filter.referralId"),
                session_id=optional_id(f.session_id, field="filter.sessionId"),
                bulk_id=optional_id(f.bulk_id, field="filter.bulkId"),
                statuses=f.statuses,
                first=first,
                after=after,
            ),
        )
        return connection(page, lambda r: from_model(BenefitDisbursement, r))

    @strawberry.field(
        description="One disbursement you may see, with its corrections. Agency staff and provider users."
    )
    async def benefit_disbursement(self, info: Info, id: strawberry.ID) -> BenefitDisbursement | None:
        found = await run_query(info, lambda s, p: disbursements.get_disbursement(s, p, parse_id(id)))
        return from_model(BenefitDisbursement, found)

    @strawberry.field(description="What a bulk disbursement would do, saving nothing. Agency staff.")
    async def bulk_disbursement_preview(
        self, info: Info, input: BulkDisbursementInput
    ) -> BulkDisbursementPreview | None:
        found = await run_query(info, bulk.plan, input_values(input))
        return BulkDisbursementPreview(
            recipient_count=found.recipient_count,
            enrollments_to_create=found.enrollments_to_create,
            assignments_to_create=found.assignments_to_create,
            anonymous_enrollments_to_start=len(found.anonymous_new),
            total_quantity=found.total_quantity,
            total_amount=found.total_amount,
            warning=found.warning,
        )
