"""Records follow through: an assignment follows its referral; a delivery takes the benefit's only billing code;
a voided disbursement is evidence of nothing; a referral goes only where its benefit is offered."""

from datetime import timedelta

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType

from server.domain.days import today_in
from server.domain.referrals.models import ReferralStatus
from server.domain.referrals.transitions import TRANSITIONS, Side
from server.graphql.schema import build_schema
from tests.conftest import COSVILLE_ZONE
from tests.stories import approved_schedule, authorized_referral, days_ago_at

pytestmark = pytest.mark.anyio

R = ReferralStatus


async def new_assignment(gql, program_id, benefit_id, name: str = "Rosa") -> dict:
    """A new participant enrolled in the program and assigned the benefit, through the API."""
    person = (
        await gql(
            "caseworker",
            """mutation Op($input: ParticipantCreateInput!) { createParticipant(input: $input) {
            participant { id } errors { code field } } }""",
            {"input": {"legalFirstName": name, "legalLastName": "Follow"}},
        )
    ).ok()["createParticipant"]["participant"]["id"]
    enrollment = (
        await gql(
            "caseworker",
            """mutation Op($p: ID!, $g: ID!) { enrollParticipant(input: {participantId: $p, programId: $g,
            status: IN_PROGRESS}) { enrollment { id } errors { code field } } }""",
            {"p": person, "g": program_id},
        )
    ).ok()["enrollParticipant"]["enrollment"]["id"]
    assignment = (
        await gql(
            "caseworker",
            """mutation Op($e: ID!, $b: ID!) { assignBenefit(input: {enrollmentId: $e, benefitId: $b}) {
            assignment { id } errors { code field } } }""",
            {"e": enrollment, "b": benefit_id},
        )
    ).ok()["assignBenefit"]["assignment"]["id"]
    return {"participant": person, "enrollment": enrollment, "assignment": assignment}


CREATE = """mutation Op($input: ReferralCreateInput!, $send: Boolean!) { createReferral(input: $input, send: $send) {
  referral { id status replacesId } errors { code field message } } }"""


def referral_input(assignment, provider, **extra) -> dict:
    return {
        "benefitAssignmentId": assignment,
        "providerId": provider,
        "consent": {"givenAt": "2026-01-01T00:00:00Z"},
        **extra,
    }


# ---- An assignment follows its referral ---------------------------------------------------------------------

MUTATION_OF = {
    "send": "sendReferral",
    "cancel": "cancelReferral",
    "mark_in_error": "markReferralEnteredInError",
    "accept": "acceptReferral",
    "reject": "rejectReferral",
    "hold": "holdReferral",
    "start": "startReferral",
    "complete": "completeReferral",
    "fail": "failReferral",
}
# What the agency expects of the assignment once its referral reaches each status: waitlisted while held,
# active while served, completed with it; back to enrolled (to be referred again) when it ends unserved.
ASSIGNMENT_AFTER = {
    R.REQUESTED: "ENROLLED",
    R.ACCEPTED: "ENROLLED",
    R.ON_HOLD: "WAITLISTED",
    R.IN_PROGRESS: "ACTIVE",
    R.COMPLETED: "COMPLETED",
    R.REJECTED: "ENROLLED",
    R.CANCELLED: "ENROLLED",
    R.FAILED: "ENROLLED",
    R.ENTERED_IN_ERROR: "ENROLLED",
}
# The steps from a sent referral (food box to the pantry: no authorization needed) to each source status.
STEPS_TO = {
    R.REQUESTED: [],
    R.ACCEPTED: ["accept"],
    R.ON_HOLD: ["accept", "hold"],
    R.IN_PROGRESS: ["accept", "start"],
}
PAIRS = [(action, source) for action, step in TRANSITIONS.items() for source in sorted(step.sources)]
STATE = """query Op($id: ID!) { referral(id: $id) { status benefitAssignment { id status } } }"""
EVENTS = """query Op($id: ID!) { auditEvents(filter: {recordType: "BenefitAssignment", recordId: $id}) {
  nodes { action actorRole before after } } }"""


async def act(gql, referral_id, action: str) -> None:
    step = TRANSITIONS[action]
    who = "caseworker" if step.side is Side.AGENCY else "provider_b"
    reason = "($id: ID!) { %s(id: $id, reason: CLIENT_DECLINED)" if step.needs_reason else "($id: ID!) { %s(id: $id)"
    document = "mutation Op" + reason % MUTATION_OF[action] + " { referral { status } errors { code field } } }"
    (await gql(who, document, {"id": referral_id})).ok()


def test_every_transition_is_swept():
    assert set(MUTATION_OF) == set(TRANSITIONS)
    assert {step.target for step in TRANSITIONS.values()} <= set(ASSIGNMENT_AFTER)


@pytest.mark.parametrize(("action", "source"), PAIRS, ids=[f"{a}-from-{s.value}" for a, s in PAIRS])
async def test_the_assignment_follows_each_transition_of_its_referral(gql, world, action, source):
    # given: a food box assignment, its referral to the pantry brought to `source` through the API
    made = await new_assignment(gql, world.family_support, world.food_box)
    created = (
        await gql(
            "caseworker", CREATE, {"input": referral_input(made["assignment"], world.pantry), "send": source != R.DRAFT}
        )
    ).ok()["createReferral"]["referral"]
    for step in STEPS_TO.get(source, []):
        await act(gql, created["id"], step)
    before = (await gql("caseworker", STATE, {"id": created["id"]})).ok()["referral"]
    assert before["status"] == source.value
    # when
    await act(gql, created["id"], action)
    # then
    after = (await gql("caseworker", STATE, {"id": created["id"]})).ok()["referral"]
    target = TRANSITIONS[action].target
    assert after["status"] == target.value
    assert after["benefitAssignment"]["status"] == ASSIGNMENT_AFTER[target]
    events = (await gql("supervisor", EVENTS, {"id": made["assignment"]})).ok()["auditEvents"]["nodes"]
    followed = [e for e in events if e["action"] == "benefit_assignment.follow_referral"]
    changed = before["benefitAssignment"]["status"] != after["benefitAssignment"]["status"]
    assert len(followed) == (1 if changed else 0) + len([s for s in STEPS_TO.get(source, []) if s in ("hold", "start")])
    if changed:
        newest = followed[0]
        assert (newest["before"]["status"], newest["after"]["status"]) == (
            before["benefitAssignment"]["status"],
            ASSIGNMENT_AFTER[target],
        )
        assert newest["after"]["referral_status"] == target.value
        assert newest["actorRole"] == ("CASEWORKER" if TRANSITIONS[action].side is Side.AGENCY else "PROVIDER_ADMIN")


async def test_an_assignment_is_referred_again_after_an_unserved_end_and_not_after_completion(gql, world):
    made = await new_assignment(gql, world.family_support, world.food_box)
    refer = {"input": referral_input(made["assignment"], world.pantry), "send": True}
    first = (await gql("caseworker", CREATE, refer)).ok()["createReferral"]["referral"]
    await act(gql, first["id"], "accept")
    await act(gql, first["id"], "start")
    await act(gql, first["id"], "fail")
    second = (await gql("caseworker", CREATE, refer)).ok()["createReferral"]["referral"]
    assert second["replacesId"] == first["id"]
    await act(gql, second["id"], "accept")
    await act(gql, second["id"], "complete")
    third = await gql("caseworker", CREATE, refer)
    assert third.data["createReferral"]["errors"][0] | {"message": None} == {
        "code": "INVALID",
        "field": "benefitAssignmentId",
        "message": None,
    }


async def test_an_assignment_the_agency_closed_stays_closed(gql, world):
    made = await new_assignment(gql, world.family_support, world.food_box)
    referral = (
        await gql("caseworker", CREATE, {"input": referral_input(made["assignment"], world.pantry), "send": True})
    ).ok()["createReferral"]["referral"]
    await act(gql, referral["id"], "accept")
    (
        await gql(
            "caseworker",
            """mutation Op($id: ID!) { updateBenefitAssignment(id: $id, input: {status: WITHDRAWN}) {
            errors { code } } }""",
            {"id": made["assignment"]},
        )
    ).ok()
    await act(gql, referral["id"], "fail")
    state = (await gql("caseworker", STATE, {"id": referral["id"]})).ok()["referral"]
    assert state["benefitAssignment"]["status"] == "WITHDRAWN"


@pytest.mark.parametrize("end", ["cancel", "mark_in_error"])
async def test_a_draft_ended_before_it_was_sent_leaves_the_assignment_as_it_was(gql, world, end):
    # given: an assignment the agency made active itself, and a draft of it
    made = await new_assignment(gql, world.family_support, world.food_box)
    (
        await gql(
            "caseworker",
            """mutation Op($id: ID!) { updateBenefitAssignment(id: $id, input: {status: ACTIVE}) {
            errors { code } } }""",
            {"id": made["assignment"]},
        )
    ).ok()
    draft = (
        await gql("caseworker", CREATE, {"input": referral_input(made["assignment"], world.pantry), "send": False})
    ).ok()["createReferral"]["referral"]
    # when: the draft is ended without ever being sent
    await act(gql, draft["id"], end)
    # then: it referred the client to no one, so the assignment stays as the agency left it
    state = (await gql("caseworker", STATE, {"id": draft["id"]})).ok()["referral"]
    assert state["benefitAssignment"]["status"] == "ACTIVE"


async def test_steves_assignment_is_active_while_his_referral_is_in_progress(gql, world):
    state = (await gql("caseworker", STATE, {"id": world.steve_referral})).ok()["referral"]
    assert (state["status"], state["benefitAssignment"]["status"]) == ("IN_PROGRESS", "ACTIVE")


# ---- A delivery takes the benefit's only billing code ---------------------------------------------------------

RECORD = """mutation Op($input: BenefitDisbursementInput!) { recordBenefitDisbursement(input: $input) {
  disbursement { id code rate quantity amount } errors { code field } } }"""
BULK = """mutation Op($input: BulkDisbursementInput!, $key: String!) { disburseInBulk(input: $input,
  idempotencyKey: $key) { bulk { id totalAmount } errors { code field } } }"""
BULK_LINES = """query Op($id: ID!) { benefitDisbursements(filter: {bulkId: $id}) { nodes { code rate amount } } }"""
SHELTER = "Emergency Shelter Stay"  # a benefit no code set bills


async def _benefit_id(gql, name: str) -> str:
    nodes = (await gql("caseworker", "query { benefits(first: 100) { nodes { id name } } }")).ok()["benefits"]["nodes"]
    return next(n["id"] for n in nodes if n["name"] == name)


async def _disburse(gql, world, benefit_id, assignment, **extra) -> tuple[dict, dict]:
    """One ad hoc delivery of the assignment and one walk-in bulk delivery of the benefit (to two new clients)."""
    one = await gql(
        "caseworker",
        RECORD,
        {"input": {"benefitAssignmentId": assignment, "serviceDate": "2026-11-20", "quantity": "1.5", **extra}},
    )
    walk_ins = [
        (await new_assignment(gql, world.family_support, world.food_box, f"Walk{i}"))["participant"] for i in (1, 2)
    ]
    many = await gql(
        "caseworker",
        BULK,
        {
            "input": {
                "recipientType": "WALK_IN",
                "benefitId": benefit_id,
                "serviceDate": "2026-11-20",
                "quantity": "1.5",
                "participantIds": walk_ins,
                **extra,
            },
            "key": f"bulk-{benefit_id}-{extra}",
        },
    )
    return one.body["data"]["recordBenefitDisbursement"], many.body["data"]["disburseInBulk"]


async def test_without_a_code_set_a_delivery_takes_the_benefits_only_one(gql, world):
    # given: the food box is billed by exactly one code set (FB-01, 42.50 a kit)
    one, many = await _disburse(gql, world, world.food_box, world.food_box_assignment)
    # then: both paths price it by that code set
    assert one["errors"] == [] and many["errors"] == []
    assert one["disbursement"] | {"id": None} == {
        "id": None,
        "code": "FB-01",
        "rate": "42.50",
        "quantity": "1.50",
        "amount": "63.75",
    }
    assert many["bulk"]["totalAmount"] == "127.50"
    lines = (await gql("caseworker", BULK_LINES, {"id": many["bulk"]["id"]})).ok()["benefitDisbursements"]["nodes"]
    assert lines == [{"code": "FB-01", "rate": "42.50", "amount": "63.75"}] * 2


async def test_with_several_code_sets_a_choice_is_required_and_nothing_written(gql, world):
    # given: grief counseling is billed by 90832 and, through its bundle, 90834
    before = (await gql("caseworker", "query { benefitDisbursements { totalCount } }")).ok()
    one, many = await _disburse(gql, world, world.grief_counseling, world.grief_assignment)
    assert one["errors"] == [{"code": "REQUIRED", "field": "codeSetId"}]
    assert many["errors"] == [{"code": "REQUIRED", "field": "codeSetId"}]
    assert one["disbursement"] is None and many["bulk"] is None
    after = (await gql("caseworker", "query { benefitDisbursements { totalCount } }")).ok()
    assert after == before
    # Choosing one prices it; a code set counts once whether billed directly or through a bundle, and only while
    # active: with 90834 retired, 90832 is the only one left.
    chosen, _ = await _disburse(gql, world, world.grief_counseling, world.grief_assignment, codeSetId=world.cpt_90832)
    assert (chosen["disbursement"]["code"], chosen["disbursement"]["amount"]) == ("90832", "127.50")
    codes = (await gql("agency_admin", "query { codeSets(first: 100) { nodes { id code } } }")).ok()["codeSets"]
    longer = next(n["id"] for n in codes["nodes"] if n["code"] == "90834")
    (
        await gql(
            "agency_admin", "mutation Op($id: ID!) { deactivateCodeSet(id: $id) { errors { code } } }", {"id": longer}
        )
    ).ok()
    one, many = await _disburse(gql, world, world.grief_counseling, world.grief_assignment)
    assert (one["disbursement"]["code"], one["disbursement"]["amount"]) == ("90832", "127.50")
    assert many["bulk"]["totalAmount"] == "255.00"


async def test_a_benefit_no_code_set_bills_is_delivered_without_a_code(gql, world):
    shelter = await _benefit_id(gql, SHELTER)
    made = await new_assignment(gql, world.housing_stability, shelter)
    one, many = await _disburse(gql, world, shelter, made["assignment"])
    assert one["errors"] == [] and many["errors"] == []
    assert (one["disbursement"]["code"], one["disbursement"]["rate"], one["disbursement"]["amount"]) == (
        None,
        None,
        None,
    )
    assert many["bulk"]["totalAmount"] is None


# ---- A voided disbursement is evidence of nothing ---------------------------------------------------------------

# Every field that reads disbursements as evidence of service; the sweep below asserts it reads each of them.
EVIDENCE_TYPES = {"AttendanceRollup", "ReferralDelivery", "FollowUp"}
AGENCY_EVIDENCE = """query Op($p: ID!, $r: ID!) {
  participant(id: $p) { attendance { ...A } enrollments { attendance { ...A } } }
  referral(id: $r) { delivery { sessionsAttended unitsDelivered } }
  myDay { followUps { participant { id } reasons consecutiveAbsences lastInteraction } } }
fragment A on AttendanceRollup { sessionsPresent sessionsAbsent sessionsExcused attendanceRate consecutiveAbsences
  lastServiceDate }"""
PROVIDER_EVIDENCE = """query Op($r: ID!) { referral(id: $r) { delivery { sessionsAttended unitsDelivered }
  sharedParticipant { attendance { sessionsPresent sessionsAbsent sessionsExcused attendanceRate
  consecutiveAbsences lastServiceDate } } } }"""
READ_BY_THE_SWEEP = {
    ("Participant", "attendance"),
    ("ProgramEnrollment", "attendance"),
    ("SharedParticipant", "attendance"),
    ("Referral", "delivery"),
    ("MyDay", "followUps"),
}


def _named(field_type):
    while isinstance(field_type, (GraphQLNonNull, GraphQLList)):
        field_type = field_type.of_type
    return field_type.name


def test_the_sweep_reads_every_field_made_of_disbursements_as_evidence():
    found = {
        (name, field)
        for name, t in build_schema()._schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__")
        for field, definition in t.fields.items()
        if _named(definition.type) in EVIDENCE_TYPES
    }
    assert found == READ_BY_THE_SWEEP


async def test_a_voided_disbursement_counts_as_no_service_and_no_contact(gql, db, people, world):
    # given: a new client on Connor's caseload, referred to the Grief Center and enrolled in a held session;
    # her referral's history is older than the follow-up window (only disbursements speak for her)
    referral = await authorized_referral(db, people, world, "Vida")
    _, (held,) = await approved_schedule(db, people, world, first_start=days_ago_at(3, 10))
    (
        await gql(
            "provider_a",
            """mutation Op($r: ID!, $s: ID!) { enrollInSchedule(input: {referralId: $r, sessionId: $s}) {
            errors { code } } }""",
            {"r": referral.id, "s": held},
        )
    ).ok()
    (
        await gql(
            "caseworker",
            """mutation Op($p: ID!) { openCase(input: {participantId: $p, intakeSource: REFERRAL}) {
            errors { code } } }""",
            {"p": referral.participant_id},
        )
    ).ok()
    await _age_referral_history(db, referral.id)
    ids = {"p": referral.participant_id, "r": referral.id}

    async def evidence() -> tuple[dict, dict]:
        agency = (await gql("caseworker", AGENCY_EVIDENCE, ids)).ok()
        agency["myDay"]["followUps"] = [
            f for f in agency["myDay"]["followUps"] if f["participant"]["id"] == str(referral.participant_id)
        ]
        provider = (await gql("provider_a", PROVIDER_EVIDENCE, {"r": referral.id})).ok()
        return agency, provider

    nothing = await evidence()
    # when: she attends the session and is handed an ad hoc session by the provider and one by the agency
    taken = await gql(
        "provider_a",
        """mutation Op($s: ID!, $p: ID!) { takeAttendance(sessionId: $s, marks: [{participantId: $p, mark: PRESENT}])
        { errors { code field } } }""",
        {"s": held, "p": referral.participant_id},
    )
    taken.ok()
    day = (today_in(COSVILLE_ZONE) - timedelta(days=2)).isoformat()
    for who in ("provider_a", "caseworker"):
        (
            await gql(
                who,
                RECORD,
                {
                    "input": {
                        "benefitAssignmentId": referral.benefit_assignment_id,
                        "serviceDate": day,
                        "quantity": "1",
                        "codeSetId": world.cpt_90832,
                    }
                },
            )
        ).ok()
    served = await evidence()
    assert served != nothing  # the sweep sees every delivery
    # then: voided, they are as if never recorded, everywhere
    listed = (
        await gql(
            "caseworker",
            "query Op($p: ID!) { benefitDisbursements(filter: {participantId: $p}) { nodes { id } } }",
            {"p": referral.participant_id},
        )
    ).ok()["benefitDisbursements"]["nodes"]
    assert len(listed) == 3
    for node in listed:
        (
            await gql(
                "caseworker",
                """mutation Op($id: ID!) { correctBenefitDisbursement(id: $id, void: true, note: "Wrong client") {
                errors { code field } } }""",
                {"id": node["id"]},
            )
        ).ok()
    assert await evidence() == nothing


async def _age_referral_history(db, referral_id: int) -> None:
    """Moves the referral's history back past the follow-up window (the arrangement, not what is tested)."""
    from sqlalchemy import update

    from server.domain.columns import utcnow
    from server.domain.referrals.models import ReferralEvent

    async with db.write() as session:
        await session.exec(
            update(ReferralEvent)
            .where(ReferralEvent.referral_id == referral_id)
            .values(occurred_at=utcnow() - timedelta(days=90))
        )


# ---- A referral goes only where its benefit is offered -----------------------------------------------------------

FACILITY = """mutation Op($input: FacilityCreateInput!) { createFacility(input: $input) { facility { id }
  errors { code field } } }"""


async def _facility(gql, provider, name: str, specialties: list) -> str:
    offered = [{"specialtyId": s, "primary": i == 0} for i, s in enumerate(specialties)]
    made = await gql(
        "agency_admin", FACILITY, {"input": {"providerId": provider, "name": name, "specialties": offered}}
    )
    return made.ok()["createFacility"]["facility"]["id"]


async def _refuse(gql, assignment, provider, **extra) -> list[dict]:
    result = await gql("caseworker", CREATE, {"input": referral_input(assignment, provider, **extra), "send": False})
    return [{k: e[k] for k in ("code", "field")} for e in result.data["createReferral"]["errors"]]


async def test_a_referral_goes_only_where_the_benefit_or_a_specialty_it_requires_is_offered(gql, world):
    food = await new_assignment(gql, world.family_support, world.food_box)
    grief = await new_assignment(gql, world.family_support, world.grief_counseling)
    # The Grief Center offers counseling, not food: refused by provider, and by facility.
    assert await _refuse(gql, food["assignment"], world.grief_center) == [{"code": "INVALID", "field": "providerId"}]
    assert await _refuse(gql, food["assignment"], world.grief_center, facilityId=world.grief_facility) == [
        {"code": "INVALID", "field": "facilityId"}
    ]
    # A facility of the right provider that offers something else is refused; one that offers a specialty under
    # the one required (grief under counseling) is accepted.
    intake = await _facility(gql, world.grief_center, "Grief Center — Food Drive", [world.food_pantry_specialty])
    grief_only = await _facility(gql, world.grief_center, "Grief Center — Annex", [world.grief_specialty])
    assert await _refuse(gql, grief["assignment"], world.grief_center, facilityId=intake) == [
        {"code": "INVALID", "field": "facilityId"}
    ]
    assert await _refuse(gql, grief["assignment"], world.grief_center, facilityId=grief_only) == []
    # A draft cannot be moved to a facility that does not offer it either.
    draft = await gql("caseworker", CREATE, {"input": referral_input(food["assignment"], world.pantry), "send": False})
    moved = await gql(
        "caseworker",
        """mutation Op($id: ID!, $f: ID) { updateReferral(id: $id, expectedVersion: 1, input: {facilityId: $f}) {
        errors { code field } } }""",
        {"id": draft.ok()["createReferral"]["referral"]["id"], "f": world.pantry_facility},
    )
    assert moved.ok()
    pantry_kitchen_only = await _facility(gql, world.pantry, "Harvest Table — Office", [world.grief_specialty])
    refused = await gql(
        "caseworker",
        """mutation Op($id: ID!, $f: ID) { updateReferral(id: $id, expectedVersion: 2, input: {facilityId: $f}) {
        errors { code field } } }""",
        {"id": draft.ok()["createReferral"]["referral"]["id"], "f": pantry_kitchen_only},
    )
    assert refused.data["updateReferral"]["errors"] == [{"code": "INVALID", "field": "facilityId"}]


async def test_a_benefit_that_requires_specialties_goes_only_where_they_are_offered_whatever_it_is_billed_by(
    gql, world
):
    # given: "Grocery counseling" requires the food pantry specialty and is billed by 90832, like grief counseling
    benefit = (
        await gql(
            "agency_admin",
            """mutation Op($input: BenefitCreateInput!) { createBenefit(input: $input) { benefit { id }
            errors { code field } } }""",
            {
                "input": {
                    "programId": world.family_support,
                    "benefitTypeId": world.mental_health,
                    "name": "Grocery counseling",
                    "unitOfMeasure": "hour",
                    "specialtyIds": [world.food_pantry_specialty],
                }
            },
        )
    ).ok()["createBenefit"]["benefit"]["id"]
    (
        await gql(
            "agency_admin",
            """mutation Op($input: BenefitItemCodeCreateInput!) { createBenefitItemCode(input: $input) {
            errors { code field } } }""",
            {"input": {"benefitId": benefit, "code": "B-00078", "codeSetId": world.cpt_90832}},
        )
    ).ok()
    made = await new_assignment(gql, world.family_support, benefit)
    # then: a code set shared with grief counseling does not make the Grief Center offer it; the pantry does
    assert await _refuse(gql, made["assignment"], world.grief_center) == [{"code": "INVALID", "field": "providerId"}]
    assert await _refuse(gql, made["assignment"], world.pantry) == []
    # and provider search by the benefit finds exactly where it may be referred: the pantry, not the Grief Center
    found = await gql(
        "caseworker",
        "query Op($b: ID!) { providerSearch(filter: {benefitId: $b}) { nodes { provider { id } } } }",
        {"b": benefit},
    )
    assert {n["provider"]["id"] for n in found.ok()["providerSearch"]["nodes"]} == {str(world.pantry)}


async def test_a_benefit_matches_through_its_item_codes_and_one_naming_nothing_goes_anywhere(gql, world):
    # given: "Counseling by phone" names no specialty but is billed by 90832, like grief counseling (counseling)
    benefit = (
        await gql(
            "agency_admin",
            """mutation Op($input: BenefitCreateInput!) { createBenefit(input: $input) { benefit { id }
            errors { code field } } }""",
            {
                "input": {
                    "programId": world.family_support,
                    "benefitTypeId": world.mental_health,
                    "name": "Counseling by phone",
                    "unitOfMeasure": "hour",
                }
            },
        )
    ).ok()["createBenefit"]["benefit"]["id"]
    phone = await new_assignment(gql, world.family_support, benefit)
    # when no code set bills it, nothing says where it is offered: it may be referred anywhere
    assert await _refuse(gql, phone["assignment"], world.pantry) == []
    other = await new_assignment(gql, world.family_support, benefit, "Rosa2")
    (
        await gql(
            "agency_admin",
            """mutation Op($input: BenefitItemCodeCreateInput!) { createBenefitItemCode(input: $input) {
            errors { code field } } }""",
            {"input": {"benefitId": benefit, "code": "B-00077", "codeSetId": world.cpt_90832}},
        )
    ).ok()
    # then: billed like grief counseling, it goes where counseling is offered, not to the pantry
    assert await _refuse(gql, other["assignment"], world.pantry) == [{"code": "INVALID", "field": "providerId"}]
    assert await _refuse(gql, other["assignment"], world.grief_center) == []


async def test_a_refusal_before_the_service_leaves_the_assignment_as_the_agency_set_it(gql, world):
    # given: an assignment the agency made active, referred to the pantry
    made = await new_assignment(gql, world.family_support, world.food_box)
    (
        await gql(
            "caseworker",
            """mutation Op($id: ID!) { updateBenefitAssignment(id: $id, input: {status: ACTIVE}) {
            errors { code } } }""",
            {"id": made["assignment"]},
        )
    ).ok()
    referral = (
        await gql("caseworker", CREATE, {"input": referral_input(made["assignment"], world.pantry), "send": True})
    ).ok()["createReferral"]["referral"]
    # when: the pantry rejects it, unserved
    await act(gql, referral["id"], "reject")
    # then: the referral never moved the assignment, so its end does not either
    state = (await gql("caseworker", STATE, {"id": referral["id"]})).ok()["referral"]
    assert state["benefitAssignment"]["status"] == "ACTIVE"
