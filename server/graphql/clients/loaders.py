"""Loaders of clients: participants, their alerts, enrollments and benefit assignments."""

from functools import cached_property

from strawberry.dataloader import DataLoader

from server.domain.clients.models import BenefitAssignment, Participant, ParticipantAlert, ProgramEnrollment
from server.graphql.loading import AreaLoaders, by_id, by_key


class ClientsLoaders(AreaLoaders):
    @cached_property
    def participant(self) -> DataLoader:
        return by_id(self.db, Participant)

    @cached_property
    def enrollment(self) -> DataLoader:
        return by_id(self.db, ProgramEnrollment)

    @cached_property
    def assignment(self) -> DataLoader:
        return by_id(self.db, BenefitAssignment)

    @cached_property
    def alerts_of_participant(self) -> DataLoader:
        """Newest first; the domain's in_reading_order puts the active ones first."""
        return by_key(
            self.db, ParticipantAlert, ParticipantAlert.participant_id, order=[ParticipantAlert.created_at.desc()]
        )

    @cached_property
    def enrollments_of_participant(self) -> DataLoader:
        return by_key(self.db, ProgramEnrollment, ProgramEnrollment.participant_id, order=[ProgramEnrollment.id.desc()])

    @cached_property
    def assignments_of_participant(self) -> DataLoader:
        return by_key(self.db, BenefitAssignment, BenefitAssignment.participant_id, order=[BenefitAssignment.id.desc()])

    @cached_property
    def assignments_of_enrollment(self) -> DataLoader:
        return by_key(self.db, BenefitAssignment, BenefitAssignment.enrollment_id)
