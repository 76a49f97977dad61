"""Rosters and attendance: one all-or-nothing save per session, one disbursement per roster line, corrections
that keep history, and concurrent saves that never make a second disbursement."""

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from server.domain.audit import AuditEvent
from server.domain.delivery import attendance, schedule_assignments
from server.domain.delivery.models import BenefitDisbursement, BenefitSession, DisbursementRevision
from server.domain.errors import DomainError
from tests.conftest import assert_denied
from tests.stories import approved_schedule, authorized_referral, days_ago_at

pytestmark = pytest.mark.anyio

ROSTER = """query Op($id: ID!) { sessionRoster(sessionId: $id) { capacity session { status }
  lines { participantId mark participant { preferredName } disbursement { id status quantity amount } } } }"""
TAKE = """mutation Op($id: ID!, $marks: [AttendanceInput!]!) { takeAttendance(sessionId: $id, marks: $marks) {
  roster { session { status } lines { participantId mark disbursement { id status amount revisions { status } } } }
  errors { code field message } } }"""
STEVES = """query Op($id: ID!) { benefitDisbursements(filter: {benefitAssignmentId: $id}) { totalCount
  nodes { code quantity amount status serviceDate sessionId } } }"""


async def disbursements_of(db, session_id: int) -> list[BenefitDisbursement]:
    async with db.read() as session:
        return (
            await session.exec(select(BenefitDisbursement).where(BenefitDisbursement.session_id == session_id))
        ).all()


async def enrolled_session(db, people, world, how_many: int = 1):
    """A session two days ago with `how_many` freshly referred participants enrolled in it."""
    _, (session_id,) = await approved_schedule(db, people, world, first_start=days_ago_at(2, 10))
    ids = []
    for _ in range(how_many):
        referral = await authorized_referral(db, people, world)
        async with db.write() as session:
            await schedule_assignments.enroll_in_schedule(
                session, people["provider_a"], referral_id=referral.id, session_id=session_id
            )
        ids.append(referral.participant_id)
    return session_id, ids


async def test_connor_sees_steves_five_wednesday_disbursements_of_90832(gql, world):
    found = (await gql("caseworker", STEVES, {"id": world.grief_assignment})).ok()["benefitDisbursements"]
    assert found["totalCount"] == 5
    assert {(n["code"], n["quantity"], n["amount"]) for n in found["nodes"]} == {("90832", "1.00", "85.00")}
    assert sorted(n["status"] for n in found["nodes"]) == ["ABSENT"] + ["COMPLETED"] * 4
    rollup = (
        await gql(
            "caseworker",
            """query Op($id: ID!) { participant(id: $id) { attendance { sessionsPresent sessionsAbsent
          sessionsExcused attendanceRate consecutiveAbsences lastServiceDate } } }""",
            {"id": world.steve},
        )
    ).ok()["participant"]["attendance"]
    assert rollup == {
        "sessionsPresent": 4,
        "sessionsAbsent": 1,
        "sessionsExcused": 0,
        "attendanceRate": 0.8,
        "consecutiveAbsences": 0,
        "lastServiceDate": max(n["serviceDate"] for n in found["nodes"]),
    }
    # Provider B sees none of them.
    assert (await gql("provider_b", STEVES, {"id": world.grief_assignment})).ok()["benefitDisbursements"][
        "totalCount"
    ] == 0


async def test_the_roster_shows_the_shared_name_and_the_marks_taken(gql, world):
    roster = (await gql("provider_a", ROSTER, {"id": world.held_session})).ok()["sessionRoster"]
    assert roster["capacity"] == 4
    assert roster["session"]["status"] == "COMPLETED"
    assert [(line["participant"]["preferredName"], line["mark"]) for line in roster["lines"]] == [("Steve", "PRESENT")]
    assert_denied(await gql("provider_b", ROSTER, {"id": world.held_session}), "NOT_FOUND")


async def test_taking_attendance_completes_the_session_with_one_disbursement_per_line(gql, db, people, world):
    # given
    session_id, (first, second) = await enrolled_session(db, people, world, 2)
    # when
    saved = await gql(
        "provider_a",
        TAKE,
        {
            "id": session_id,
            "marks": [{"participantId": first, "mark": "PRESENT"}, {"participantId": second, "mark": "EXCUSED"}],
        },
    )
    # then
    roster = saved.ok()["takeAttendance"]["roster"]
    assert roster["session"]["status"] == "COMPLETED"
    assert {line["participantId"]: line["mark"] for line in roster["lines"]} == {
        str(first): "PRESENT",
        str(second): "EXCUSED",
    }
    rows = await disbursements_of(db, session_id)
    assert sorted((r.participant_id, r.status.value, r.quantity, r.amount) for r in rows) == [
        (first, "COMPLETED", Decimal("1.50"), Decimal("127.50")),  # 1.5 x 85.00
        (second, "EXCUSED", Decimal("1.50"), Decimal("127.50")),
    ]


async def test_one_bad_line_saves_nothing(gql, db, people, world):
    # given
    session_id, (first, _) = await enrolled_session(db, people, world, 2)
    # when: the second line names someone not on the roster
    refused = await gql(
        "provider_a",
        TAKE,
        {
            "id": session_id,
            "marks": [{"participantId": first, "mark": "PRESENT"}, {"participantId": world.maria, "mark": "ABSENT"}],
        },
    )
    missing = await gql("provider_a", TAKE, {"id": session_id, "marks": [{"participantId": first, "mark": "PRESENT"}]})
    # then
    assert refused.data["takeAttendance"]["errors"] == [
        {"code": "INVALID", "field": "marks[1].participantId", "message": "This participant is not on the roster."}
    ]
    assert missing.data["takeAttendance"]["errors"][0]["field"] == "marks"
    assert await disbursements_of(db, session_id) == []
    async with db.read() as session:
        assert (await session.get(BenefitSession, session_id)).status.value == "SCHEDULED"


async def test_a_correction_changes_the_same_disbursement_and_keeps_its_history(gql, db, world):
    # given: the first Wednesday, Steve present
    (before,) = await disbursements_of(db, world.held_session)
    # when
    corrected = await gql(
        "provider_a_admin",
        TAKE,
        {"id": world.held_session, "marks": [{"participantId": world.steve, "mark": "ABSENT", "note": "Left early"}]},
    )
    # then
    (line,) = corrected.ok()["takeAttendance"]["roster"]["lines"]
    assert line["mark"] == "ABSENT"
    assert line["disbursement"]["id"] == str(before.id)
    assert line["disbursement"]["revisions"] == [{"status": "COMPLETED"}]
    (after,) = await disbursements_of(db, world.held_session)
    assert (after.id, after.status.value, after.version) == (before.id, "ABSENT", before.version + 1)
    async with db.read() as session:
        (revision,) = (
            await session.exec(select(DisbursementRevision).where(DisbursementRevision.disbursement_id == before.id))
        ).all()
    assert (revision.status.value, revision.note) == ("COMPLETED", "Left early")


async def test_saving_the_same_marks_again_records_nothing(gql, db, world):
    marks = {"id": world.held_session, "marks": [{"participantId": world.steve, "mark": "PRESENT"}]}
    async with db.read() as session:
        events = (await session.exec(select(func.count()).select_from(AuditEvent))).one()
    again = (await gql("provider_a", TAKE, marks)).ok()["takeAttendance"]["roster"]["lines"]
    assert [line["mark"] for line in again] == ["PRESENT"]
    async with db.read() as session:
        assert (await session.exec(select(func.count()).select_from(AuditEvent))).one() == events
        assert (await session.exec(select(func.count()).select_from(DisbursementRevision))).one() == 0


async def test_the_database_refuses_a_second_disbursement_for_a_line(db, world):
    (existing,) = await disbursements_of(db, world.held_session)
    copy = existing.model_dump(exclude={"id"})
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            session.add(BenefitDisbursement(**copy))


async def test_concurrent_saves_of_one_roster_leave_one_disbursement_per_line(db, people, world):
    # given
    session_id, participants = await enrolled_session(db, people, world, 3)

    async def save(who: str, mark: str):
        try:
            async with db.write() as session:
                await attendance.take_attendance(
                    session, people[who], session_id, [{"participant_id": p, "mark": mark} for p in participants]
                )
            return "ok"
        except DomainError as error:
            return error.code.value

    # when
    outcomes = await asyncio.gather(save("provider_a", "PRESENT"), save("provider_a_admin", "ABSENT"))
    # then: both saved (the later one as a correction) or the later one was refused; never a second row
    assert set(outcomes) <= {"ok", "CONFLICT"} and "ok" in outcomes
    rows = await disbursements_of(db, session_id)
    assert sorted(r.participant_id for r in rows) == sorted(participants)
    async with db.read() as session:
        revisions = (
            await session.exec(
                select(func.count()).where(DisbursementRevision.disbursement_id.in_([r.id for r in rows]))
            )
        ).one()
    assert revisions == (3 if outcomes == ["ok", "ok"] else 0)


async def test_attendance_waits_for_the_sessions_day_and_skips_cancelled_sessions(gql, world):
    future = (
        await gql(
            "provider_a",
            """query Op($id: ID!) { benefitSchedule(id: $id) { sessions { id status } } }""",
            {"id": world.wednesday_schedule},
        )
    ).ok()["benefitSchedule"]["sessions"]
    upcoming = [s["id"] for s in future if s["status"] == "SCHEDULED"][-1]  # weeks ahead
    marks = [{"participantId": world.steve, "mark": "PRESENT"}]
    refused = await gql("provider_a", TAKE, {"id": upcoming, "marks": marks})
    assert refused.data["takeAttendance"]["errors"][0]["field"] == "sessionId"
    await gql(
        "provider_a_admin",
        """mutation Op($id: ID!) { cancelBenefitSession(id: $id, note: "Snow") { errors { code } } }""",
        {"id": upcoming},
    )
    cancelled = await gql("provider_a", TAKE, {"id": upcoming, "marks": marks})
    assert cancelled.data["takeAttendance"]["errors"][0]["code"] == "CONFLICT"
    # Agency staff read rosters but do not take attendance.
    assert_denied(await gql("caseworker", TAKE, {"id": world.held_session, "marks": marks}), "FORBIDDEN")
