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
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
