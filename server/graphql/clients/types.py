"""GraphQL types of clients (participants), their alerts, enrollments and benefit assignments."""

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from server.domain.clients import models
from server.domain.clients.participants import age_of, in_reading_order
from server.graphql.catalogue.types import Benefit, Program
from server.graphql.context import Info
from server.graphql.delivery.disbursement_types import AttendanceRollup
from server.graphql.fields import local_time
from server.graphql.mapping import from_model

if TYPE_CHECKING:
    from server.graphql.cases.types import CarePlan, Case, CaseNote, Incident
    from server.graphql.referrals.types import Referral

CASES = "server.graphql.cases.types"

AlertSeverity = strawberry.enum(models.AlertSeverity, description="How much an alert matters.")
EnrollmentStatus = strawberry.enum(models.EnrollmentStatus, description="Where a program enrollment stands.")
AssignmentStatus = strawberry.enum(models.AssignmentStatus, description="Where a benefit assignment stands.")


@strawberry.type(description="Something everyone working with the participant should know first.")
class ParticipantAlert:
    record: strawberry.Private[models.ParticipantAlert]
    id: strawberry.ID = strawberry.field(description="The alert's id.")
    text: str = strawberry.field(description="What to know.")
    severity: AlertSeverity = strawberry.field(description="How much it matters.")
    active: bool = strawberry.field(description="Whether it still applies.")

    created_at = local_time("created_at", "When it was raised, in your time zone.")


@strawberry.type(description="A participant's enrollment in a program.")
class ProgramEnrollment:
    record: strawberry.Private[models.ProgramEnrollment]
    id: strawberry.ID = strawberry.field(description="The enrollment's id.")
    status: EnrollmentStatus = strawberry.field(description="Where it stands.")
    active: bool = strawberry.field(
        description="Whether it is current; a participant has at most one active enrollment per program."
    )
    anonymous: bool = strawberry.field(description="Whether it counts anonymous recipients (it has no participant).")
    start_date: date | None = strawberry.field(description="When it started.")
    end_date: date | None = strawberry.field(description="When it ended.")

    @strawberry.field(description="The program.")
    async def program(self, info: Info) -> Program:
        return from_model(Program, await info.context.loaders.program.load(self.record.program_id))

    @strawberry.field(description="The participant enrolled; null for an anonymous enrollment.")
    async def participant(self, info: Info) -> "Participant | None":
        if self.record.participant_id is None:
            return None
        return from_model(Participant, await info.context.loaders.participant.load(self.record.participant_id))

    @strawberry.field(description="Attendance at the sessions of this enrollment's benefits.")
    async def attendance(self, info: Info) -> AttendanceRollup:
        return AttendanceRollup.of(await info.context.loaders.attendance_of_enrollment.load(self.record.id))

    @strawberry.field(description="The benefits assigned through this enrollment.")
    async def assignments(self, info: Info) -> list["BenefitAssignment"]:
        rows = await info.context.loaders.assignments_of_enrollment.load(self.record.id)
        return [from_model(BenefitAssignment, row) for row in rows]


@strawberry.type(description="A benefit assigned to a participant through an enrollment.")
class BenefitAssignment:
    record: strawberry.Private[models.BenefitAssignment]
    id: strawberry.ID = strawberry.field(description="The assignment's id.")
    status: AssignmentStatus = strawberry.field(description="Where it stands.")
    entitled_quantity: Decimal | None = strawberry.field(description="How many units the participant may receive.")

    @strawberry.field(description="The benefit assigned.")
    async def benefit(self, info: Info) -> Benefit:
        return from_model(Benefit, await info.context.loaders.benefit.load(self.record.benefit_id))

    @strawberry.field(description="The enrollment it comes through.")
    async def enrollment(self, info: Info) -> ProgramEnrollment:
        return from_model(ProgramEnrollment, await info.context.loaders.enrollment.load(self.record.enrollment_id))

    @strawberry.field(description="The participant it is assigned to.")
    async def participant(self, info: Info) -> "Participant":
        return from_model(Participant, await info.context.loaders.participant.load(self.record.participant_id))


@strawberry.type(description="A client of the agency (constituent). Only the agency's own staff see this record.")
class Participant:
    record: strawberry.Private[models.Participant]
    id: strawberry.ID = strawberry.field(description="The participant's id.")
    client_id: str = strawberry.field(description="The agency's client ID, unique in the agency.")
    legal_first_name: str = strawberry.field(description="Legal first name.")
    legal_last_name: str = strawberry.field(description="Legal last name.")
    preferred_name: str | None = strawberry.field(description="The name the participant goes by.")
    pronouns: str | None = strawberry.field(description="Pronouns.")
    birth_date: date | None = strawberry.field(description="Date of birth.")
    phone: str | None = strawberry.field(description="Phone number.")
    email: str | None = strawberry.field(description="Email address.")
    address_line1: str | None = strawberry.field(description="Home street and number.")
    address_line2: str | None = strawberry.field(description="Apartment or unit.")
    city: str | None = strawberry.field(description="City or town.")
    region: str | None = strawberry.field(description="State or region.")
    postal_code: str | None = strawberry.field(description="Postal (ZIP) code.")
    latitude: float | None = strawberry.field(description="Home latitude, for provider search by distance.")
    longitude: float | None = strawberry.field(description="Home longitude.")
    preferred_language: str | None = strawberry.field(description="The language to speak with them in.")
    watch_list: bool = strawberry.field(description="Whether the participant is on the agency's watch list.")
    photo_reference: str | None = strawberry.field(description="Where the client's photo is kept (a URL or key).")

    @strawberry.field(description="The client's cases, newest first.")
    async def cases(self, info: Info) -> list[Annotated["Case", strawberry.lazy(CASES)]]:
        from server.graphql.cases.types import Case

        return [from_model(Case, c) for c in await info.context.loaders.cases_of_participant.load(self.record.id)]

    @strawberry.field(description="The care plans of the client's cases, newest first.")
    async def care_plans(self, info: Info) -> list[Annotated["CarePlan", strawberry.lazy(CASES)]]:
        from server.graphql.cases.types import CarePlan

        rows = await info.context.loaders.care_plans_of_participant.load(self.record.id)
        return [from_model(CarePlan, row) for row in rows]

    @strawberry.field(description="The client's referrals with their status, newest first.")
    async def referrals(
        self, info: Info
    ) -> list[Annotated["Referral", strawberry.lazy("server.graphql.referrals.types")]]:
        from server.graphql.referrals.types import Referral

        rows = await info.context.loaders.referrals_of_participant.load(self.record.id)
        return [from_model(Referral, row) for row in rows]

    @strawberry.field(description="Case notes about the client (final ones and your drafts), newest first.")
    async def notes(self, info: Info) -> list[Annotated["CaseNote", strawberry.lazy(CASES)]]:
        from server.graphql.cases.types import CaseNote

        rows = await info.context.loaders.notes_of_participant.load(self.record.id)
        return [from_model(CaseNote, row) for row in rows]

    @strawberry.field(description="Incidents involving the client, latest first.")
    async def incidents(self, info: Info) -> list[Annotated["Incident", strawberry.lazy(CASES)]]:
        from server.graphql.cases.types import Incident

        rows = await info.context.loaders.incidents_of_participant.load(self.record.id)
        return [from_model(Incident, row) for row in rows]

    @strawberry.field(description="Age in whole years today (your day), from the birth date.")
    def age(self, info: Info) -> int | None:
        return age_of(self.record, info.context.today())

    @strawberry.field(description="The participant's alerts, active ones first, newest first.")
    async def alerts(self, info: Info) -> list[ParticipantAlert]:
        rows = await info.context.loaders.alerts_of_participant.load(self.record.id)
        return [from_model(ParticipantAlert, row) for row in in_reading_order(rows)]

    @strawberry.field(description="Program enrollments, newest first.")
    async def enrollments(self, info: Info) -> list[ProgramEnrollment]:
        rows = await info.context.loaders.enrollments_of_participant.load(self.record.id)
        return [from_model(ProgramEnrollment, row) for row in rows]

    @strawberry.field(description="Attendance at sessions, across every provider.")
    async def attendance(self, info: Info) -> AttendanceRollup:
        return AttendanceRollup.of(await info.context.loaders.attendance_of_participant.load(self.record.id))

    @strawberry.field(description="Benefit assignments, newest first.")
    async def assignments(self, info: Info) -> list[BenefitAssignment]:
        rows = await info.context.loaders.assignments_of_participant.load(self.record.id)
        return [from_model(BenefitAssignment, row) for row in rows]
