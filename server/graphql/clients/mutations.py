"""Mutations of clients, enrollments and assignments: agency staff, inside their own agency."""

import strawberry

from server.domain.clients import enrollments, participants
from server.graphql.clients import inputs
from server.graphql.clients.types import BenefitAssignment, Participant, ParticipantAlert, ProgramEnrollment
from server.graphql.context import Info
from server.graphql.errors import UserError
from server.graphql.mapping import input_values, parse_id
from server.graphql.runner import payload, run_mutation

ERRORS = "Why the change was refused; empty when it was made."


@strawberry.type(description="The participant changed, or the errors that stopped the change.")
class ParticipantPayload:
    participant: Participant | None = strawberry.field(description="The participant as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The alert changed, or the errors that stopped the change.")
class ParticipantAlertPayload:
    alert: ParticipantAlert | None = strawberry.field(description="The alert as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The enrollment changed, or the errors that stopped the change.")
class EnrollmentPayload:
    enrollment: ProgramEnrollment | None = strawberry.field(description="The enrollment as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The benefit assignment changed, or the errors that stopped the change.")
class AssignmentPayload:
    assignment: BenefitAssignment | None = strawberry.field(description="The assignment as saved; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class ClientsMutation:
    @strawberry.mutation(description="Adds a participant to your agency. Agency staff.")
    async def create_participant(self, info: Info, input: inputs.ParticipantCreateInput) -> ParticipantPayload:
        values = input_values(input, skip=("alerts",))
        alerts = input_values(input).get("alerts")
        return payload(
            ParticipantPayload,
            Participant,
            "participant",
            await run_mutation(info, lambda s, p: participants.create_participant(s, p, values, alerts)),
        )

    @strawberry.mutation(description="Changes a participant. Agency staff.")
    async def update_participant(
        self, info: Info, id: strawberry.ID, input: inputs.ParticipantUpdateInput
    ) -> ParticipantPayload:
        return payload(
            ParticipantPayload,
            Participant,
            "participant",
            await run_mutation(
                info, lambda s, p: participants.update_participant(s, p, parse_id(id), input_values(input))
            ),
        )

    @strawberry.mutation(description="Raises an alert on a participant. Agency staff.")
    async def add_participant_alert(
        self, info: Info, participant_id: strawberry.ID, input: inputs.ParticipantAlertInput
    ) -> ParticipantAlertPayload:
        return payload(
            ParticipantAlertPayload,
            ParticipantAlert,
            "alert",
            await run_mutation(
                info,
                lambda s, p: participants.add_alert(
                    s, p, parse_id(participant_id, field="participantId"), input_values(input)
                ),
                fields={"id": "participantId"},
            ),
        )

    @strawberry.mutation(description="Ends an alert; it stays in the record. Agency staff.")
    async def deactivate_participant_alert(self, info: Info, id: strawberry.ID) -> ParticipantAlertPayload:
        return payload(
            ParticipantAlertPayload,
            ParticipantAlert,
            "alert",
            await run_mutation(info, lambda s, p: participants.deactivate_alert(s, p, parse_id(id))),
        )

    @strawberry.mutation(description="Enrolls a participant in a program (one active enrollment each). Agency staff.")
    async def enroll_participant(self, info: Info, input: inputs.EnrollmentCreateInput) -> EnrollmentPayload:
        return payload(
            EnrollmentPayload,
            ProgramEnrollment,
            "enrollment",
            await run_mutation(info, lambda s, p: enrollments.enroll(s, p, input_values(input))),
        )

    @strawberry.mutation(description="Changes an enrollment's status or dates. Agency staff.")
    async def update_enrollment(
        self, info: Info, id: strawberry.ID, input: inputs.EnrollmentUpdateInput
    ) -> EnrollmentPayload:
        return payload(
            EnrollmentPayload,
            ProgramEnrollment,
            "enrollment",
            await run_mutation(
                info, lambda s, p: enrollments.update_enrollment(s, p, parse_id(id), input_values(input))
            ),
        )

    @strawberry.mutation(description="Assigns a benefit through an active enrollment. Agency staff.")
    async def assign_benefit(self, info: Info, input: inputs.AssignmentCreateInput) -> AssignmentPayload:
        return payload(
            AssignmentPayload,
            BenefitAssignment,
            "assignment",
            await run_mutation(info, lambda s, p: enrollments.assign_benefit(s, p, input_values(input))),
        )

    @strawberry.mutation(description="Changes a benefit assignment. Agency staff.")
    async def update_benefit_assignment(
        self, info: Info, id: strawberry.ID, input: inputs.AssignmentUpdateInput
    ) -> AssignmentPayload:
        return payload(
            AssignmentPayload,
            BenefitAssignment,
            "assignment",
            await run_mutation(
                info, lambda s, p: enrollments.update_assignment(s, p, parse_id(id), input_values(input))
            ),
        )
