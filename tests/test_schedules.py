"""Benefit schedules: drafted and submitted by the provider, approved by the agency, sessions generated."""

import pytest
from sqlmodel import func, select

from server.domain.delivery.models import BenefitSession
from tests.conftest import assert_denied

pytestmark = pytest.mark.anyio

CREATE = """mutation Op($input: BenefitScheduleInput!) { createBenefitSchedule(input: $input) {
  schedule { id approvalStatus } errors { code field message } } }"""
PREVIEW = """query Op($input: BenefitScheduleInput!) { schedulePreview(input: $input) { startsAt endsAt } }"""
SCHEDULE = """query Op($id: ID!) { benefitSchedule(id: $id) { approvalStatus reviewerNote
  sessions { id startsAt status } } }"""


def op(name: str, extra: str = "") -> str:
    return (
        f"mutation Op($id: ID!{extra}) {{ {name}(id: $id{', note: $note' if 'note' in extra else ''}) {{ "
        "schedule { id approvalStatus } errors { code field } } }"
    )


@pytest.fixture
def mwf(world):
    return {
        "facilityId": world.grief_facility,
        "benefitId": world.grief_counseling,
        "codeSetId": world.cpt_90832,
        "name": "Grief counseling, mornings",
        "firstStart": "2026-12-07T09:00:00",
        "firstEnd": "2026-12-07T12:00:00",
        "timeZone": "America/Chicago",
        "frequency": "WEEKLY",
        "weekdays": ["MO", "WE", "FR"],
        "count": 36,
        "capacity": 8,
        "defaultQuantity": "1",
    }


async def draft(gql, mwf) -> str:
    return (await gql("provider_a_admin", CREATE, {"input": mwf})).ok()["createBenefitSchedule"]["schedule"]["id"]


async def count_sessions(db) -> int:
    async with db.read() as session:
        return (await session.exec(select(func.count()).select_from(BenefitSession))).one()


async def test_a_preview_shows_the_sessions_and_saves_nothing(gql, db, mwf):
    before = await count_sessions(db)
    sessions = (await gql("provider_a_admin", PREVIEW, {"input": mwf})).ok()["schedulePreview"]
    assert len(sessions) == 36
    assert {s["startsAt"][11:16] for s in sessions} == {"09:00"}
    assert await count_sessions(db) == before
    assert_denied(await gql("caseworker", PREVIEW, {"input": mwf}), "FORBIDDEN")


async def test_draft_submit_approve_generates_the_sessions(gql, db, mwf):
    # given
    schedule_id = await draft(gql, mwf)
    assert_denied(await gql("supervisor", SCHEDULE, {"id": schedule_id}), "NOT_FOUND")  # drafts are the provider's
    submitted = (await gql("provider_a_admin", op("submitBenefitSchedule"), {"id": schedule_id})).ok()
    assert submitted["submitBenefitSchedule"]["schedule"]["approvalStatus"] == "PENDING"
    # when
    approved = await gql(
        "supervisor",
        """mutation Op($id: ID!) { approveBenefitSchedule(id: $id, note: "Fine") {
      schedule { approvalStatus reviewerNote sessions { startsAt } } errors { code } } }""",
        {"id": schedule_id},
    )
    # then
    schedule = approved.ok()["approveBenefitSchedule"]["schedule"]
    assert (schedule["approvalStatus"], schedule["reviewerNote"]) == ("APPROVED", "Fine")
    assert len(schedule["sessions"]) == 36
    assert schedule["sessions"][0]["startsAt"] == "2026-12-07T09:00:00-06:00"
    seen_by_provider = (await gql("provider_a", SCHEDULE, {"id": schedule_id})).ok()["benefitSchedule"]
    assert len(seen_by_provider["sessions"]) == 36
    changed = await gql(
        "provider_a_admin",
        """mutation Op($id: ID!, $input: BenefitScheduleInput!) {
      updateBenefitSchedule(id: $id, input: $input) { errors { code field } } }""",
        {"id": schedule_id, "input": {**mwf, "count": 3}},
    )
    assert changed.data["updateBenefitSchedule"]["errors"] == [{"code": "CONFLICT", "field": "id"}]


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("caseworker", "FORBIDDEN"),
        ("provider_a_admin", "FORBIDDEN"),
        ("provider_b", "FORBIDDEN"),
        ("other_agency_admin", "NOT_FOUND"),
    ],
)
async def test_only_the_benefits_agency_oversight_approves(gql, mwf, who, code):
    schedule_id = await draft(gql, mwf)
    await gql("provider_a_admin", op("submitBenefitSchedule"), {"id": schedule_id})
    assert_denied(await gql(who, op("approveBenefitSchedule"), {"id": schedule_id}), code)


async def test_a_rejection_needs_a_note_and_the_provider_may_resubmit(gql, mwf):
    schedule_id = await draft(gql, mwf)
    await gql("provider_a_admin", op("submitBenefitSchedule"), {"id": schedule_id})
    blank = await gql("agency_admin", op("rejectBenefitSchedule", ", $note: String!"), {"id": schedule_id, "note": " "})
    assert blank.data["rejectBenefitSchedule"]["errors"] == [{"code": "REQUIRED", "field": "note"}]
    rejected = await gql(
        "agency_admin",
        op("rejectBenefitSchedule", ", $note: String!"),
        {"id": schedule_id, "note": "Start after the holidays"},
    )
    assert rejected.ok()["rejectBenefitSchedule"]["schedule"]["approvalStatus"] == "REJECTED"
    again = await gql("provider_a_admin", op("submitBenefitSchedule"), {"id": schedule_id})
    assert again.ok()["submitBenefitSchedule"]["schedule"]["approvalStatus"] == "PENDING"


@pytest.mark.parametrize(
    ("who", "change", "code", "field"),
    [
        ("provider_a", {}, "FORBIDDEN", None),  # staff, not admin
        ("provider_b", {}, "NOT_FOUND", "facilityId"),  # another provider's facility
        ("provider_b", {"facilityId": "PANTRY"}, "INVALID", "benefitId"),  # a benefit never referred to it
        ("provider_a_admin", {"codeSetId": "FOOD_BOX"}, "INVALID", "codeSetId"),  # bills another benefit only
        ("provider_a_admin", {"weekdays": []}, "INVALID", "weekdays"),
        ("provider_a_admin", {"count": None}, "INVALID", "until"),
        ("provider_a_admin", {"timeZone": "Moon/Base"}, "INVALID", "timeZone"),
        ("provider_a_admin", {"timeZone": "localtime"}, "INVALID", "timeZone"),  # the server's own zone, no IANA name
    ],
)
async def test_refused_schedules(gql, db, world, mwf, who, change, code, field):
    values = {**mwf, **change}
    if values["facilityId"] == "PANTRY":
        values["facilityId"] = world.pantry_facility
    if values["codeSetId"] == "FOOD_BOX":
        from server.domain.catalogue.models import CodeSet

        async with db.read() as session:
            values["codeSetId"] = (await session.exec(select(CodeSet.id).where(CodeSet.code == "FB-01"))).one()
    result = await gql(who, CREATE, {"input": values})
    assert_denied(result, code)
    if field:
        assert result.data["createBenefitSchedule"]["errors"][0]["field"] == field


async def approved_sessions(gql, mwf) -> list[str]:
    schedule_id = await draft(gql, mwf)
    await gql("provider_a_admin", op("submitBenefitSchedule"), {"id": schedule_id})
    approved = await gql(
        "supervisor",
        """mutation Op($id: ID!) { approveBenefitSchedule(id: $id) {
      schedule { sessions { id } } } }""",
        {"id": schedule_id},
    )
    return [s["id"] for s in approved.ok()["approveBenefitSchedule"]["schedule"]["sessions"]]


async def test_a_schedule_is_billed_by_any_code_set_that_bills_the_benefit_as_deliveries_are(gql, db, mwf):
    # 90834 bills grief counseling only through the "Counseling sessions" bundle of its item code B-00035
    from server.domain.catalogue.models import CodeSet

    async with db.read() as session:
        longer = (await session.exec(select(CodeSet.id).where(CodeSet.code == "90834"))).one()
    result = await gql("provider_a_admin", CREATE, {"input": {**mwf, "codeSetId": longer}})
    assert result.ok()["createBenefitSchedule"]["schedule"]["id"]


async def test_single_sessions_are_cancelled_or_postponed_and_kept(gql, mwf):
    sessions = await approved_sessions(gql, mwf)
    cancelled = await gql(
        "provider_a_admin",
        """mutation Op($id: ID!) { cancelBenefitSession(id: $id,
      note: "Counselor ill") { session { status statusNote } errors { code } } }""",
        {"id": sessions[0]},
    )
    assert cancelled.ok()["cancelBenefitSession"]["session"] == {"status": "CANCELLED", "statusNote": "Counselor ill"}
    moved = await gql(
        "provider_a_admin",
        """mutation Op($id: ID!) { postponeBenefitSession(id: $id,
      startsAt: "2026-12-10T10:00:00-06:00", endsAt: "2026-12-10T13:00:00-06:00", note: "Room taken") {
      session { id startsAt status } errors { code } } }""",
        {"id": sessions[1]},
    )
    new = moved.ok()["postponeBenefitSession"]["session"]
    assert (new["startsAt"], new["status"]) == ("2026-12-10T10:00:00-06:00", "SCHEDULED")
    old = (
        await gql(
            "provider_a",
            """query Op($id: ID!) { benefitSessions(scheduleId: $id, first: 100) {
      nodes { id status rescheduledToId } } }""",
            {"id": await schedule_of(gql, sessions[1])},
        )
    ).ok()
    by_id = {n["id"]: n for n in old["benefitSessions"]["nodes"]}
    assert by_id[sessions[1]] == {"id": sessions[1], "status": "POSTPONED", "rescheduledToId": new["id"]}
    assert len(by_id) == 37
    again = await gql(
        "provider_a_admin",
        """mutation Op($id: ID!) { cancelBenefitSession(id: $id, note: "x") {
      errors { code field } } }""",
        {"id": sessions[0]},
    )
    assert again.data["cancelBenefitSession"]["errors"] == [{"code": "CONFLICT", "field": "id"}]


async def schedule_of(gql, session_id: str) -> str:
    found = await gql("provider_a", "query { benefitSchedules { nodes { id } } }")
    return found.ok()["benefitSchedules"]["nodes"][0]["id"]


async def test_another_provider_cannot_see_or_touch_the_schedule(gql, mwf):
    sessions = await approved_sessions(gql, mwf)
    assert (
        await gql("provider_b", "query { benefitSchedules { totalCount } benefitSessions { totalCount } }")
    ).ok() == {"benefitSchedules": {"totalCount": 0}, "benefitSessions": {"totalCount": 0}}
    assert_denied(
        await gql(
            "provider_b",
            """mutation Op($id: ID!) { cancelBenefitSession(id: $id, note: "x") {
      session { id } errors { code } } }""",
            {"id": sessions[0]},
        ),
        "NOT_FOUND",
    )
    harlow = (await gql("other_agency_admin", "query { benefitSchedules { totalCount } }")).ok()
    assert harlow["benefitSchedules"]["totalCount"] == 0


async def test_the_demo_grief_center_schedule_is_approved_monday_wednesday_friday_mornings(gql):
    schedules = (
        await gql(
            "supervisor",
            """query { benefitSchedules(filter: {statuses: [APPROVED]}) { nodes {
      name facility { name } sessions { startsAt endsAt } } } }""",
        )
    ).ok()["benefitSchedules"]["nodes"]
    assert [s["name"] for s in schedules] == [
        "Individual grief counseling, Wednesdays 11:00",
        "Grief support group, weekday mornings",
    ]
    sessions = schedules[1]["sessions"]
    assert len(sessions) == 36
    assert {s["startsAt"][11:19] for s in sessions} == {"09:00:00"}
    assert {s["endsAt"][11:19] for s in sessions} == {"12:00:00"}
    from datetime import datetime

    assert {datetime.fromisoformat(s["startsAt"]).strftime("%a") for s in sessions} == {"Mon", "Wed", "Fri"}


async def test_sessions_page_by_start_time_with_cursors(gql):
    seen, after = [], None
    while True:
        page = (
            await gql(
                "provider_a",
                """query Op($after: String) { benefitSessions(first: 5, after: $after) {
          pageInfo { hasNextPage endCursor } nodes { id startsAt } } }""",
                {"after": after},
            )
        ).ok()["benefitSessions"]
        seen += [(n["startsAt"], n["id"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 36 + 12  # the demo schedules'
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)
