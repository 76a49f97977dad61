"""Notes and keys given beside an input are checked as input fields are: a bad one is a typed error on its
field, and nothing is written."""

import pytest

from tests.test_access import audit_count
from tests.test_bulk import walk_in

pytestmark = pytest.mark.anyio

TOO_LONG = "x" * 2001
CASES = {
    "rejectReferral": (
        "provider_a",
        """mutation Op($id: ID!, $note: String) { rejectReferral(id: $id, reason: OTHER, note: $note) {
          errors { code field } } }""",
        lambda w, note: {"id": w.new_referral, "note": note},
    ),
    "cancelBenefitSession": (
        "provider_a_admin",
        """mutation Op($id: ID!, $note: String!) { cancelBenefitSession(id: $id, note: $note) {
          errors { code field } } }""",
        lambda w, note: {"id": w.mwf_session, "note": note},
    ),
    "postponeBenefitSession": (
        "provider_a_admin",
        """mutation Op($id: ID!, $note: String) { postponeBenefitSession(id: $id, note: $note,
          startsAt: "2027-01-05T10:00:00-06:00", endsAt: "2027-01-05T11:00:00-06:00") { errors { code field } } }""",
        lambda w, note: {"id": w.mwf_session, "note": note},
    ),
    "correctBenefitDisbursement": (
        "caseworker",
        """mutation Op($id: ID!, $note: String!) { correctBenefitDisbursement(id: $id, quantity: "2", note: $note) {
          errors { code field } } }""",
        lambda w, note: {"id": w.steve_disbursement, "note": note},
    ),
}


@pytest.mark.parametrize("name", CASES)
async def test_a_note_too_long_is_refused_on_its_field_and_nothing_changes(gql, db, world, name):
    who, document, variables = CASES[name]
    events = await audit_count(db)
    refused = await gql(who, document, variables(world, TOO_LONG))
    assert refused.errors == []
    assert refused.data[name]["errors"] == [{"code": "INVALID", "field": "note"}]
    assert await audit_count(db) == events


@pytest.mark.parametrize("key, code", [("k" * 101, "INVALID"), ("   ", "REQUIRED")])
async def test_a_bad_idempotency_key_is_refused_on_its_field(gql, db, world, key, code):
    events = await audit_count(db)
    refused = await gql(
        "caseworker",
        """mutation Op($input: BulkDisbursementInput!, $key: String!) { disburseInBulk(input: $input,
          idempotencyKey: $key) { errors { code field } } }""",
        {"input": walk_in(world, [world.steve]), "key": key},
    )
    assert refused.data["disburseInBulk"]["errors"] == [{"code": code, "field": "idempotencyKey"}]
    assert await audit_count(db) == events
