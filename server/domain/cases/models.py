"""Tables of case management. Everything belongs to one agency; providers see none of it."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.domain.columns import UTCDateTime, enum_type, utcnow


class IntakeSource(enum.StrEnum):
    COMPLAINT = "COMPLAINT"
    REFERRAL = "REFERRAL"
    APPLICATION = "APPLICATION"
    WALK_IN = "WALK_IN"


class CaseStatus(enum.StrEnum):
    INTAKE = "INTAKE"
    ASSESSMENT = "ASSESSMENT"
    PLANNING = "PLANNING"
    ACTIVE = "ACTIVE"
    MONITORING = "MONITORING"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


OPEN_CASE = frozenset(set(CaseStatus) - {CaseStatus.RESOLVED, CaseStatus.CLOSED})


class Case(SQLModel, table=True):
    __tablename__ = "client_case"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    owner_id: int = Field(foreign_key="app_user.id", index=True)
    intake_source: IntakeSource = Field(sa_type=enum_type(IntakeSource))
    summary: str | None = Field(default=None, max_length=4000)
    status: CaseStatus = Field(default=CaseStatus.INTAKE, sa_type=enum_type(CaseStatus))
    opened_on: date
    resolved_on: date | None = None
    closed_on: date | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseTeamMember(SQLModel, table=True):
    """A caseworker on a case besides its owner; leaving ends the membership, which is kept."""

    __tablename__ = "case_team_member"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="client_case.id", index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CarePlanStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class CarePlan(SQLModel, table=True):
    __tablename__ = "care_plan"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    case_id: int = Field(foreign_key="client_case.id", index=True)
    name: str = Field(max_length=200)
    status: CarePlanStatus = Field(default=CarePlanStatus.DRAFT, sa_type=enum_type(CarePlanStatus))
    start_date: date | None = None
    end_date: date | None = None
    version: int = 1
    created_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GoalStatus(enum.StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class CarePlanGoal(SQLModel, table=True):
    __tablename__ = "care_plan_goal"

    id: int | None = Field(default=None, primary_key=True)
    care_plan_id: int = Field(foreign_key="care_plan.id", index=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    status: GoalStatus = Field(default=GoalStatus.NOT_STARTED, sa_type=enum_type(GoalStatus))
    target_date: date | None = None
    progress: int = 0  # percent
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaskStatus(enum.StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


OPEN_TASK = frozenset({TaskStatus.OPEN, TaskStatus.IN_PROGRESS})


class CarePlanTask(SQLModel, table=True):
    __tablename__ = "care_plan_task"
    __table_args__ = (sa.Index("ix_care_plan_task_assignee_due", "assignee_id", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = Field(foreign_key="care_plan_goal.id", index=True)
    care_plan_id: int = Field(foreign_key="care_plan.id", index=True)
    title: str = Field(max_length=200)
    due_date: date | None = None
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=enum_type(TaskStatus))
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NoteType(enum.StrEnum):
    CALL = "CALL"
    MEETING = "MEETING"
    HOME_VISIT = "HOME_VISIT"
    EMAIL = "EMAIL"
    OTHER = "OTHER"


class NoteStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    FINAL = "FINAL"


class CaseNote(SQLModel, table=True):
    """A case note. A final note is never edited: an amendment is a new final note pointing at it."""

    __tablename__ = "case_note"
    __table_args__ = (sa.Index("ix_case_note_participant_date", "participant_id", "interaction_date"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    case_id: int | None = Field(default=None, foreign_key="client_case.id", index=True)
    subject: str = Field(max_length=200)
    text: str = Field(max_length=20000)
    interaction_date: date
    minutes_spent: int = 0
    note_type: NoteType = Field(sa_type=enum_type(NoteType))
    status: NoteStatus = Field(default=NoteStatus.DRAFT, sa_type=enum_type(NoteStatus))
    amends_id: int | None = Field(default=None, foreign_key="case_note.id")
    author_id: int = Field(foreign_key="app_user.id")
    finalized_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IncidentSeverity(enum.StrEnum):
    LOW = "LOW"
    MODERATE = "MODERATE"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class Incident(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_incident_participant_time", "participant_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    participant_id: int = Field(foreign_key="participant.id")
    case_id: int | None = Field(default=None, foreign_key="client_case.id")
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    incident_type: str = Field(max_length=80)
    severity: IncidentSeverity = Field(sa_type=enum_type(IncidentSeverity))
    location: str | None = Field(default=None, max_length=200)
    description: str = Field(max_length=4000)
    reported_by_id: int = Field(foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Meeting(SQLModel, table=True):
    """A caseworker's meeting with a client (what "My day" lists beside sessions)."""

    __table_args__ = (sa.Index("ix_meeting_caseworker_start", "caseworker_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="client_case.id")
    caseworker_id: int = Field(foreign_key="app_user.id")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    subject: str = Field(max_length=200)
    location: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
