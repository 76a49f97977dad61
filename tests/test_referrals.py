"""Referrals: the state machine by status and role, reasons, authorization, versions, racing transitions."""

import asyncio

import pytest
from sqlmodel import func, select

from server.domain.columns import utcnow
from server.domain.errors import DomainError
from server.domain.referrals import referrals
from server.domain.referrals.models import (
    LIVE,
    AuthorizationStatus,
    ReasonCode,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from server.domain.referrals.transitions import TRANSITIONS, Side
from tests.conftest import World, assert_denied

pytestmark = pytest.mark.anyio

S = ReferralStatus
# From the demo's REQUESTED referral, the steps to each status: (who, action).
PATHS = {
    S.DRAFT: [("agency", "mark_in_error"), ("agency", "create_draft")],
    S.REQUESTED: [],
    S.ACCEPTED: [("provider", "accept")],
    S.REJECTED: [("provider", "reject")],
    S.ON_HOLD: [("provider", "accept"), ("provider", "hold")],
    S.IN_PROGRESS: [("provider", "accept"), ("provider", "request"), ("agency", "authorize"), ("provider", "start")],
    S.COMPLETED: [("provider", "accept"), ("provider", "complete")],
    S.FAILED: [("provider", "accept"), ("provider", "fail")],
    S.CANCELLED: [("agency", "cancel")],
    S.ENTERED_IN_ERROR: [("agency", "mark_in_error")],
}


def reason_for(action: str) -> ReasonCode | None:
    """A reason where the step takes one, none where it does not."""
    return ReasonCode.CLIENT_DECLINED if TRANSITIONS[action].needs_reason else None


class Rollback(Exception):
    pass


async def drive(db, people, world: World, status: S) -> int:
    """The id of a referral of Steve's grief counseling assignment, brought to `status` by the rules."""
    referral_id = world.new_referral
    actor = {"agency": people["caseworker"], "provider": people["provider_a"]}
    for side, action in PATHS[status]:
        async with db.write() as session:
            if action == "create_draft":
                referral_id = (
                    await referrals.create_referral(
                        session,
                        actor[side],
                        {
                            "benefit_assignment_id": world.new_assignment,
                            "provider_id": world.grief_center,
                            "consent_given_at": utcnow(),
                        },
                    )
                ).id
            elif action in ("request", "authorize"):
                await referrals.decide_authorization(session, actor[side], referral_id, action)
            else:
                await referrals.transition(session, actor[side], referral_id, action, reason=reason_for(action))
    return referral_id


async def attempt(db, principal, referral_id: int, action: str) -> str:
    """Tries `action` in a transaction that is always rolled back: 'ok' or the refusal's code."""
    try:
        async with db.write() as session:
            await referrals.transition(session, principal, referral_id, action, reason=reason_for(action))
            raise Rollback
    except Rollback:
        return "ok"
    except DomainError as error:
        return error.code.value


async def state(db, referral_id: int) -> tuple:
    async with db.read() as session:
        referral = await session.get(Referral, referral_id)
        events = (
            await session.exec(
                select(func.count()).select_from(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
            )
        ).one()
    return referral.status, referral.version, events


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.value)
async def test_the_state_machine(db, people, world, status):
    # given
    referral_id = await drive(db, people, world, status)
    before = await state(db, referral_id)
    assert before[0] == status
    # when / then: every action, by the right side, the wrong side and the wrong provider
    succeeded = {Side.AGENCY: set(), Side.PROVIDER: set()}
    for action, step in TRANSITIONS.items():
        right = people["caseworker"] if step.side is Side.AGENCY else people["provider_a"]
        wrong = people["provider_a_admin"] if step.side is Side.AGENCY else people["supervisor"]
        legal = status in step.sources
        if action == "start" and status in (S.ACCEPTED, S.ON_HOLD):
            legal = False  # Grief Counseling requires authorization, not requested on this path
        visible_to_provider = status != S.DRAFT
        expected_right = (
            "ok" if legal else ("NOT_FOUND" if right.is_provider and not visible_to_provider else "CONFLICT")
        )
        assert await attempt(db, right, referral_id, action) == expected_right, (action, "right side")
        if expected_right == "ok":
            succeeded[step.side].add(action)
        expected_wrong = "NOT_FOUND" if wrong.is_provider and not visible_to_provider else "FORBIDDEN"
        assert await attempt(db, wrong, referral_id, action) == expected_wrong, (action, "wrong side")
        assert await attempt(db, people["provider_b"], referral_id, action) == "NOT_FOUND", (action, "provider B")
        assert await attempt(db, people["other_agency_admin"], referral_id, action) == "NOT_FOUND"
    # and nothing changed
    assert await state(db, referral_id) == before
    # and what each side is offered is exactly what would succeed
    async with db.read() as session:
        referral = await session.get(Referral, referral_id)
    for side, who in ((Side.AGENCY, "caseworker"), (Side.PROVIDER, "provider_a")):
        offered = {a for a in referrals.available_actions(people[who], referral) if a in TRANSITIONS}
        assert offered == succeeded[side], side


async def test_a_transition_is_recorded_in_history_and_audit(gql, world):
    result = await gql(
        "provider_a",
        """mutation Op($id: ID!) { rejectReferral(id: $id, reason: NO_CAPACITY,
      note: "Full until March") { referral { status statusReason statusNote version
        history { kind fromStatus toStatus fromAuthorizationStatus toAuthorizationStatus reason note actorName
          actorRole } } errors { code } } }""",
        {"id": world.new_referral},
    )
    referral = result.ok()["rejectReferral"]["referral"]
    assert (referral["status"], referral["statusReason"], referral["statusNote"]) == (
        "REJECTED",
        "NO_CAPACITY",
        "Full until March",
    )
    assert referral["history"][-1] == {
        "kind": "STATUS",
        "fromStatus": "REQUESTED",
        "toStatus": "REJECTED",
        "fromAuthorizationStatus": None,
        "toAuthorizationStatus": None,
        "reason": "NO_CAPACITY",
        "note": "Full until March",
        "actorName": "Ashley Moreno",
        "actorRole": "PROVIDER_STAFF",
    }
    events = await gql(
        "supervisor",
        """query { auditEvents(filter: {action: "referral.reject"}) {
      nodes { before after } } }""",
    )
    node = events.ok()["auditEvents"]["nodes"][0]
    assert (node["before"]["status"], node["after"]["status"]) == ("REQUESTED", "REJECTED")


@pytest.mark.parametrize("mutation", ["rejectReferral", "cancelReferral"])
async def test_a_reason_is_required_to_reject_or_cancel(gql, world, mutation):
    who = "provider_a" if mutation == "rejectReferral" else "caseworker"
    result = await gql(
        who,
        f"mutation Op($id: ID!) {{ {mutation}(id: $id) {{ referral {{ id }} errors {{ code field message }} }} }}",
        {"id": world.new_referral},
    )
    assert result.data[mutation]["errors"][0]["code"] == "REQUIRED"
    assert result.data[mutation]["errors"][0]["field"] == "reason"
    status = await gql("caseworker", "query Op($id: ID!) { referral(id: $id) { status } }", {"id": world.new_referral})
    assert status.ok()["referral"]["status"] == "REQUESTED"


async def test_other_needs_a_note(gql, world):
    result = await gql(
        "provider_a",
        """mutation Op($id: ID!) { rejectReferral(id: $id, reason: OTHER) {
      errors { code field } } }""",
        {"id": world.new_referral},
    )
    assert result.data["rejectReferral"]["errors"] == [{"code": "REQUIRED", "field": "note"}]


@pytest.mark.parametrize("note", ["", "   ", "\n\t"])
async def test_other_needs_a_note_with_words_in_it(gql, world, note):
    result = await gql(
        "provider_a",
        """mutation Op($id: ID!, $note: String) { rejectReferral(id: $id, reason: OTHER, note: $note) {
      errors { code field } } }""",
        {"id": world.new_referral, "note": note},
    )
    assert result.data["rejectReferral"]["errors"] == [{"code": "REQUIRED", "field": "note"}]
    status = await gql("caseworker", "query Op($id: ID!) { referral(id: $id) { status } }", {"id": world.new_referral})
    assert status.ok()["referral"]["status"] == "REQUESTED"


async def test_an_illegal_transition_names_the_current_status(gql, world):
    result = await gql(
        "provider_a",
        """mutation Op($id: ID!) { completeReferral(id: $id) {
      errors { code field message } } }""",
        {"id": world.new_referral},
    )
    error = result.data["completeReferral"]["errors"][0]
    assert (error["code"], error["field"]) == ("CONFLICT", "id")  # the referral's status is at fault
    assert "REQUESTED" in error["message"]


async def test_authorization_gates_the_start_of_service(gql, world):
    ref = {"id": world.new_referral}
    doc = (
        "mutation Op($id: ID!) {{ {m}(id: $id) {{ referral {{ status authorizationStatus availableActions }} "
        "errors {{ code field }} }} }}"
    )
    (await gql("provider_a", doc.format(m="acceptReferral"), ref)).ok()
    too_early = await gql("provider_a", doc.format(m="startReferral"), ref)
    assert too_early.data["startReferral"]["errors"] == [{"code": "CONFLICT", "field": "id"}]
    asked = (await gql("provider_a", doc.format(m="requestAuthorization"), ref)).ok()["requestAuthorization"]
    assert asked["referral"]["authorizationStatus"] == "SUBMITTED"
    assert "START" not in asked["referral"]["availableActions"]
    assert_denied(await gql("provider_a", doc.format(m="authorizeReferral"), ref), "FORBIDDEN")
    decided = (await gql("caseworker", doc.format(m="authorizeReferral"), ref)).ok()["authorizeReferral"]
    assert decided["referral"]["authorizationStatus"] == "AUTHORIZED"
    started = (await gql("provider_a", doc.format(m="startReferral"), ref)).ok()["startReferral"]
    assert started["referral"]["status"] == "IN_PROGRESS"


async def test_an_authorization_change_is_recorded_with_authorization_statuses(gql, world):
    ref = {"id": world.new_referral}
    await gql("provider_a", "mutation Op($id: ID!) { acceptReferral(id: $id) { errors { code } } }", ref)
    asked = await gql(
        "provider_a",
        """mutation Op($id: ID!) { requestAuthorization(id: $id) { referral { history { kind fromStatus toStatus
      fromAuthorizationStatus toAuthorizationStatus } } } }""",
        ref,
    )
    history = asked.ok()["requestAuthorization"]["referral"]["history"]
    assert history[0] == {  # created as a draft
        "kind": "STATUS",
        "fromStatus": None,
        "toStatus": "DRAFT",
        "fromAuthorizationStatus": None,
        "toAuthorizationStatus": None,
    }
    assert history[-1] == {
        "kind": "AUTHORIZATION",
        "fromStatus": None,
        "toStatus": None,
        "fromAuthorizationStatus": "NOT_REQUESTED",
        "toAuthorizationStatus": "SUBMITTED",
    }


@pytest.mark.parametrize(
    ("who", "mutation", "message"),
    [
        ("caseworker", "requestAuthorization", "Only the provider may request authorization."),
        ("provider_a", "authorizeReferral", "Only the agency may authorize a referral."),
        ("provider_a", "denyAuthorization", "Only the agency may deny authorization."),
    ],
)
async def test_an_authorization_step_refused_to_the_other_side_says_which_step(gql, world, who, mutation, message):
    ref = {"id": world.new_referral}
    await gql("provider_a", "mutation Op($id: ID!) { acceptReferral(id: $id) { errors { code } } }", ref)
    if mutation != "requestAuthorization":
        await gql("provider_a", "mutation Op($id: ID!) { requestAuthorization(id: $id) { errors { code } } }", ref)
    result = await gql(who, f"mutation Op($id: ID!) {{ {mutation}(id: $id) {{ errors {{ code message }} }} }}", ref)
    assert result.data[mutation]["errors"] == [{"code": "FORBIDDEN", "message": message}]


@pytest.mark.parametrize(
    ("who", "mutation", "message"),
    [
        ("provider_a", "markReferralEnteredInError", "Only the agency may mark a referral entered in error."),
        ("provider_a", "cancelReferral", "Only the agency may cancel a referral."),
        ("caseworker", "acceptReferral", "Only the provider may accept a referral."),
    ],
)
async def test_a_status_step_refused_to_the_other_side_says_which_step(gql, world, who, mutation, message):
    reason = ", reason: ENTERED_BY_MISTAKE" if mutation != "acceptReferral" else ""
    result = await gql(
        who,
        f"mutation Op($id: ID!) {{ {mutation}(id: $id{reason}) {{ errors {{ code message }} }} }}",
        {"id": world.new_referral},
    )
    assert result.data[mutation]["errors"] == [{"code": "FORBIDDEN", "message": message}]


async def test_denying_authorization_needs_a_reason(gql, world):
    ref = {"id": world.new_referral}
    await gql("provider_a", "mutation Op($id: ID!) { acceptReferral(id: $id) { errors { code } } }", ref)
    await gql("provider_a", "mutation Op($id: ID!) { requestAuthorization(id: $id) { errors { code } } }", ref)
    denied = await gql("caseworker", "mutation Op($id: ID!) { denyAuthorization(id: $id) { errors { field } } }", ref)
    assert denied.data["denyAuthorization"]["errors"] == [{"field": "reason"}]


async def test_a_stale_version_is_refused(gql, world):
    result = await gql(
        "provider_a",
        """mutation Op($id: ID!) { acceptReferral(id: $id, expectedVersion: 1) {
      referral { version } errors { code } } }""",
        {"id": world.new_referral},
    )
    assert result.data["acceptReferral"]["errors"] == [{"code": "CONFLICT"}]  # sending made it version 2


@pytest.mark.parametrize(
    ("first", "second"), [("acceptReferral", "rejectReferral"), ("acceptReferral", "acceptReferral")]
)
async def test_two_racing_transitions_one_wins(gql, db, world, first, second):
    reasons = {"acceptReferral": "", "rejectReferral": ", reason: NO_CAPACITY"}
    document = "mutation Op($id: ID!) {{ {m}(id: $id{r}) {{ referral {{ status }} errors {{ code }} }} }}"
    # when
    results = await asyncio.gather(
        gql("provider_a", document.format(m=first, r=reasons[first]), {"id": world.new_referral}),
        gql("provider_a_admin", document.format(m=second, r=reasons[second]), {"id": world.new_referral}),
    )
    # then
    outcomes = sorted(
        "ok" if r.data[m]["referral"] else r.data[m]["errors"][0]["code"]
        for r, m in zip(results, (first, second), strict=True)
    )
    assert outcomes == ["CONFLICT", "ok"]
    async with db.read() as session:
        moves = (
            await session.exec(
                select(ReferralEvent).where(
                    ReferralEvent.referral_id == world.new_referral, ReferralEvent.from_value == "REQUESTED"
                )
            )
        ).all()
    assert len(moves) == 1


async def test_one_live_referral_per_assignment_and_re_referral_links_back(gql, db, world):
    create = """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input) {
      referral { id status replacesId } errors { code field } } }"""
    same = {"input": {"benefitAssignmentId": world.new_assignment, "providerId": world.grief_center}}
    refused = await gql("caseworker", create, same)
    assert refused.data["createReferral"]["errors"] == [{"code": "CONFLICT", "field": "benefitAssignmentId"}]
    await gql(
        "provider_a",
        """mutation Op($id: ID!) { rejectReferral(id: $id, reason: NO_CAPACITY) {
      errors { code } } }""",
        {"id": world.new_referral},
    )
    again = (await gql("caseworker", create, same)).ok()["createReferral"]["referral"]
    assert again["status"] == "DRAFT"
    assert again["replacesId"] == str(world.new_referral)
    async with db.read() as session:
        live = (
            await session.exec(
                select(func.count())
                .select_from(Referral)
                .where(Referral.benefit_assignment_id == world.new_assignment, Referral.status.in_(LIVE))
            )
        ).one()
    assert live == 1


async def test_sending_needs_the_participants_consent(gql, world):
    created = (
        await gql(
            "caseworker",
            """mutation Op($input: ReferralCreateInput!) { createReferral(input: $input) {
      referral { id } errors { code } } }""",
            {"input": {"benefitAssignmentId": world.food_box_assignment, "providerId": world.pantry}},
        )
    ).ok()
    referral_id = created["createReferral"]["referral"]["id"]
    sent = await gql(
        "caseworker", "mutation Op($id: ID!) { sendReferral(id: $id) { errors { code field } } }", {"id": referral_id}
    )
    assert sent.data["sendReferral"]["errors"] == [{"code": "INVALID", "field": "id"}]  # the draft lacks it


async def test_a_sent_referral_is_due_within_the_agencys_window_and_overdue_after(gql, db, world):
    from datetime import timedelta

    from server.domain.columns import utcnow

    doc = "query { referrals(filter: {overdue: true}) { totalCount nodes { isOverdue } } }"
    assert (await gql("provider_a", doc)).ok()["referrals"]["totalCount"] == 0
    async with db.write() as session:
        referral = await session.get(Referral, world.new_referral)
        referral.respond_by = utcnow() - timedelta(minutes=1)
    for who in ("provider_a", "caseworker"):
        overdue = (await gql(who, doc)).ok()["referrals"]
        assert overdue == {"totalCount": 1, "nodes": [{"isOverdue": True}]}


async def test_opening_records_the_first_view_once(gql, world):
    doc = "mutation Op($id: ID!) { openReferral(id: $id) { referral { isNew firstViewedAt } } }"
    assert (await gql("caseworker", doc, {"id": world.new_referral})).ok()["openReferral"]["referral"]["isNew"]
    first = (await gql("provider_a", doc, {"id": world.new_referral})).ok()["openReferral"]["referral"]
    again = (await gql("provider_a_admin", doc, {"id": world.new_referral})).ok()["openReferral"]["referral"]
    assert first["isNew"] is False
    assert again["firstViewedAt"] == first["firstViewedAt"]
    inbox = (await gql("provider_a", "query { referrals(filter: {new: true}) { totalCount } }")).ok()
    assert inbox["referrals"]["totalCount"] == 0


def test_transitions_match_the_design():
    assert {(name, t.side, t.target) for name, t in TRANSITIONS.items()} >= {
        ("accept", Side.PROVIDER, S.ACCEPTED),
        ("send", Side.AGENCY, S.REQUESTED),
    }
    # design.md: DRAFT → REQUESTED → ACCEPTED | REJECTED | CANCELLED; ACCEPTED → IN_PROGRESS | ON_HOLD | COMPLETED |
    # FAILED | CANCELLED; ON_HOLD → IN_PROGRESS | COMPLETED | FAILED | CANCELLED; IN_PROGRESS → COMPLETED | FAILED |
    # CANCELLED; ENTERED_IN_ERROR from DRAFT/REQUESTED. And (issue 10) a draft is cancelled, with a reason, when
    # the client declines before it is sent.
    edges = {(source, t.target) for t in TRANSITIONS.values() for source in t.sources}
    assert edges == {
        (S.DRAFT, S.REQUESTED),
        (S.DRAFT, S.CANCELLED),
        (S.REQUESTED, S.ACCEPTED),
        (S.REQUESTED, S.REJECTED),
        (S.REQUESTED, S.CANCELLED),
        (S.ACCEPTED, S.IN_PROGRESS),
        (S.ACCEPTED, S.ON_HOLD),
        (S.ACCEPTED, S.COMPLETED),
        (S.ACCEPTED, S.FAILED),
        (S.ACCEPTED, S.CANCELLED),
        (S.ON_HOLD, S.IN_PROGRESS),
        (S.ON_HOLD, S.COMPLETED),
        (S.ON_HOLD, S.FAILED),
        (S.ON_HOLD, S.CANCELLED),
        (S.IN_PROGRESS, S.COMPLETED),
        (S.IN_PROGRESS, S.FAILED),
        (S.IN_PROGRESS, S.CANCELLED),
        (S.DRAFT, S.ENTERED_IN_ERROR),
        (S.REQUESTED, S.ENTERED_IN_ERROR),
    }
    assert {name for name, t in TRANSITIONS.items() if t.side is Side.AGENCY} == {"send", "cancel", "mark_in_error"}
    assert {t.target for t in TRANSITIONS.values() if t.needs_reason} == {
        S.REJECTED,
        S.ON_HOLD,
        S.CANCELLED,
        S.FAILED,
        S.ENTERED_IN_ERROR,
    }
    assert AuthorizationStatus.AUTHORIZED in AuthorizationStatus


async def test_deliverable_says_whether_service_may_be_delivered(gql, world):
    query = "query Op($id: ID!) { referral(id: $id) { deliverable } }"
    assert (await gql("provider_a", query, {"id": world.steve_referral})).ok()["referral"]["deliverable"] is True
    assert (await gql("provider_a", query, {"id": world.new_referral})).ok()["referral"]["deliverable"] is False
    await gql(
        "provider_a",
        "mutation Op($id: ID!) { acceptReferral(id: $id) { errors { code } } }",
        {"id": world.new_referral},
    )
    # Accepted, but Grief Counseling waits for the agency's authorization.
    assert (await gql("provider_a", query, {"id": world.new_referral})).ok()["referral"]["deliverable"] is False


async def test_the_demo_new_referral_waits_in_ashleys_inbox(gql, world):
    inbox = await gql(
        "provider_a",
        """query { referrals(filter: {new: true}) { nodes {
      id status facility { id } benefit { name billingCodes { code } } sharedParticipant { preferredName } } } }""",
    )
    nodes = inbox.ok()["referrals"]["nodes"]
    assert nodes == [
        {
            "id": str(world.new_referral),
            "status": "REQUESTED",
            "facility": {"id": str(world.grief_facility)},
            "benefit": {"name": "Grief Counseling", "billingCodes": [{"code": "90832"}, {"code": "90834"}]},
            "sharedParticipant": {"preferredName": "Marisol"},
        }
    ]
