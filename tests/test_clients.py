"""Participants, enrollments and benefit assignments: IDs, search, one active enrollment per program."""

import pytest
from sqlalchemy.exc import IntegrityError

from server.domain.clients.models import ProgramEnrollment

pytestmark = pytest.mark.anyio

CREATE = """mutation Op($input: ParticipantCreateInput!) { createParticipant(input: $input) {
  participant { id clientId preferredName alerts { text severity } } errors { code field message } } }"""
SEARCH = "query Op($q: String) { participants(search: $q) { nodes { preferredName clientId } } }"
ENROLL = """mutation Op($input: EnrollmentCreateInput!) { enrollParticipant(input: $input) {
  enrollment { id status active } errors { code field } } }"""


async def test_client_ids_follow_the_agencys_pattern_or_are_imported(gql):
    made = await gql(
        "caseworker",
        CREATE,
        {
            "input": {
                "legalFirstName": "Ana",
                "legalLastName": "Ortiz",
                "alerts": [{"text": "Deaf: text only", "severity": "WARNING"}],
            }
        },
    )
    participant = made.ok()["createParticipant"]["participant"]
    assert participant["clientId"] == "CL-000003"  # the demo made 1 and 2
    assert participant["alerts"] == [{"text": "Deaf: text only", "severity": "WARNING"}]
    imported = await gql(
        "caseworker", CREATE, {"input": {"legalFirstName": "Bo", "legalLastName": "Li", "clientId": "LEGACY-17"}}
    )
    assert imported.ok()["createParticipant"]["participant"]["clientId"] == "LEGACY-17"
    again = await gql(
        "caseworker", CREATE, {"input": {"legalFirstName": "Cy", "legalLastName": "Li", "clientId": "LEGACY-17"}}
    )
    assert again.data["createParticipant"]["errors"][0]["code"] == "CONFLICT"
    assert again.data["createParticipant"]["errors"][0]["field"] == "clientId"


async def test_another_agency_may_use_the_same_client_id(gql):
    made = await gql(
        "other_agency_admin", CREATE, {"input": {"legalFirstName": "A", "legalLastName": "B", "clientId": "CL-000001"}}
    )
    assert made.ok()["createParticipant"]["participant"]["clientId"] == "CL-000001"


@pytest.mark.parametrize("query", ["nunez", "NÚÑEZ", "maría", "marisol", "CL-000002", "555-0188", "2175550188"])
async def test_one_search_box_over_names_id_and_phone_any_case_any_accent(gql, query):
    found = (await gql("caseworker", SEARCH, {"q": query})).ok()["participants"]["nodes"]
    assert [p["preferredName"] for p in found] == ["Marisol"]


async def test_search_stays_inside_the_agency(gql):
    assert (await gql("other_agency_admin", SEARCH, {"q": "steve"})).ok()["participants"]["nodes"] == []


async def test_a_birth_date_cannot_be_in_the_future(gql):
    result = await gql(
        "caseworker", CREATE, {"input": {"legalFirstName": "A", "legalLastName": "B", "birthDate": "2999-01-01"}}
    )
    assert result.data["createParticipant"]["errors"][0]["field"] == "birthDate"


async def test_one_active_enrollment_per_participant_per_program(gql, world):
    second = await gql(
        "caseworker", ENROLL, {"input": {"participantId": world.steve, "programId": world.family_support}}
    )
    assert second.data["enrollParticipant"]["errors"] == [{"code": "CONFLICT", "field": "programId"}]
    await gql(
        "caseworker",
        """mutation Op($id: ID!) { updateEnrollment(id: $id, input: {status: WITHDRAWN}) {
      enrollment { active } } }""",
        {"id": world.steve_enrollment},
    )
    again = (
        await gql("caseworker", ENROLL, {"input": {"participantId": world.steve, "programId": world.family_support}})
    ).ok()
    assert again["enrollParticipant"]["enrollment"]["active"] is True


async def test_the_database_backs_the_one_active_enrollment_rule(db, world):
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            session.add(ProgramEnrollment(agency_id=1, participant_id=world.steve, program_id=world.family_support))


async def test_a_benefit_is_assigned_only_through_its_own_program(gql, db, world, users):
    from server.domain.catalogue.programs import programs
    from server.domain.users import principal_of

    async with db.write() as session:
        other = await programs.create(
            session, principal_of(users["agency_admin"]), {"name": "Youth", "status": "ACTIVE"}
        )
    enrolled = (await gql("caseworker", ENROLL, {"input": {"participantId": world.steve, "programId": other.id}})).ok()
    result = await gql(
        "caseworker",
        """mutation Op($input: AssignmentCreateInput!) { assignBenefit(input: $input) {
      errors { code field } } }""",
        {
            "input": {
                "enrollmentId": enrolled["enrollParticipant"]["enrollment"]["id"],
                "benefitId": world.grief_counseling,
            }
        },
    )
    assert result.data["assignBenefit"]["errors"] == [{"code": "INVALID", "field": "benefitId"}]


async def test_the_participant_record_for_the_client_page(gql, world):
    steve = (
        await gql(
            "caseworker",
            """query Op($id: ID!) { participant(id: $id) {
      clientId preferredName age alerts { text } enrollments { status program { name }
        assignments { benefit { name } status } } } }""",
            {"id": world.steve},
        )
    ).ok()["participant"]
    assert steve["clientId"] == "CL-000001"
    assert steve["age"] >= 65
    assert steve["enrollments"][0]["program"]["name"] == "Family Support"
    assert {a["benefit"]["name"] for a in steve["enrollments"][0]["assignments"]} == {
        "Grief Counseling",
        "Weekly Food Box",
    }


ENROLLMENTS = "query { enrollments(first: 100) { nodes { anonymous participant { id preferredName } } } }"


async def test_an_enrollment_names_its_participant_and_an_anonymous_one_none(gql, world):
    # given: anonymous recipients of a food box start an anonymous enrollment
    bulk = (
        await gql(
            "caseworker",
            """mutation Op($input: BulkDisbursementInput!) { disburseInBulk(input: $input, idempotencyKey: "anon") {
          errors { code field } } }""",
            {
                "input": {
                    "recipientType": "ANONYMOUS",
                    "benefitId": world.food_box,
                    "serviceDate": "2026-11-20",
                    "quantity": "1",
                    "recipientCount": 3,
                }
            },
        )
    ).ok()
    assert bulk["disburseInBulk"]["errors"] == []
    # when
    nodes = (await gql("caseworker", ENROLLMENTS)).ok()["enrollments"]["nodes"]
    # then
    assert {node["anonymous"] for node in nodes} == {True, False}
    assert all((node["participant"] is None) == node["anonymous"] for node in nodes)
    assert {"id": str(world.steve), "preferredName": "Steve"} in [node["participant"] for node in nodes]
