"""Tables of benefit schedules and the sessions their approval generates."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from server.domain.columns import UTCDateTime, enum_type, utcnow
from server.domain.delivery.recurrence import Frequency


class ApprovalStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    POSTPONED = "POSTPONED"


class BenefitSchedule(SQLModel, table=True):
    """A provider's plan to deliver a benefit at one facility; the benefit's agency approves it."""

    __tablename__ = "benefit_schedule"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)  # the benefit's agency, which approves
    provider_id: int = Field(foreign_key="provider.id", index=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    benefit_id: int = Field(foreign_key="benefit.id", index=True)
    code_set_id: int = Field(foreign_key="code_set.id")
    name: str = Field(max_length=200)
    # The first session's local wall-clock start and end, in `time_zone`.
    first_start: datetime = Field(sa_type=sa.DateTime(timezone=False))
    first_end: datetime = Field(sa_type=sa.DateTime(timezone=False))
    time_zone: str = Field(max_length=64)
    frequency: Frequency = Field(sa_type=enum_type(Frequency))
    interval: int = 1
    weekdays: list[str] = Field(default_factory=list, sa_type=JSON)
    month_day: int | None = None
    month_week: int | None = None
    until: date | None = None
    count: int | None = None
    capacity: int
    default_quantity: Decimal = Field(sa_type=sa.Numeric(12, 2))
    approval_status: ApprovalStatus = Field(default=ApprovalStatus.DRAFT, sa_type=enum_type(ApprovalStatus))
    reviewer_note: str | None = Field(default=None, max_length=2000)
    reviewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int = Field(foreign_key="app_user.id")
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BenefitSession(SQLModel, table=True):
    __tablename__ = "benefit_session"
    __table_args__ = (sa.Index("ix_benefit_session_schedule_start", "schedule_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule_id: int = Field(foreign_key="benefit_schedule.id")
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    status: SessionStatus = Field(default=SessionStatus.SCHEDULED, sa_type=enum_type(SessionStatus))
    status_note: str | None = Field(default=None, max_length=2000)
    # A postponed session points at the session that replaces it.
    rescheduled_to_id: int | None = Field(default=None, foreign_key="benefit_session.id")
    # The start's weekday (0 = Monday) and minute of the day in the schedule's time zone: what search by day uses.
    local_weekday: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    local_minute: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScheduleAssignmentStatus(enum.StrEnum):
    ENROLLED = "ENROLLED"
    WAITLISTED = "WAITLISTED"
    WITHDRAWN = "WITHDRAWN"


class ScheduleAssignment(SQLModel, table=True):
    """A participant's benefit assignment enrolled into a schedule from a date, or into one session.

    The roster of a session is every ENROLLED row of its schedule whose `starts_from` is not after it, plus the
    rows naming the session itself."""

    __tablename__ = "schedule_assignment"
    __table_args__ = (sa.Index("ix_schedule_assignment_schedule_status", "schedule_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    schedule_id: int = Field(foreign_key="benefit_schedule.id")
    session_id: int | None = Field(default=None, foreign_key="benefit_session.id", index=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    benefit_assignment_id: int = Field(foreign_key="benefit_assignment.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    # The local date chosen, and the UTC instant its day starts in the schedule's time zone (what rosters compare).
    from_date: date
    starts_from: datetime = Field(sa_type=UTCDateTime)
    status: ScheduleAssignmentStatus = Field(sa_type=enum_type(ScheduleAssignmentStatus))
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AttendanceMark(enum.StrEnum):
    PRESENT = "PRESENT"
    ABSENT = "ABSENT"
    EXCUSED = "EXCUSED"


class DisbursementStatus(enum.StrEnum):
    COMPLETED = "COMPLETED"  # delivered (present)
    ABSENT = "ABSENT"
    EXCUSED = "EXCUSED"
    VOIDED = "VOIDED"


STATUS_OF_MARK = {
    AttendanceMark.PRESENT: DisbursementStatus.COMPLETED,
    AttendanceMark.ABSENT: DisbursementStatus.ABSENT,
    AttendanceMark.EXCUSED: DisbursementStatus.EXCUSED,
}


class RecipientType(enum.StrEnum):
    PROGRAM_ENROLLMENT = "PROGRAM_ENROLLMENT"
    WALK_IN = "WALK_IN"
    ANONYMOUS = "ANONYMOUS"


class BulkDisbursement(SQLModel, table=True):
    """One bulk request: its idempotency key makes a retry return this instead of creating anything twice."""

    __tablename__ = "bulk_disbursement"
    __table_args__ = (sa.UniqueConstraint("agency_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    benefit_id: int = Field(foreign_key="benefit.id")
    code_set_id: int | None = Field(default=None, foreign_key="code_set.id")
    recipient_type: RecipientType = Field(sa_type=enum_type(RecipientType))
    service_date: date
    quantity: Decimal = Field(sa_type=sa.Numeric(12, 2))
    recipient_count: int
    total_amount: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 2))
    enrollments_created: int = 0
    assignments_created: int = 0
    idempotency_key: str = Field(max_length=100)
    # A digest of the request: the same key with another request is refused.
    fingerprint: str = Field(max_length=64)
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BenefitDisbursement(SQLModel, table=True):
    """One delivery of a benefit: a roster line of a session, an ad hoc delivery, or a line of a bulk one."""

    __tablename__ = "benefit_disbursement"
    __table_args__ = (
        # One disbursement per participant per session, whatever the corrections.
        sa.UniqueConstraint("session_id", "participant_id", name="uq_disbursement_session_participant"),
        sa.Index("ix_disbursement_participant_date", "participant_id", "service_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)
    benefit_id: int = Field(foreign_key="benefit.id")
    benefit_assignment_id: int | None = Field(default=None, foreign_key="benefit_assignment.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id")
    enrollment_id: int = Field(foreign_key="program_enrollment.id", index=True)
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="benefit_session.id")
    bulk_id: int | None = Field(default=None, foreign_key="bulk_disbursement.id", index=True)
    code_set_id: int | None = Field(default=None, foreign_key="code_set.id")
    quantity: Decimal = Field(sa_type=sa.Numeric(12, 2))
    unit: str = Field(max_length=40)
    rate: Decimal | None = Field(default=None, sa_type=sa.Numeric(12, 2))
    amount: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 2))
    service_date: date
    recipient_type: RecipientType = Field(sa_type=enum_type(RecipientType))
    recipient_count: int = 1
    status: DisbursementStatus = Field(sa_type=enum_type(DisbursementStatus))
    note: str | None = Field(default=None, max_length=2000)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DisbursementRevision(SQLModel, table=True):
    """What a disbursement was before a correction, who corrected it, when and why."""

    __tablename__ = "disbursement_revision"

    id: int | None = Field(default=None, primary_key=True)
    disbursement_id: int = Field(foreign_key="benefit_disbursement.id", index=True)
    status: DisbursementStatus = Field(sa_type=enum_type(DisbursementStatus))
    quantity: Decimal = Field(sa_type=sa.Numeric(12, 2))
    amount: Decimal | None = Field(default=None, sa_type=sa.Numeric(14, 2))
    note: str | None = Field(default=None, max_length=2000)
    corrected_by_id: int = Field(foreign_key="app_user.id")
    corrected_by_name: str = Field(max_length=200)
    corrected_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
