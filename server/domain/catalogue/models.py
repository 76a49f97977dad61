"""Tables of the benefit catalogue. Every row belongs to one agency."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from server.domain.columns import UTCDateTime, enum_type, utcnow


class ProgramStatus(enum.StrEnum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class BenefitKind(enum.StrEnum):
    SERVICE = "SERVICE"
    GOODS = "GOODS"
    MONETARY = "MONETARY"


class Program(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    status: ProgramStatus = Field(default=ProgramStatus.PLANNED, sa_type=enum_type(ProgramStatus))
    start_date: date | None = None
    end_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BenefitType(SQLModel, table=True):
    __tablename__ = "benefit_type"
    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(max_length=200)
    category: str | None = Field(default=None, max_length=100)
    kind: BenefitKind = Field(sa_type=enum_type(BenefitKind))
    active: bool = True


class Benefit(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("agency_id", "program_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    benefit_type_id: int = Field(foreign_key="benefit_type.id", index=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    unit_of_measure: str = Field(max_length=40)
    requires_authorization: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BenefitSpecialty(SQLModel, table=True):
    __tablename__ = "benefit_specialty"
    __table_args__ = (sa.UniqueConstraint("benefit_id", "specialty_id"),)

    id: int | None = Field(default=None, primary_key=True)
    benefit_id: int = Field(foreign_key="benefit.id", index=True)
    specialty_id: int = Field(foreign_key="care_specialty.id", index=True)
    active: bool = True


class CodeSet(SQLModel, table=True):
    __tablename__ = "code_set"
    __table_args__ = (sa.UniqueConstraint("agency_id", "system", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    code: str = Field(max_length=40)
    system: str = Field(default="CPT", max_length=40)
    description: str = Field(max_length=500)
    rate: Decimal = Field(sa_type=sa.Numeric(12, 2))
    active: bool = True


class CodeSetBundle(SQLModel, table=True):
    __tablename__ = "code_set_bundle"
    __table_args__ = (sa.UniqueConstraint("agency_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    active: bool = True


class CodeSetBundleMember(SQLModel, table=True):
    __tablename__ = "code_set_bundle_member"
    __table_args__ = (sa.UniqueConstraint("bundle_id", "code_set_id"),)

    id: int | None = Field(default=None, primary_key=True)
    bundle_id: int = Field(foreign_key="code_set_bundle.id", index=True)
    code_set_id: int = Field(foreign_key="code_set.id", index=True)
    active: bool = True


class BenefitItemCode(SQLModel, table=True):
    __tablename__ = "benefit_item_code"
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "code"),
        sa.CheckConstraint("(code_set_id IS NULL) <> (code_set_bundle_id IS NULL)", name="ck_item_code_one_target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    benefit_id: int = Field(foreign_key="benefit.id", index=True)
    code: str = Field(max_length=40)
    code_set_id: int | None = Field(default=None, foreign_key="code_set.id", index=True)
    code_set_bundle_id: int | None = Field(default=None, foreign_key="code_set_bundle.id", index=True)
    active: bool = True
