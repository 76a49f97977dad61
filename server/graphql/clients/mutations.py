"""Mutations of clients, enrollments and assignments: agency staff, inside their own agency."""

import strawberry

from server.domain.clients import enrollments, participants
from server.graphql.clients import inputs
from server.graphql.clients.types import BenefitAssignment, Participant, ParticipantAlert, ProgramEnrollment
from server.graphql.context import Info
from server.graphql.mapping import input_values, parse_id
from server.graphql.payloads import payload, payload_type
from server.graphql.runner import run_mutation

ParticipantPayload = payload_type(
    "ParticipantPayload",
    "participant",
    Participant,
    "The participant changed, or the errors that stopped the change.",
    "The participant as saved; null on errors.",
)

ParticipantAlertPayload = payload_type(
    "ParticipantAlertPayload",
    "alert",
    ParticipantAlert,
    "The alert changed, or the errors that stopped the change.",
    "The alert as saved; null on errors.",
)

EnrollmentPayload = payload_type(
    "EnrollmentPayload",
    "enrollment",
    ProgramEnrollment,
    "The enrollment changed, or the errors that stopped the change.",
    "The enrollment as saved; null on errors.",
)

AssignmentPayload = payload_type(
    "AssignmentPayload",
    "assignment",
    BenefitAssignment,
    "The benefit assignment changed, or the errors that stopped the change.",
    "The assignment as saved; null on errors.",
)


@strawberry.type
class ClientsMutation:
    @strawberry.mutation(description="Adds a participant to your agency. Agency staff.")
    async def create_participant(self, info: Info, input: inputs.ParticipantCreateInput) -> ParticipantPayload:
        values = input_values(input, skip=("alerts",))
        alerts = input_values(input).get("alerts")
        return payload(
            ParticipantPayload,
            await run_mutation(info, participants.create_participant, values, alerts),
        )

    @strawberry.mutation(description="Changes a participant. Agency staff.")
    async def update_participant(
        self, info: Info, id: strawberry.ID, input: inputs.ParticipantUpdateInput
    ) -> ParticipantPayload:
        return payload(
            ParticipantPayload,
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
            await run_mutation(info, lambda s, p: participants.deactivate_alert(s, p, parse_id(id))),
        )

    @strawberry.mutation(description="Enrolls a participant in a program (one active enrollment each). Agency staff.")
    async def enroll_participant(self, info: Info, input: inputs.EnrollmentCreateInput) -> EnrollmentPayload:
        return payload(
            EnrollmentPayload,
            await run_mutation(info, enrollments.enroll, input_values(input)),
        )

    @strawberry.mutation(description="Changes an enrollment's status or dates. Agency staff.")
    async def update_enrollment(
        self, info: Info, id: strawberry.ID, input: inputs.EnrollmentUpdateInput
    ) -> EnrollmentPayload:
        return payload(
            EnrollmentPayload,
            await run_mutation(
                info, lambda s, p: enrollments.update_enrollment(s, p, parse_id(id), input_values(input))
            ),
        )

    @strawberry.mutation(description="Assigns a benefit through an active enrollment. Agency staff.")
    async def assign_benefit(self, info: Info, input: inputs.AssignmentCreateInput) -> AssignmentPayload:
        return payload(
            AssignmentPayload,
            await run_mutation(info, enrollments.assign_benefit, input_values(input)),
        )

    @strawberry.mutation(description="Changes a benefit assignment. Agency staff.")
    async def update_benefit_assignment(
        self, info: Info, id: strawberry.ID, input: inputs.AssignmentUpdateInput
    ) -> AssignmentPayload:
        return payload(
            AssignmentPayload,
            await run_mutation(
                info, lambda s, p: enrollments.update_assignment(s, p, parse_id(id), input_values(input))
            ),
        )
