"""Every query and mutation, by every role: allowed ones succeed, denied ones fail with the right code and
change nothing (no row, no audit event)."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlmodel import func, select
from strawberry.utils.str_converters import to_camel_case

from server.domain.audit import AuditEvent
from tests.conftest import ALL_SCOPES, READ_SCOPES, World, assert_denied

pytestmark = pytest.mark.anyio

AGENCY = ("agency_admin", "supervisor", "caseworker")
PROVIDERS = ("provider_a", "provider_a_admin", "provider_b")
EVERYONE = AGENCY + PROVIDERS
# API clients of Cosville (tests/conftest.py API_CLIENTS): agency admins bounded by their scopes.
API_CLIENTS = {"client_reader": READ_SCOPES, "client_writer": ALL_SCOPES}
ROLES = (*EVERYONE, "other_agency_admin", *API_CLIENTS, None)
ANY_SCOPE = "any"
# The operations open to API clients, by the scope each needs (on top of an agency admin's role); an operation not
# named here is closed to them (cases, the audit trail, settings, users, API clients themselves).
OPEN_TO_API_CLIENTS = {
    ANY_SCOPE: "viewer",
    "directory:read": """providers provider facilities facility careSpecialties careSpecialty providerSearch
        programs program benefitTypes benefits benefit codeSets codeSet codeSetBundles benefitItemCodes""",
    "directory:write": """createProvider updateProvider deactivateProvider createFacility updateFacility
        deactivateFacility createCareSpecialty updateCareSpecialty deactivateCareSpecialty createProgram updateProgram
        createBenefitType updateBenefitType deactivateBenefitType createBenefit updateBenefit deactivateBenefit
        createCodeSet updateCodeSet deactivateCodeSet createCodeSetBundle updateCodeSetBundle deactivateCodeSetBundle
        createBenefitItemCode updateBenefitItemCode deactivateBenefitItemCode""",
    "clients:read": "participants participant enrollments clientSearch",
    "clients:write": """createParticipant updateParticipant addParticipantAlert deactivateParticipantAlert
        enrollParticipant updateEnrollment assignBenefit updateBenefitAssignment""",
    "referrals:read": "referrals referral referralCounts openReferral",
    "referrals:write": "createReferral",
    "delivery:read": """benefitSchedules benefitSessions sessionRoster scheduleAssignments benefitDisbursements
        benefitDisbursement bulkDisbursementPreview""",
    "delivery:write": "recordBenefitDisbursement correctBenefitDisbursement disburseInBulk",
}
CLIENT_SCOPES = {name: scope for scope, names in OPEN_TO_API_CLIENTS.items() for name in names.split()}


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    variables: Callable[[World], dict] = lambda w: {}
    allowed: tuple[str, ...] = ()
    # Denial codes for particular roles; any other role not allowed gets FORBIDDEN (UNAUTHENTICATED if none).
    denied: dict[str, str] = field(default_factory=dict)
    # Whether an allowed call by this role changes something (and so writes an audit event).
    changes: Callable[[str], bool] = lambda who: True

    @property
    def is_mutation(self) -> bool:
        return self.document.lstrip().startswith("mutation")

    def expected(self, who: str | None) -> str | None:
        if who is None:
            return "UNAUTHENTICATED"
        if who in API_CLIENTS:
            scope = CLIENT_SCOPES.get(self.name)
            opened = scope == ANY_SCOPE or scope in API_CLIENTS[who]
            return None if "agency_admin" in self.allowed and opened else "FORBIDDEN"
        if who in self.allowed:
            return None
        return self.denied.get(who, "FORBIDDEN")


def mutation(name: str, args: str, returns: str, variables, **kwargs) -> Operation:
    signature = ", ".join(f"${a}" for a in args.split(", ")) if args else ""
    call = ", ".join(f"{a.split(':')[0]}: ${a.split(':')[0]}" for a in args.split(", ")) if args else ""
    document = f"mutation Op({signature}) {{ {name}({call}) {{ {returns} {{ id }} errors {{ code field message }} }} }}"
    return Operation(name, document, variables, **kwargs)


def walk_in(w: World) -> dict:
    return {
        "recipientType": "WALK_IN",
        "benefitId": w.food_box,
        "serviceDate": "2026-11-20",
        "quantity": "1",
        "participantIds": [w.steve, w.maria],
    }


# Agency staff of Cosville; the other agency's admin cannot reach Cosville's records.
COSVILLE_STAFF = {"allowed": AGENCY, "denied": {"other_agency_admin": "NOT_FOUND"}}
ADMIN_ONLY = {"allowed": ("agency_admin",)}
# The other agency's admin may use the mutation but cannot reach Cosville's record.
COSVILLE_RECORD = {"allowed": ("agency_admin",), "denied": {"other_agency_admin": "NOT_FOUND"}}
AGENCY_STAFF = {"allowed": (*AGENCY, "other_agency_admin")}

OPERATIONS = [
    Operation("viewer", "query { viewer { id } }", allowed=(*EVERYONE, "other_agency_admin")),
    Operation("providers", "query { providers { totalCount } }", allowed=(*EVERYONE, "other_agency_admin")),
    Operation(
        "provider",
        "query Op($id: ID!) { provider(id: $id) { id } }",
        lambda w: {"id": w.grief_center},
        allowed=(*AGENCY, "provider_a", "provider_a_admin", "other_agency_admin"),
        denied={"provider_b": "NOT_FOUND"},
    ),
    Operation("facilities", "query { facilities { totalCount } }", allowed=(*EVERYONE, "other_agency_admin")),
    Operation(
        "facility",
        "query Op($id: ID!) { facility(id: $id) { id } }",
        lambda w: {"id": w.grief_facility},
        allowed=(*AGENCY, "provider_a", "provider_a_admin", "other_agency_admin"),
        denied={"provider_b": "NOT_FOUND"},
    ),
    Operation("careSpecialties", "query { careSpecialties { totalCount } }", allowed=(*EVERYONE, "other_agency_admin")),
    Operation(
        "careSpecialty",
        "query Op($id: ID!) { careSpecialty(id: $id) { id } }",
        lambda w: {"id": w.counseling},
        allowed=(*EVERYONE, "other_agency_admin"),
    ),
    Operation("programs", "query { programs { totalCount } }", **AGENCY_STAFF),
    Operation(
        "program",
        "query Op($id: ID!) { program(id: $id) { id } }",
        lambda w: {"id": w.family_support},
        allowed=AGENCY,
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    Operation("benefitTypes", "query { benefitTypes { totalCount } }", **AGENCY_STAFF),
    Operation("benefits", "query { benefits { totalCount } }", **AGENCY_STAFF),
    Operation(
        "benefit",
        "query Op($id: ID!) { benefit(id: $id) { id } }",
        lambda w: {"id": w.grief_counseling},
        allowed=AGENCY,
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    Operation("codeSets", "query { codeSets { totalCount } }", **AGENCY_STAFF),
    Operation(
        "codeSet",
        "query Op($id: ID!) { codeSet(id: $id) { id } }",
        lambda w: {"id": w.cpt_90832},
        allowed=AGENCY,
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    Operation("codeSetBundles", "query { codeSetBundles { totalCount } }", **AGENCY_STAFF),
    Operation("benefitItemCodes", "query { benefitItemCodes { totalCount } }", **AGENCY_STAFF),
    Operation(
        "auditEvents",
        "query { auditEvents { totalCount } }",
        allowed=("agency_admin", "supervisor", "other_agency_admin"),
    ),
    # The network: agency admins of any agency manage the shared network.
    mutation(
        "createProvider",
        "input: ProviderCreateInput!",
        "provider",
        lambda w: {"input": {"name": "Northside Tutors", "type": "ONSITE"}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "updateProvider",
        "id: ID!, input: ProviderUpdateInput!",
        "provider",
        lambda w: {"id": w.grief_center, "input": {"phone": "(217) 555-0100"}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "deactivateProvider",
        "id: ID!",
        "provider",
        lambda w: {"id": w.pantry},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "createFacility",
        "input: FacilityCreateInput!",
        "facility",
        lambda w: {"input": {"providerId": w.grief_center, "name": "Grief Center — West"}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "updateFacility",
        "id: ID!, input: FacilityUpdateInput!",
        "facility",
        lambda w: {"id": w.grief_facility, "input": {"phone": "(217) 555-0101", "acceptingReferrals": False}},
        allowed=("agency_admin", "other_agency_admin", "provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND"},
    ),
    mutation(
        "deactivateFacility",
        "id: ID!",
        "facility",
        lambda w: {"id": w.grief_facility},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "createCareSpecialty",
        "input: CareSpecialtyCreateInput!",
        "careSpecialty",
        lambda w: {
            "input": {"code": "CNS-TEEN", "name": "Teen Counseling", "type": "HEALTH", "parentId": w.counseling}
        },
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "updateCareSpecialty",
        "id: ID!, input: CareSpecialtyUpdateInput!",
        "careSpecialty",
        lambda w: {"id": w.grief_specialty, "input": {"name": "Bereavement Counseling"}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "deactivateCareSpecialty",
        "id: ID!",
        "careSpecialty",
        lambda w: {"id": w.grief_specialty},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    # The catalogue: each agency's own.
    mutation(
        "createProgram",
        "input: ProgramCreateInput!",
        "program",
        lambda w: {"input": {"name": "Youth Mentoring"}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "updateProgram",
        "id: ID!, input: ProgramUpdateInput!",
        "program",
        lambda w: {"id": w.family_support, "input": {"description": "For families."}},
        **COSVILLE_RECORD,
    ),
    mutation(
        "createBenefitType",
        "input: BenefitTypeCreateInput!",
        "benefitType",
        lambda w: {"input": {"name": "Tutoring", "kind": "SERVICE"}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "updateBenefitType",
        "id: ID!, input: BenefitTypeUpdateInput!",
        "benefitType",
        lambda w: {"id": w.mental_health, "input": {"category": "Behavioral Health"}},
        **COSVILLE_RECORD,
    ),
    mutation("deactivateBenefitType", "id: ID!", "benefitType", lambda w: {"id": w.mental_health}, **COSVILLE_RECORD),
    mutation(
        "createBenefit",
        "input: BenefitCreateInput!",
        "benefit",
        lambda w: {
            "input": {
                "programId": w.family_support,
                "benefitTypeId": w.mental_health,
                "name": "Family Counseling",
                "unitOfMeasure": "session",
                "specialtyIds": [w.counseling],
            }
        },
        allowed=("agency_admin",),
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    mutation(
        "updateBenefit",
        "id: ID!, input: BenefitUpdateInput!",
        "benefit",
        lambda w: {"id": w.grief_counseling, "input": {"specialtyIds": [w.grief_specialty]}},
        **COSVILLE_RECORD,
    ),
    mutation("deactivateBenefit", "id: ID!", "benefit", lambda w: {"id": w.grief_counseling}, **COSVILLE_RECORD),
    mutation(
        "createCodeSet",
        "input: CodeSetCreateInput!",
        "codeSet",
        lambda w: {"input": {"code": "90837", "description": "Psychotherapy, 60 minutes", "rate": "150.00"}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    mutation(
        "updateCodeSet",
        "id: ID!, input: CodeSetUpdateInput!",
        "codeSet",
        lambda w: {"id": w.cpt_90832, "input": {"rate": "90.00"}},
        **COSVILLE_RECORD,
    ),
    mutation("deactivateCodeSet", "id: ID!", "codeSet", lambda w: {"id": w.cpt_90832}, **COSVILLE_RECORD),
    mutation(
        "createCodeSetBundle",
        "input: CodeSetBundleCreateInput!",
        "codeSetBundle",
        lambda w: {"input": {"name": "Short sessions", "codeSetIds": [w.cpt_90832]}},
        allowed=("agency_admin",),
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    mutation(
        "updateCodeSetBundle",
        "id: ID!, input: CodeSetBundleUpdateInput!",
        "codeSetBundle",
        lambda w: {"id": w.counseling_bundle, "input": {"codeSetIds": [w.cpt_90832]}},
        **COSVILLE_RECORD,
    ),
    mutation(
        "deactivateCodeSetBundle", "id: ID!", "codeSetBundle", lambda w: {"id": w.counseling_bundle}, **COSVILLE_RECORD
    ),
    mutation(
        "createBenefitItemCode",
        "input: BenefitItemCodeCreateInput!",
        "benefitItemCode",
        lambda w: {"input": {"benefitId": w.grief_counseling, "code": "B-00099", "codeSetId": w.cpt_90832}},
        allowed=("agency_admin",),
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    mutation(
        "updateBenefitItemCode",
        "id: ID!, input: BenefitItemCodeUpdateInput!",
        "benefitItemCode",
        lambda w: {"id": w.item_b00034, "input": {"code": "B-00034A"}},
        **COSVILLE_RECORD,
    ),
    mutation(
        "deactivateBenefitItemCode", "id: ID!", "benefitItemCode", lambda w: {"id": w.item_b00034}, **COSVILLE_RECORD
    ),
    # single sign-on (issue 14): each agency's and provider's admins configure their own organisation's identity
    # provider; none is registered yet (NOT_FOUND to read), so disabling configures one first, in the same document.
    Operation(
        "signOnProvider",
        "query { signOnProvider { id } }",
        denied={who: "NOT_FOUND" for who in ("agency_admin", "provider_a_admin", "provider_b", "other_agency_admin")},
    ),
    mutation(
        "configureSignOn",
        "input: SignOnInput!",
        "signOnProvider",
        lambda w: {"input": {"issuer": "https://login.example.org", "clientId": "caseway", "clientSecret": "s3cret"}},
        allowed=("agency_admin", "provider_a_admin", "provider_b", "other_agency_admin"),
    ),
    Operation(
        "disableSignOn",
        "mutation Op($input: SignOnInput!) { configureSignOn(input: $input) { errors { code } } "
        "disableSignOn { signOnProvider { id } errors { code field message } } }",
        lambda w: {"input": {"issuer": "https://login.example.org", "clientId": "caseway", "clientSecret": "s3cret"}},
        allowed=("agency_admin", "provider_a_admin", "provider_b", "other_agency_admin"),
    ),
]


OWN_AGENCY = {"allowed": AGENCY, "denied": {"other_agency_admin": "NOT_FOUND"}}
REFERRAL_READERS = {
    "allowed": (*AGENCY, "provider_a", "provider_a_admin"),
    "denied": {"provider_b": "NOT_FOUND", "other_agency_admin": "NOT_FOUND"},
}

OPERATIONS += [
    # Clients: agency staff, each agency its own.
    Operation("participants", "query { participants { totalCount } }", **AGENCY_STAFF),
    Operation(
        "participant", "query Op($id: ID!) { participant(id: $id) { id } }", lambda w: {"id": w.steve}, **OWN_AGENCY
    ),
    Operation("enrollments", "query { enrollments { totalCount } }", **AGENCY_STAFF),
    mutation(
        "createParticipant",
        "input: ParticipantCreateInput!",
        "participant",
        lambda w: {"input": {"legalFirstName": "Ana", "legalLastName": "Ortiz"}},
        **AGENCY_STAFF,
    ),
    mutation(
        "updateParticipant",
        "id: ID!, input: ParticipantUpdateInput!",
        "participant",
        lambda w: {"id": w.steve, "input": {"pronouns": "he/they"}},
        **OWN_AGENCY,
    ),
    mutation(
        "addParticipantAlert",
        "participantId: ID!, input: ParticipantAlertInput!",
        "alert",
        lambda w: {"participantId": w.steve, "input": {"text": "Uses a wheelchair"}},
        **OWN_AGENCY,
    ),
    mutation("deactivateParticipantAlert", "id: ID!", "alert", lambda w: {"id": w.steve_alert}, **OWN_AGENCY),
    mutation(
        "enrollParticipant",
        "input: EnrollmentCreateInput!",
        "enrollment",
        lambda w: {"input": {"participantId": w.maria, "programId": w.housing_stability}},
        **OWN_AGENCY,
    ),
    mutation(
        "updateEnrollment",
        "id: ID!, input: EnrollmentUpdateInput!",
        "enrollment",
        lambda w: {"id": w.steve_enrollment, "input": {"startDate": "2026-10-01"}},
        **OWN_AGENCY,
    ),
    mutation(
        "assignBenefit",
        "input: AssignmentCreateInput!",
        "assignment",
        lambda w: {"input": {"enrollmentId": w.steve_enrollment, "benefitId": w.food_box}},
        **OWN_AGENCY,
    ),
    mutation(
        "updateBenefitAssignment",
        "id: ID!, input: AssignmentUpdateInput!",
        "assignment",
        lambda w: {"id": w.food_box_assignment, "input": {"entitledQuantity": "8"}},
        **OWN_AGENCY,
    ),
    # Referrals: the agency's own and the provider's inbox; search is for agency staff.
    Operation("referrals", "query { referrals { totalCount } }", allowed=(*EVERYONE, "other_agency_admin")),
    Operation(
        "referral",
        "query Op($id: ID!) { referral(id: $id) { id } }",
        lambda w: {"id": w.new_referral},
        **REFERRAL_READERS,
    ),
    Operation("referralCounts", "query { referralCounts { status count } }", allowed=(*EVERYONE, "other_agency_admin")),
    Operation("providerSearch", "query { providerSearch(filter: {}) { totalCount } }", **AGENCY_STAFF),
    mutation(
        "createReferral",
        "input: ReferralCreateInput!",
        "referral",
        lambda w: {"input": {"benefitAssignmentId": w.food_box_assignment, "providerId": w.pantry}},
        **OWN_AGENCY,
    ),
    # Opening records the provider's first view; an agency user's opening changes nothing.
    mutation(
        "openReferral",
        "id: ID!",
        "referral",
        lambda w: {"id": w.new_referral},
        changes=lambda who: who.startswith("provider"),
        **REFERRAL_READERS,
    ),
]

PREVIEW_INPUT = {
    "facilityId": "1",
    "benefitId": "1",
    "codeSetId": "1",
    "name": "x",
    "firstStart": "2026-12-07T09:00",
    "firstEnd": "2026-12-07T10:00",
    "timeZone": "America/Chicago",
    "frequency": "ONCE",
    "capacity": 5,
    "defaultQuantity": "1",
}
OPERATIONS += [
    Operation(
        "benefitSchedules", "query { benefitSchedules { totalCount } }", allowed=(*EVERYONE, "other_agency_admin")
    ),
    Operation("benefitSessions", "query { benefitSessions { totalCount } }", allowed=(*EVERYONE, "other_agency_admin")),
    Operation(
        "schedulePreview",
        "query Op($input: BenefitScheduleInput!) { schedulePreview(input: $input) { startsAt } }",
        lambda w: {"input": PREVIEW_INPUT},
        allowed=PROVIDERS,
    ),
    # Delivery: Steve's Wednesday sessions at the Grief Center (provider A), five of them held.
    Operation(
        "sessionRoster",
        "query Op($id: ID!) { sessionRoster(sessionId: $id) { lines { participantId mark } } }",
        lambda w: {"id": w.held_session},
        allowed=(*AGENCY, "provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND", "other_agency_admin": "NOT_FOUND"},
    ),
    Operation(
        "scheduleAssignments",
        "query { scheduleAssignments { totalCount } }",
        allowed=(*EVERYONE, "other_agency_admin"),
    ),
    Operation(
        "benefitDisbursements",
        "query { benefitDisbursements { totalCount } }",
        allowed=(*EVERYONE, "other_agency_admin"),
    ),
    Operation(
        "benefitDisbursement",
        "query Op($id: ID!) { benefitDisbursement(id: $id) { id } }",
        lambda w: {"id": w.steve_disbursement},
        allowed=(*AGENCY, "provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND", "other_agency_admin": "NOT_FOUND"},
    ),
    Operation(
        "bulkDisbursementPreview",
        "query Op($input: BulkDisbursementInput!) { bulkDisbursementPreview(input: $input) { recipientCount } }",
        lambda w: {"input": walk_in(w)},
        allowed=AGENCY,
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    mutation(
        "enrollInSchedule",
        "input: ScheduleEnrollmentInput!",
        "scheduleAssignment",
        lambda w: {"input": {"referralId": w.steve_referral, "sessionId": w.mwf_session}},
        allowed=("provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND"},
    ),
    mutation(
        "withdrawFromSchedule",
        "id: ID!",
        "scheduleAssignment",
        lambda w: {"id": w.steve_enrolled},
        allowed=("provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND"},
    ),
    Operation(
        "takeAttendance",
        """mutation Op($id: ID!, $marks: [AttendanceInput!]!) { takeAttendance(sessionId: $id, marks: $marks) {
      roster { session { id } } errors { code field message } } }""",
        lambda w: {"id": w.held_session, "marks": [{"participantId": w.steve, "mark": "EXCUSED"}]},
        allowed=("provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND"},
    ),
    mutation(
        "recordBenefitDisbursement",
        "input: BenefitDisbursementInput!",
        "disbursement",
        lambda w: {
            "input": {
                "benefitAssignmentId": w.grief_assignment,
                "serviceDate": "2026-11-02",
                "quantity": "1",
                "codeSetId": w.cpt_90832,  # grief counseling is billed by several: one is chosen
            }
        },
        allowed=(*AGENCY, "provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND", "other_agency_admin": "NOT_FOUND"},
    ),
    mutation(
        "correctBenefitDisbursement",
        "id: ID!, quantity: Decimal, note: String!",
        "disbursement",
        lambda w: {"id": w.steve_disbursement, "quantity": "2", "note": "Double session"},
        allowed=(*AGENCY, "provider_a", "provider_a_admin"),
        denied={"provider_b": "NOT_FOUND", "other_agency_admin": "NOT_FOUND"},
    ),
    mutation(
        "disburseInBulk",
        "input: BulkDisbursementInput!, idempotencyKey: String!",
        "bulk",
        lambda w: {"input": walk_in(w), "idempotencyKey": "food-day-1"},
        allowed=AGENCY,
        denied={"other_agency_admin": "NOT_FOUND"},
    ),
    mutation(
        "updateAgencySettings",
        "input: AgencySettingsInput!",
        "agency",
        lambda w: {"input": {"followUpDays": 14}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    # A provider's admins set their own provider's settings (Bea is the Harvest Table's admin).
    mutation(
        "updateProviderSettings",
        "input: ProviderSettingsInput!",
        "provider",
        lambda w: {"input": {"timeZone": "America/Denver"}},
        allowed=("provider_a_admin", "provider_b"),
    ),
    # Case management: agency staff of the client's agency; providers never.
    Operation("cases", "query { cases { totalCount } }", **AGENCY_STAFF),
    Operation("case", "query Op($id: ID!) { case(id: $id) { id } }", lambda w: {"id": w.steve_case}, **COSVILLE_STAFF),
    Operation(
        "carePlan", "query Op($id: ID!) { carePlan(id: $id) { id } }", lambda w: {"id": w.care_plan}, **COSVILLE_STAFF
    ),
    Operation("caseNotes", "query { caseNotes { totalCount } }", **AGENCY_STAFF),
    Operation("incidents", "query { incidents { totalCount } }", **AGENCY_STAFF),
    Operation("clientSearch", 'query { clientSearch(search: "steve") { totalCount } }', **AGENCY_STAFF),
    Operation("myDay", "query { myDay { day } }", **AGENCY_STAFF),
    mutation(
        "openCase",
        "input: CaseOpenInput!",
        "case",
        lambda w: {"input": {"participantId": w.maria, "intakeSource": "APPLICATION"}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "updateCase",
        "id: ID!, input: CaseUpdateInput!",
        "case",
        lambda w: {"id": w.steve_case, "input": {"summary": "Sleeping better."}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "moveCase",
        "id: ID!, status: CaseStatus!",
        "case",
        lambda w: {"id": w.steve_case, "status": "MONITORING"},
        **COSVILLE_STAFF,
    ),
    mutation(
        "addCaseTeamMember",
        "caseId: ID!, userId: ID!",
        "case",
        lambda w: {"caseId": w.steve_case, "userId": w.tishon},
        **COSVILLE_STAFF,
    ),
    mutation(
        "removeCaseTeamMember",
        "caseId: ID!, userId: ID!",
        "case",
        lambda w: {"caseId": w.steve_case, "userId": w.dana},
        **COSVILLE_STAFF,
    ),
    mutation(
        "createCarePlan",
        "input: CarePlanInput!",
        "carePlan",
        lambda w: {"input": {"caseId": w.maria_case, "name": "Bereavement support"}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "moveCarePlan",
        "id: ID!, action: CarePlanAction!",
        "carePlan",
        lambda w: {"id": w.care_plan, "action": "COMPLETE"},
        **COSVILLE_STAFF,
    ),
    mutation(
        "linkCarePlanItems",
        "id: ID!, enrollmentIds: [ID!]",
        "carePlan",
        lambda w: {"id": w.care_plan, "enrollmentIds": [w.steve_enrollment]},
        **COSVILLE_STAFF,
    ),
    mutation(
        "addCarePlanGoal",
        "carePlanId: ID!, input: GoalInput!",
        "goal",
        lambda w: {"carePlanId": w.care_plan, "input": {"name": "Sleep through the night"}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "updateCarePlanGoal",
        "id: ID!, input: GoalInput!",
        "goal",
        lambda w: {"id": w.goal, "input": {"progress": 60}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "addCarePlanTask",
        "goalId: ID!, input: TaskInput!",
        "task",
        lambda w: {"goalId": w.goal, "input": {"title": "Ask about sleep", "dueDate": "2026-12-01"}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "updateCarePlanTask",
        "id: ID!, input: TaskInput!",
        "task",
        lambda w: {"id": w.task, "input": {"status": "DONE"}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "writeCaseNote",
        "input: CaseNoteInput!",
        "note",
        lambda w: {
            "input": {
                "participantId": w.steve,
                "subject": "Visit",
                "text": "Home visit.",
                "interactionDate": "2026-11-20",
                "noteType": "HOME_VISIT",
            }
        },
        **COSVILLE_STAFF,
    ),
    mutation(
        "amendCaseNote",
        "id: ID!, input: CaseNoteChangeInput!",
        "note",
        lambda w: {"id": w.steve_note, "input": {"text": "He missed one session, not two."}},
        **COSVILLE_STAFF,
    ),
    mutation(
        "reportIncident",
        "input: IncidentInput!",
        "incident",
        lambda w: {
            "input": {
                "participantId": w.steve,
                "occurredAt": "2026-11-20T15:00:00-06:00",
                "incidentType": "Fall",
                "severity": "MODERATE",
                "description": "Slipped on the steps of the center.",
            }
        },
        **COSVILLE_STAFF,
    ),
    mutation(
        "scheduleMeeting",
        "input: MeetingInput!",
        "meeting",
        lambda w: {
            "input": {
                "participantId": w.steve,
                "startsAt": "2026-12-01T10:00:00-06:00",
                "endsAt": "2026-12-01T10:30:00-06:00",
                "subject": "Care plan review",
            }
        },
        **COSVILLE_STAFF,
    ),
    # user management (issue 14): admins manage their own organisation's users (Dana: a Cosville supervisor);
    # the other agency's and the providers' admins reach the operation but not Cosville's user (NOT_FOUND).
    Operation(
        "staff",
        "query { staff { totalCount } }",
        allowed=("agency_admin", "provider_a_admin", "provider_b", "other_agency_admin"),
    ),
    mutation(
        "inviteUser",
        "input: InviteUserInput!",
        "user",
        lambda w: {"input": {"email": "new.person@example.org", "fullName": "New Person", "role": "CASEWORKER"}},
        allowed=("agency_admin", "other_agency_admin"),
        denied={"provider_a_admin": "INVALID", "provider_b": "INVALID"},  # a provider admin invites provider roles
    ),
    # Dana was never invited: an admin who reaches her is refused on her state (success: test_user_management.py).
    mutation(
        "resendInvitation",
        "userId: ID!",
        "user",
        lambda w: {"userId": w.dana},
        denied={
            "agency_admin": "CONFLICT",
            "other_agency_admin": "NOT_FOUND",
            "provider_a_admin": "NOT_FOUND",
            "provider_b": "NOT_FOUND",
        },
    ),
    mutation(
        "changeUserRole",
        "userId: ID!, role: Role!",
        "user",
        lambda w: {"userId": w.dana, "role": "CASEWORKER"},
        allowed=("agency_admin",),
        denied={"other_agency_admin": "NOT_FOUND", "provider_a_admin": "NOT_FOUND", "provider_b": "NOT_FOUND"},
    ),
    mutation(
        "deactivateUser",
        "userId: ID!",
        "user",
        lambda w: {"userId": w.dana},
        allowed=("agency_admin",),
        denied={"other_agency_admin": "NOT_FOUND", "provider_a_admin": "NOT_FOUND", "provider_b": "NOT_FOUND"},
    ),
    mutation(
        "reactivateUser",
        "userId: ID!",
        "user",
        lambda w: {"userId": w.dana},
        allowed=("agency_admin",),
        denied={"other_agency_admin": "NOT_FOUND", "provider_a_admin": "NOT_FOUND", "provider_b": "NOT_FOUND"},
        changes=lambda who: False,  # she is active already
    ),
]

# API clients: agency admins manage their own agency's; an API client manages none.
OPERATIONS += [
    Operation("apiClients", "query { apiClients { totalCount } }", allowed=("agency_admin", "other_agency_admin")),
    Operation(
        "registerApiClient",
        """mutation Op($input: ApiClientInput!) { registerApiClient(input: $input) {
      apiClient { id } clientSecret errors { code field message } } }""",
        lambda w: {"input": {"name": "Case export", "scopes": ["referrals:read"]}},
        allowed=("agency_admin", "other_agency_admin"),
    ),
    Operation(
        "rotateApiClientSecret",
        """mutation Op($id: ID!) { rotateApiClientSecret(id: $id) {
      apiClient { id } clientSecret errors { code field message } } }""",
        lambda w: {"id": w.api_client},
        **COSVILLE_RECORD,
    ),
    mutation(
        "updateApiClientScopes",
        "id: ID!, scopes: [String!]!",
        "apiClient",
        lambda w: {"id": w.api_client, "scopes": ["referrals:read", "clients:read"]},
        **COSVILLE_RECORD,
    ),
    mutation("revokeApiClient", "id: ID!", "apiClient", lambda w: {"id": w.api_client}, **COSVILLE_RECORD),
]

# Tested by role in their own modules, on records those tests build first:
# the referral transitions in test_referrals.py (every status), the schedule lifecycle in test_schedules.py.
COVERED_ELSEWHERE = {
    "benefitSchedule",
    "createBenefitSchedule",
    "updateBenefitSchedule",
    "submitBenefitSchedule",
    "approveBenefitSchedule",
    "rejectBenefitSchedule",
    "cancelBenefitSession",
    "postponeBenefitSession",
    # A pending schedule and a waitlist: test_schedule_portal_api.py builds them, then tries every role on them.
    "withdrawBenefitSchedule",
    "promoteFromWaitlist",
    # A referral draft: test_referral_drafts.py makes one first, then tries every role on it.
    "updateReferral",
    # Drafts belong to their authors: test_cases.py writes one first, then tries every role on it.
    "updateCaseNote",
    "finalizeCaseNote",
}
TRANSITIONS = {
    "sendReferral",
    "cancelReferral",
    "markReferralEnteredInError",
    "acceptReferral",
    "rejectReferral",
    "holdReferral",
    "startReferral",
    "completeReferral",
    "failReferral",
    "requestAuthorization",
    "authorizeReferral",
    "denyAuthorization",
}


def test_every_query_and_mutation_of_the_schema_is_in_the_matrix():
    from server.graphql.schema import Mutation, Query

    served = {f.name for f in Query.__strawberry_definition__.fields}
    served |= {f.name for f in Mutation.__strawberry_definition__.fields}
    named = {op.name for op in OPERATIONS} | TRANSITIONS | COVERED_ELSEWHERE
    assert {to_camel_case(n) for n in served} == named


async def audit_count(db) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(AuditEvent))).one()


@pytest.mark.parametrize("who", ROLES, ids=lambda w: w or "anonymous")
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
async def test_access(gql, db, world, op: Operation, who: str | None):
    # given
    events_before = await audit_count(db)
    # when
    result = await gql(who, op.document, op.variables(world) if op.variables else None)
    # then
    expected = op.expected(who)
    if expected is None:
        data = result.ok()
        assert data[op.name] is not None
        if op.is_mutation and op.changes(who):
            assert await audit_count(db) > events_before, "an allowed mutation writes its audit event"
    else:
        assert_denied(result, expected)
        assert await audit_count(db) == events_before, "a refused mutation leaves no audit event"


async def test_a_refused_root_field_is_null_and_the_others_still_answer(gql):
    result = await gql("provider_a", "query { viewer { name } programs { totalCount } }")
    assert result.data == {"viewer": {"name": "Ashley Moreno"}, "programs": None}
    assert [(e["path"], e["extensions"]["code"]) for e in result.errors] == [(["programs"], "FORBIDDEN")]


def test_every_operation_opened_to_api_clients_is_in_the_matrix():
    assert set(CLIENT_SCOPES) <= {op.name for op in OPERATIONS}
