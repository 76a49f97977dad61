"""Provider search: distance and radius against known coordinates, specialty trees, who never appears, cost."""

import math

import pytest

from server.domain.network import facilities, providers
from server.domain.users import principal_of
from tests.conftest import count_statements

pytestmark = pytest.mark.anyio

SEARCH = """query Op($filter: ProviderSearchFilter!, $first: Int = 20, $after: String) {
  providerSearch(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { distanceKm provider { name } facility { id name address { latitude longitude } }
            matchingSpecialties { code } }
  }
}"""
STEVES_HOME = (39.7998, -89.6489)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


async def search(gql, filter: dict, **variables) -> dict:
    return (await gql("caseworker", SEARCH, {"filter": filter, **variables})).ok()["providerSearch"]


async def test_connor_finds_the_grief_center_first_near_steves_home(gql, world):
    found = await search(
        gql, {"specialtyIds": [world.counseling], "nearParticipantId": world.steve, "acceptingReferrals": True}
    )
    names = [n["provider"]["name"] for n in found["nodes"]]
    assert names == ["Cosville Grief Counseling Center", "Prairie Telehealth Counseling"]


async def test_distances_are_exact_and_nearest_first(gql):
    found = await search(gql, {"near": {"latitude": STEVES_HOME[0], "longitude": STEVES_HOME[1]}}, first=50)
    distances = [n["distanceKm"] for n in found["nodes"]]
    assert distances == sorted(distances)
    for node in found["nodes"]:
        address = node["facility"]["address"]
        expected = haversine_km(STEVES_HOME, (address["latitude"], address["longitude"]))
        assert node["distanceKm"] == pytest.approx(expected, abs=0.001)


@pytest.mark.parametrize(("radius", "expected"), [(1.0, 2), (5.0, 6), (8.0, 6), (9.0, 7)])
async def test_the_radius_keeps_exactly_the_facilities_within_it(gql, radius, expected):
    found = await search(
        gql, {"near": {"latitude": STEVES_HOME[0], "longitude": STEVES_HOME[1]}, "radiusKm": radius}, first=50
    )
    assert found["totalCount"] == expected
    assert all(n["distanceKm"] <= radius for n in found["nodes"])


async def test_a_specialty_matches_what_is_under_it(gql, db):
    from sqlmodel import select

    from server.domain.network.models import CareSpecialty

    async with db.read() as session:
        food = (await session.exec(select(CareSpecialty.id).where(CareSpecialty.code == "FOOD"))).one()
    found = await search(gql, {"specialtyIds": [food]})
    assert {n["provider"]["name"] for n in found["nodes"]} == {"Harvest Table Food Pantry"}
    assert {s["code"] for n in found["nodes"] for s in n["matchingSpecialties"]} <= {"FOOD-PAN", "FOOD-MEAL"}


async def test_a_benefit_searches_by_its_specialties(gql, world):
    found = await search(gql, {"benefitId": world.food_box})
    assert {n["provider"]["name"] for n in found["nodes"]} == {"Harvest Table Food Pantry"}


async def test_inactive_and_unsearchable_providers_never_appear(gql, world):
    everything = await search(gql, {}, first=50)
    assert "Sangamon Legal Aid" not in {n["provider"]["name"] for n in everything["nodes"]}  # pending, hidden
    await gql(
        "agency_admin",
        "mutation Op($id: ID!) { deactivateProvider(id: $id) { errors { code } } }",
        {"id": world.grief_center},
    )
    after = await search(gql, {"specialtyIds": [world.counseling]})
    assert [n["provider"]["name"] for n in after["nodes"]] == ["Prairie Telehealth Counseling"]


async def test_name_type_and_capacity_filters(gql):
    assert {n["provider"]["name"] for n in (await search(gql, {"providerName": "harvest"}))["nodes"]} == {
        "Harvest Table Food Pantry"
    }
    virtual = await search(gql, {"providerTypes": ["VIRTUAL"]})
    assert [n["provider"]["name"] for n in virtual["nodes"]] == ["Prairie Telehealth Counseling"]
    waitlist = await search(gql, {"capacityStatuses": ["WAITLIST"]})
    assert [n["provider"]["name"] for n in waitlist["nodes"]] == ["Safe Harbor Shelter"]


async def test_cursor_pages_walk_the_distance_order_once(gql):
    near = {"near": {"latitude": STEVES_HOME[0], "longitude": STEVES_HOME[1]}}
    seen, after = [], None
    while True:
        page = await search(gql, near, first=2, after=after)
        seen += [(n["distanceKm"], n["facility"]["id"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"]
    assert seen == sorted(seen)


async def test_a_page_of_results_costs_the_same_statements_for_2_or_32_matches(gql, db, users, world):
    near = {"specialtyIds": [world.counseling], "near": {"latitude": STEVES_HOME[0], "longitude": STEVES_HOME[1]}}
    with count_statements(db) as before:
        small = await search(gql, near, first=50)
    async with db.write() as session:
        admin = principal_of(users["agency_admin"])
        for i in range(30):
            p = await providers.create_provider(
                session, admin, {"name": f"Counselor {i}", "type": "ONSITE", "status": "ACTIVE"}
            )
            await facilities.create_facility(
                session,
                admin,
                {"provider_id": p.id, "name": f"Office {i}", "latitude": 39.8 + i / 1000, "longitude": -89.6},
                [{"specialty_id": world.grief_specialty}],
            )
    with count_statements(db) as after:
        large = await search(gql, near, first=50)
    assert (small["totalCount"], large["totalCount"]) == (2, 32)
    assert before() == after()


@pytest.mark.parametrize(
    ("filter", "field"),
    [
        ({"radiusKm": 5}, "filter.radiusKm"),
        ({"near": {"latitude": 1, "longitude": 1}, "radiusKm": 5000}, "filter.radiusKm"),
        ({"nearParticipantId": 999999}, "filter.nearParticipantId"),
    ],
)
async def test_bad_search_input_is_a_typed_error(gql, filter, field):
    result = await gql("caseworker", SEARCH, {"filter": filter})
    assert result.errors[0]["extensions"]["field"] == field


def test_the_math_functions_registered_on_a_sqlite_without_them_compute_the_same_distance():
    import sqlite3

    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from server.db import MATH_FUNCTIONS
    from server.domain.network.search import distance_km

    connection = sqlite3.connect(":memory:")
    for name, arity, function in MATH_FUNCTIONS:
        connection.create_function(name, arity, function, deterministic=True)
    connection.execute("CREATE TABLE facility (latitude REAL, longitude REAL)")
    connection.execute("INSERT INTO facility VALUES (39.8012, -89.6437), (NULL, NULL)")
    compiled = distance_km(*STEVES_HOME).compile(
        dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}
    )
    rows = connection.execute(f"SELECT {compiled} FROM facility").fetchall()
    assert rows[0][0] == pytest.approx(haversine_km(STEVES_HOME, (39.8012, -89.6437)), abs=1e-6)
    assert rows[1][0] is None


DAYS = """query Op($filter: ProviderSearchFilter!) { providerSearch(filter: $filter) {
  nodes { provider { name } nextSessions { startsAt schedule { name } } } } }"""


@pytest.mark.parametrize(
    ("filter", "found"),
    [
        ({"sessionWeekdays": ["WE"], "sessionStartsFrom": "10:00"}, True),  # the Wednesday 11:00 sessions
        ({"sessionWeekdays": ["MO"], "sessionStartsFrom": "09:00", "sessionStartsBefore": "09:30"}, True),
        ({"sessionWeekdays": ["WE"], "sessionStartsFrom": "11:01"}, False),
        ({"sessionWeekdays": ["TU", "TH"]}, False),
        ({"sessionStartsBefore": "09:00"}, False),
    ],
)
async def test_search_by_the_weekday_and_local_time_of_approved_sessions(gql, world, filter, found):
    nodes = (await gql("caseworker", DAYS, {"filter": {"specialtyIds": [world.counseling], **filter}})).ok()[
        "providerSearch"
    ]["nodes"]
    assert [n["provider"]["name"] for n in nodes] == (["Cosville Grief Counseling Center"] if found else [])


async def test_results_carry_the_next_three_sessions(gql, world):
    nodes = (await gql("caseworker", DAYS, {"filter": {"sessionWeekdays": ["WE"]}})).ok()["providerSearch"]["nodes"]
    sessions = nodes[0]["nextSessions"]
    assert len(sessions) == 3
    assert [s["startsAt"] for s in sessions] == sorted(s["startsAt"] for s in sessions)
    nothing = (await gql("caseworker", DAYS, {"filter": {"providerName": "Harvest"}})).ok()["providerSearch"]
    assert all(n["nextSessions"] == [] for n in nothing["nodes"])


async def _code_set(gql, code: str) -> str:
    nodes = (await gql("agency_admin", "query { codeSets(first: 100) { nodes { id code } } }")).ok()["codeSets"]
    return next(n["id"] for n in nodes["nodes"] if n["code"] == code)


COUNSELING = {"Cosville Grief Counseling Center", "Prairie Telehealth Counseling"}


async def test_a_code_set_finds_facilities_offering_what_the_benefits_it_bills_require(gql, world):
    # 90832 bills grief counseling directly, 90834 only through its bundle: both find counseling (and under it)
    for code in ("90832", "90834"):
        found = await search(gql, {"codeSetId": await _code_set(gql, code)})
        assert {n["provider"]["name"] for n in found["nodes"]} == COUNSELING, code
        assert {s["code"] for n in found["nodes"] for s in n["matchingSpecialties"]} <= {"CNS", "CNS-GRF", "CNS-FAM"}
        assert all(n["matchingSpecialties"] for n in found["nodes"]), code  # each says why it matched
    food = await search(gql, {"codeSetId": await _code_set(gql, "FB-01")})
    assert {n["provider"]["name"] for n in food["nodes"]} == {"Harvest Table Food Pantry"}
    assert food["totalCount"] == 2


async def test_the_code_set_filter_composes_with_the_others_and_pages(gql, world):
    code = await _code_set(gql, "90834")
    near = {"latitude": STEVES_HOME[0], "longitude": STEVES_HOME[1]}
    virtual = await search(gql, {"codeSetId": code, "providerTypes": ["VIRTUAL"]})
    assert [n["provider"]["name"] for n in virtual["nodes"]] == ["Prairie Telehealth Counseling"]
    close = await search(gql, {"codeSetId": code, "near": near, "radiusKm": 5})
    assert [n["provider"]["name"] for n in close["nodes"]] == ["Cosville Grief Counseling Center"]
    food_and_code = await search(gql, {"codeSetId": code, "specialtyIds": [world.food_pantry_specialty]})
    assert food_and_code["totalCount"] == 0  # every filter narrows
    by_benefit = await search(gql, {"codeSetId": code, "benefitId": world.grief_counseling, "near": near})
    # two at a time, then one at a time: the same facilities, nearest first, each once
    for size in (2, 1):
        seen, after = [], None
        while True:
            page = await search(gql, {"codeSetId": code, "near": near}, first=size, after=after)
            seen += [n["facility"]["id"] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == [n["facility"]["id"] for n in by_benefit["nodes"]]
        assert len(seen) == page["totalCount"] == 2


async def test_a_benefit_also_matches_through_its_item_codes(gql, world):
    # given: a benefit naming no specialty, billed by 90832 like grief counseling
    created = (
        await gql(
            "agency_admin",
            """mutation Op($input: BenefitCreateInput!) { createBenefit(input: $input) { benefit { id } } }""",
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
    refused = await gql("caseworker", SEARCH, {"filter": {"benefitId": created}})
    assert refused.errors[0]["extensions"]["field"] == "filter.benefitId"
    await gql(
        "agency_admin",
        """mutation Op($b: ID!, $c: ID!) { createBenefitItemCode(input: {benefitId: $b, code: "B-00078",
        codeSetId: $c}) { errors { code } } }""",
        {"b": created, "c": world.cpt_90832},
    )
    found = await search(gql, {"benefitId": created})
    assert {n["provider"]["name"] for n in found["nodes"]} == COUNSELING


@pytest.mark.parametrize(
    ("code_set", "code"),
    [("missing", "NOT_FOUND"), ("other agency's", "NOT_FOUND"), ("billing nothing", "INVALID")],
)
async def test_a_code_set_to_search_by_must_be_yours_and_bill_a_benefit_naming_a_specialty(gql, code_set, code):
    make = """mutation Op($input: CodeSetCreateInput!) { createCodeSet(input: $input) { codeSet { id } } }"""
    values = {"input": {"code": "T-1", "description": "Test", "rate": "1.00"}}
    if code_set == "missing":
        code_set_id = "999999"
    elif code_set == "other agency's":
        code_set_id = (await gql("other_agency_admin", make, values)).ok()["createCodeSet"]["codeSet"]["id"]
    else:
        code_set_id = (await gql("agency_admin", make, values)).ok()["createCodeSet"]["codeSet"]["id"]
    result = await gql("caseworker", SEARCH, {"filter": {"codeSetId": code_set_id}})
    error = result.errors[0]["extensions"]
    assert (error["code"], error["field"]) == (code, "filter.codeSetId")
