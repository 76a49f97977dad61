"""Lists cost a fixed number of SQL statements whatever their length: nested fields are batched."""

import pytest

from server.domain.catalogue.benefits import create_benefit
from server.domain.network import facilities, providers
from server.domain.users import User, principal_of
from tests.conftest import count_statements
from tests.stories import authorized_referral

pytestmark = pytest.mark.anyio

NETWORK = """query { providers(first: 100) { totalCount edges { cursor node {
  name facilities { name address { city } provider { name }
    specialties { primary specialty { code parent { code children { code } } } } } } } } }"""
CATALOGUE = """query { benefits(first: 100) { totalCount nodes {
  name program { name benefits { name } } benefitType { name } specialties { code }
  itemCodes { code codeSet { rate } codeSetBundle { name codeSets { code } } benefit { name } } } } }"""


async def statements_for(gql, db, document: str) -> tuple[int, dict]:
    with count_statements(db) as counted:
        data = (await gql("agency_admin", document)).ok()
    return counted(), data


async def test_the_provider_list_costs_the_same_for_7_and_37_providers(gql, db, users, world):
    before, data = await statements_for(gql, db, NETWORK)
    async with db.write() as session:
        admin = principal_of(await session.get(User, users["agency_admin"].id))
        for i in range(30):
            provider = await providers.create_provider(session, admin, {"name": f"Provider {i:02}", "type": "ONSITE"})
            await facilities.create_facility(
                session,
                admin,
                {"provider_id": provider.id, "name": f"Site {i}"},
                [{"specialty_id": world.grief_specialty, "primary": True}],
            )
    after, more = await statements_for(gql, db, NETWORK)
    assert more["providers"]["totalCount"] == data["providers"]["totalCount"] + 30
    assert after == before
    assert before <= 12


async def test_the_benefit_list_costs_the_same_for_3_and_23_benefits(gql, db, users, world):
    before, _ = await statements_for(gql, db, CATALOGUE)
    async with db.write() as session:
        admin = principal_of(await session.get(User, users["agency_admin"].id))
        for i in range(20):
            await create_benefit(
                session,
                admin,
                {
                    "program_id": world.family_support,
                    "name": f"Benefit {i}",
                    "benefit_type_id": world.mental_health,
                    "unit_of_measure": "hour",
                },
                [world.counseling, world.grief_specialty],
            )
    after, data = await statements_for(gql, db, CATALOGUE)
    assert data["benefits"]["totalCount"] == 23
    assert after == before


DISBURSEMENTS = """query { benefitDisbursements(first: 100) { totalCount nodes { code benefitName quantity
  revisions { status } } } }"""
SCHEDULE_ASSIGNMENTS = """query { scheduleAssignments(first: 100) { totalCount nodes { status
  participant { preferredName attendance { sessionsPresent } } schedule { name facility { name } } } } }"""


async def test_disbursement_and_enrollment_lists_cost_the_same_whatever_their_length(gql, db, people, world):
    before = [await statements_for(gql, db, doc) for doc in (DISBURSEMENTS, SCHEDULE_ASSIGNMENTS)]
    for _ in range(3):
        referral = await authorized_referral(db, people, world)
        await gql(
            "provider_a",
            """mutation Op($r: ID!, $s: ID!) { enrollInSchedule(input: {referralId: $r, scheduleId: $s}) {
          errors { code } } }""",
            {"r": referral.id, "s": world.wednesday_schedule},
        )
        await gql(
            "caseworker",
            """mutation Op($a: ID!) { recordBenefitDisbursement(input: {benefitAssignmentId: $a,
          serviceDate: "2026-11-20", quantity: "1"}) { errors { code } } }""",
            {"a": world.food_box_assignment},
        )
    after = [await statements_for(gql, db, doc) for doc in (DISBURSEMENTS, SCHEDULE_ASSIGNMENTS)]
    assert after[0][1]["benefitDisbursements"]["totalCount"] == before[0][1]["benefitDisbursements"]["totalCount"] + 3
    assert after[1][1]["scheduleAssignments"]["totalCount"] == before[1][1]["scheduleAssignments"]["totalCount"] + 3
    assert [n for n, _ in after] == [n for n, _ in before]


SEARCH = """query Op($filter: ProviderSearchFilter!) { providerSearch(filter: $filter, first: 100) { totalCount
  nodes { distanceKm provider { name } facility { name } matchingSpecialties { code } nextSessions { startsAt } } } }"""


async def test_search_by_code_set_costs_the_same_for_2_and_32_matches(gql, db, users, world):
    near = {"latitude": 39.8, "longitude": -89.6}
    filter = {"codeSetId": world.cpt_90832, "benefitId": world.grief_counseling, "near": near}

    async def searched() -> tuple[int, dict]:
        with count_statements(db) as counted:
            data = (await gql("caseworker", SEARCH, {"filter": filter})).ok()
        return counted(), data

    before, small = await searched()
    async with db.write() as session:
        admin = principal_of(await session.get(User, users["agency_admin"].id))
        for i in range(30):
            provider = await providers.create_provider(
                session, admin, {"name": f"Counselor {i:02}", "type": "ONSITE", "status": "ACTIVE"}
            )
            await facilities.create_facility(
                session,
                admin,
                {"provider_id": provider.id, "name": f"Office {i}", "latitude": 39.8 + i / 1000, "longitude": -89.6},
                [{"specialty_id": world.grief_specialty, "primary": True}],
            )
    after, large = await searched()
    assert (small["providerSearch"]["totalCount"], large["providerSearch"]["totalCount"]) == (2, 32)
    assert after == before


ROOT_FIELD = """query Op($filter: ProviderSearchFilter!) { providerSearch(filter: $filter, first: 100) {
  nodes { distanceKm facility { id name } } } }"""
WITH_PROVIDER = """query Op($filter: ProviderSearchFilter!) { providerSearch(filter: $filter, first: 100) {
  nodes { distanceKm facility { id name } provider { name } } } }"""


async def test_a_search_by_specialty_benefit_and_code_set_is_one_statement_for_2_or_32_hits(gql, db, users, world):
    """Their specialty trees are folded into the search: no lookup before it, whatever it finds."""
    filter = {
        "specialtyIds": [world.counseling],
        "benefitId": world.grief_counseling,
        "codeSetId": world.cpt_90832,
        "near": {"latitude": 39.8, "longitude": -89.6},
    }

    async def cost(document: str) -> tuple[int, dict]:
        with count_statements(db) as counted:
            data = (await gql("caseworker", document, {"filter": filter} if "$filter" in document else {})).ok()
        return counted(), data

    async def search_costs() -> tuple[int, int, int]:
        await cost("query { __typename }")  # who is asking, looked up once, then remembered
        identifying, _ = await cost("query { __typename }")  # what every request costs besides its fields
        root, data = await cost(ROOT_FIELD)
        with_provider, _ = await cost(WITH_PROVIDER)
        return root - identifying, with_provider - identifying, len(data["providerSearch"]["nodes"])

    assert await search_costs() == (1, 1, 2)  # the providers come with the facilities, in the same statement
    async with db.write() as session:
        admin = principal_of(await session.get(User, users["agency_admin"].id))
        for i in range(30):
            provider = await providers.create_provider(
                session, admin, {"name": f"Counselor {i:02}", "type": "ONSITE", "status": "ACTIVE"}
            )
            await facilities.create_facility(
                session,
                admin,
                {"provider_id": provider.id, "name": f"Office {i}", "latitude": 39.8 + i / 1000, "longitude": -89.6},
                [{"specialty_id": world.grief_specialty, "primary": True}],
            )
    assert await search_costs() == (1, 1, 32)


ENROLLMENTS = """query { enrollments(first: 100) { totalCount nodes { status
  participant { preferredName } program { name } assignments { status } } } }"""


async def test_the_enrollment_list_with_its_participants_costs_the_same_whatever_its_length(gql, db, world):
    before, data = await statements_for(gql, db, ENROLLMENTS)
    for i in range(5):
        created = (
            await gql(
                "caseworker",
                """mutation Op($input: ParticipantCreateInput!) { createParticipant(input: $input) {
              participant { id } } }""",
                {"input": {"legalFirstName": f"Ana {i}", "legalLastName": "Ortiz"}},
            )
        ).ok()
        await gql(
            "caseworker",
            """mutation Op($input: EnrollmentCreateInput!) { enrollParticipant(input: $input) { errors { code } } }""",
            {
                "input": {
                    "participantId": created["createParticipant"]["participant"]["id"],
                    "programId": world.family_support,
                }
            },
        )
    after, more = await statements_for(gql, db, ENROLLMENTS)
    assert more["enrollments"]["totalCount"] == data["enrollments"]["totalCount"] + 5
    assert {"preferredName": None} in [node["participant"] for node in more["enrollments"]["nodes"]]
    assert after == before


async def test_a_searchs_providers_come_with_its_facilities_however_they_are_asked_for(gql, db, world):
    variables = {"filter": {"specialtyIds": [world.counseling], "near": {"latitude": 39.8, "longitude": -89.6}}}
    await gql("caseworker", "query { __typename }")  # the caller, looked up once, then remembered
    costs, names = {}, {}
    for path, selection in {
        "none": "facility { id }",
        "provider": "facility { id } provider { name }",
        "facility.provider": "facility { id provider { name } }",
    }.items():
        for shape in (f"nodes {{ {selection} }}", f"edges {{ node {{ {selection} }} }}"):
            document = f"query Op($filter: ProviderSearchFilter!) {{ providerSearch(filter: $filter) {{ {shape} }} }}"
            with count_statements(db) as counted:
                data = (await gql("caseworker", document, variables)).ok()["providerSearch"]
            costs[path, shape[:5]] = counted()
            rows = data["nodes"] if "nodes" in data else [e["node"] for e in data["edges"]]
            assert rows
            names[path] = [r.get("provider", r["facility"].get("provider", {})).get("name") for r in rows]
    assert set(costs.values()) == {1}, costs
    assert names["provider"] == names["facility.provider"] and all(names["provider"])
