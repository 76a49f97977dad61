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
from server.domain.clients.models import BenefitAssignment, Participant, ParticipantAlert, ProgramEnrollment
from server.domain.delivery.models import BenefitSchedule, BenefitSession
from server.domain.network.models import CareSpecialty, Facility, FacilitySpecialty, Provider
from server.domain.referrals.models import Referral, ReferralEvent
from server.domain.users import User

__all__ = [
    "Agency",
    "AuditEvent",
    "Benefit",
    "BenefitAssignment",
    "BenefitItemCode",
    "BenefitSchedule",
    "BenefitSession",
    "BenefitSpecialty",
    "BenefitType",
    "CareSpecialty",
    "CodeSet",
    "CodeSetBundle",
    "CodeSetBundleMember",
    "Facility",
    "FacilitySpecialty",
    "Participant",
    "ParticipantAlert",
    "Program",
    "ProgramEnrollment",
    "Provider",
    "Referral",
    "ReferralEvent",
    "User",
]
