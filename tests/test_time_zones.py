"""Local days and time zones.

Days are the agency's (or the provider's, or the facility's) as its people live them, never the server's: at
23:30 in Chicago it is already tomorrow in UTC, and the records made then must carry Chicago's day. The tests
set the domain's clock there, on a day D no real clock gives, so the server's own day cannot pass by chance.

Times are shown in the caller's zone: the agency's for its staff, the provider's for its users (its setting,
else its first facility's, else that facility's schedule's, else UTC).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from server.db import Database
from server.demo import load_demo
from server.domain.audit import AuditEvent
from server.domain.cases.models import CarePlanTask, Case
from server.domain.delivery.models import ApprovalStatus, BenefitSchedule
from server.domain.network.models import FacilitySpecialty
from server.migrations import upgrade
from tests.conftest import COSVILLE_ZONE, assert_denied, count_statements, local_time
from tests.stories import approved_schedule

pytestmark = pytest.mark.anyio

CHICAGO = ZoneInfo(COSVILLE_ZONE)
# A day three days ahead of the real one: the server's day is never D, and D's 23:30 in Chicago is D+1 in UTC.
D = datetime.now(UTC).date() + timedelta(days=3)


@pytest.fixture
def late_evening(clock):
    """The clock at 23:30 in Chicago on day D (05:30 or 04:30 UTC on D+1)."""
    moment = local_time(D, 23, 30)
    assert moment.astimezone(UTC).date() == D + timedelta(days=1)
    clock.set(moment)
    return moment


def ok(result, name: str) -> dict:
    return result.ok()[name]


# ---- Finding 4: local days ----------------------------------------------------------------------------------


async def test_a_case_opened_late_in_the_evening_is_opened_on_the_agencys_day(gql, world, late_evening):
    opened = await gql(
        "caseworker",
        """mutation Op($p: ID!) { openCase(input: {participantId: $p, intakeSource: WALK_IN}) {
          case { id openedOn } errors { code field } } }""",
        {"p": world.steve},
    )
    assert ok(opened, "openCase")["case"]["openedOn"] == D.isoformat()


async def test_a_case_resolved_or_closed_late_in_the_evening_carries_the_agencys_day(gql, world, late_evening):
    move = """mutation Op($id: ID!, $s: CaseStatus!) { moveCase(id: $id, status: $s) {
      case { status resolvedOn closedOn } errors { code field message } } }"""
    for status in ("ASSESSMENT", "PLANNING", "ACTIVE", "RESOLVED"):
        resolved = ok(await gql("caseworker", move, {"id": world.maria_case, "s": status}), "moveCase")["case"]
    assert resolved["resolvedOn"] == D.isoformat()
    closed = ok(await gql("caseworker", move, {"id": world.maria_case, "s": "CLOSED"}), "moveCase")["case"]
    assert closed["closedOn"] == D.isoformat()


async def test_an_enrollment_starts_and_ends_on_the_agencys_day_by_default(gql, world, late_evening):
    enrolled = ok(
        await gql(
            "caseworker",
            """mutation Op($p: ID!, $g: ID!) { enrollParticipant(input: {participantId: $p, programId: $g,
              status: IN_PROGRESS}) { enrollment { id startDate } errors { code field message } } }""",
            {"p": world.steve, "g": world.housing_stability},
        ),
        "enrollParticipant",
    )["enrollment"]
    assert enrolled["startDate"] == D.isoformat()
    ended = ok(
        await gql(
            "caseworker",
            """mutation Op($id: ID!) { updateEnrollment(id: $id, input: {status: COMPLETED}) {
              enrollment { endDate } errors { code field message } } }""",
            {"id": enrolled["id"]},
        ),
        "updateEnrollment",
    )["enrollment"]
    assert ended["endDate"] == D.isoformat()


async def test_a_birth_date_may_be_the_agencys_today_but_not_its_tomorrow(gql, late_evening):
    create = """mutation Op($born: Date!) { createParticipant(input: {legalFirstName: "Nova", legalLastName: "Day",
      birthDate: $born}) { participant { id } errors { code field } } }"""
    today = await gql("caseworker", create, {"born": D.isoformat()})
    assert ok(today, "createParticipant")["participant"] is not None
    tomorrow = await gql("caseworker", create, {"born": (D + timedelta(days=1)).isoformat()})
    assert [(e["code"], e["field"]) for e in tomorrow.payload_errors()] == [("INVALID", "birthDate")]


async def test_an_age_turns_on_the_viewers_day(gql, late_evening):
    create = """mutation Op($name: String!, $born: Date!) { createParticipant(input: {legalFirstName: $name,
      legalLastName: "Day", birthDate: $born}) { participant { age } errors { code field } } }"""
    # born 28 years before D (a leap year apart, so even a 29 February exists), and 28 years before D+1
    tomorrow = D + timedelta(days=1)
    turned = await gql("caseworker", create, {"name": "Ada", "born": D.replace(year=D.year - 28).isoformat()})
    waiting = await gql(
        "caseworker", create, {"name": "Bo", "born": tomorrow.replace(year=tomorrow.year - 28).isoformat()}
    )
    assert ok(turned, "createParticipant")["participant"]["age"] == 28
    assert ok(waiting, "createParticipant")["participant"]["age"] == 27


async def test_notes_and_deliveries_may_be_dated_up_to_the_day_where_their_author_works(gql, world, late_evening):
    note = """mutation Op($p: ID!, $d: Date!) { writeCaseNote(input: {participantId: $p, subject: "Call",
      text: "Checked in.", interactionDate: $d, noteType: CALL}) { note { id } errors { code field } } }"""
    delivery = """mutation Op($a: ID!, $c: ID!, $d: Date!) { recordBenefitDisbursement(input: {
      benefitAssignmentId: $a, codeSetId: $c, serviceDate: $d, quantity: "1"}) { errors { code field } } }"""
    # the agency's today (D) is fine; D+1, already the UTC day at 23:30 in Chicago, is not yet Chicago's day
    assert not (await gql("caseworker", note, {"p": world.steve, "d": D.isoformat()})).payload_errors()
    for who in ("caseworker", "provider_a"):
        today = {"a": world.grief_assignment, "c": world.cpt_90832, "d": D.isoformat()}
        assert not (await gql(who, delivery, today)).payload_errors(), who
    tomorrow = (D + timedelta(days=1)).isoformat()
    refused = await gql("caseworker", note, {"p": world.steve, "d": tomorrow})
    assert [(e["code"], e["field"]) for e in refused.payload_errors()] == [("INVALID", "interactionDate")]
    for who in ("caseworker", "provider_a"):
        refused = await gql(who, delivery, {"a": world.grief_assignment, "c": world.cpt_90832, "d": tomorrow})
        assert [(e["code"], e["field"]) for e in refused.payload_errors()] == [("INVALID", "serviceDate")], who


async def test_a_facilitys_specialties_start_and_end_on_the_facilitys_day(gql, db, world, late_evening):
    # given: a new facility in Tokyo, where it is already D+1, and the Grief Center's (Chicago, by its schedules)
    created = ok(
        await gql(
            "agency_admin",
            """mutation Op($p: ID!, $s: ID!) { createFacility(input: {providerId: $p, name: "Grief Center — Tokyo",
              timeZone: "Asia/Tokyo", specialties: [{specialtyId: $s, primary: true}]}) {
              facility { timeZone specialties { effectiveFrom } } errors { code field message } } }""",
            {"p": world.grief_center, "s": world.grief_specialty},
        ),
        "createFacility",
    )["facility"]
    assert created == {"timeZone": "Asia/Tokyo", "specialties": [{"effectiveFrom": (D + timedelta(1)).isoformat()}]}
    # when: the Grief Center's main facility drops grief counseling and adds family counseling
    family = await gql("agency_admin", 'query { careSpecialties(filter: {search: "Family"}) { nodes { id } } }')
    family_id = family.ok()["careSpecialties"]["nodes"][0]["id"]
    updated = ok(
        await gql(
            "agency_admin",
            """mutation Op($id: ID!, $a: ID!, $b: ID!) { updateFacility(id: $id, input: {specialties: [
              {specialtyId: $a, primary: true}, {specialtyId: $b}]}) {
              facility { specialties { effectiveFrom specialty { id } } } errors { code field message } } }""",
            {"id": world.grief_facility, "a": world.counseling, "b": family_id},
        ),
        "updateFacility",
    )["facility"]
    # then: the new one starts, and the dropped one ends, on Chicago's day
    started = {s["specialty"]["id"]: s["effectiveFrom"] for s in updated["specialties"]}
    assert started[family_id] == D.isoformat()
    async with db.read() as session:
        dropped = (
            await session.exec(
                select(FacilitySpecialty).where(
                    FacilitySpecialty.facility_id == world.grief_facility,
                    FacilitySpecialty.specialty_id == world.grief_specialty,
                )
            )
        ).one()
    assert (dropped.active, dropped.effective_to) == (False, D)


async def test_the_demo_is_dated_by_the_agencys_day(tmp_path, clock):
    # given: the demo loaded at 23:30 in Chicago
    clock.set(local_time(D, 23, 30))
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    try:
        await upgrade(db)
        await load_demo(db, hash_profile="test")
        async with db.read() as session:
            task = (await session.exec(select(CarePlanTask))).one()
            opened = sorted((await session.exec(select(Case.opened_on))).all())
    finally:
        await db.dispose()
    # then: Connor's task is due today and Marisol's case opened today, in Chicago
    assert task.due_date == D
    assert opened[-1] == D


# ---- Finding 5: provider users see their provider's time zone ------------------------------------------------

VIEWER = "query { viewer { timeZone provider { timeZone facilities { timeZone } } } }"
SENT_AT = "query Op($id: ID!) { referral(id: $id) { sentAt } }"


def offset_of(moment: str) -> timedelta:
    return datetime.fromisoformat(moment).utcoffset()


async def test_a_provider_user_sees_times_in_the_providers_time_zone(gql, world):
    viewer = (await gql("provider_a", VIEWER)).ok()["viewer"]
    assert viewer["timeZone"] == COSVILLE_ZONE
    assert viewer["provider"]["timeZone"] == COSVILLE_ZONE
    sent_at = (await gql("provider_a", SENT_AT, {"id": world.steve_referral})).ok()["referral"]["sentAt"]
    moment = datetime.fromisoformat(sent_at)
    assert moment.utcoffset() == moment.astimezone(CHICAGO).utcoffset() != timedelta(0)
    provider = (await gql("provider_a", "query { viewer { provider { createdAt } } }")).ok()["viewer"]["provider"]
    created_at = datetime.fromisoformat(provider["createdAt"])
    assert created_at.utcoffset() == created_at.astimezone(CHICAGO).utcoffset()


async def test_agency_staff_still_see_their_agencys_time_zone(gql, world):
    assert (await gql("caseworker", VIEWER)).ok()["viewer"]["timeZone"] == COSVILLE_ZONE
    assert (await gql("other_agency_admin", "query { viewer { timeZone } }")).ok()["viewer"]["timeZone"] == (
        "America/New_York"
    )


UPDATE_PROVIDER = """mutation Op($id: ID!, $zone: String) { updateProvider(id: $id, input: {timeZone: $zone}) {
  provider { timeZone } errors { code field } } }"""
UPDATE_FACILITY = """mutation Op($id: ID!, $zone: String) { updateFacility(id: $id, input: {timeZone: $zone}) {
  facility { timeZone } errors { code field } } }"""


async def test_a_provider_without_a_zone_takes_its_facilitys_then_its_schedules_then_utc(gql, world):
    async def zone_seen(who: str) -> str:
        return (await gql(who, "query { viewer { timeZone } }")).ok()["viewer"]["timeZone"]

    # The Grief Center's own setting wins.
    await gql("agency_admin", UPDATE_PROVIDER, {"id": world.grief_center, "zone": "America/New_York"})
    assert await zone_seen("provider_a") == "America/New_York"
    sent_at = (await gql("provider_a", SENT_AT, {"id": world.steve_referral})).ok()["referral"]["sentAt"]
    assert offset_of(sent_at) == datetime.fromisoformat(sent_at).astimezone(ZoneInfo("America/New_York")).utcoffset()
    # Without it: its facility's zone; without that either: the facility's approved schedule's.
    await gql("agency_admin", UPDATE_PROVIDER, {"id": world.grief_center, "zone": None})
    facility = await gql("provider_a", UPDATE_FACILITY, {"id": world.grief_facility, "zone": "America/Denver"})
    assert facility.ok()["updateFacility"]["facility"] == {"timeZone": "America/Denver"}
    assert await zone_seen("provider_a") == "America/Denver"
    await gql("provider_a", UPDATE_FACILITY, {"id": world.grief_facility, "zone": None})
    assert await zone_seen("provider_a") == COSVILLE_ZONE  # its schedules are in Chicago
    # The Harvest Table has no schedule: UTC, and its times say so.
    await gql("agency_admin", UPDATE_PROVIDER, {"id": world.pantry, "zone": None})
    assert await zone_seen("provider_b") == "UTC"
    provider = (await gql("provider_b", "query { viewer { provider { createdAt } } }")).ok()["viewer"]["provider"]
    assert offset_of(provider["createdAt"]) == timedelta(0)


async def test_an_approved_schedules_zone_comes_before_a_draft_one(gql, db, people, world):
    # given: the Grief Center and its facility without a zone, and a new approved schedule in Phoenix
    await gql("agency_admin", UPDATE_PROVIDER, {"id": world.grief_center, "zone": None})
    schedule_id, _ = await approved_schedule(
        db, people, world, first_start=datetime.combine(date(2027, 1, 5), time(9)), time_zone="America/Phoenix"
    )
    async with db.write() as session:
        # the demo's own schedules are drafts again: only the Phoenix one is approved
        for schedule in (await session.exec(select(BenefitSchedule))).all():
            if schedule.id != schedule_id:
                schedule.approval_status = ApprovalStatus.DRAFT
                session.add(schedule)
    viewer = (await gql("provider_a", VIEWER)).ok()["viewer"]
    assert viewer["timeZone"] == "America/Phoenix"
    assert viewer["provider"]["facilities"] == [{"timeZone": "America/Phoenix"}]


async def test_a_provider_admin_sets_the_providers_time_zone(gql, db, world):
    settings = """mutation Op($zone: String) { updateProviderSettings(input: {timeZone: $zone}) {
      provider { id timeZone } errors { code field message } } }"""
    # when
    changed = (await gql("provider_a_admin", settings, {"zone": "America/Denver"})).ok()["updateProviderSettings"]
    # then: it is the admin's own provider, audited, and every one of its users sees it
    assert changed["provider"] == {"id": str(world.grief_center), "timeZone": "America/Denver"}
    assert (await gql("provider_a", "query { viewer { timeZone } }")).ok()["viewer"]["timeZone"] == "America/Denver"
    async with db.read() as session:
        event = (await session.exec(select(AuditEvent).where(AuditEvent.action == "provider.settings"))).one()
    assert event.record_id == world.grief_center
    # and null gives the default back (the facility's schedules: Chicago)
    reset = (await gql("provider_a_admin", settings, {"zone": None})).ok()["updateProviderSettings"]
    assert reset["provider"]["timeZone"] == COSVILLE_ZONE


@pytest.mark.parametrize("zone", ["Mars/Olympus", "localtime", "", "+02:00", "../../etc/passwd"])
async def test_a_time_zone_must_be_an_iana_name(gql, db, world, zone):
    settings = """mutation Op($zone: String) { updateProviderSettings(input: {timeZone: $zone}) {
      provider { id } errors { code field } } }"""
    async with db.read() as session:
        events = len((await session.exec(select(AuditEvent))).all())
    for who, document, variables, name in (
        ("provider_a_admin", settings, {"zone": zone}, "updateProviderSettings"),
        ("agency_admin", UPDATE_PROVIDER, {"id": world.grief_center, "zone": zone}, "updateProvider"),
        ("provider_a", UPDATE_FACILITY, {"id": world.grief_facility, "zone": zone}, "updateFacility"),
    ):
        result = await gql(who, document, variables)
        assert_denied(result, "INVALID")
        assert {e["field"] for e in result.payload_errors()} == {"timeZone"}, name
    async with db.read() as session:
        assert len((await session.exec(select(AuditEvent))).all()) == events
    created = await gql(
        "agency_admin",
        """mutation Op($p: ID!, $zone: String) { createFacility(input: {providerId: $p, name: "Elsewhere",
          timeZone: $zone}) { facility { id } errors { code field } } }""",
        {"p": world.grief_center, "zone": zone},
    )
    assert {e["field"] for e in created.payload_errors()} == {"timeZone"}


@pytest.mark.parametrize("who", ["provider_a", "provider_b", "caseworker"])
async def test_finding_the_caller_and_their_time_zone_takes_one_statement(gql, db, who):
    with count_statements(db) as counted:
        result = await gql(who, "query { viewer { timeZone } }")
    assert result.ok()["viewer"]["timeZone"]
    assert counted() == 1  # one finds the caller and their zone; the agency or provider loads only when asked
    with count_statements(db) as counted:
        result = await gql(who, "query { viewer { timeZone agency { name } provider { name } } }")
    assert result.ok()["viewer"]["timeZone"]
    assert counted() == 1  # the caller is remembered (same token, seconds later); one loads their agency or provider


async def test_a_new_facility_without_a_zone_takes_the_zone_its_providers_users_see(gql, world):
    # given: the Grief Center has no setting of its own; its users see Chicago (its first facility's schedules)
    await gql("agency_admin", UPDATE_PROVIDER, {"id": world.grief_center, "zone": None})
    assert (await gql("provider_a", "query { viewer { timeZone } }")).ok()["viewer"]["timeZone"] == COSVILLE_ZONE
    # when: a second facility opens, with no zone and no schedule yet
    created = await gql(
        "agency_admin",
        """mutation Op($p: ID!) { createFacility(input: {providerId: $p, name: "Grief Center — Annex"}) {
          facility { timeZone } errors { code field } } }""",
        {"p": world.grief_center},
    )
    # then: its days are the provider's, not UTC's
    assert created.ok()["createFacility"]["facility"] == {"timeZone": COSVILLE_ZONE}
