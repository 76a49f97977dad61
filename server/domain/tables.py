"""Imports every table module, so SQLModel.metadata knows the whole schema (migrations, tests)."""

from server.domain.agencies import Agency
from server.domain.audit import AuditEvent
from server.domain.catalogue.models import (
    Benefit,
    BenefitItemCode,
    BenefitSpecialty,
    BenefitType,
    CodeSet,
    CodeSetBundle,
    CodeSetBundleMember,
    Program,
)
from server.domain.network.models import CareSpecialty, Facility, FacilitySpecialty, Provider
from server.domain.users import User

__all__ = [
    "Agency",
    "AuditEvent",
    "Benefit",
    "BenefitItemCode",
    "BenefitSpecialty",
    "BenefitType",
    "CareSpecialty",
    "CodeSet",
    "CodeSetBundle",
    "CodeSetBundleMember",
    "Facility",
    "FacilitySpecialty",
    "Program",
    "Provider",
    "User",
]
