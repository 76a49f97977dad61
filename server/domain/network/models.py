"""Tables of the provider network (HSDS organization, location, taxonomy_term, service_at_location)."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.domain.columns import UTCDateTime, enum_type, utcnow


class ProviderType(enum.StrEnum):
    ONSITE = "ONSITE"
    AT_HOME = "AT_HOME"
    VIRTUAL = "VIRTUAL"
    TRANSPORTATION = "TRANSPORTATION"


class ProviderStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    PENDING = "PENDING"


class CapacityStatus(enum.StrEnum):
    CAPACITY = "CAPACITY"
    NO_CAPACITY = "NO_CAPACITY"
    WAITLIST = "WAITLIST"


class SpecialtyType(enum.StrEnum):
    FOOD_AND_NUTRITION = "FOOD_AND_NUTRITION"
    HOUSING_AND_MAINTENANCE = "HOUSING_AND_MAINTENANCE"
    GOODS = "GOODS"
    TRANSIT = "TRANSIT"
    HEALTH = "HEALTH"
    MONEY = "MONEY"
    CARE = "CARE"
    EDUCATION = "EDUCATION"
    EMPLOYMENT = "EMPLOYMENT"
    LEGAL = "LEGAL"


class Provider(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    type: ProviderType = Field(sa_type=enum_type(ProviderType))
    status: ProviderStatus = Field(default=ProviderStatus.PENDING, sa_type=enum_type(ProviderStatus), index=True)
    searchable: bool = True
    description: str | None = Field(default=None, max_length=2000)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=500)
    # IANA zone of the provider's days and times; unset: its first facility's (see server/domain/zones.py).
    time_zone: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Facility(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_facility_coordinates", "latitude", "longitude"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    name: str = Field(max_length=200)
    address_line1: str | None = Field(default=None, max_length=200)
    address_line2: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    postal_code: str | None = Field(default=None, max_length=20)
    country: str = Field(default="US", max_length=2)
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    website: str | None = Field(default=None, max_length=500)
    accessibility_notes: str | None = Field(default=None, max_length=2000)
    accepting_referrals: bool = True
    capacity_status: CapacityStatus = Field(default=CapacityStatus.CAPACITY, sa_type=enum_type(CapacityStatus))
    confidential: bool = False
    active: bool = True
    # IANA zone of the facility; unset: its schedules', then its provider's (see server/domain/zones.py).
    time_zone: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CareSpecialty(SQLModel, table=True):
    __tablename__ = "care_specialty"

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int | None = Field(default=None, foreign_key="care_specialty.id", index=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    type: SpecialtyType = Field(sa_type=enum_type(SpecialtyType))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FacilitySpecialty(SQLModel, table=True):
    __tablename__ = "facility_specialty"
    __table_args__ = (sa.UniqueConstraint("facility_id", "specialty_id"),)

    id: int | None = Field(default=None, primary_key=True)
    facility_id: int = Field(foreign_key="facility.id", index=True)
    specialty_id: int = Field(foreign_key="care_specialty.id", index=True)
    primary: bool = False
    active: bool = True
    effective_from: date | None = None
    effective_to: date | None = None
