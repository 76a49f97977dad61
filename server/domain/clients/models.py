"""Tables of clients, enrollments and benefit assignments. Every row belongs to one agency."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.domain.columns import UTCDateTime, enum_type, utcnow


class AlertSeverity(enum.StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    DANGER = "DANGER"


class EnrollmentStatus(enum.StrEnum):
    APPLIED = "APPLIED"
    IN_PROGRESS = "IN_PROGRESS"
    WAITLISTED = "WAITLISTED"
    DENIED = "DENIED"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"


ACTIVE_ENROLLMENT = frozenset({EnrollmentStatus.APPLIED, EnrollmentStatus.IN_PROGRESS, EnrollmentStatus.WAITLISTED})


class AssignmentStatus(enum.StrEnum):
    ENROLLED = "ENROLLED"
    ACTIVE = "ACTIVE"
    WAITLISTED = "WAITLISTED"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"


class Participant(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "client_id"),
        sa.Index("ix_participant_home", "latitude", "longitude"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    client_id: str = Field(max_length=40)
    legal_first_name: str = Field(max_length=100)
    legal_last_name: str = Field(max_length=100)
    preferred_name: str | None = Field(default=None, max_length=100)
    pronouns: str | None = Field(default=None, max_length=40)
    birth_date: date | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    address_line1: str | None = Field(default=None, max_length=200)
    address_line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    latitude: float | None = None
    longitude: float | None = None
    preferred_language: str | None = Field(default=None, max_length=40)
    watch_list: bool = False
    # Lower-case, accent-free names, client ID, email and phone digits: what the search box matches.
    search_text: str = Field(default="", max_length=1000)
    # The name a provider sees (preferred, else legal first), folded: what a provider's inbox search matches.
    shared_name: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    # Folded phone, email, address and active alerts: what client search also matches (after names and IDs).
    detail_text: str = Field(default="", max_length=4000, sa_column_kwargs={"server_default": ""})
    photo_reference: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ParticipantAlert(SQLModel, table=True):
    __tablename__ = "participant_alert"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    text: str = Field(max_length=500)
    severity: AlertSeverity = Field(default=AlertSeverity.INFO, sa_type=enum_type(AlertSeverity))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProgramEnrollment(SQLModel, table=True):
    __tablename__ = "program_enrollment"
    __table_args__ = (
        # At most one active enrollment per participant per program (the domain checks first, this backs it).
        sa.Index(
            "uq_enrollment_active",
            "participant_id",
            "program_id",
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    participant_id: int | None = Field(default=None, foreign_key="participant.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    status: EnrollmentStatus = Field(default=EnrollmentStatus.APPLIED, sa_type=enum_type(EnrollmentStatus))
    care_plan_id: int | None = Field(default=None, foreign_key="care_plan.id")
    active: bool = True
    anonymous: bool = False
    start_date: date | None = None
    end_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BenefitAssignment(SQLModel, table=True):
    __tablename__ = "benefit_assignment"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    benefit_id: int = Field(foreign_key="benefit.id", index=True)
    enrollment_id: int = Field(foreign_key="program_enrollment.id", index=True)
    status: AssignmentStatus = Field(default=AssignmentStatus.ENROLLED, sa_type=enum_type(AssignmentStatus))
    entitled_quantity: Decimal | None = Field(default=None, sa_type=sa.Numeric(12, 2))
    care_plan_id: int | None = Field(default=None, foreign_key="care_plan.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
