"""Case management: the case's life, care plans, notes and amendments, incidents, the caseworker's day with its
follow-up queue (against hand-built attendance histories), client search, and the client record's cost."""

from datetime import datetime, timedelta

import pytest

from server.domain.cases import cases, notes
from server.domain.clients import participants
from server.domain.columns import utcnow
from server.domain.days import today_in
from server.domain.delivery import attendance, schedule_assignments
from server.domain.delivery.models import BenefitSession
from tests.conftest import COSVILLE_ZONE, assert_denied, count_statements
from tests.stories import approved_schedule, authorized_referral, days_ago_at

pytestmark = pytest.mark.anyio

MOVE = """mutation Op($id: ID!, $status: CaseStatus!) { moveCase(id: $id, status: $status) {
  case { status resolvedOn } errors { code field message } } }"""
PLAN = """mutation Op($id: ID!, $action: CarePlanAction!) { moveCarePlan(id: $id, action: $action) {
  carePlan { status } errors { code field } } }"""


async def test_a_case_moves_step_by_step_and_resolves_only_when_its_plans_are_finished(gql, world):
    skipped = await gql("caseworker", MOVE, {"id": world.maria_case, "status": "ACTIVE"})
    assert skipped.data["moveCase"]["errors"][0]["code"] == "CONFLICT"  # INTAKE cannot jump to ACTIVE
    blocked = await gql("caseworker", MOVE, {"id": world.steve_case, "status": "RESOLVED"})
    assert blocked.data["moveCase"]["errors"] == [
        {"code": "CONFLICT", "field": "status", "message": "Complete or cancel the care plan “Grief recovery” first."}
    ]
    (await gql("caseworker", PLAN, {"id": world.care_plan, "action": "COMPLETE"})).ok()
    resolved = (await gql("caseworker", MOVE, {"id": world.steve_case, "status": "RESOLVED"})).ok()["moveCase"]
    assert resolved["case"]["status"] == "RESOLVED" and resolved["case"]["resolvedOn"] is not None
    closed = (await gql("supervisor", MOVE, {"id": world.steve_case, "status": "CLOSED"})).ok()
    assert closed["moveCase"]["case"]["status"] == "CLOSED"
    after = await gql("caseworker", MOVE, {"id": world.steve_case, "status": "ACTIVE"})
    assert after.data["moveCase"]["errors"][0]["code"] == "CONFLICT"


async def test_the_case_lists_its_team_and_the_providers_with_their_referrals_status(gql, world):
    found = (
        await gql(
            "caseworker",
            """query Op($id: ID!) { case(id: $id) { ownerName team { name }
          providers { providerName referralStatus }
          carePlans { name status goals { name progress tasks { title assigneeName } }
            benefitAssignments { id } } } }""",
            {"id": world.steve_case},
        )
    ).ok()["case"]
    assert found["ownerName"] == "Connor Reyes"
    assert found["team"] == [{"name": "Dana Whitfield"}]
    assert found["providers"] == [{"providerName": "Cosville Grief Counseling Center", "referralStatus": "IN_PROGRESS"}]
    (plan,) = found["carePlans"]
    assert (plan["name"], plan["status"]) == ("Grief recovery", "ACTIVE")
    assert plan["goals"] == [
        {
            "name": "Attend weekly counseling",
            "progress": 40,
            "tasks": [{"title": "Call Steve after his next session", "assigneeName": "Connor Reyes"}],
        }
    ]
    assert plan["benefitAssignments"] == [{"id": str(world.grief_assignment)}]


async def test_care_plan_steps_goals_and_tasks(gql, world):
    draft = (
        await gql(
            "caseworker",
            """mutation Op($case: ID!) { createCarePlan(input: {caseId: $case, name: "Housing"}) {
          carePlan { id status } errors { code } } }""",
            {"case": world.maria_case},
        )
    ).ok()["createCarePlan"]["carePlan"]
    assert draft["status"] == "DRAFT"
    steps = [("COMPLETE", "CONFLICT"), ("PROPOSE", "PROPOSED"), ("REVISE", "DRAFT"), ("ACTIVATE", "ACTIVE")]
    for action, expected in steps:
        result = (await gql("caseworker", PLAN, {"id": draft["id"], "action": action})).data["moveCarePlan"]
        outcome = result["carePlan"]["status"] if result["carePlan"] else result["errors"][0]["code"]
        assert outcome == expected, action
    goal = (
        await gql(
            "caseworker",
            """mutation Op($plan: ID!) { addCarePlanGoal(carePlanId: $plan, input: {name: "Stable housing",
          status: COMPLETED}) { goal { id progress } errors { code field } } }""",
            {"plan": draft["id"]},
        )
    ).ok()["addCarePlanGoal"]["goal"]
    assert goal["progress"] == 100  # a completed goal is complete
    bad = await gql(
        "caseworker",
        """mutation Op($id: ID!) { updateCarePlanGoal(id: $id, input: {progress: 140}) { errors { code field } } }""",
        {"id": goal["id"]},
    )
    assert bad.data["updateCarePlanGoal"]["errors"] == [{"code": "INVALID", "field": "progress"}]
    done = (
        await gql(
            "caseworker",
            """mutation Op($id: ID!) { updateCarePlanTask(id: $id, input: {status: DONE}) {
          task { status completedAt } errors { code } } }""",
            {"id": world.task},
        )
    ).ok()["updateCarePlanTask"]["task"]
    assert done["status"] == "DONE" and done["completedAt"] is not None
    foreign = await gql(
        "caseworker",
        """mutation Op($id: ID!, $a: [ID!]) { linkCarePlanItems(id: $id, benefitAssignmentIds: $a) {
      errors { code field } } }""",
        {"id": draft["id"], "a": [world.grief_assignment]},  # Steve's, not Marisol's
    )
    assert foreign.data["linkCarePlanItems"]["errors"] == [{"code": "INVALID", "field": "benefitAssignmentIds[0]"}]


NOTE = """mutation Op($input: CaseNoteInput!) { writeCaseNote(input: $input) { note { id status } errors { code } } }"""


async def test_drafts_are_their_authors_and_final_notes_are_amended_never_edited(gql, world):
    draft = (
        await gql(
            "caseworker",
            NOTE,
            {
                "input": {
                    "participantId": world.steve,
                    "subject": "Call",
                    "text": "Left a message.",
                    "interactionDate": "2026-11-20",
                    "noteType": "CALL",
                }
            },
        )
    ).ok()["writeCaseNote"]["note"]
    update = """mutation Op($id: ID!) { updateCaseNote(id: $id, input: {text: "Spoke with him."}) {
      note { text } errors { code } } }"""
    finalize = "mutation Op($id: ID!) { finalizeCaseNote(id: $id) { note { status } errors { code } } }"
    listed = "query Op($p: ID!) { caseNotes(participantId: $p) { nodes { id } } }"
    # Only the author sees, edits and finalizes a draft; providers and other agencies never reach it.
    assert {"id": draft["id"]} not in (await gql("supervisor", listed, {"p": world.steve})).ok()["caseNotes"]["nodes"]
    assert_denied(await gql("supervisor", update, {"id": draft["id"]}), "FORBIDDEN")
    assert_denied(await gql("supervisor", finalize, {"id": draft["id"]}), "FORBIDDEN")
    assert_denied(await gql("other_agency_admin", update, {"id": draft["id"]}), "NOT_FOUND")
    assert_denied(await gql("provider_a", update, {"id": draft["id"]}), "FORBIDDEN")
    assert_denied(await gql("provider_a", finalize, {"id": draft["id"]}), "FORBIDDEN")
    assert_denied(await gql(None, finalize, {"id": draft["id"]}), "UNAUTHENTICATED")
    assert (await gql("caseworker", update, {"id": draft["id"]})).ok()["updateCaseNote"]["note"]["text"] == (
        "Spoke with him."
    )
    assert (await gql("caseworker", finalize, {"id": draft["id"]})).ok()["finalizeCaseNote"]["note"]["status"] == (
        "FINAL"
    )
    # A final note is not edited; it is amended, and the original stays.
    assert_denied(await gql("caseworker", update, {"id": draft["id"]}), "CONFLICT")
    amended = (
        await gql(
            "supervisor",
            """mutation Op($id: ID!) { amendCaseNote(id: $id, input: {text: "It was Tuesday."}) {
          note { id status amendsId } errors { code } } }""",
            {"id": draft["id"]},
        )
    ).ok()["amendCaseNote"]["note"]
    assert (amended["status"], amended["amendsId"]) == ("FINAL", draft["id"])
    original = (
        await gql(
            "caseworker",
            """query Op($p: ID!) { participant(id: $p) { notes { id text amendments { text authorName } } } }""",
            {"p": world.steve},
        )
    ).ok()["participant"]["notes"]
    mine = next(n for n in original if n["id"] == draft["id"])
    assert mine == {
        "id": draft["id"],
        "text": "Spoke with him.",
        "amendments": [{"text": "It was Tuesday.", "authorName": "Dana Whitfield"}],
    }


async def test_incidents_come_latest_first_and_not_from_the_future(gql, world):
    report = """mutation Op($at: DateTime!, $what: String!) { reportIncident(input: {participantId: "%s",
      occurredAt: $at, incidentType: $what, severity: LOW, description: "x"}) { incident { id } errors { field } } }"""
    doc = report % world.steve
    await gql("caseworker", doc, {"at": "2026-11-01T10:00:00-05:00", "what": "Older"})
    await gql("caseworker", doc, {"at": "2026-11-15T10:00:00-06:00", "what": "Newer"})
    future = await gql("caseworker", doc, {"at": "2099-01-01T10:00:00Z", "what": "Later"})
    assert future.data["reportIncident"]["errors"] == [{"field": "occurredAt"}]
    found = (
        await gql(
            "caseworker",
            "query Op($p: ID!) { incidents(participantId: $p) { nodes { incidentType } } }",
            {"p": world.steve},
        )
    ).ok()["incidents"]["nodes"]
    assert [n["incidentType"] for n in found] == ["Newer", "Older"]


async def test_client_search_covers_every_text_field_and_ranks_names_and_ids_first(gql, world):
    await gql(
        "caseworker",
        """mutation { createParticipant(input: {legalFirstName: "Monroe", legalLastName: "Fields"}) {
      participant { id } } }""",
    )
    search = "query Op($q: String!) { clientSearch(search: $q) { nodes { preferredName legalFirstName } } }"
    by_street = (await gql("caseworker", search, {"q": "monroe"})).ok()["clientSearch"]["nodes"]
    assert [p["legalFirstName"] for p in by_street] == ["Monroe", "Steven"]  # the name first, then the address
    by_alert = (await gql("caseworker", search, {"q": "bereaved"})).ok()["clientSearch"]["nodes"]
    assert [p["preferredName"] for p in by_alert] == ["Steve"]
    by_id = (await gql("caseworker", search, {"q": "cl-000002"})).ok()["clientSearch"]["nodes"]
    assert [p["preferredName"] for p in by_id] == ["Marisol"]
    assert (await gql("other_agency_admin", search, {"q": "monroe"})).ok()["clientSearch"]["nodes"] == []
    assert (await gql("caseworker", search, {"q": "  "})).ok()["clientSearch"]["nodes"] == []
    assert_denied(await gql("provider_a", search, {"q": "monroe"}), "FORBIDDEN")


RECORD = """query Op($id: ID!) { participant(id: $id) { clientId preferredName pronouns birthDate age phone email
  photoReference watchList alerts { text active } attendance { sessionsPresent attendanceRate }
  enrollments { program { name } assignments { benefit { name } } attendance { sessionsAbsent } }
  assignments { status benefit { name } }
  referrals { status provider { name } delivery { sessionsAttended } }
  cases { status ownerName team { name } carePlans { name goals { name tasks { title } } } }
  carePlans { name status }
  notes { subject amendments { subject } }
  incidents { incidentType } } }"""


async def test_the_client_record_costs_a_fixed_number_of_statements(gql, db, people, world):
    with count_statements(db) as before:
        steve = (await gql("caseworker", RECORD, {"id": world.steve})).ok()["participant"]
    # given: more of everything on the record
    connor = people["caseworker"]
    async with db.write() as session:
        for n in range(3):
            case = await cases.open_case(session, connor, {"participant_id": world.steve, "intake_source": "WALK_IN"})
            await cases.add_team_member(session, connor, case.id, people["agency_admin"].user_id)
            note = await notes.write_note(
                session,
                connor,
                {
                    "participant_id": world.steve,
                    "case_id": case.id,
                    "subject": f"Visit {n}",
                    "text": "Visited.",
                    "interaction_date": today_in(COSVILLE_ZONE),
                    "note_type": "HOME_VISIT",
                    "final": True,
                },
            )
            await notes.amend_note(session, connor, note.id, {"text": "Visited at home."})
            await notes.report_incident(
                session,
                connor,
                {
                    "participant_id": world.steve,
                    "occurred_at": utcnow(),
                    "incident_type": "Fall",
                    "severity": "LOW",
                    "description": "Tripped.",
                },
            )
    with count_statements(db) as after:
        more = (await gql("caseworker", RECORD, {"id": world.steve})).ok()["participant"]
    # then
    assert steve["alerts"][0]["active"] is True
    assert steve["attendance"] == {"sessionsPresent": 4, "attendanceRate": 0.8}
    assert steve["cases"][0]["carePlans"][0]["goals"][0]["tasks"] == [{"title": "Call Steve after his next session"}]
    assert (len(more["cases"]), len(more["notes"]), len(more["incidents"])) == (4, 7, 3)
    assert after() == before()
    assert before() <= 30


MY_DAY = """query { myDay { day sessions { session { id } participant { preferredName } } meetings { subject }
  overdueTasks { title } tasksToday { title } tasksTomorrow { title } incidents { incidentType }
  followUps { participant { legalFirstName } reasons consecutiveAbsences lastInteraction } } }"""


async def test_my_day_lists_todays_sessions_meetings_tasks_and_incidents(gql, db, people, world):
    # given: a session today with Steve on its roster, a meeting today, tasks due yesterday and tomorrow
    today, connor_id = today_in(COSVILLE_ZONE), people["caseworker"].user_id
    _, (session_id,) = await approved_schedule(
        db, people, world, first_start=datetime.combine(today, datetime.min.time()).replace(hour=23, minute=0)
    )
    async with db.write() as session:
        await schedule_assignments.enroll_in_schedule(
            session, people["provider_a"], referral_id=world.steve_referral, session_id=session_id
        )
    for title, due in (("Overdue call", today - timedelta(days=1)), ("Tomorrow's visit", today + timedelta(days=1))):
        await gql(
            "caseworker",
            """mutation Op($goal: ID!, $input: TaskInput!) { addCarePlanTask(goalId: $goal, input: $input) {
          errors { code } } }""",
            {"goal": world.goal, "input": {"title": title, "dueDate": due.isoformat(), "assigneeId": connor_id}},
        )
    await gql(
        "caseworker",
        """mutation Op($input: MeetingInput!) { scheduleMeeting(input: $input) { errors { code } } }""",
        {
            "input": {
                "participantId": world.steve,
                "startsAt": f"{today.isoformat()}T15:00:00-06:00",
                "endsAt": f"{today.isoformat()}T15:30:00-06:00",
                "subject": "Care plan review",
            }
        },
    )
    # when
    day = (await gql("caseworker", MY_DAY)).ok()["myDay"]
    # then
    assert {"session": {"id": str(session_id)}, "participant": {"preferredName": "Steve"}} in day["sessions"]
    assert day["meetings"] == [{"subject": "Care plan review"}]
    assert day["overdueTasks"] == [{"title": "Overdue call"}]
    assert day["tasksToday"] == [{"title": "Call Steve after his next session"}]
    assert day["tasksTomorrow"] == [{"title": "Tomorrow's visit"}]
    # Dana is on Steve's team, so Steve's session is in her day too; her tasks are her own.
    dana = (await gql("supervisor", MY_DAY)).ok()["myDay"]
    assert {"session": {"id": str(session_id)}, "participant": {"preferredName": "Steve"}} in dana["sessions"]
    assert dana["tasksToday"] == [] and dana["meetings"] == []


async def test_the_follow_up_queue_says_why_against_hand_built_histories(gql, db, people, world):
    # given: Connor's clients with these attendance histories over five weekly sessions, oldest first
    histories = {
        "Ada": ["PRESENT", "PRESENT", "PRESENT", "PRESENT", "ABSENT"],  # missed the last one
        "Bo": ["PRESENT", "ABSENT", "EXCUSED", "ABSENT", "ABSENT"],  # three absences in a row (excused skipped)
        "Cy": ["PRESENT", "PRESENT", "ABSENT", "PRESENT", "PRESENT"],  # fine
    }
    _, sessions = await approved_schedule(
        db, people, world, first_start=days_ago_at(36, 10), frequency="DAILY", interval=7, count=5
    )
    referrals = {name: await authorized_referral(db, people, world, name) for name in histories}
    connor = people["caseworker"]
    async with db.write() as session:
        for referral in referrals.values():
            await schedule_assignments.enroll_in_schedule(
                session,
                people["provider_a"],
                referral_id=referral.id,
                schedule_id=(await _schedule_of(session, sessions[0])),
                from_date=days_ago_at(40, 0).date(),
            )
            await cases.open_case(
                session, connor, {"participant_id": referral.participant_id, "intake_source": "REFERRAL"}
            )
        for index, session_id in enumerate(sessions):
            marks = [
                {"participant_id": referrals[name].participant_id, "mark": history[index]}
                for name, history in histories.items()
            ]
            await attendance.take_attendance(session, people["provider_a"], session_id, marks)
        # Dee has a case and nothing else; Eve's last note is 40 days old; Flo's is 10 days old.
        for name, days in (("Dee", None), ("Eve", 40), ("Flo", 10)):
            person = await _participant(session, connor, name)
            await cases.open_case(session, connor, {"participant_id": person.id, "intake_source": "WALK_IN"})
            if days is not None:
                await notes.write_note(
                    session,
                    connor,
                    {
                        "participant_id": person.id,
                        "subject": "Call",
                        "text": "Checked in.",
                        "interaction_date": today_in(COSVILLE_ZONE) - timedelta(days=days),
                        "note_type": "CALL",
                        "final": True,
                    },
                )
    # when
    queue = (await gql("caseworker", MY_DAY)).ok()["myDay"]["followUps"]
    # then
    why = {f["participant"]["legalFirstName"]: (f["reasons"], f["consecutiveAbsences"]) for f in queue}
    assert why["Ada"] == (["MISSED_LAST_SESSION"], 1)
    assert why["Bo"] == (["MISSED_LAST_SESSION", "CONSECUTIVE_ABSENCES"], 3)
    assert "Cy" not in why
    assert why["Dee"] == (["NO_RECENT_INTERACTION"], 0)
    assert why["Eve"] == (["NO_RECENT_INTERACTION"], 0)
    assert "Flo" not in why
    assert "Steven" not in why  # came to his last session, seen this month
    # Another caseworker's queue does not hold Connor's clients.
    others = (await gql("agency_admin", MY_DAY)).ok()["myDay"]["followUps"]
    assert others == []
    # The window is the agency's setting: at 7 days, Flo's note of 10 days ago is too old.
    settings = """mutation Op($input: AgencySettingsInput!) { updateAgencySettings(input: $input) {
      agency { followUpDays } errors { code field } } }"""
    refused = await gql("agency_admin", settings, {"input": {"followUpDays": 0, "timeZone": "Mars/Olympus"}})
    assert {e["field"] for e in refused.data["updateAgencySettings"]["errors"]} == {"followUpDays", "timeZone"}
    changed = (await gql("agency_admin", settings, {"input": {"followUpDays": 7}})).ok()
    assert changed["updateAgencySettings"]["agency"] == {"followUpDays": 7}
    narrower = (await gql("caseworker", MY_DAY)).ok()["myDay"]["followUps"]
    assert "Flo" in {f["participant"]["legalFirstName"] for f in narrower}


async def _schedule_of(session, session_id: int) -> int:
    return (await session.get(BenefitSession, session_id)).schedule_id


async def _participant(session, connor, name: str):
    return await participants.create_participant(
        session, connor, {"legal_first_name": name, "legal_last_name": "Queue"}
    )
