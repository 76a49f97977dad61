"""Enrolling referred participants into schedules: authorization first, capacity and the waitlist (also under
concurrent enrollment), and the referral moving to IN_PROGRESS (or on hold when waitlisted)."""

import asyncio
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from server.domain.delivery import schedule_assignments
from server.domain.delivery.models import BenefitSchedule, BenefitSession
from server.domain.errors import DomainError
from tests.stories import approved_schedule, authorized_referral, days_ago_at

pytestmark = pytest.mark.anyio

ENROLL = """mutation Op($input: ScheduleEnrollmentInput!) { enrollInSchedule(input: $input) {
  scheduleAssignment { id status fromDate participant { preferredName } schedule { name } }
  errors { code field message } } }"""
REFERRAL = "query Op($id: ID!) { referral(id: $id) { status statusReason authorizationStatus } }"


async def set_capacity(db, schedule_id: int, capacity: int) -> None:
    async with db.write() as session:
        await session.exec(update(BenefitSchedule).where(BenefitSchedule.id == schedule_id).values(capacity=capacity))


async def test_enrolling_waits_for_authorization_then_starts_the_referral(gql, world):
    # given: Marisol's referral, accepted but not yet authorized
    await gql(
        "provider_a",
        "mutation Op($id: ID!) { acceptReferral(id: $id) { errors { code } } }",
        {"id": world.new_referral},
    )
    enroll = {"input": {"referralId": world.new_referral, "scheduleId": world.wednesday_schedule}}
    # when
    early = await gql("provider_a", ENROLL, enroll)
    await gql(
        "provider_a",
        "mutation Op($id: ID!) { requestAuthorization(id: $id) { errors { code } } }",
        {"id": world.new_referral},
    )
    await gql(
        "caseworker",
        "mutation Op($id: ID!) { authorizeReferral(id: $id) { errors { code } } }",
        {"id": world.new_referral},
    )
    enrolled = await gql("provider_a", ENROLL, enroll)
    # then
    assert early.data["enrollInSchedule"]["errors"][0]["field"] == "referralId"
    made = enrolled.ok()["enrollInSchedule"]["scheduleAssignment"]
    assert (made["status"], made["participant"]["preferredName"]) == ("ENROLLED", "Marisol")
    referral = (await gql("caseworker", REFERRAL, {"id": world.new_referral})).ok()["referral"]
    assert referral["status"] == "IN_PROGRESS"
    again = await gql("provider_a", ENROLL, enroll)
    assert again.data["enrollInSchedule"]["errors"][0]["code"] == "CONFLICT"


async def test_past_capacity_the_participant_is_waitlisted_and_the_referral_held(gql, db, people, world):
    # given: the Wednesday schedule takes one participant, and Steve has the place
    await set_capacity(db, world.wednesday_schedule, 1)
    referral = await authorized_referral(db, people, world)
    # when
    result = await gql(
        "provider_a", ENROLL, {"input": {"referralId": referral.id, "scheduleId": world.wednesday_schedule}}
    )
    # then
    assert result.ok()["enrollInSchedule"]["scheduleAssignment"]["status"] == "WAITLISTED"
    held = (await gql("caseworker", REFERRAL, {"id": referral.id})).ok()["referral"]
    assert (held["status"], held["statusReason"]) == ("ON_HOLD", "NO_CAPACITY")
    listed = (
        await gql(
            "provider_a",
            """query Op($id: ID!) { scheduleAssignments(scheduleId: $id, statuses: [WAITLISTED]) {
          nodes { participant { preferredName } } } }""",
            {"id": world.wednesday_schedule},
        )
    ).ok()["scheduleAssignments"]["nodes"]
    assert len(listed) == 1


async def test_from_a_date_counts_only_the_sessions_from_that_date(gql, db, people, world):
    # given: a weekly schedule of three sessions with one place; someone holds the first session only
    schedule_id, sessions = await approved_schedule(
        db, people, world, first_start=days_ago_at(-7, 9), capacity=1, frequency="WEEKLY", weekdays=["MO"], count=3
    )
    first, second = await authorized_referral(db, people, world), await authorized_referral(db, people, world)
    async with db.write() as session:
        await schedule_assignments.enroll_in_schedule(
            session, people["provider_a"], referral_id=first.id, session_id=sessions[0]
        )
    # when: the second enrolls from the day of the second session
    async with db.read() as session:
        start = (await session.get(BenefitSession, sessions[1])).starts_at
    from_date = start.astimezone(ZoneInfo("America/Chicago")).date().isoformat()
    result = await gql(
        "provider_a", ENROLL, {"input": {"referralId": second.id, "scheduleId": schedule_id, "fromDate": from_date}}
    )
    # then: enrolled, on the second and third rosters, not the first
    assert result.ok()["enrollInSchedule"]["scheduleAssignment"]["status"] == "ENROLLED"
    rosters = [
        (
            await gql(
                "provider_a",
                "query Op($id: ID!) { sessionRoster(sessionId: $id) { lines { participantId } } }",
                {"id": s},
            )
        ).ok()["sessionRoster"]["lines"]
        for s in sessions
    ]
    assert [[line["participantId"] for line in lines] for lines in rosters] == [
        [str(first.participant_id)],
        [str(second.participant_id)],
        [str(second.participant_id)],
    ]


async def test_concurrent_enrollments_cannot_both_take_the_last_place(db, people, world):
    # given: one place left on the Wednesday schedule (Steve holds the other)
    await set_capacity(db, world.wednesday_schedule, 2)
    first, second = await authorized_referral(db, people, world), await authorized_referral(db, people, world)

    async def enroll(who: str, referral_id: int) -> str:
        try:
            async with db.write() as session:
                made = await schedule_assignments.enroll_in_schedule(
                    session, people[who], referral_id=referral_id, schedule_id=world.wednesday_schedule
                )
                return made.status.value
        except DomainError as error:
            return error.code.value

    # when
    outcomes = await asyncio.gather(enroll("provider_a", first.id), enroll("provider_a_admin", second.id))
    # then
    assert sorted(outcomes) == ["ENROLLED", "WAITLISTED"]


async def test_a_schedule_of_another_benefit_or_provider_is_refused(gql, db, people, world):
    referral = await authorized_referral(db, people, world)
    other = await gql(
        "provider_b", ENROLL, {"input": {"referralId": referral.id, "scheduleId": world.wednesday_schedule}}
    )
    assert other.data["enrollInSchedule"]["errors"][0]["code"] == "NOT_FOUND"
    both = await gql(
        "provider_a",
        ENROLL,
        {"input": {"referralId": referral.id, "scheduleId": world.wednesday_schedule, "sessionId": world.mwf_session}},
    )
    assert both.data["enrollInSchedule"]["errors"][0]["field"] == "scheduleId"
    agency = await gql(
        "caseworker", ENROLL, {"input": {"referralId": referral.id, "scheduleId": world.wednesday_schedule}}
    )
    assert agency.data["enrollInSchedule"]["errors"][0]["code"] == "FORBIDDEN"


async def test_schedules_show_places_left_and_sessions_their_enrolled_count(gql, world):
    found = (
        await gql(
            "provider_a",
            """query Op($id: ID!) { benefitSchedule(id: $id) { capacity placesLeft
          sessions { status enrolledCount } } }""",
            {"id": world.wednesday_schedule},
        )
    ).ok()["benefitSchedule"]
    assert (found["capacity"], found["placesLeft"]) == (4, 3)
    assert {s["enrolledCount"] for s in found["sessions"] if s["status"] == "SCHEDULED"} == {1}


async def test_withdrawing_frees_the_place_for_the_oldest_waitlisted(gql, db, people, world):
    # given: one place, Steve has it, two others wait (their accepted referrals put on hold)
    await set_capacity(db, world.wednesday_schedule, 1)
    first, second = await authorized_referral(db, people, world), await authorized_referral(db, people, world)
    for referral in (first, second):
        made = await gql(
            "provider_a", ENROLL, {"input": {"referralId": referral.id, "scheduleId": world.wednesday_schedule}}
        )
        assert made.ok()["enrollInSchedule"]["scheduleAssignment"]["status"] == "WAITLISTED"
    # when
    withdrawn = await gql(
        "provider_a",
        "mutation Op($id: ID!) { withdrawFromSchedule(id: $id) { scheduleAssignment { status } errors { code } } }",
        {"id": world.steve_enrolled},
    )
    # then
    assert withdrawn.ok()["withdrawFromSchedule"]["scheduleAssignment"]["status"] == "WITHDRAWN"
    statuses = (
        await gql(
            "provider_a",
            "query Op($id: ID!) { scheduleAssignments(scheduleId: $id) { nodes { status referralId } } }",
            {"id": world.wednesday_schedule},
        )
    ).ok()["scheduleAssignments"]["nodes"]
    assert [(n["referralId"], n["status"]) for n in statuses] == [
        (str(world.steve_referral), "WITHDRAWN"),
        (str(first.id), "ENROLLED"),
        (str(second.id), "WAITLISTED"),
    ]
    promoted = (await gql("caseworker", REFERRAL, {"id": first.id})).ok()["referral"]
    assert promoted["status"] == "IN_PROGRESS"
    # Steve's past sessions keep their attendance; he is off the rosters from now on.
    again = await gql(
        "provider_a",
        "mutation Op($id: ID!) { withdrawFromSchedule(id: $id) { errors { code } } }",
        {"id": world.steve_enrolled},
    )
    assert again.data["withdrawFromSchedule"]["errors"] == [{"code": "CONFLICT"}]


SESSIONS = """query Op($id: ID!) { benefitSchedule(id: $id) {
  sessions { id status startsAt endsAt enrolledCount } } }"""
ROSTER = "query Op($id: ID!) { sessionRoster(sessionId: $id) { lines { participantId } } }"
WITHDRAW = "mutation Op($id: ID!) { withdrawFromSchedule(id: $id) { errors { code } } }"


async def test_enrolled_count_is_the_rosters_length_in_every_session_status(gql, world):
    # given: the Wednesday schedule's held sessions (Steve's attendance taken), one upcoming session cancelled,
    # one postponed (kept as POSTPONED, a new SCHEDULED one made), and Steve withdrawn afterwards (his held lines
    # stay on their rosters through his attendance)
    sessions = (await gql("provider_a", SESSIONS, {"id": world.wednesday_schedule})).ok()["benefitSchedule"]["sessions"]
    upcoming = [s for s in sessions if s["status"] == "SCHEDULED"]
    cancelled = await gql(
        "provider_a_admin",
        'mutation Op($id: ID!) { cancelBenefitSession(id: $id, note: "Closed") { errors { code } } }',
        {"id": upcoming[0]["id"]},
    )
    postponed = await gql(
        "provider_a_admin",
        """mutation Op($id: ID!, $s: DateTime!, $e: DateTime!) { postponeBenefitSession(id: $id, startsAt: $s,
        endsAt: $e) { errors { code } } }""",
        {"id": upcoming[1]["id"], "s": upcoming[1]["startsAt"], "e": upcoming[1]["endsAt"]},
    )
    cancelled.ok(), postponed.ok()

    async def counts_and_rosters() -> list[tuple[str, int, int]]:
        found = (await gql("provider_a", SESSIONS, {"id": world.wednesday_schedule})).ok()["benefitSchedule"]
        return [
            (
                s["status"],
                s["enrolledCount"],
                len((await gql("provider_a", ROSTER, {"id": s["id"]})).ok()["sessionRoster"]["lines"]),
            )
            for s in found["sessions"]
        ]

    # when / then: every session counts its roster, and every status has a session on whose roster Steve is
    enrolled = await counts_and_rosters()
    assert all(count == length for _, count, length in enrolled), enrolled
    assert {status for status, count, _ in enrolled if count == 1} == {
        "SCHEDULED",
        "COMPLETED",
        "CANCELLED",
        "POSTPONED",
    }
    (await gql("provider_a", WITHDRAW, {"id": world.steve_enrolled})).ok()
    withdrawn = await counts_and_rosters()
    assert all(count == length for _, count, length in withdrawn), withdrawn
    assert {(status, count) for status, count, _ in withdrawn} == {
        ("COMPLETED", 1),  # his attendance keeps him on the held sessions' rosters
        ("SCHEDULED", 0),
        ("CANCELLED", 0),
        ("POSTPONED", 0),
    }


@pytest.mark.parametrize("end", ["cancel", "fail"])
async def test_a_referral_that_ends_holds_no_place_and_the_waitlist_moves_up(gql, db, people, world, end):
    # given: an upcoming schedule with one place, held by one referral, and a second waiting for it
    schedule_id, sessions = await approved_schedule(
        db, people, world, first_start=days_ago_at(-7, 9), capacity=1, frequency="WEEKLY", weekdays=["MO"], count=2
    )
    holder, waiting = await authorized_referral(db, people, world), await authorized_referral(db, people, world)
    for referral in (holder, waiting):
        result = await gql("provider_a", ENROLL, {"input": {"referralId": referral.id, "scheduleId": schedule_id}})
        result.ok()
    # when: the holder's referral ends (the agency cancels it, or the provider fails it)
    who, mutation = ("caseworker", "cancelReferral") if end == "cancel" else ("provider_a", "failReferral")
    ended = await gql(
        who,
        f"mutation Op($id: ID!) {{ {mutation}(id: $id, reason: CLIENT_DECLINED) {{ errors {{ code field }} }} }}",
        {"id": holder.id},
    )
    ended.ok()
    # then: the holder is off the rosters (withdrawn, kept) and the waiting participant has the place
    roster = await gql(
        "provider_a",
        "query Op($id: ID!) { sessionRoster(sessionId: $id) { lines { participantId } } }",
        {"id": sessions[0]},
    )
    assert [line["participantId"] for line in roster.ok()["sessionRoster"]["lines"]] == [str(waiting.participant_id)]
    listed = await gql(
        "provider_a",
        """query Op($id: ID!) { scheduleAssignments(scheduleId: $id) { nodes { status referralId } } }""",
        {"id": schedule_id},
    )
    statuses = {n["referralId"]: n["status"] for n in listed.ok()["scheduleAssignments"]["nodes"]}
    assert statuses == {str(holder.id): "WITHDRAWN", str(waiting.id): "ENROLLED"}
