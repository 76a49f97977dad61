"""The benefit catalogue: each agency's own, checked values, money as Decimal, nothing deleted."""

import pytest
from sqlmodel import func, select

from server.domain.audit import AuditEvent
from server.domain.catalogue.models import Benefit, CodeSet

pytestmark = pytest.mark.anyio

CREATE_CODE_SET = """mutation Op($input: CodeSetCreateInput!) {
  createCodeSet(input: $input) { codeSet { id code rate } errors { code field message } }
}"""
CREATE_BENEFIT = """mutation Op($input: BenefitCreateInput!) {
  createBenefit(input: $input) { benefit { id name specialties { code } } errors { code field message } }
}"""
CREATE_ITEM_CODE = """mutation Op($input: BenefitItemCodeCreateInput!) {
  createBenefitItemCode(input: $input) { benefitItemCode { id } errors { code field } }
}"""


async def count(db, model) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def test_each_agency_sees_only_its_own_catalogue(gql, world):
    cosville = (await gql("caseworker", "query { programs { nodes { id name } } benefits { totalCount } }")).ok()
    harlow = (await gql("other_agency_admin", "query { programs { nodes { id name } } benefits { totalCount } }")).ok()
    assert [p["id"] for p in harlow["programs"]["nodes"]] == [str(world.other_family_support)]
    assert str(world.family_support) in [p["id"] for p in cosville["programs"]["nodes"]]
    assert str(world.other_family_support) not in [p["id"] for p in cosville["programs"]["nodes"]]
    assert harlow["benefits"]["totalCount"] == 0
    assert cosville["benefits"]["totalCount"] == 3


async def test_an_agency_cannot_build_on_another_agencys_catalogue(gql, db, world):
    before = await count(db, Benefit)
    result = await gql(
        "other_agency_admin",
        CREATE_BENEFIT,
        {
            "input": {
                "programId": world.family_support,
                "benefitTypeId": world.mental_health,
                "name": "Borrowed",
                "unitOfMeasure": "session",
            }
        },
    )
    errors = result.data["createBenefit"]["errors"]
    assert errors[0]["code"] == "NOT_FOUND"
    assert errors[0]["field"] == "programId"
    assert await count(db, Benefit) == before


async def test_the_demo_grief_counseling_benefit(gql, world):
    benefit = (
        await gql(
            "caseworker",
            """query Op($id: ID!) { benefit(id: $id) {
      name unitOfMeasure requiresAuthorization program { name } benefitType { name kind } specialties { name }
      itemCodes { code codeSet { code system rate } } } }""",
            {"id": world.grief_counseling},
        )
    ).ok()["benefit"]
    assert benefit["program"]["name"] == "Family Support"
    assert benefit["benefitType"] == {"name": "Mental Health", "kind": "SERVICE"}
    assert [s["name"] for s in benefit["specialties"]] == ["Counseling"]
    assert {"code": "B-00034", "codeSet": {"code": "90832", "system": "CPT", "rate": "85.00"}} in benefit["itemCodes"]


@pytest.mark.parametrize(("rate", "stored"), [("85.5", "85.50"), ("0", "0.00"), ("1234567.89", "1234567.89")])
async def test_rates_are_exact_decimals(gql, db, rate, stored):
    result = await gql("agency_admin", CREATE_CODE_SET, {"input": {"code": "T1", "description": "Test", "rate": rate}})
    code_set = result.ok()["createCodeSet"]["codeSet"]
    assert code_set["rate"] == stored
    async with db.read() as session:
        assert str((await session.get(CodeSet, int(code_set["id"]))).rate) == stored


@pytest.mark.parametrize("rate", ["12.345", "-1", "NaN", "a lot"])
async def test_bad_rates_are_refused_on_the_rate_field(gql, db, rate):
    before = await count(db, CodeSet)
    result = await gql("agency_admin", CREATE_CODE_SET, {"input": {"code": "T1", "description": "Test", "rate": rate}})
    if result.errors:  # not even a Decimal: refused by the GraphQL type itself
        assert result.errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    else:
        assert result.data["createCodeSet"]["errors"][0]["field"] == "rate"
    assert await count(db, CodeSet) == before


async def test_a_code_is_unique_within_its_system(gql):
    result = await gql(
        "agency_admin", CREATE_CODE_SET, {"input": {"code": "90832", "description": "Again", "rate": "1.00"}}
    )
    assert result.data["createCodeSet"]["errors"][0]["code"] == "CONFLICT"
    other_system = await gql(
        "agency_admin",
        CREATE_CODE_SET,
        {"input": {"code": "90832", "system": "LOCAL", "description": "Local", "rate": "1.00"}},
    )
    assert other_system.ok()["createCodeSet"]["codeSet"]["code"] == "90832"


@pytest.mark.parametrize("targets", ["both", "neither"])
async def test_an_item_code_bills_a_code_set_or_a_bundle(gql, world, targets):
    target = {"codeSetId": world.cpt_90832, "codeSetBundleId": world.counseling_bundle} if targets == "both" else {}
    result = await gql(
        "agency_admin", CREATE_ITEM_CODE, {"input": {"benefitId": world.grief_counseling, "code": "B-1", **target}}
    )
    assert result.data["createBenefitItemCode"]["errors"] == [{"code": "INVALID", "field": "codeSetId"}]


async def test_a_program_cannot_end_before_it_starts(gql):
    result = await gql(
        "agency_admin",
        """mutation { createProgram(input: {name: "Backwards",
      startDate: "2027-02-01", endDate: "2027-01-01"}) { program { id } errors { code field } } }""",
    )
    assert result.data["createProgram"]["errors"] == [{"code": "INVALID", "field": "endDate"}]


async def test_a_failure_late_in_a_mutation_undoes_all_of_it(gql, db, world):
    # given: the benefit itself is valid; one of its specialties does not exist
    benefits, events = await count(db, Benefit), await count(db, AuditEvent)
    # when
    result = await gql(
        "agency_admin",
        CREATE_BENEFIT,
        {
            "input": {
                "programId": world.family_support,
                "benefitTypeId": world.mental_health,
                "name": "Group Grief Support",
                "unitOfMeasure": "session",
                "specialtyIds": [world.counseling, 999999],
            }
        },
    )
    # then
    assert result.data["createBenefit"]["errors"][0] == {
        "code": "NOT_FOUND",
        "field": "specialtyIds",
        "message": "No active care specialty with id 999999.",
    }
    assert await count(db, Benefit) == benefits
    assert await count(db, AuditEvent) == events


async def test_deactivated_entries_leave_lists_but_stay_readable(gql, world):
    await gql(
        "agency_admin",
        "mutation Op($id: ID!) { deactivateCodeSet(id: $id) { codeSet { active } } }",
        {"id": world.cpt_90832},
    )
    listed = (await gql("caseworker", "query { codeSets { nodes { code } } }")).ok()["codeSets"]["nodes"]
    assert "90832" not in [c["code"] for c in listed]
    everything = await gql("caseworker", "query { codeSets(filter: {includeInactive: true}) { nodes { code } } }")
    assert "90832" in [c["code"] for c in everything.ok()["codeSets"]["nodes"]]
    kept = await gql("caseworker", "query Op($id: ID!) { codeSet(id: $id) { active } }", {"id": world.cpt_90832})
    assert kept.ok()["codeSet"]["active"] is False
