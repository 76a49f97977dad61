"""What the portal's schedule page needs of the API: a pending schedule withdrawn back to draft (to edit it), a
waitlisted participant promoted by hand, and the page's one document, in a fixed number of statements."""

from datetime import timedelta

import pytest
from sqlmodel import select

from server.domain.audit import AuditEvent
from server.domain.days import today_in
from server.domain.delivery import schedule_assignments
from server.domain.delivery.models import ScheduleAssignment
from server.domain.referrals.models import Referral, ReferralStatus
from tests.conftest import COSVILLE_ZONE, assert_denied, count_statements
from tests.stories import approved_schedule, authorized_referral, days_ago_at

pytestmark = pytest.mark.anyio

CREATE = """mutation Op($input: BenefitScheduleInput!) { createBenefitSchedule(input: $input) {
  schedule { id version } errors { code field message } } }"""
SUBMIT = """mutation Op($id: ID!) { submitBenefitSchedule(id: $id) {
  schedule { id approvalStatus version } errors { code field message } } }"""
WITHDRAW = """mutation Op($id: ID!, $expectedVersion: Int) { withdrawBenefitSchedule(id: $id,
  expectedVersion: $expectedVersion) { schedule { id approvalStatus version submittedAt } errors { code field } } }"""
UPDATE = """mutation Op($id: ID!, $input: BenefitScheduleInput!) { updateBenefitSchedule(id: $id, input: $input) {
  schedule { id name } errors { code field } } }"""
APPROVE = """mutation Op($id: ID!) { approveBenefitSchedule(id: $id) { schedule { id } errors { code field } } }"""
PROMOTE = """mutation Op($id: ID!) { promoteFromWaitlist(id: $id) {
  scheduleAssignment { id status fromDate } errors { code field message } } }"""
WITHDRAW_PERSON = """mutation Op($id: ID!) { withdrawFromSchedule(id: $id) {
  scheduleAssignment { id status } errors { code field } } }"""
# The portal's schedule page, as it asks.
DETAIL = """query Op($id: ID!) {
  benefitSchedule(id: $id) { id name approvalStatus version capacity placesLeft timeZone facility { name timeZone }
    sessions { id startsAt status enrolledCount } }
  enrolled: scheduleAssignments(scheduleId: $id, statuses: [ENROLLED], first: 100) { totalCount
    nodes { id fromDate session { startsAt } participant { preferredName } } }
  waitlist: scheduleAssignments(scheduleId: $id, statuses: [WAITLISTED], first: 100) { totalCount
    nodes { id fromDate session { startsAt } participant { preferredName } } } }"""


@pytest.fixture
def evenings(world):
    return {
        "facilityId": world.grief_facility,
        "benefitId": world.grief_counseling,
        "codeSetId": world.cpt_90832,
        "name": "Evening group",
        "firstStart": "2026-12-08T18:00:00",
        "firstEnd": "2026-12-08T19:30:00",
        "timeZone": "America/Chicago",
        "frequency": "WEEKLY",
        "weekdays": ["TU", "TH"],
        "count": 8,
        "capacity": 8,
        "defaultQuantity": "1",
    }


async def pending(gql, evenings) -> dict:
    created = (await gql("provider_a_admin", CREATE, {"input": evenings})).ok()["createBenefitSchedule"]["schedule"]
    return (await gql("provider_a_admin", SUBMIT, {"id": created["id"]})).ok()["submitBenefitSchedule"]["schedule"]


async def events(db, action: str) -> list[AuditEvent]:
    async with db.read() as session:
        return list((await session.exec(select(AuditEvent).where(AuditEvent.action == action))).all())


async def test_a_pending_schedule_is_withdrawn_to_draft_edited_and_submitted_again(gql, db, evenings):
    # given
    schedule = await pending(gql, evenings)
    assert schedule["approvalStatus"] == "PENDING"
    # when
    withdrawn = await gql("provider_a_admin", WITHDRAW, {"id": schedule["id"], "expectedVersion": schedule["version"]})
    # then
    back = withdrawn.ok()["withdrawBenefitSchedule"]["schedule"]
    assert (back["approvalStatus"], back["submittedAt"]) == ("DRAFT", None)
    assert back["version"] == schedule["version"] + 1
    assert_denied(await gql("supervisor", APPROVE, {"id": schedule["id"]}), "NOT_FOUND")  # a draft is the provider's
    [event] = await events(db, "benefit_schedule.withdraw")
    assert (event.before["approval_status"], event.after["approval_status"]) == ("PENDING", "DRAFT")
    edited = await gql("provider_a_admin", UPDATE, {"id": schedule["id"], "input": {**evenings, "name": "Late group"}})
    assert edited.ok()["updateBenefitSchedule"]["schedule"]["name"] == "Late group"
    again = (await gql("provider_a_admin", SUBMIT, {"id": schedule["id"]})).ok()["submitBenefitSchedule"]["schedule"]
    assert again["approvalStatus"] == "PENDING"


async def test_a_withdrawal_checks_the_version_and_the_status(gql, db, evenings):
    schedule = await pending(gql, evenings)
    stale = await gql("provider_a_admin", WITHDRAW, {"id": schedule["id"], "expectedVersion": schedule["version"] - 1})
    assert stale.data["withdrawBenefitSchedule"]["errors"] == [{"code": "CONFLICT", "field": "expectedVersion"}]
    (await gql("supervisor", APPROVE, {"id": schedule["id"]})).ok()
    decided = await gql("provider_a_admin", WITHDRAW, {"id": schedule["id"]})
    assert decided.data["withdrawBenefitSchedule"]["errors"] == [{"code": "CONFLICT", "field": "id"}]
    draft = (await gql("provider_a_admin", CREATE, {"input": evenings})).ok()["createBenefitSchedule"]["schedule"]
    not_submitted = await gql("provider_a_admin", WITHDRAW, {"id": draft["id"]})
    assert not_submitted.data["withdrawBenefitSchedule"]["errors"] == [{"code": "CONFLICT", "field": "id"}]
    assert await events(db, "benefit_schedule.withdraw") == []


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("provider_a_admin", None),
        ("provider_a", "FORBIDDEN"),  # staff: admins withdraw what admins submit
        ("provider_b", "NOT_FOUND"),  # Harvest Table's admin: not her provider's schedule
        ("caseworker", "FORBIDDEN"),
        ("supervisor", "FORBIDDEN"),
        ("agency_admin", "FORBIDDEN"),
        ("other_agency_admin", "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ],
)
async def test_who_withdraws_a_pending_schedule(gql, db, evenings, who, code):
    schedule = await pending(gql, evenings)
    result = await gql(who, WITHDRAW, {"id": schedule["id"]})
    if code is None:
        assert result.ok()["withdrawBenefitSchedule"]["schedule"]["approvalStatus"] == "DRAFT"
    else:
        assert_denied(result, code)
        assert await events(db, "benefit_schedule.withdraw") == []


async def test_another_provider_cannot_open_the_schedule_page(gql, evenings):
    schedule = await pending(gql, evenings)
    result = await gql("provider_b", DETAIL, {"id": schedule["id"]})
    assert [e["extensions"]["code"] for e in result.errors] == ["NOT_FOUND"]
    assert result.data["benefitSchedule"] is None
    assert result.data["enrolled"]["totalCount"] == result.data["waitlist"]["totalCount"] == 0


async def blocked_waitlist(db, people, world) -> dict:
    """A daily group of two places from three days ago: Ann from the start, Xavier in one past session only, Eve
    from two days ahead; Wes and Wanda waitlisted from the start. Xavier's past session stays full, so no place
    freed later reaches Wes or Wanda by itself: the provider promotes them by hand, from today."""
    first = days_ago_at(3, 10)
    schedule_id, sessions = await approved_schedule(
        db, people, world, first_start=first, capacity=2, name="Small group", frequency="DAILY", count=8
    )
    ashley = people["provider_a"]
    made = {"schedule": schedule_id, "sessions": sessions}
    for name, how in [
        ("Ann", {"schedule_id": schedule_id, "from_date": first.date()}),
        ("Xavier", {"session_id": sessions[1]}),
        ("Eve", {"schedule_id": schedule_id, "from_date": first.date() + timedelta(days=5)}),
        ("Wes", {"schedule_id": schedule_id, "from_date": first.date()}),
        ("Wanda", {"schedule_id": schedule_id, "from_date": first.date()}),
    ]:
        referral = await authorized_referral(db, people, world, first_name=name)
        async with db.write() as session:
            row = await schedule_assignments.enroll_in_schedule(session, ashley, referral_id=referral.id, **how)
            made[name] = str(row.id)
            made[f"{name}-referral"] = referral.id
    return made


async def status_of(db, assignment_id: str) -> tuple[str, object]:
    async with db.read() as session:
        row = await session.get(ScheduleAssignment, int(assignment_id))
        return row.status.value, row.from_date


async def test_a_waitlisted_participant_is_promoted_by_hand_once_a_place_is_free(gql, db, people, world):
    # given
    w = await blocked_waitlist(db, people, world)
    assert [(await status_of(db, w[n]))[0] for n in ("Ann", "Xavier", "Eve", "Wes", "Wanda")] == [
        "ENROLLED",
        "ENROLLED",
        "ENROLLED",
        "WAITLISTED",
        "WAITLISTED",
    ]
    full = await gql("provider_a", PROMOTE, {"id": w["Wanda"]})
    assert full.data["promoteFromWaitlist"]["errors"][0]["code"] == "CONFLICT"
    assert "full" in full.data["promoteFromWaitlist"]["errors"][0]["message"]
    (await gql("provider_a", WITHDRAW_PERSON, {"id": w["Eve"]})).ok()
    assert (await status_of(db, w["Wes"]))[0] == "WAITLISTED"  # Xavier's past session still blocks the oldest
    # when: Wanda, though second in line, can come
    promoted = await gql("provider_a", PROMOTE, {"id": w["Wanda"]})
    # then
    row = promoted.ok()["promoteFromWaitlist"]["scheduleAssignment"]
    today = today_in(COSVILLE_ZONE)
    assert (row["status"], row["fromDate"]) == ("ENROLLED", today.isoformat())
    assert await status_of(db, w["Wanda"]) == ("ENROLLED", today)
    async with db.read() as session:
        referral = await session.get(Referral, w["Wanda-referral"])
    assert referral.status == ReferralStatus.IN_PROGRESS  # on hold while waitlisted, started once promoted
    [event] = [e for e in await events(db, "schedule_assignment.promote") if e.record_id == int(w["Wanda"])]
    assert (event.before["status"], event.after["status"]) == ("WAITLISTED", "ENROLLED")
    again = await gql("provider_a", PROMOTE, {"id": w["Wes"]})
    assert again.data["promoteFromWaitlist"]["errors"][0]["code"] == "CONFLICT"  # the place is taken
    enrolled = await gql("provider_a", PROMOTE, {"id": w["Ann"]})
    assert enrolled.data["promoteFromWaitlist"]["errors"] == [
        {"code": "CONFLICT", "field": "id", "message": "This enrollment is ENROLLED, not waitlisted."}
    ]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("provider_a", None),
        ("provider_a_admin", None),
        ("provider_b", "NOT_FOUND"),
        ("caseworker", "FORBIDDEN"),
        ("supervisor", "FORBIDDEN"),
        ("agency_admin", "FORBIDDEN"),
        ("other_agency_admin", "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ],
)
async def test_who_promotes_from_the_waitlist(gql, db, people, world, who, code):
    w = await blocked_waitlist(db, people, world)
    (await gql("provider_a", WITHDRAW_PERSON, {"id": w["Eve"]})).ok()
    promoted_before = len(await events(db, "schedule_assignment.promote"))
    result = await gql(who, PROMOTE, {"id": w["Wes"]})
    if code is None:
        assert result.ok()["promoteFromWaitlist"]["scheduleAssignment"]["status"] == "ENROLLED"
    else:
        assert_denied(result, code)
        assert (await status_of(db, w["Wes"]))[0] == "WAITLISTED"
        assert len(await events(db, "schedule_assignment.promote")) == promoted_before


async def test_the_schedule_page_costs_the_same_for_five_and_eleven_people(gql, db, people, world):
    w = await blocked_waitlist(db, people, world)
    with count_statements(db) as counted:
        first = (await gql("provider_a", DETAIL, {"id": w["schedule"]})).ok()
    before = counted()
    assert [n["participant"]["preferredName"] for n in first["waitlist"]["nodes"]] == ["Wes", "Wanda"]
    assert first["benefitSchedule"]["placesLeft"] == 0
    for number in range(6):
        referral = await authorized_referral(db, people, world, first_name=f"Late{number}")
        async with db.write() as session:
            await schedule_assignments.enroll_in_schedule(
                session, people["provider_a"], referral_id=referral.id, schedule_id=w["schedule"]
            )
    with count_statements(db) as counted:
        more = (await gql("provider_a", DETAIL, {"id": w["schedule"]})).ok()
    assert more["waitlist"]["totalCount"] == 8
    assert counted() == before
    assert before <= 20


async def test_a_step_the_schedule_is_past_says_so_in_words(gql, evenings):
    schedule = await pending(gql, evenings)
    again = await gql("provider_a_admin", SUBMIT, {"id": schedule["id"]})
    [error] = again.data["submitBenefitSchedule"]["errors"]
    assert (error["code"], error["field"]) == ("CONFLICT", "id")  # the schedule's status is at fault
    assert error["message"] == "This schedule is PENDING; it cannot be submitted."
