"""GraphQL types of disbursements, their corrections, bulk disbursements and the rollups made from them."""

from datetime import date
from decimal import Decimal

import strawberry

from server.domain.delivery import models, rollups
from server.graphql.context import Info
from server.graphql.fields import local_time
from server.graphql.mapping import from_model, to_id

DisbursementStatus = strawberry.enum(
    models.DisbursementStatus, description="COMPLETED when delivered (present); ABSENT, EXCUSED; VOIDED by correction."
)
RecipientType = strawberry.enum(models.RecipientType, description="Who received a disbursement.")
AttendanceMark = strawberry.enum(models.AttendanceMark, description="A participant's attendance at a session.")


@strawberry.type(description="What a disbursement was before one correction.")
class DisbursementRevision:
    record: strawberry.Private[models.DisbursementRevision]
    status: DisbursementStatus = strawberry.field(description="The status before the correction.")
    quantity: Decimal = strawberry.field(description="The quantity before the correction.")
    amount: Decimal | None = strawberry.field(description="The amount before the correction.")
    note: str | None = strawberry.field(description="Why it was corrected.")
    corrected_by_name: str = strawberry.field(description="Who corrected it.")

    corrected_at = local_time("corrected_at", "When, in your time zone.")


@strawberry.type(description="One delivery of a benefit: a session's roster line, an ad hoc or a bulk delivery.")
class BenefitDisbursement:
    record: strawberry.Private[models.BenefitDisbursement]
    id: strawberry.ID = strawberry.field(description="The disbursement's id.")
    status: DisbursementStatus = strawberry.field(description="Delivered, absent, excused or voided.")
    recipient_type: RecipientType = strawberry.field(description="Enrolled, walk-in or anonymous recipient.")
    recipient_count: int = strawberry.field(description="How many recipients it counts.")
    service_date: date = strawberry.field(description="The day of service (local to where it was delivered).")
    quantity: Decimal = strawberry.field(description="Units delivered.")
    unit: str = strawberry.field(description="What one unit is (the benefit's unit of measure).")
    rate: Decimal | None = strawberry.field(description="The code set's rate per unit when recorded.")
    amount: Decimal | None = strawberry.field(description="Quantity times rate.")
    note: str | None = strawberry.field(description="A note recorded with it.")
    version: int = strawberry.field(description="Changes with every correction.")

    @strawberry.field(description="The participant's id; null when anonymous.")
    def participant_id(self) -> strawberry.ID | None:
        return to_id(self.record.participant_id)

    @strawberry.field(description="The benefit assignment's id; null when anonymous.")
    def benefit_assignment_id(self) -> strawberry.ID | None:
        return to_id(self.record.benefit_assignment_id)

    @strawberry.field(description="The program enrollment's id.")
    def enrollment_id(self) -> strawberry.ID:
        return to_id(self.record.enrollment_id)

    @strawberry.field(description="The referral it was delivered on, if any.")
    def referral_id(self) -> strawberry.ID | None:
        return to_id(self.record.referral_id)

    @strawberry.field(description="The session it records; null when ad hoc or bulk.")
    def session_id(self) -> strawberry.ID | None:
        return to_id(self.record.session_id)

    @strawberry.field(description="The bulk disbursement it belongs to, if any.")
    def bulk_id(self) -> strawberry.ID | None:
        return to_id(self.record.bulk_id)

    @strawberry.field(description="The benefit delivered.")
    async def benefit_name(self, info: Info) -> str:
        return (await info.context.loaders.benefit.load(self.record.benefit_id)).name

    @strawberry.field(description="The billing code, e.g. 90832; null when none applies.")
    async def code(self, info: Info) -> str | None:
        if self.record.code_set_id is None:
            return None
        return (await info.context.loaders.code_set.load(self.record.code_set_id)).code

    recorded_at = local_time("created_at", "When it was recorded, in your time zone.")

    @strawberry.field(description="Earlier values, one per correction, oldest first.")
    async def revisions(self, info: Info) -> list[DisbursementRevision]:
        rows = await info.context.loaders.revisions_of_disbursement.load(self.record.id)
        return [from_model(DisbursementRevision, row) for row in rows]


@strawberry.type(description="A bulk disbursement request as recorded.")
class BulkDisbursement:
    record: strawberry.Private[models.BulkDisbursement]
    id: strawberry.ID = strawberry.field(description="The bulk disbursement's id.")
    recipient_type: RecipientType = strawberry.field(description="Walk-in, anonymous or program enrollment.")
    service_date: date = strawberry.field(description="The day of service.")
    quantity: Decimal = strawberry.field(description="Units per recipient.")
    recipient_count: int = strawberry.field(description="How many disbursements it made.")
    total_amount: Decimal | None = strawberry.field(description="The amount of all its disbursements.")
    enrollments_created: int = strawberry.field(description="Program enrollments it created (walk-ins).")
    assignments_created: int = strawberry.field(description="Benefit assignments it created.")
    idempotency_key: str = strawberry.field(description="The key it was made with.")

    @strawberry.field(description="The benefit disbursed.")
    async def benefit_name(self, info: Info) -> str:
        return (await info.context.loaders.benefit.load(self.record.benefit_id)).name

    created_at = local_time("created_at", "When it was recorded, in your time zone.")


@strawberry.type(description="What a bulk disbursement would do; nothing is saved.")
class BulkDisbursementPreview:
    recipient_count: int = strawberry.field(description="Disbursements it would make.")
    enrollments_to_create: int = strawberry.field(description="Program enrollments it would create.")
    assignments_to_create: int = strawberry.field(description="Benefit assignments it would create.")
    anonymous_enrollments_to_start: int = strawberry.field(description="New anonymous enrollments (rollover).")
    total_quantity: Decimal = strawberry.field(description="Units in all.")
    total_amount: Decimal | None = strawberry.field(description="Amount in all; null without a code set.")
    warning: str | None = strawberry.field(description="Set when the benefit has approved schedules.")


@strawberry.type(description="Attendance at sessions, from recorded attendance (voided lines left out).")
class AttendanceRollup:
    sessions_present: int = strawberry.field(description="Sessions attended.")
    sessions_absent: int = strawberry.field(description="Sessions missed (excused ones not counted).")
    sessions_excused: int = strawberry.field(description="Sessions excused.")
    attendance_rate: float | None = strawberry.field(description="Present / (present + absent), 0 to 1.")
    consecutive_absences: int = strawberry.field(description="Absences since the last presence.")
    last_service_date: date | None = strawberry.field(description="The last day a benefit was delivered.")

    @classmethod
    def of(cls, found: rollups.Attendance) -> "AttendanceRollup":
        return cls(
            sessions_present=found.present,
            sessions_absent=found.absent,
            sessions_excused=found.excused,
            attendance_rate=found.rate,
            consecutive_absences=found.consecutive_absences,
            last_service_date=found.last_service_date,
        )


@strawberry.type(description="What was delivered on a referral.")
class ReferralDelivery:
    sessions_attended: int = strawberry.field(description="Sessions the participant attended.")
    units_delivered: Decimal = strawberry.field(description="Units delivered, in sessions and ad hoc.")
