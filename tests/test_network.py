"""The provider network: who sees which providers and facilities, what each may change, and its rules."""

import pytest
from sqlmodel import func, select

from server.domain.audit import AuditEvent
from server.domain.network.facilities import address_visible
from server.domain.network.models import Facility, FacilitySpecialty, Provider
from server.domain.principal import Principal, Role
from tests.conftest import assert_denied

pytestmark = pytest.mark.anyio

PROVIDERS = "query { providers(first: 50) { totalCount nodes { name facilities { name } } } }"
FACILITIES = """query Op($filter: FacilityFilter) {
  facilities(filter: $filter, first: 50) { totalCount nodes { id name provider { name } address { line1 } } }
}"""
FACILITY = "query Op($id: ID!) { facility(id: $id) { name address { line1 latitude } } }"
UPDATE_FACILITY = """mutation Op($id: ID!, $input: FacilityUpdateInput!) {
  updateFacility(id: $id, input: $input) {
    facility { phone acceptingReferrals name specialties { primary specialty { code } } }
    errors { code field message }
  }
}"""
CREATE_PROVIDER = """mutation Op($input: ProviderCreateInput!) {
  createProvider(input: $input) { provider { id name status } errors { code field message } }
}"""


async def count(db, model) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_agency_staff_see_the_whole_network(gql):
    data = (await gql("caseworker", PROVIDERS)).ok()
    assert data["providers"]["totalCount"] == 7
    assert "Safe Harbor Shelter" in [p["name"] for p in data["providers"]["nodes"]]


@pytest.mark.parametrize(
    ("who", "own"), [("provider_a", "Cosville Grief Counseling Center"), ("provider_b", "Harvest Table Food Pantry")]
)
async def test_a_provider_sees_only_its_own_provider_and_facilities(gql, who, own):
    providers = (await gql(who, PROVIDERS)).ok()["providers"]
    assert providers["totalCount"] == 1
    assert [p["name"] for p in providers["nodes"]] == [own]
    facilities = (await gql(who, FACILITIES)).ok()["facilities"]
    assert facilities["totalCount"] >= 1
    assert {f["provider"]["name"] for f in facilities["nodes"]} == {own}


async def test_provider_b_cannot_reach_provider_a_by_id_filter_or_nesting(gql, world):
    assert_denied(await gql("provider_b", FACILITY, {"id": world.grief_facility}), "NOT_FOUND")
    assert_denied(
        await gql("provider_b", "query Op($id: ID!) { provider(id: $id) { name } }", {"id": world.grief_center}),
        "NOT_FOUND",
    )
    by_filter = await gql("provider_b", FACILITIES, {"filter": {"providerId": world.grief_center}})
    assert by_filter.ok()["facilities"] == {"totalCount": 0, "nodes": []}
    nested = await gql("provider_b", "query { viewer { provider { name facilities { name } } } }")
    assert all("Harvest" in f["name"] for f in nested.ok()["viewer"]["provider"]["facilities"])


async def test_not_found_looks_the_same_for_a_missing_and_a_hidden_facility(gql, world):
    hidden = await gql("provider_b", FACILITY, {"id": world.grief_facility})
    missing = await gql("provider_b", FACILITY, {"id": 999999})
    assert hidden.errors[0]["extensions"]["code"] == missing.errors[0]["extensions"]["code"] == "NOT_FOUND"
    assert hidden.errors[0]["message"].replace(str(world.grief_facility), "N") == missing.errors[0]["message"].replace(
        "999999", "N"
    )


async def test_a_confidential_address_shows_to_agency_staff_and_its_own_provider_only(gql, db, world):
    # through the API, agency staff see it
    shown = (await gql("caseworker", FACILITY, {"id": world.shelter_facility})).ok()["facility"]
    assert shown["address"]["line1"] == "Confidential"
    assert shown["address"]["latitude"] is not None
    # and the rule itself, for every kind of viewer
    async with db.read() as session:
        shelter = await session.get(Facility, world.shelter_facility)
    assert address_visible(Principal(1, "agency", Role.CASEWORKER, agency_id=1), shelter)
    assert address_visible(Principal(2, "own", Role.PROVIDER_STAFF, provider_id=shelter.provider_id), shelter)
    assert not address_visible(Principal(3, "other", Role.PROVIDER_STAFF, provider_id=world.pantry), shelter)
    async with db.read() as session:
        pantry_facility = await session.get(Facility, world.pantry_facility)
    assert address_visible(Principal(3, "other", Role.PROVIDER_STAFF, provider_id=world.grief_center), pantry_facility)


async def test_provider_users_update_their_facility_contact_details_and_availability(gql, world):
    result = await gql(
        "provider_a",
        UPDATE_FACILITY,
        {
            "id": world.grief_facility,
            "input": {"phone": "(217) 555-0199", "acceptingReferrals": False, "capacityStatus": "WAITLIST"},
        },
    )
    facility = result.ok()["updateFacility"]["facility"]
    assert facility["phone"] == "(217) 555-0199"
    assert facility["acceptingReferrals"] is False


async def test_provider_users_cannot_change_anything_else_of_their_facility(gql, db, world):
    # when
    result = await gql(
        "provider_a_admin",
        UPDATE_FACILITY,
        {"id": world.grief_facility, "input": {"name": "Renamed", "confidential": True, "phone": "(217) 555-0111"}},
    )
    # then
    errors = result.data["updateFacility"]["errors"]
    assert {(e["code"], e["field"]) for e in errors} == {("FORBIDDEN", "name"), ("FORBIDDEN", "confidential")}
    async with db.read() as session:
        facility = await session.get(Facility, world.grief_facility)
    assert facility.name.startswith("Cosville Grief") and facility.phone == "(217) 555-0134"
    specialties = await gql(
        "provider_a",
        UPDATE_FACILITY,
        {"id": world.grief_facility, "input": {"specialties": [{"specialtyId": world.food_pantry_specialty}]}},
    )
    assert specialties.data["updateFacility"]["errors"][0] == {
        "code": "FORBIDDEN",
        "field": "specialties",
        "message": "Only the agency may change specialties.",
    }


async def test_validation_errors_name_each_field_and_leave_nothing_behind(gql, db):
    providers_before, events_before = await count(db, Provider), await count(db, AuditEvent)
    # when
    result = await gql(
        "agency_admin",
        CREATE_PROVIDER,
        {"input": {"name": "  ", "type": "ONSITE", "email": "not-an-email", "website": "ftp://x"}},
    )
    # then
    payload = result.data["createProvider"]
    assert payload["provider"] is None
    assert {(e["code"], e["field"]) for e in payload["errors"]} == {
        ("INVALID", "name"),
        ("INVALID", "email"),
        ("INVALID", "website"),
    }
    assert all(e["message"] for e in payload["errors"])
    assert await count(db, Provider) == providers_before
    assert await count(db, AuditEvent) == events_before


async def test_a_provider_name_is_unique_in_any_case(gql, db):
    result = await gql(
        "agency_admin", CREATE_PROVIDER, {"input": {"name": "harvest table food PANTRY", "type": "ONSITE"}}
    )
    assert result.data["createProvider"]["errors"][0]["code"] == "CONFLICT"
    assert result.data["createProvider"]["errors"][0]["field"] == "name"


async def test_coordinates_come_in_pairs_and_in_range(gql, world):
    half = await gql("agency_admin", UPDATE_FACILITY, {"id": world.grief_facility, "input": {"latitude": None}})
    assert half.data["updateFacility"]["errors"][0]["field"] == "latitude"
    far = await gql("agency_admin", UPDATE_FACILITY, {"id": world.grief_facility, "input": {"longitude": 200.0}})
    assert far.data["updateFacility"]["errors"][0] == {
        "code": "INVALID",
        "field": "longitude",
        "message": "longitude must be between -180 and 180.",
    }


async def test_a_specialty_filter_matches_its_descendants(gql):
    roots = (
        await gql(
            "caseworker",
            """query {
      careSpecialties(filter: {rootsOnly: true}, first: 50) { nodes { id code children { code parent { code } } } }
    }""",
        )
    ).ok()["careSpecialties"]["nodes"]
    tree = {n["code"]: n for n in roots}
    assert [c["code"] for c in tree["FOOD"]["children"]] == ["FOOD-PAN", "FOOD-MEAL"]
    assert {c["parent"]["code"] for c in tree["HSG"]["children"]} == {"HSG"}
    # The pantry's facilities offer only FOOD-PAN and FOOD-MEAL, under FOOD.
    found = (await gql("caseworker", FACILITIES, {"filter": {"specialtyId": tree["FOOD"]["id"]}})).ok()
    assert {f["provider"]["name"] for f in found["facilities"]["nodes"]} == {"Harvest Table Food Pantry"}
    assert found["facilities"]["totalCount"] == 2


async def test_a_specialty_cannot_move_under_its_own_descendant(gql, world):
    result = await gql(
        "agency_admin",
        """mutation Op($id: ID!, $input: CareSpecialtyUpdateInput!) {
      updateCareSpecialty(id: $id, input: $input) { careSpecialty { id } errors { code field } }
    }""",
        {"id": world.counseling, "input": {"parentId": world.grief_specialty}},
    )
    assert result.data["updateCareSpecialty"]["errors"] == [{"code": "INVALID", "field": "parentId"}]


async def test_a_specialty_with_active_children_cannot_be_deactivated(gql, world):
    result = await gql(
        "agency_admin",
        """mutation Op($id: ID!) {
      deactivateCareSpecialty(id: $id) { careSpecialty { id } errors { code } } }""",
        {"id": world.counseling},
    )
    assert result.data["deactivateCareSpecialty"]["errors"] == [{"code": "CONFLICT"}]


async def test_dropped_facility_specialties_are_deactivated_not_deleted_and_come_back(gql, db, world):
    drop = {"id": world.grief_facility, "input": {"specialties": [{"specialtyId": world.counseling, "primary": True}]}}
    after = (await gql("agency_admin", UPDATE_FACILITY, drop)).ok()["updateFacility"]["facility"]
    assert [s["specialty"]["code"] for s in after["specialties"]] == ["CNS"]
    async with db.read() as session:
        links = (
            await session.exec(select(FacilitySpecialty).where(FacilitySpecialty.facility_id == world.grief_facility))
        ).all()
    assert {(link.specialty_id, link.active) for link in links} == {
        (world.counseling, True),
        (world.grief_specialty, False),
    }
    assert next(link for link in links if not link.active).effective_to is not None
    back = {
        "id": world.grief_facility,
        "input": {
            "specialties": [{"specialtyId": world.counseling, "primary": True}, {"specialtyId": world.grief_specialty}]
        },
    }
    again = (await gql("agency_admin", UPDATE_FACILITY, back)).ok()["updateFacility"]["facility"]
    assert sorted(s["specialty"]["code"] for s in again["specialties"]) == ["CNS", "CNS-GRF"]


async def test_two_primary_specialties_are_refused(gql, world):
    result = await gql(
        "agency_admin",
        UPDATE_FACILITY,
        {
            "id": world.grief_facility,
            "input": {
                "specialties": [
                    {"specialtyId": world.counseling, "primary": True},
                    {"specialtyId": world.grief_specialty, "primary": True},
                ]
            },
        },
    )
    assert result.data["updateFacility"]["errors"][0]["field"] == "specialties"


async def test_deactivating_a_provider_keeps_its_records(gql, db, world):
    result = await gql(
        "agency_admin",
        "mutation Op($id: ID!) { deactivateProvider(id: $id) { provider { status } } }",
        {"id": world.pantry},
    )
    assert result.ok()["deactivateProvider"]["provider"]["status"] == "INACTIVE"
    async with db.read() as session:
        assert (await session.get(Provider, world.pantry)) is not None
        assert len((await session.exec(select(Facility).where(Facility.provider_id == world.pantry))).all()) == 2


async def test_cursor_pagination_walks_the_whole_list_once(gql):
    seen, after = [], None
    while True:
        page = (
            await gql(
                "caseworker",
                """query Op($after: String) {
          providers(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { name } }
        }""",
                {"after": after},
            )
        ).ok()["providers"]
        seen += [p["name"] for p in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == page["totalCount"] == 7
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("args", "field"), [("first: 0", "first"), ("first: 1000", "first"), ('after: "bm90LWEtY3Vyc29y"', "after")]
)
async def test_bad_page_arguments_are_typed_errors(gql, args, field):
    result = await gql("caseworker", f"query {{ providers({args}) {{ totalCount }} }}")
    assert result.errors[0]["extensions"] == {"code": "INVALID", "field": field}


@pytest.mark.parametrize("values", [["Harvest", "one"], [1, 2], ["Harvest", True], ["Harvest", None]])
async def test_a_forged_cursor_of_the_right_shape_is_refused_not_crashed(gql, values):
    from server.domain.paging import encode_cursor

    result = await gql(
        "caseworker",
        "query Op($after: String) { providers(after: $after) { totalCount } }",
        {"after": encode_cursor(values)},
    )
    assert result.errors[0]["extensions"] == {"code": "INVALID", "field": "after"}
