"""The City of Cosville story, replayed over HTTP alone as an agency's app and a provider would (issue 10).

New records, not the demo's: the agency admin adds a benefit (with its code set, item code and care specialty)
and a facility; the caseworker, signed in through /auth/token, takes in Rosa, enrolls her, assigns the benefit,
finds a provider, drafts, edits and sends a referral; the provider, signed in the same way, answers it, the
agency authorizes, the provider's schedule is approved, Rosa is enrolled and attended; disbursements (sessions,
ad hoc, bulk) are read, corrected and paged; the referral completes. Refusals along the way give a typed error
naming what the caller sent and change nothing; drafts never sent stay invisible to the provider.

The domain's clock is set to 23:30 in Cosville (America/Chicago), when the UTC day is already tomorrow, so local
days show; sessions are daily from two days back, so nothing depends on the weekday.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import COSVILLE_ZONE, PASSWORD, PEOPLE, GraphQL, Result, assert_denied

pytestmark = pytest.mark.anyio

ZONE = ZoneInfo(COSVILLE_ZONE)  # the agency's and the Grief Center's


@dataclass
class Story:
    """What the story has made so far (ids, as the API gave them) and the calls every step uses."""

    gql: GraphQL
    now: datetime  # local, in ZONE
    ids: dict[str, str] = field(default_factory=dict)
    before: dict[str, dict] = field(default_factory=dict)  # what each provider saw before anything was sent

    @property
    def today(self) -> date:
        return self.now.date()

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    async def ok(self, who: str, document: str, variables: dict | None = None) -> dict:
        """The data of a call that must succeed."""
        return (await self.gql(who, document, variables)).ok()

    async def refused(
        self, who: str, document: str, variables: dict | None, code: str, fields: tuple[str | None, ...]
    ) -> Result:
        """A call refused with `code`, every error naming one of `fields`, and no record returned."""
        result = await self.gql(who, document, variables)
        assert_denied(result, code)
        errors = result.payload_errors() or [e.get("extensions") or {} for e in result.errors]
        assert {e.get("code") for e in errors} == {code}, result.body
        assert all(e.get("field") in fields for e in errors), (fields, result.body)
        return result


def in_zone(value: str, zone: ZoneInfo = ZONE) -> datetime:
    """A DateTime the API gave, checked to be shown with `zone`'s offset at that moment."""
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() is not None and moment.utcoffset() == moment.astimezone(zone).utcoffset(), (
        f"{value} is not shown in {zone.key}"
    )
    return moment


def money(value: str) -> Decimal:
    """A Decimal the API gave as a string (never a float)."""
    assert isinstance(value, str), value
    return Decimal(value)


# ---------------------------------------------------------------------------------------------------------------
# Documents, as an app would keep them

REFERRAL = """query Op($id: ID!) { referral(id: $id) { id status version statusReason authorizationStatus priority
  notes sharedFields consentGivenAt sentAt facility { id } } }"""
COUNTS = "query { referralCounts { status count } referrals { totalCount nodes { id } } }"
TRANSITION = """mutation Op($id: ID!, $version: Int) {{ {name}(id: $id, expectedVersion: $version) {{
  referral {{ id status statusReason version authorizationStatus deliverable availableActions }}
  errors {{ code field message }} }} }}"""
AUTHORIZATION = """mutation Op($id: ID!) {{ {name}(id: $id) {{ referral {{ id status authorizationStatus deliverable }}
  errors {{ code field message }} }} }}"""
DISBURSEMENTS = """query Op($filter: BenefitDisbursementFilter, $first: Int!, $after: String) {
  benefitDisbursements(filter: $filter, first: $first, after: $after) { totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id status recipientType serviceDate quantity unit rate amount code sessionId bulkId referralId
      participantId benefitAssignmentId recordedAt } } }"""
CORRECT = """mutation Op($id: ID!, $note: String!) { correctBenefitDisbursement(id: $id, note: $note, void: true) {
  disbursement { id status amount revisions { status quantity correctedAt } } errors { code field message } } }"""
FOLLOW_UPS = """query { myDay { day followUps { participant { id } reasons lastInteraction consecutiveAbsences } } }"""
ATTENDANCE = """query Op($id: ID!) { participant(id: $id) { attendance { sessionsPresent sessionsAbsent
  attendanceRate consecutiveAbsences lastServiceDate } } }"""


async def referral_state(s: Story, referral_id: str) -> dict:
    return (await s.ok("caseworker", REFERRAL, {"id": referral_id}))["referral"]


async def provider_view(s: Story, who: str) -> dict:
    """What a provider user sees of the referral list: its counts per status and its inbox's ids."""
    data = await s.ok(who, COUNTS)
    return {
        "counts": {c["status"]: c["count"] for c in data["referralCounts"] if c["count"]},
        "total": data["referrals"]["totalCount"],
        "ids": {n["id"] for n in data["referrals"]["nodes"]},
    }


# ---------------------------------------------------------------------------------------------------------------
# The story, step by step


async def sign_in(s: Story, http) -> None:
    """Everyone signs in with the demo password; the tokens /auth/token gives are the ones used from here on."""
    for who, email in PEOPLE.items():
        response = await http.post("/auth/token", json={"username": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer" and body["expires_in"] > 0
        s.gql.tokens[who] = body["access_token"]
    # Anonymous callers get nothing.
    anonymous = await s.gql(None, "query { viewer { id } referrals { totalCount } }")
    assert anonymous.error_codes() and set(anonymous.error_codes()) == {"UNAUTHENTICATED"}, anonymous.body
    assert all(v is None for v in (anonymous.data or {}).values())
    # Each side sees times in its own zone: the agency's, and the provider's own.
    agency = (await s.ok("caseworker", "query { viewer { role timeZone agency { timeZone } } }"))["viewer"]
    assert agency == {"role": "CASEWORKER", "timeZone": COSVILLE_ZONE, "agency": {"timeZone": COSVILLE_ZONE}}
    provider = (await s.ok("provider_a", "query { viewer { role timeZone provider { id timeZone } } }"))["viewer"]
    assert (provider["role"], provider["timeZone"]) == ("PROVIDER_STAFF", COSVILLE_ZONE)
    s.ids["grief_center"] = provider["provider"]["id"]
    for who in ("provider_a", "provider_b"):
        s.before[who] = await provider_view(s, who)


async def catalogue(s: Story) -> None:
    """The agency admin adds a bereavement group benefit: a care specialty, a code set, the benefit in Family
    Support requiring it, its item code; and a Westside facility of the Grief Center offering the specialty."""
    found = await s.ok(
        "agency_admin",
        """query { programs(search: "Family Support") { nodes { id name } }
        benefitTypes(filter: {search: "Mental Health"}) { nodes { id name } }
        careSpecialties(filter: {search: "Counseling"}) { nodes { id code } }
        providers(filter: {search: "Grief Counseling Center"}) { nodes { id name } } }""",
    )
    (program,) = [p for p in found["programs"]["nodes"] if p["name"] == "Family Support"]
    (mental_health,) = found["benefitTypes"]["nodes"]
    specialties = {n["code"]: n["id"] for n in found["careSpecialties"]["nodes"]}
    (grief_center,) = found["providers"]["nodes"]
    assert grief_center["id"] == s.ids["grief_center"]
    s.ids |= {"family_support": program["id"], "grief_specialty": specialties["CNS-GRF"]}

    specialty = (
        await s.ok(
            "agency_admin",
            """mutation Op($input: CareSpecialtyCreateInput!) { createCareSpecialty(input: $input) {
            careSpecialty { id code parent { code } } errors { code field message } } }""",
            {
                "input": {
                    "code": "CNS-BRV",
                    "name": "Bereavement Support Groups",
                    "type": "HEALTH",
                    "parentId": specialties["CNS"],
                }
            },
        )
    )["createCareSpecialty"]["careSpecialty"]
    assert specialty["parent"] == {"code": "CNS"}
    code_set = (
        await s.ok(
            "agency_admin",
            """mutation Op($input: CodeSetCreateInput!) { createCodeSet(input: $input) {
            codeSet { id code system rate active } errors { code field message } } }""",
            {"input": {"code": "90853", "system": "CPT", "description": "Group psychotherapy", "rate": "32.50"}},
        )
    )["createCodeSet"]["codeSet"]
    assert (code_set["code"], money(code_set["rate"]), code_set["active"]) == ("90853", Decimal("32.50"), True)
    benefit = (
        await s.ok(
            "agency_admin",
            """mutation Op($input: BenefitCreateInput!) { createBenefit(input: $input) {
            benefit { id name requiresAuthorization program { id } specialties { id } } errors { code field } } }""",
            {
                "input": {
                    "programId": program["id"],
                    "benefitTypeId": mental_health["id"],
                    "name": "Bereavement Support Group",
                    "unitOfMeasure": "session",
                    "requiresAuthorization": True,
                    "description": "A weekly group for people who lost someone close.",
                    "specialtyIds": [specialty["id"]],
                }
            },
        )
    )["createBenefit"]["benefit"]
    assert benefit["requiresAuthorization"] and benefit["program"] == {"id": program["id"]}
    assert benefit["specialties"] == [{"id": specialty["id"]}]
    item = (
        await s.ok(
            "agency_admin",
            """mutation Op($input: BenefitItemCodeCreateInput!) { createBenefitItemCode(input: $input) {
            benefitItemCode { id code codeSet { code } benefit { itemCodes { code } } } errors { code field } } }""",
            {"input": {"benefitId": benefit["id"], "code": "B-00210", "codeSetId": code_set["id"]}},
        )
    )["createBenefitItemCode"]["benefitItemCode"]
    assert item["codeSet"] == {"code": "90853"} and item["benefit"]["itemCodes"] == [{"code": "B-00210"}]
    facility = (
        await s.ok(
            "agency_admin",
            """mutation Op($input: FacilityCreateInput!) { createFacility(input: $input) {
            facility { id name timeZone provider { id } specialties { primary specialty { code } } }
            errors { code field message } } }""",
            {
                "input": {
                    "providerId": grief_center["id"],
                    "name": "Cosville Grief Counseling Center — Westside",
                    "addressLine1": "1900 West Washington Street",
                    "city": "Cosville",
                    "region": "IL",
                    "postalCode": "62702",
                    "latitude": 39.8010,
                    "longitude": -89.6780,
                    "phone": "(217) 555-0135",
                    "specialties": [
                        {"specialtyId": specialty["id"], "primary": True},
                        {"specialtyId": specialties["CNS-GRF"]},
                    ],
                }
            },
        )
    )["createFacility"]["facility"]
    assert facility["provider"] == {"id": grief_center["id"]} and facility["timeZone"] == COSVILLE_ZONE
    assert {(f["specialty"]["code"], f["primary"]) for f in facility["specialties"]} == {
        ("CNS-BRV", True),
        ("CNS-GRF", False),
    }
    s.ids |= {"benefit": benefit["id"], "code_set": code_set["id"], "westside": facility["id"]}


async def intake(s: Story) -> None:
    """The caseworker takes Rosa in: her record, a case, an enrollment in Family Support, the new benefit."""
    rosa = (
        await s.ok(
            "caseworker",
            """mutation Op($input: ParticipantCreateInput!) { createParticipant(input: $input) {
            participant { id clientId preferredName phone email city alerts { text severity active createdAt } }
            errors { code field message } } }""",
            {
                "input": {
                    "legalFirstName": "Rosa",
                    "legalLastName": "Delgado Ibarra",
                    "preferredName": "Rosa",
                    "pronouns": "she/her",
                    "birthDate": "1984-06-02",
                    "phone": "(217) 555-0199",
                    "email": "rosa.delgado@example.com",
                    "addressLine1": "1820 West Washington Street",
                    "city": "Cosville",
                    "region": "IL",
                    "postalCode": "62702",
                    "latitude": 39.8008,
                    "longitude": -89.6760,
                    "preferredLanguage": "Spanish",
                    "alerts": [{"text": "Call after 5 pm; she works mornings.", "severity": "WARNING"}],
                }
            },
        )
    )["createParticipant"]["participant"]
    assert rosa["clientId"].startswith("CL-") and rosa["phone"] == "(217) 555-0199"
    (alert,) = rosa["alerts"]
    assert (alert["severity"], alert["active"]) == ("WARNING", True)
    in_zone(alert["createdAt"])
    s.ids["rosa"] = rosa["id"]
    # One search box finds her by name, phone or client ID; the search pages like every list.
    for words in ("rosa delgado", "555-0199", rosa["clientId"]):
        found = (
            await s.ok(
                "caseworker",
                """query Op($q: String!) { clientSearch(search: $q, first: 5) { totalCount
                pageInfo { hasNextPage } nodes { id } } }""",
                {"q": words},
            )
        )["clientSearch"]
        assert rosa["id"] in [n["id"] for n in found["nodes"]], (words, found)
    # The case opens on the agency's day (at 23:30 in Cosville it is already tomorrow in UTC).
    assert s.now.astimezone(UTC).date() != s.today
    case = (
        await s.ok(
            "caseworker",
            """mutation Op($input: CaseOpenInput!) { openCase(input: $input) { case { id status openedOn ownerName }
            errors { code field message } } }""",
            {"input": {"participantId": rosa["id"], "intakeSource": "WALK_IN", "summary": "Lost her mother."}},
        )
    )["openCase"]["case"]
    assert (case["status"], case["openedOn"], case["ownerName"]) == ("INTAKE", s.today.isoformat(), "Connor Reyes")
    s.ids["case"] = case["id"]
    enrollment = (
        await s.ok(
            "caseworker",
            """mutation Op($input: EnrollmentCreateInput!) { enrollParticipant(input: $input) {
            enrollment { id status active startDate participant { id } } errors { code field message } } }""",
            {"input": {"participantId": rosa["id"], "programId": s.ids["family_support"], "status": "IN_PROGRESS"}},
        )
    )["enrollParticipant"]["enrollment"]
    assert (enrollment["active"], enrollment["startDate"]) == (True, s.today.isoformat())
    assert enrollment["participant"] == {"id": rosa["id"]}
    s.ids["enrollment"] = enrollment["id"]
    assignment = (
        await s.ok(
            "caseworker",
            """mutation Op($input: AssignmentCreateInput!) { assignBenefit(input: $input) {
            assignment { id status benefit { name } } errors { code field message } } }""",
            {"input": {"enrollmentId": enrollment["id"], "benefitId": s.ids["benefit"], "entitledQuantity": "12"}},
        )
    )["assignBenefit"]["assignment"]
    assert (assignment["status"], assignment["benefit"]["name"]) == ("ENROLLED", "Bereavement Support Group")
    s.ids["assignment"] = assignment["id"]


SEARCH = """query Op($filter: ProviderSearchFilter!) { providerSearch(filter: $filter, first: 50) { totalCount
  nodes { distanceKm provider { id name } facility { id } matchingSpecialties { code } } } }"""


async def search(s: Story) -> None:
    """The caseworker finds the Westside facility by the benefit, near Rosa's home, and by its code set."""
    by_benefit = (await s.ok("caseworker", SEARCH, {"filter": {"benefitId": s.ids["benefit"]}}))["providerSearch"]
    assert [n["facility"]["id"] for n in by_benefit["nodes"]] == [s.ids["westside"]]
    assert by_benefit["nodes"][0]["matchingSpecialties"] == [{"code": "CNS-BRV"}]
    near = (await s.ok("caseworker", SEARCH, {"filter": {"nearParticipantId": s.ids["rosa"], "radiusKm": 3}}))[
        "providerSearch"
    ]["nodes"]
    assert near[0]["facility"]["id"] == s.ids["westside"] and near[0]["distanceKm"] < 0.5
    distances = [n["distanceKm"] for n in near]
    assert distances == sorted(distances) and all(d <= 3 for d in distances)
    by_code = (await s.ok("caseworker", SEARCH, {"filter": {"codeSetId": s.ids["code_set"]}}))["providerSearch"]
    assert [n["facility"]["id"] for n in by_code["nodes"]] == [s.ids["westside"]]
    # A bad id is INVALID on the argument that carried it.
    await s.refused("caseworker", SEARCH, {"filter": {"codeSetId": "abc"}}, "INVALID", ("filter.codeSetId",))


CREATE_REFERRAL = """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input) {
  referral { id status version replacesId consentGivenAt availableActions } errors { code field message } } }"""
UPDATE_REFERRAL = """mutation Op($id: ID!, $input: ReferralUpdateInput!, $version: Int!) {
  updateReferral(id: $id, input: $input, expectedVersion: $version) {
    referral { id status version priority notes sharedFields consentGivenAt facility { id } }
    errors { code field message } } }"""
SEND = """mutation Op($id: ID!, $version: Int) { sendReferral(id: $id, expectedVersion: $version) {
  referral { id status version sentAt respondBy } errors { code field message } } }"""
CANCEL = """mutation Op($id: ID!, $reason: ReasonCode) { cancelReferral(id: $id, reason: $reason,
  note: "Rosa would rather wait") { referral { id status statusReason } errors { code field message } } }"""
IN_ERROR = """mutation Op($id: ID!) { markReferralEnteredInError(id: $id, reason: ENTERED_BY_MISTAKE) {
  referral { id status } errors { code field message } } }"""
OPEN = """mutation Op($id: ID!) { openReferral(id: $id) { referral { id isNew firstViewedAt }
  errors { code field message } } }"""


def consent(s: Story, minutes_ago: int = 10) -> dict:
    return {"givenAt": (s.now - timedelta(minutes=minutes_ago)).isoformat()}


async def drafts_never_sent(s: Story) -> None:
    """Rosa is also assigned grief counseling; a draft for it is cancelled (she declined), a second one marked in
    error. Neither was sent: the provider never sees them, anywhere."""
    grief = (
        await s.ok("caseworker", 'query { benefits(filter: {search: "Grief Counseling"}) { nodes { id name } } }')
    )["benefits"]["nodes"]
    (grief_counseling,) = [b["id"] for b in grief if b["name"] == "Grief Counseling"]
    assignment = (
        await s.ok(
            "caseworker",
            """mutation Op($input: AssignmentCreateInput!) { assignBenefit(input: $input) { assignment { id }
            errors { code field message } } }""",
            {"input": {"enrollmentId": s.ids["enrollment"], "benefitId": grief_counseling}},
        )
    )["assignBenefit"]["assignment"]
    s.ids["grief_assignment"] = assignment["id"]
    values = {
        "benefitAssignmentId": assignment["id"],
        "providerId": s.ids["grief_center"],
        "sharedFields": ["PHONE", "EMAIL", "ALERTS"],
        "consent": consent(s),
    }
    declined = (await s.ok("caseworker", CREATE_REFERRAL, {"input": values}))["createReferral"]["referral"]
    assert declined["status"] == "DRAFT"
    # A cancellation needs a reason: refused without one, nothing changes.
    before = await referral_state(s, declined["id"])
    await s.refused("caseworker", CANCEL, {"id": declined["id"]}, "REQUIRED", ("reason",))
    assert await referral_state(s, declined["id"]) == before
    cancelled = await s.ok("caseworker", CANCEL, {"id": declined["id"], "reason": "CLIENT_DECLINED"})
    assert cancelled["cancelReferral"]["referral"]["status"] == "CANCELLED"
    assert cancelled["cancelReferral"]["referral"]["statusReason"] == "CLIENT_DECLINED"
    # A new draft of the same assignment does not link to the one that was never sent.
    mistaken = (await s.ok("caseworker", CREATE_REFERRAL, {"input": values}))["createReferral"]["referral"]
    assert mistaken["replacesId"] is None
    assert (await s.ok("caseworker", IN_ERROR, {"id": mistaken["id"]}))["markReferralEnteredInError"]["referral"][
        "status"
    ] == "ENTERED_IN_ERROR"
    s.ids |= {"declined": declined["id"], "mistaken": mistaken["id"]}
    # The provider sees neither: not in its inbox nor its counts, not by id, not by opening it.
    for who in ("provider_a", "provider_b"):
        assert await provider_view(s, who) == s.before[who]
    by_status = await s.ok(
        "provider_a",
        """query { referrals(filter: {statuses: [DRAFT, CANCELLED, ENTERED_IN_ERROR]}) { nodes { id } }
        referralCounts(filter: {clientName: "Rosa"}) { status count }
        named: referrals(filter: {clientName: "Rosa"}) { totalCount } }""",
    )
    assert not {declined["id"], mistaken["id"]} & {n["id"] for n in by_status["referrals"]["nodes"]}
    assert all(c["count"] == 0 for c in by_status["referralCounts"]) and by_status["named"]["totalCount"] == 0
    for referral_id in (declined["id"], mistaken["id"]):
        await s.refused(
            "provider_a",
            "query Op($id: ID!) { referral(id: $id) { id status sharedParticipant { phone } } }",
            {"id": referral_id},
            "NOT_FOUND",
            ("id",),
        )
        await s.refused("provider_a", OPEN, {"id": referral_id}, "NOT_FOUND", ("id",))


async def refer(s: Story) -> None:
    """The caseworker drafts Rosa's referral to the Grief Center, edits the draft (the Westside facility, her
    consent, what is shared) and sends it."""
    # A facility whose provider offers neither the benefit nor its specialty is refused; nothing is made.
    pantry = (
        await s.ok(
            "caseworker",
            """query { providers(filter: {search: "Harvest Table"}) { nodes { id facilities { id } } } }""",
        )
    )["providers"]["nodes"][0]
    await s.refused(
        "caseworker",
        CREATE_REFERRAL,
        {
            "input": {
                "benefitAssignmentId": s.ids["assignment"],
                "providerId": pantry["id"],
                "facilityId": pantry["facilities"][0]["id"],
                "consent": consent(s),
            }
        },
        "INVALID",
        ("facilityId",),
    )
    mine = "query Op($id: ID!) { participant(id: $id) { referrals { id status } } }"
    assert len((await s.ok("caseworker", mine, {"id": s.ids["rosa"]}))["participant"]["referrals"]) == 2
    draft = (
        await s.ok(
            "caseworker",
            CREATE_REFERRAL,
            {
                "input": {
                    "benefitAssignmentId": s.ids["assignment"],
                    "providerId": s.ids["grief_center"],
                    "sharedFields": ["PHONE"],
                    "notes": "Rosa lost her mother in October.",
                }
            },
        )
    )["createReferral"]["referral"]
    assert (draft["status"], draft["consentGivenAt"]) == ("DRAFT", None)
    referral_id = s.ids["referral"] = draft["id"]
    before = await referral_state(s, referral_id)
    # Without consent it cannot be sent: a typed error naming nothing or one of sendReferral's arguments.
    await s.refused("caseworker", SEND, {"id": referral_id}, "INVALID", (None, "id", "note", "expectedVersion"))
    assert await referral_state(s, referral_id) == before
    # An edit made on a stale version is a conflict on expectedVersion.
    stale = {"id": referral_id, "input": {"priority": "URGENT"}, "version": draft["version"] - 1}
    await s.refused("caseworker", UPDATE_REFERRAL, stale, "CONFLICT", ("expectedVersion",))
    assert await referral_state(s, referral_id) == before
    # A DateTime that is not one is refused by its GraphQL type (a typed error, not a 500); one without its
    # offset, or in the future, by the rules, on the input field.
    bad_time = {"id": referral_id, "input": {"consent": {"givenAt": "last Tuesday"}}, "version": draft["version"]}
    result = await s.gql("caseworker", UPDATE_REFERRAL, bad_time)
    assert result.errors and not result.data, result.body
    assert {e["extensions"]["code"] for e in result.errors} == {"GRAPHQL_VALIDATION_FAILED"}, result.body
    for given in ((s.now - timedelta(hours=1)).replace(tzinfo=None), s.now + timedelta(days=1)):
        bad_time["input"]["consent"]["givenAt"] = given.isoformat()
        await s.refused("caseworker", UPDATE_REFERRAL, bad_time, "INVALID", ("consent.givenAt",))
    assert await referral_state(s, referral_id) == before
    # A bad id is INVALID on its argument.
    await s.refused("caseworker", REFERRAL, {"id": "abc"}, "INVALID", ("id",))
    # The edit: the Westside facility, her consent, more shared, urgent.
    given = s.now - timedelta(minutes=10)
    edited = (
        await s.ok(
            "caseworker",
            UPDATE_REFERRAL,
            {
                "id": referral_id,
                "version": draft["version"],
                "input": {
                    "facilityId": s.ids["westside"],
                    "consent": {"givenAt": given.isoformat()},
                    "sharedFields": ["PHONE", "EMAIL", "ALERTS"],
                    "priority": "URGENT",
                },
            },
        )
    )["updateReferral"]["referral"]
    assert (edited["status"], edited["version"], edited["priority"]) == ("DRAFT", draft["version"] + 1, "URGENT")
    assert edited["facility"] == {"id": s.ids["westside"]} and edited["notes"] == "Rosa lost her mother in October."
    assert sorted(edited["sharedFields"]) == ["ALERTS", "EMAIL", "PHONE"]
    assert in_zone(edited["consentGivenAt"]) == given
    sent = (await s.ok("caseworker", SEND, {"id": referral_id, "version": edited["version"]}))["sendReferral"][
        "referral"
    ]
    assert sent["status"] == "REQUESTED"
    assert in_zone(sent["respondBy"]) - in_zone(sent["sentAt"]) == timedelta(hours=72)


INBOX = """query { referrals(filter: {new: true}) { nodes { id status isNew isOverdue priority notes sentAt createdAt
  sharedFields availableActions participant { id } benefitAssignment { id } replacesId
  benefit { id name requiresAuthorization billingCodes { id code } } facility { id }
  sharedParticipant { preferredName phone email birthDate addressLine1 city preferredLanguage
    alerts { text severity } } } } }"""


async def provider_answers(s: Story) -> None:
    """Another provider sees nothing of it; the Grief Center finds it new in its inbox with only the shared fields,
    opens it, accepts it and asks for authorization; the agency authorizes."""
    referral_id = s.ids["referral"]
    # Provider B: not by id, not by opening, not in its list nor its counts.
    await s.refused(
        "provider_b", "query Op($id: ID!) { referral(id: $id) { id } }", {"id": referral_id}, "NOT_FOUND", ("id",)
    )
    await s.refused("provider_b", OPEN, {"id": referral_id}, "NOT_FOUND", ("id",))
    assert await provider_view(s, "provider_b") == s.before["provider_b"]
    # The Grief Center: one more REQUESTED referral, new.
    after = await provider_view(s, "provider_a")
    assert after["counts"].get("REQUESTED", 0) == s.before["provider_a"]["counts"].get("REQUESTED", 0) + 1
    assert after["total"] == s.before["provider_a"]["total"] + 1
    (seen,) = [n for n in (await s.ok("provider_a", INBOX))["referrals"]["nodes"] if n["id"] == referral_id]
    assert (seen["status"], seen["isNew"], seen["isOverdue"], seen["priority"]) == ("REQUESTED", True, False, "URGENT")
    assert seen["sharedParticipant"] == {
        "preferredName": "Rosa",
        "phone": "(217) 555-0199",
        "email": "rosa.delgado@example.com",
        "birthDate": None,
        "addressLine1": None,
        "city": None,
        "preferredLanguage": None,
        "alerts": [{"text": "Call after 5 pm; she works mornings.", "severity": "WARNING"}],
    }
    assert (seen["participant"], seen["benefitAssignment"], seen["replacesId"]) == (None, None, None)
    assert seen["facility"] == {"id": s.ids["westside"]}
    assert {"ACCEPT", "REJECT"} <= set(seen["availableActions"]) and "SEND" not in seen["availableActions"]
    assert [c["code"] for c in seen["benefit"]["billingCodes"]] == ["90853"]
    s.ids["billing_code"] = seen["benefit"]["billingCodes"][0]["id"]
    for moment in (seen["sentAt"], seen["createdAt"]):
        in_zone(moment)  # the provider's zone
    opened = (await s.ok("provider_a", OPEN, {"id": referral_id}))["openReferral"]["referral"]
    assert opened["isNew"] is False
    in_zone(opened["firstViewedAt"])

    before = await referral_state(s, referral_id)
    # acceptReferral takes no reason: the argument does not exist.
    result = await s.gql(
        "provider_a",
        'mutation Op($id: ID!) { acceptReferral(id: $id, reason: NOT_ELIGIBLE, note: "x") { referral { status } } }',
        {"id": referral_id},
    )
    assert result.errors and not result.data and "reason" in result.errors[0]["message"], result.body
    # A stale version is a conflict on expectedVersion.
    accept = TRANSITION.format(name="acceptReferral")
    await s.refused(
        "provider_a", accept, {"id": referral_id, "version": before["version"] - 1}, "CONFLICT", ("expectedVersion",)
    )
    assert await referral_state(s, referral_id) == before
    accepted = (await s.ok("provider_a", accept, {"id": referral_id, "version": before["version"]}))["acceptReferral"][
        "referral"
    ]
    assert (accepted["status"], accepted["statusReason"]) == ("ACCEPTED", None)
    assert (accepted["authorizationStatus"], accepted["deliverable"]) == ("NOT_REQUESTED", False)
    assert "REQUEST_AUTHORIZATION" in accepted["availableActions"]
    requested = (await s.ok("provider_a", AUTHORIZATION.format(name="requestAuthorization"), {"id": referral_id}))[
        "requestAuthorization"
    ]["referral"]
    assert requested["authorizationStatus"] == "SUBMITTED"
    authorized = (await s.ok("caseworker", AUTHORIZATION.format(name="authorizeReferral"), {"id": referral_id}))[
        "authorizeReferral"
    ]["referral"]
    assert (authorized["authorizationStatus"], authorized["deliverable"]) == ("AUTHORIZED", True)


def schedule_input(s: Story) -> dict:
    """Daily 10:00 to 10:45 at Westside from two days back, four sessions: two held, today's, tomorrow's."""
    first = datetime.combine(s.day(-2), time(10))
    return {
        "facilityId": s.ids["westside"],
        "benefitId": s.ids["benefit"],
        "codeSetId": s.ids["billing_code"],
        "name": "Bereavement group, daily 10:00",
        "firstStart": first.isoformat(),
        "firstEnd": (first + timedelta(minutes=45)).isoformat(),
        "timeZone": COSVILLE_ZONE,
        "frequency": "DAILY",
        "count": 4,
        "capacity": 6,
        "defaultQuantity": "1.5",
    }


SESSIONS = """query Op($id: ID!) { benefitSessions(scheduleId: $id) { nodes { id status startsAt endsAt
  enrolledCount } } }"""
ROSTER = """query Op($id: ID!) { sessionRoster(sessionId: $id) { capacity session { status enrolledCount }
  lines { participantId mark participant { preferredName phone } disbursement { id } } } }"""
TAKE = """mutation Op($id: ID!, $marks: [AttendanceInput!]!) { takeAttendance(sessionId: $id, marks: $marks) {
  roster { session { status enrolledCount } lines { participantId mark
    disbursement { id status quantity rate amount code serviceDate } } }
  errors { code field message } } }"""


async def schedule_and_attend(s: Story) -> None:
    """The provider admin previews, drafts and submits a schedule; the supervisor approves it; provider staff
    enroll Rosa from its first day and take attendance at the two sessions held."""
    values = schedule_input(s)
    preview = (
        await s.ok(
            "provider_a_admin",
            "query Op($input: BenefitScheduleInput!) { schedulePreview(input: $input) { startsAt endsAt } }",
            {"input": values},
        )
    )["schedulePreview"]
    starts = [in_zone(p["startsAt"]) for p in preview]
    assert [(m.date(), m.time()) for m in starts] == [(s.day(d), time(10)) for d in (-2, -1, 0, 1)]
    drafted = (
        await s.ok(
            "provider_a_admin",
            """mutation Op($input: BenefitScheduleInput!) { createBenefitSchedule(input: $input) {
            schedule { id approvalStatus } errors { code field message } } }""",
            {"input": values},
        )
    )["createBenefitSchedule"]["schedule"]
    assert drafted["approvalStatus"] == "DRAFT"
    schedule_id = s.ids["schedule"] = drafted["id"]
    submitted = (
        await s.ok(
            "provider_a_admin",
            """mutation Op($id: ID!) { submitBenefitSchedule(id: $id) { schedule { approvalStatus submittedAt }
            errors { code field message } } }""",
            {"id": schedule_id},
        )
    )["submitBenefitSchedule"]["schedule"]
    assert submitted["approvalStatus"] == "PENDING"
    in_zone(submitted["submittedAt"])
    approved = (
        await s.ok(
            "supervisor",
            """mutation Op($id: ID!) { approveBenefitSchedule(id: $id, note: "Welcome, Westside.") {
            schedule { approvalStatus reviewerNote reviewedAt sessions { id startsAt } }
            errors { code field message } } }""",
            {"id": schedule_id},
        )
    )["approveBenefitSchedule"]["schedule"]
    assert (approved["approvalStatus"], approved["reviewerNote"]) == ("APPROVED", "Welcome, Westside.")
    assert [in_zone(x["startsAt"]) for x in approved["sessions"]] == starts
    in_zone(approved["reviewedAt"])
    held, yesterday, _, tomorrow = (x["id"] for x in approved["sessions"])
    s.ids |= {"held": held, "yesterday": yesterday, "tomorrow": tomorrow}

    enroll = """mutation Op($input: ScheduleEnrollmentInput!) { enrollInSchedule(input: $input) {
      scheduleAssignment { id status fromDate participant { preferredName } } errors { code field message } } }"""
    enrolled_input = {"referralId": s.ids["referral"], "scheduleId": schedule_id, "fromDate": s.day(-2).isoformat()}
    enrolled = (await s.ok("provider_a", enroll, {"input": enrolled_input}))["enrollInSchedule"]["scheduleAssignment"]
    assert (enrolled["status"], enrolled["fromDate"]) == ("ENROLLED", s.day(-2).isoformat())
    assert enrolled["participant"] == {"preferredName": "Rosa"}
    assert (await referral_state(s, s.ids["referral"]))["status"] == "IN_PROGRESS"
    await s.refused("provider_a", enroll, {"input": enrolled_input}, "CONFLICT", ("scheduleId",))
    sessions = (await s.ok("provider_a", SESSIONS, {"id": schedule_id}))["benefitSessions"]["nodes"]
    assert [x["enrolledCount"] for x in sessions] == [1, 1, 1, 1]

    roster = (await s.ok("provider_a", ROSTER, {"id": held}))["sessionRoster"]
    assert roster["capacity"] == 6 and roster["session"] == {"status": "SCHEDULED", "enrolledCount": 1}
    (line,) = roster["lines"]
    assert line["participant"] == {"preferredName": "Rosa", "phone": "(217) 555-0199"}
    assert (line["mark"], line["disbursement"]) == (None, None)
    s.ids["rosa_line"] = line["participantId"]
    # Attendance waits for the session's day: tomorrow's is refused, and stays as it was.
    marks = [{"participantId": line["participantId"], "mark": "PRESENT"}]
    await s.refused("provider_a", TAKE, {"id": tomorrow, "marks": marks}, "INVALID", ("sessionId",))
    assert (await s.ok("provider_a", ROSTER, {"id": tomorrow}))["sessionRoster"]["session"]["status"] == "SCHEDULED"

    expected = Decimal("1.5") * Decimal("32.50")
    for session_id, mark, status in ((held, "PRESENT", "COMPLETED"), (yesterday, "ABSENT", "ABSENT")):
        taken = (
            await s.ok(
                "provider_a",
                TAKE,
                {"id": session_id, "marks": [{"participantId": line["participantId"], "mark": mark}]},
            )
        )["takeAttendance"]["roster"]
        assert taken["session"]["status"] == "COMPLETED"
        (done,) = taken["lines"]
        assert (done["mark"], done["disbursement"]["status"], done["disbursement"]["code"]) == (mark, status, "90853")
        assert money(done["disbursement"]["amount"]) == expected
        assert money(done["disbursement"]["quantity"]) == Decimal("1.5")
        s.ids[f"{mark.lower()}_disbursement"] = done["disbursement"]["id"]
    # Attendance taken, each session's enrolledCount is still its roster's length.
    sessions = (await s.ok("provider_a", SESSIONS, {"id": schedule_id}))["benefitSessions"]["nodes"]
    assert [(x["status"], x["enrolledCount"]) for x in sessions] == [
        ("COMPLETED", 1),
        ("COMPLETED", 1),
        ("SCHEDULED", 1),
        ("SCHEDULED", 1),
    ]
    for x in sessions:
        in_zone(x["startsAt"])
        in_zone(x["endsAt"])
    for session_id in (held, yesterday):
        roster = (await s.ok("provider_a", ROSTER, {"id": session_id}))["sessionRoster"]
        assert roster["session"]["enrolledCount"] == len(roster["lines"]) == 1


async def disbursements(s: Story) -> None:
    """Both sides read the session disbursements; the caseworker records an ad hoc one without naming a code set
    (the benefit's only item code bills it) and a walk-in bulk one, previewed first."""
    rosa = {"participantId": s.ids["rosa"]}
    for who in ("caseworker", "provider_a"):
        found = (await s.ok(who, DISBURSEMENTS, {"filter": rosa, "first": 20}))["benefitDisbursements"]
        assert found["totalCount"] == 2
        assert [(n["serviceDate"], n["status"]) for n in found["nodes"]] == [
            (s.day(-1).isoformat(), "ABSENT"),
            (s.day(-2).isoformat(), "COMPLETED"),
        ]
        for n in found["nodes"]:
            assert (n["code"], money(n["rate"]), money(n["amount"]), n["unit"]) == (
                "90853",
                Decimal("32.50"),
                Decimal("48.75"),
                "session",
            )
            assert n["referralId"] == s.ids["referral"] and n["benefitAssignmentId"] == s.ids["assignment"]
            in_zone(n["recordedAt"])
    rollup = (await s.ok("caseworker", ATTENDANCE, {"id": s.ids["rosa"]}))["participant"]["attendance"]
    assert rollup == {
        "sessionsPresent": 1,
        "sessionsAbsent": 1,
        "attendanceRate": 0.5,
        "consecutiveAbsences": 1,
        "lastServiceDate": s.day(-2).isoformat(),
    }
    queue = {f["participant"]["id"]: f for f in (await s.ok("caseworker", FOLLOW_UPS))["myDay"]["followUps"]}
    assert s.ids["rosa"] in queue, queue
    assert queue[s.ids["rosa"]]["reasons"] == ["MISSED_LAST_SESSION"]

    record = """mutation Op($input: BenefitDisbursementInput!) { recordBenefitDisbursement(input: $input) {
      disbursement { id status recipientType serviceDate quantity rate amount code referralId }
      errors { code field message } } }"""
    ad_hoc = (
        await s.ok(
            "caseworker",
            record,
            {
                "input": {
                    "benefitAssignmentId": s.ids["assignment"],
                    "serviceDate": s.today.isoformat(),
                    "quantity": "2",
                    "note": "Two hours one to one, after the group.",
                }
            },
        )
    )["recordBenefitDisbursement"]["disbursement"]
    assert (ad_hoc["status"], ad_hoc["code"], ad_hoc["serviceDate"]) == ("COMPLETED", "90853", s.today.isoformat())
    assert money(ad_hoc["amount"]) == Decimal("65.00") and money(ad_hoc["rate"]) == Decimal("32.50")
    # Grief counseling has two billing lines: without a code set, the caseworker must choose; nothing is made.
    grief = {"filter": {"benefitAssignmentId": s.ids["grief_assignment"]}, "first": 20}
    await s.refused(
        "caseworker",
        record,
        {
            "input": {
                "benefitAssignmentId": s.ids["grief_assignment"],
                "serviceDate": s.today.isoformat(),
                "quantity": "1",
            }
        },
        "REQUIRED",
        ("codeSetId",),
    )
    assert (await s.ok("caseworker", DISBURSEMENTS, grief))["benefitDisbursements"]["totalCount"] == 0

    # Tomás walks in: a new client with a case, no enrollment yet.
    tomas = (
        await s.ok(
            "caseworker",
            """mutation Op($input: ParticipantCreateInput!) { createParticipant(input: $input) {
            participant { id } errors { code field message } } }""",
            {"input": {"legalFirstName": "Tomás", "legalLastName": "Herrera", "preferredName": "Tomás"}},
        )
    )["createParticipant"]["participant"]["id"]
    await s.ok(
        "caseworker",
        """mutation Op($id: ID!) { openCase(input: {participantId: $id, intakeSource: WALK_IN}) { case { id }
        errors { code field message } } }""",
        {"id": tomas},
    )
    s.ids["tomas"] = tomas
    bulk_input = {
        "recipientType": "WALK_IN",
        "benefitId": s.ids["benefit"],
        "serviceDate": s.today.isoformat(),
        "quantity": "1",
        "participantIds": [s.ids["rosa"], tomas],
    }
    preview = (
        await s.ok(
            "caseworker",
            """query Op($input: BulkDisbursementInput!) { bulkDisbursementPreview(input: $input) { recipientCount
            enrollmentsToCreate assignmentsToCreate anonymousEnrollmentsToStart totalQuantity totalAmount
            warning } }""",
            {"input": bulk_input},
        )
    )["bulkDisbursementPreview"]
    assert (preview["recipientCount"], preview["enrollmentsToCreate"], preview["assignmentsToCreate"]) == (2, 1, 1)
    assert money(preview["totalQuantity"]) == 2 and money(preview["totalAmount"]) == Decimal("65.00")
    assert preview["warning"]  # the benefit has an approved schedule
    enrollments = "query Op($id: ID!) { participant(id: $id) { enrollments { id } assignments { id } } }"
    assert (await s.ok("caseworker", enrollments, {"id": tomas}))["participant"] == {
        "enrollments": [],
        "assignments": [],
    }
    bulk_doc = """mutation Op($input: BulkDisbursementInput!, $key: String!) {
      disburseInBulk(input: $input, idempotencyKey: $key) { replayed warning
        bulk { id recipientCount enrollmentsCreated assignmentsCreated totalAmount createdAt }
        errors { code field message } } }"""
    made = (await s.ok("caseworker", bulk_doc, {"input": bulk_input, "key": "story-walk-in-1"}))["disburseInBulk"]
    bulk = made["bulk"]
    assert made["replayed"] is False and made["warning"]
    assert (bulk["recipientCount"], bulk["enrollmentsCreated"], bulk["assignmentsCreated"]) == (2, 1, 1)
    assert money(bulk["totalAmount"]) == Decimal("65.00")
    in_zone(bulk["createdAt"])
    again = (await s.ok("caseworker", bulk_doc, {"input": bulk_input, "key": "story-walk-in-1"}))["disburseInBulk"]
    assert again["replayed"] is True and again["bulk"]["id"] == bulk["id"]
    made_by_bulk = (await s.ok("caseworker", DISBURSEMENTS, {"filter": {"bulkId": bulk["id"]}, "first": 20}))[
        "benefitDisbursements"
    ]
    assert made_by_bulk["totalCount"] == 2
    assert {(n["recipientType"], n["code"], n["amount"] and money(n["amount"])) for n in made_by_bulk["nodes"]} == {
        ("WALK_IN", "90853", Decimal("32.50"))
    }
    s.ids["tomas_disbursement"] = next(n["id"] for n in made_by_bulk["nodes"] if n["participantId"] == tomas)
    walked_in = (await s.ok("caseworker", enrollments, {"id": tomas}))["participant"]
    assert len(walked_in["enrollments"]) == len(walked_in["assignments"]) == 1
    queue = {f["participant"]["id"] for f in (await s.ok("caseworker", FOLLOW_UPS))["myDay"]["followUps"]}
    assert tomas not in queue  # he was served today


async def corrections(s: Story) -> None:
    """A correction voids Tomás's walk-in box (he never took it) and Rosa's absence (she was not due that day):
    the follow-up queue and the rollups leave the voided ones out."""
    await s.refused(
        "provider_b", CORRECT, {"id": s.ids["absent_disbursement"], "note": "Not ours."}, "NOT_FOUND", ("id",)
    )
    voided = (await s.ok("caseworker", CORRECT, {"id": s.ids["tomas_disbursement"], "note": "Never picked up."}))[
        "correctBenefitDisbursement"
    ]["disbursement"]
    assert voided["status"] == "VOIDED" and [r["status"] for r in voided["revisions"]] == ["COMPLETED"]
    in_zone(voided["revisions"][0]["correctedAt"])
    absence = (
        await s.ok("provider_a", CORRECT, {"id": s.ids["absent_disbursement"], "note": "She was not due that day."})
    )["correctBenefitDisbursement"]["disbursement"]
    assert absence["status"] == "VOIDED" and [r["status"] for r in absence["revisions"]] == ["ABSENT"]
    in_zone(absence["revisions"][0]["correctedAt"])
    queue = {f["participant"]["id"]: f for f in (await s.ok("caseworker", FOLLOW_UPS))["myDay"]["followUps"]}
    assert s.ids["rosa"] not in queue  # her one absence is void: she missed nothing
    assert s.ids["tomas"] in queue, queue  # a voided box is no contact
    assert queue[s.ids["tomas"]]["reasons"] == ["NO_RECENT_INTERACTION"]
    assert queue[s.ids["tomas"]]["lastInteraction"] is None
    rollup = (await s.ok("caseworker", ATTENDANCE, {"id": s.ids["rosa"]}))["participant"]["attendance"]
    assert rollup == {
        "sessionsPresent": 1,
        "sessionsAbsent": 0,
        "attendanceRate": 1.0,
        "consecutiveAbsences": 0,
        "lastServiceDate": s.today.isoformat(),  # the ad hoc and walk-in deliveries of today
    }


async def paging(s: Story) -> None:
    """Every disbursement list, read two at a time with each page's endCursor, is the list read at once."""
    for who, narrowed in (
        ("caseworker", None),
        ("caseworker", {"participantId": s.ids["rosa"]}),
        ("caseworker", {"statuses": ["COMPLETED", "VOIDED"]}),
        ("caseworker", {"benefitAssignmentId": s.ids["assignment"]}),
        ("provider_a", None),
        ("provider_a", {"statuses": ["COMPLETED", "ABSENT", "VOIDED"]}),
    ):
        whole = (await s.ok(who, DISBURSEMENTS, {"filter": narrowed, "first": 100}))["benefitDisbursements"]
        assert not whole["pageInfo"]["hasNextPage"] and whole["totalCount"] == len(whole["nodes"]) > 2
        pages, after = [], None
        while True:
            page = (await s.ok(who, DISBURSEMENTS, {"filter": narrowed, "first": 2, "after": after}))[
                "benefitDisbursements"
            ]
            pages += page["nodes"]
            assert len(pages) <= len(whole["nodes"]), (who, narrowed)
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert [n["id"] for n in pages] == [n["id"] for n in whole["nodes"]], (who, narrowed)


async def completion(s: Story) -> None:
    """The provider completes the referral; Rosa's assignment follows it, and her case lists the Grief Center
    (only the referral it received) with the referral's status."""
    referral_id = s.ids["referral"]
    state = await referral_state(s, referral_id)
    completed = (
        await s.ok(
            "provider_a", TRANSITION.format(name="completeReferral"), {"id": referral_id, "version": state["version"]}
        )
    )["completeReferral"]["referral"]
    assert (completed["status"], completed["statusReason"], completed["availableActions"]) == ("COMPLETED", None, [])
    seen = (
        await s.ok(
            "provider_a",
            """query Op($id: ID!) { referral(id: $id) { delivery { sessionsAttended unitsDelivered }
            history { kind toStatus toAuthorizationStatus occurredAt } } }""",
            {"id": referral_id},
        )
    )["referral"]
    assert seen["delivery"]["sessionsAttended"] == 1
    statuses = [h["toStatus"] for h in seen["history"] if h["kind"] == "STATUS"]
    assert statuses[-4:] == ["REQUESTED", "ACCEPTED", "IN_PROGRESS", "COMPLETED"]
    assert [h["toAuthorizationStatus"] for h in seen["history"] if h["kind"] == "AUTHORIZATION"] == [
        "SUBMITTED",
        "AUTHORIZED",
    ]
    for h in seen["history"]:
        in_zone(h["occurredAt"])
    agency_side = await s.ok(
        "caseworker",
        """query Op($id: ID!, $case: ID!) { referral(id: $id) { status benefitAssignment { id status } }
            case(id: $case) { openedOn providers { referralId providerName referralStatus } } }""",
        {"id": referral_id, "case": s.ids["case"]},
    )
    assert agency_side["referral"]["benefitAssignment"] == {"id": s.ids["assignment"], "status": "COMPLETED"}
    assert agency_side["case"]["openedOn"] == s.today.isoformat()
    assert agency_side["case"]["providers"] == [
        {"referralId": referral_id, "providerName": "Cosville Grief Counseling Center", "referralStatus": "COMPLETED"}
    ]
    # The statuses are the ReferralStatus enum, not strings, as the schema says.
    kinds = await s.ok(
        "caseworker",
        """query { provider: __type(name: "CaseProvider") { fields { name type { kind name ofType { kind name } } } }
        history: __type(name: "ReferralHistoryEntry") { fields { name type { kind name ofType { kind name } } } } }""",
    )

    def kind_of(of_type: str, name: str) -> tuple[str, str]:
        (found,) = [f["type"] for f in kinds[of_type]["fields"] if f["name"] == name]
        found = found["ofType"] if found["kind"] == "NON_NULL" else found
        return found["kind"], found["name"]

    for of_type, name in (("provider", "referralStatus"), ("history", "toStatus"), ("history", "fromStatus")):
        assert kind_of(of_type, name) == ("ENUM", "ReferralStatus"), (of_type, name)


async def test_the_cosville_story_over_http(gql, http, clock):
    now = datetime.combine(datetime.now(ZONE).date(), time(23, 30), ZONE)
    clock.set(now)
    s = Story(gql, now)
    await sign_in(s, http)
    for step in (
        catalogue,
        intake,
        search,
        drafts_never_sent,
        refer,
        provider_answers,
        schedule_and_attend,
        disbursements,
        corrections,
        paging,
        completion,
    ):
        await step(s)
