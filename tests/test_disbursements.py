"""Ad hoc disbursements and corrections: who may disburse against which assignment, amounts as Decimal, and
corrections that void or change while keeping what was there."""

import pytest

pytestmark = pytest.mark.anyio

RECORD = """mutation Op($input: BenefitDisbursementInput!) { recordBenefitDisbursement(input: $input) {
  disbursement { id status quantity rate amount unit code referralId recipientType } errors { code field } } }"""
CORRECT = """mutation Op($id: ID!, $quantity: Decimal, $void: Boolean! = false, $note: String!) {
  correctBenefitDisbursement(id: $id, quantity: $quantity, void: $void, note: $note) {
  disbursement { status quantity amount version revisions { status quantity amount note correctedByName } }
  errors { code field } } }"""


def ad_hoc(assignment: int, **extra) -> dict:
    return {"input": {"benefitAssignmentId": assignment, "serviceDate": "2026-11-20", "quantity": "1.5", **extra}}


async def test_a_provider_disburses_on_a_referral_it_serves_priced_by_the_code_set(gql, world):
    made = (await gql("provider_a", RECORD, ad_hoc(world.grief_assignment, codeSetId=world.cpt_90832))).ok()
    disbursement = made["recordBenefitDisbursement"]["disbursement"]
    assert disbursement | {"id": None} == {
        "id": None,
        "status": "COMPLETED",
        "quantity": "1.50",
        "rate": "85.00",
        "amount": "127.50",
        "unit": "session",
        "code": "90832",
        "referralId": str(world.steve_referral),
        "recipientType": "PROGRAM_ENROLLMENT",
    }


async def test_disbursing_needs_an_assignment_you_may_see_and_serve(gql, world):
    cases = [
        ("provider_b", world.grief_assignment, "NOT_FOUND"),  # referred to provider A
        ("provider_a", world.food_box_assignment, "NOT_FOUND"),  # never referred
        ("provider_a", world.new_assignment, "CONFLICT"),  # referred, but not yet accepted
        ("other_agency_admin", world.grief_assignment, "NOT_FOUND"),
    ]
    for who, assignment, code in cases:
        result = await gql(who, RECORD, ad_hoc(assignment))
        assert [e["code"] for e in result.data["recordBenefitDisbursement"]["errors"]] == [code], (who, assignment)


async def test_bad_values_are_refused_by_field(gql, world):
    cases = [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.234"}, "quantity"),
        ({"quantity": "1E+400"}, "quantity"),  # past the Decimal context's precision: too large, not a crash
        ({"quantity": "99999999999999999999.5"}, "quantity"),
        ({"serviceDate": "2099-01-01"}, "serviceDate"),
        ({"codeSetId": world.cpt_90832 + 100}, "codeSetId"),
    ]
    for extra, field in cases:
        result = await gql("caseworker", RECORD, ad_hoc(world.food_box_assignment, **extra))
        assert [e["field"] for e in result.data["recordBenefitDisbursement"]["errors"]] == [field], extra


async def test_a_correction_keeps_the_earlier_values_and_voiding_ends_corrections(gql, world):
    made = (await gql("caseworker", RECORD, ad_hoc(world.food_box_assignment))).ok()
    disbursement_id = made["recordBenefitDisbursement"]["disbursement"]["id"]
    changed = (await gql("caseworker", CORRECT, {"id": disbursement_id, "quantity": "2", "note": "Two boxes"})).ok()
    voided = (await gql("supervisor", CORRECT, {"id": disbursement_id, "void": True, "note": "Duplicate"})).ok()
    record = voided["correctBenefitDisbursement"]["disbursement"]
    assert (record["status"], record["quantity"], record["version"]) == ("VOIDED", "2.00", 3)
    assert [(r["status"], r["quantity"], r["note"]) for r in record["revisions"]] == [
        ("COMPLETED", "1.50", "Two boxes"),
        ("COMPLETED", "2.00", "Duplicate"),
    ]
    assert changed["correctBenefitDisbursement"]["disbursement"]["quantity"] == "2.00"
    again = await gql("caseworker", CORRECT, {"id": disbursement_id, "quantity": "3", "note": "Again"})
    assert again.data["correctBenefitDisbursement"]["errors"] == [{"code": "CONFLICT", "field": "id"}]
    no_note = await gql("caseworker", CORRECT, {"id": disbursement_id, "quantity": "3", "note": " "})
    assert no_note.data["correctBenefitDisbursement"]["errors"] == [{"code": "REQUIRED", "field": "note"}]


async def test_the_amount_follows_a_corrected_quantity(gql, world):
    found = await gql("provider_a", CORRECT, {"id": world.steve_disbursement, "quantity": "2", "note": "Double"})
    record = found.ok()["correctBenefitDisbursement"]["disbursement"]
    assert (record["quantity"], record["amount"]) == ("2.00", "170.00")
    assert record["revisions"][0]["amount"] == "85.00"
    assert record["revisions"][0]["correctedByName"] == "Ashley Moreno"
    denied = await gql("provider_b", CORRECT, {"id": world.steve_disbursement, "quantity": "2", "note": "x"})
    assert denied.data["correctBenefitDisbursement"]["errors"][0]["code"] == "NOT_FOUND"


async def test_referral_delivery_counts_attended_sessions_and_units(gql, world):
    query = "query Op($id: ID!) { referral(id: $id) { delivery { sessionsAttended unitsDelivered } } }"
    assert (await gql("caseworker", query, {"id": world.steve_referral})).ok()["referral"]["delivery"] == {
        "sessionsAttended": 4,
        "unitsDelivered": "4.00",
    }
    await gql("provider_a", RECORD, ad_hoc(world.grief_assignment, codeSetId=world.cpt_90832))
    assert (await gql("provider_a", query, {"id": world.steve_referral})).ok()["referral"]["delivery"] == {
        "sessionsAttended": 4,
        "unitsDelivered": "5.50",
    }
