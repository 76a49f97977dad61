"""Imports every table module, so SQLModel.metadata knows the whole schema (migrations, tests)."""

from server.core.revocation import RevokedToken
from server.domain.agencies import Agency
from server.domain.api_clients import ApiClient
from server.domain.audit import AuditEvent
from server.domain.cases.models import (
    CarePlan,
    CarePlanGoal,
    CarePlanTask,
    Case,
    CaseNote,
    CaseTeamMember,
    Incident,
    Meeting,
)
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
from server.domain.delivery.models import (
    BenefitDisbursement,
    BenefitSchedule,
    BenefitSession,
    BulkDisbursement,
    DisbursementRevision,
    ScheduleAssignment,
)
from server.domain.events import Event
from server.domain.invitations import Invitation
from server.domain.network.models import CareSpecialty, Facility, FacilitySpecialty, Provider
from server.domain.referrals.models import Referral, ReferralEvent
from server.domain.sign_on import IdentityProvider
from server.domain.users import User
from server.domain.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agency",
    "ApiClient",
    "AuditEvent",
    "Benefit",
    "BenefitAssignment",
    "BenefitDisbursement",
    "BenefitItemCode",
    "BenefitSchedule",
    "BenefitSession",
    "BenefitSpecialty",
    "BenefitType",
    "BulkDisbursement",
    "CarePlan",
    "CarePlanGoal",
    "CarePlanTask",
    "CareSpecialty",
    "Case",
    "CaseNote",
    "CaseTeamMember",
    "CodeSet",
    "CodeSetBundle",
    "CodeSetBundleMember",
    "DisbursementRevision",
    "Event",
    "Facility",
    "FacilitySpecialty",
    "IdentityProvider",
    "Incident",
    "Invitation",
    "Meeting",
    "Participant",
    "ParticipantAlert",
    "Program",
    "ProgramEnrollment",
    "Provider",
    "Referral",
    "ReferralEvent",
    "RevokedToken",
    "ScheduleAssignment",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
