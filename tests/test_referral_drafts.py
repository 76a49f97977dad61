"""Drafts (issue 10): the agency edits a draft before sending it and cancels it when the client declines; a
re-referral links to the last referral of the assignment that was sent, never to a draft. Reasons only where a step
takes one."""

import pytest
from sqlmodel import select

from server.domain.audit import AuditEvent
from server.domain.errors import Invalid
from server.domain.referrals import referrals
from server.domain.referrals.models import ReasonCode
from server.domain.referrals.transitions import TRANSITIONS
from tests.conftest import assert_denied

pytestmark = pytest.mark.anyio

CREATE = """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input) {
  referral { id status version replacesId } errors { code field } } }"""
UPDATE = """mutation Op($id: ID!, $input: ReferralUpdateInput!, $version: Int!) {
  updateReferral(id: $id, input: $input, expectedVersion: $version) {
    referral { id status version priority notes sharedFields facility { id } consentGivenAt consentExpiresAt }
    errors { code field message } } }"""
SEND = "mutation Op($id: ID!) { sendReferral(id: $id) { referral { status sentAt } errors { code field } } }"
CANCEL = """mutation Op($id: ID!) { cancelReferral(id: $id, reason: CLIENT_DECLINED, note: "Changed her mind")
  { referral { status statusReason statusNote } errors { code field } } }"""


async def draft(gql, world, **extra) -> dict:
    values = {"benefitAssignmentId": world.food_box_assignment, "providerId": world.pantry, **extra}
    return (await gql("caseworker", CREATE, {"input": values})).ok()["createReferral"]["referral"]


async def test_a_draft_is_edited_field_by_field_and_then_sent(gql, db, world):
    # given: a draft with no consent and nothing shared
    made = await draft(gql, world)
    refused = await gql("caseworker", SEND, {"id": made["id"]})
    assert refused.data["sendReferral"]["errors"][0]["code"] == "INVALID"
    # when: the caseworker records consent, shares the phone, names the facility and raises the priority
    changes = {
        "facilityId": world.pantry_facility,
        "priority": "URGENT",
        "notes": "Prefers mornings.",
        "sharedFields": ["PHONE"],
        "consent": {"givenAt": "2026-11-30T15:00:00Z", "expiresAt": "2027-11-30T15:00:00Z"},
    }
    result = await gql("caseworker", UPDATE, {"id": made["id"], "input": changes, "version": made["version"]})
    # then
    edited = result.ok()["updateReferral"]["referral"]
    assert edited["status"] == "DRAFT" and edited["version"] == made["version"] + 1
    assert (edited["priority"], edited["notes"], edited["sharedFields"]) == ("URGENT", "Prefers mornings.", ["PHONE"])
    assert edited["facility"] == {"id": str(world.pantry_facility)}
    assert edited["consentGivenAt"] is not None and edited["consentExpiresAt"] is not None
    # only the fields given change
    notes_only = await gql(
        "caseworker", UPDATE, {"id": made["id"], "input": {"notes": "Mornings only."}, "version": edited["version"]}
    )
    again = notes_only.ok()["updateReferral"]["referral"]
    assert (again["notes"], again["priority"], again["sharedFields"]) == ("Mornings only.", "URGENT", ["PHONE"])
    assert again["consentGivenAt"] == edited["consentGivenAt"]
    async with db.read() as session:
        actions = (await session.exec(select(AuditEvent.action).where(AuditEvent.record_id == int(made["id"])))).all()
    assert actions.count("referral.update") == 2
    # and it can be sent now
    assert (await gql("caseworker", SEND, {"id": made["id"]})).ok()["sendReferral"]["referral"]["status"] == (
        "REQUESTED"
    )


async def test_withdrawn_consent_stops_the_sending(gql, world):
    made = await draft(gql, world, consent={"givenAt": "2026-11-30T15:00:00Z"})
    result = await gql("caseworker", UPDATE, {"id": made["id"], "input": {"consent": None}, "version": made["version"]})
    assert result.ok()["updateReferral"]["referral"]["consentGivenAt"] is None
    assert (await gql("caseworker", SEND, {"id": made["id"]})).data["sendReferral"]["errors"][0]["code"] == "INVALID"


async def test_an_update_is_refused_when_stale_not_a_draft_or_invalid_and_changes_nothing(gql, world):
    made = await draft(gql, world, consent={"givenAt": "2026-11-30T15:00:00Z"})
    stale = await gql("caseworker", UPDATE, {"id": made["id"], "input": {"notes": "x"}, "version": made["version"] - 1})
    assert [e["code"] for e in stale.data["updateReferral"]["errors"]] == ["CONFLICT"]
    # another provider's facility
    wrong = await gql(
        "caseworker",
        UPDATE,
        {"id": made["id"], "input": {"facilityId": world.grief_facility}, "version": made["version"]},
    )
    assert wrong.data["updateReferral"]["errors"][0] == {
        "code": "INVALID",
        "field": "facilityId",
        "message": "The facility is not an active facility of this provider.",
    }
    future = await gql(
        "caseworker",
        UPDATE,
        {"id": made["id"], "input": {"consent": {"givenAt": "2099-01-01T00:00:00Z"}}, "version": made["version"]},
    )
    assert future.data["updateReferral"]["errors"][0]["code"] == "INVALID"
    unchanged = (await gql("caseworker", "query Op($id: ID!) { referral(id: $id) { version notes } }", made)).ok()
    assert unchanged["referral"] == {"version": made["version"], "notes": None}
    # a sent referral is no longer edited
    sent = (await gql("caseworker", SEND, {"id": made["id"]})).ok()
    assert sent["sendReferral"]["referral"]["status"] == "REQUESTED"
    late = await gql("caseworker", UPDATE, {"id": made["id"], "input": {"notes": "x"}, "version": made["version"] + 1})
    assert late.data["updateReferral"]["errors"][0]["code"] == "CONFLICT"
    assert "only a draft" in late.data["updateReferral"]["errors"][0]["message"]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("caseworker", None),
        ("supervisor", None),
        ("agency_admin", None),
        ("provider_a", "FORBIDDEN"),
        ("provider_a_admin", "FORBIDDEN"),
        ("provider_b", "FORBIDDEN"),
        ("other_agency_admin", "NOT_FOUND"),
        (None, "UNAUTHENTICATED"),
    ],
)
async def test_who_may_edit_a_draft(gql, world, who, code):
    made = await draft(gql, world)
    result = await gql(who, UPDATE, {"id": made["id"], "input": {"priority": "ASAP"}, "version": made["version"]})
    if code is None:
        assert result.ok()["updateReferral"]["referral"]["priority"] == "ASAP"
    else:
        assert_denied(result, code)


async def test_a_draft_is_cancelled_with_a_reason_and_a_re_referral_does_not_link_to_it(gql, world):
    # given: a draft the client declined before it was sent
    made = await draft(gql, world)
    cancelled = (await gql("caseworker", CANCEL, {"id": made["id"]})).ok()["cancelReferral"]["referral"]
    assert cancelled == {"status": "CANCELLED", "statusReason": "CLIENT_DECLINED", "statusNote": "Changed her mind"}
    # when: the client comes back and is referred again
    again = await draft(gql, world)
    # then: the new referral replaces nothing the provider ever received
    assert again["replacesId"] is None
    # and a draft left open is skipped too, after a referral that was sent and rejected
    rejected = """mutation Op($id: ID!) { rejectReferral(id: $id, reason: NO_CAPACITY) { errors { code } } }"""
    assert (await gql("caseworker", SEND, {"id": again["id"]})).payload_errors()  # no consent: stays a draft
    (await gql("caseworker", CANCEL, {"id": again["id"]})).ok()
    third = await draft(gql, world, consent={"givenAt": "2026-11-30T15:00:00Z"})
    (await gql("caseworker", SEND, {"id": third["id"]})).ok()
    (await gql("provider_b", rejected, {"id": third["id"]})).ok()
    fourth = await draft(gql, world)
    (await gql("caseworker", CANCEL, {"id": fourth["id"]})).ok()
    fifth = await draft(gql, world)
    assert fifth["replacesId"] == third["id"]


def _referral_mutations_with_reason():
    from graphql import get_named_type

    from server.graphql.schema import build_schema

    fields = build_schema()._schema.mutation_type.fields
    return {
        name: "reason" in field.args
        for name, field in fields.items()
        if "referral" in getattr(get_named_type(field.type), "fields", {}) and "id" in field.args
    }


def test_only_steps_that_take_a_reason_offer_the_argument():
    offered = _referral_mutations_with_reason()
    takes_reason = {
        "rejectReferral",
        "holdReferral",
        "cancelReferral",
        "failReferral",
        "markReferralEnteredInError",
        "denyAuthorization",
    }
    assert {name for name, has in offered.items() if has} == takes_reason
    assert {"acceptReferral", "sendReferral", "startReferral", "completeReferral", "authorizeReferral"} <= set(offered)


@pytest.mark.parametrize("action", [a for a, t in TRANSITIONS.items() if not t.needs_reason] + ["request", "authorize"])
async def test_the_domain_refuses_a_reason_where_the_step_takes_none(db, people, world, action):
    # given: the demo's REQUESTED referral, accepted first for the authorization steps
    who = "caseworker" if action in ("send", "authorize") else "provider_a"
    target = world.new_referral
    async with db.write() as session:
        if action == "send":
            values = {"benefit_assignment_id": world.food_box_assignment, "provider_id": world.pantry}
            target = (await referrals.create_referral(session, people["caseworker"], values)).id
        if action in ("request", "authorize", "start", "complete"):
            await referrals.transition(session, people["provider_a"], target, "accept")
        if action == "authorize":
            await referrals.decide_authorization(session, people["provider_a"], target, "request")
    # when / then
    with pytest.raises(Invalid) as refused:
        async with db.write() as session:
            if action in ("request", "authorize"):
                await referrals.decide_authorization(
                    session, people[who], target, action, reason=ReasonCode.NOT_ELIGIBLE
                )
            else:
                await referrals.transition(session, people[who], target, action, reason=ReasonCode.NOT_ELIGIBLE)
    assert refused.value.field == "reason"
