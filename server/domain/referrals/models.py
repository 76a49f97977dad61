"""Tables of referrals and their history."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import JSON, Field, SQLModel

from server.domain.columns import UTCDateTime, enum_type, utcnow
from server.domain.principal import Role


class ReferralStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    REQUESTED = "REQUESTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    ON_HOLD = "ON_HOLD"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    ENTERED_IN_ERROR = "ENTERED_IN_ERROR"


LIVE = frozenset(
    {
        ReferralStatus.DRAFT,
        ReferralStatus.REQUESTED,
        ReferralStatus.ACCEPTED,
        ReferralStatus.ON_HOLD,
        ReferralStatus.IN_PROGRESS,
    }
)


class AuthorizationStatus(enum.StrEnum):
    NOT_REQUIRED = "NOT_REQUIRED"
    NOT_REQUESTED = "NOT_REQUESTED"
    SUBMITTED = "SUBMITTED"
    AUTHORIZED = "AUTHORIZED"
    DENIED = "DENIED"


class ReferralPriority(enum.StrEnum):
    ROUTINE = "ROUTINE"
    URGENT = "URGENT"
    ASAP = "ASAP"
    STAT = "STAT"


class ReasonCode(enum.StrEnum):
    NO_CAPACITY = "NO_CAPACITY"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    COULD_NOT_CONTACT = "COULD_NOT_CONTACT"
    CLIENT_DECLINED = "CLIENT_DECLINED"
    SERVICE_NOT_OFFERED = "SERVICE_NOT_OFFERED"
    CLIENT_NEEDS_CHANGED = "CLIENT_NEEDS_CHANGED"
    DUPLICATE = "DUPLICATE"
    ENTERED_BY_MISTAKE = "ENTERED_BY_MISTAKE"
    OTHER = "OTHER"


class SharedField(enum.StrEnum):
    """What of the participant a referral may show its provider, beyond the preferred name."""

    PHONE = "PHONE"
    EMAIL = "EMAIL"
    BIRTH_DATE = "BIRTH_DATE"
    ADDRESS = "ADDRESS"
    LANGUAGE = "LANGUAGE"
    ALERTS = "ALERTS"


class Referral(SQLModel, table=True):
    __table_args__ = (
        # One live referral per benefit assignment.
        sa.Index(
            "uq_referral_live_per_assignment",
            "benefit_assignment_id",
            unique=True,
            sqlite_where=sa.text("status IN ('DRAFT','REQUESTED','ACCEPTED','ON_HOLD','IN_PROGRESS')"),
            postgresql_where=sa.text("status IN ('DRAFT','REQUESTED','ACCEPTED','ON_HOLD','IN_PROGRESS')"),
        ),
        sa.Index("ix_referral_provider_status", "provider_id", "status"),
        # A provider's inbox, newest first (keyset on id): each page reads only its own rows, however many other
        # providers' referrals are newer.
        sa.Index("ix_referral_provider_newest", "provider_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    benefit_assignment_id: int = Field(foreign_key="benefit_assignment.id", index=True)
    provider_id: int = Field(foreign_key="provider.id")
    facility_id: int | None = Field(default=None, foreign_key="facility.id")
    referring_user_id: int = Field(foreign_key="app_user.id", index=True)
    priority: ReferralPriority = Field(default=ReferralPriority.ROUTINE, sa_type=enum_type(ReferralPriority))
    notes: str | None = Field(default=None, max_length=4000)
    consent_given_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    consent_recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    consent_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    shared_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    status: ReferralStatus = Field(default=ReferralStatus.DRAFT, sa_type=enum_type(ReferralStatus))
    status_reason: ReasonCode | None = Field(default=None, sa_type=enum_type(ReasonCode))
    status_note: str | None = Field(default=None, max_length=2000)
    authorization_status: AuthorizationStatus = Field(
        default=AuthorizationStatus.NOT_REQUIRED, sa_type=enum_type(AuthorizationStatus)
    )
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    respond_by: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    first_viewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_viewed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    replaces_referral_id: int | None = Field(default=None, foreign_key="referral.id")
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReferralEventKind(enum.StrEnum):
    STATUS = "STATUS"
    AUTHORIZATION = "AUTHORIZATION"


class ReferralEvent(SQLModel, table=True):
    """One entry of a referral's history: a status or authorization change, who made it, when and why."""

    __tablename__ = "referral_event"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    kind: ReferralEventKind = Field(sa_type=enum_type(ReferralEventKind))
    from_value: str | None = Field(default=None, max_length=32)
    to_value: str = Field(max_length=32)
    reason: ReasonCode | None = Field(default=None, sa_type=enum_type(ReasonCode))
    note: str | None = Field(default=None, max_length=2000)
    actor_user_id: int = Field(foreign_key="app_user.id")
    actor_name: str = Field(max_length=200)
    actor_role: Role = Field(sa_type=enum_type(Role))
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def sent() -> ColumnElement[bool]:
    """Referrals that reached their provider: a draft never sent referred the client to no one."""
    return Referral.sent_at.is_not(None)


def was_sent(referral: Referral) -> bool:
    return referral.sent_at is not None
