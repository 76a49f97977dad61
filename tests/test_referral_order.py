"""The inbox's order and filters: most urgent first (overdue, then priority, then respond-by), paged by keyset
cursor without a gap or a repeat; facility, benefit and priority filters, each scoped to who may see what."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from server.domain.columns import utcnow
from server.domain.referrals.models import Referral, ReferralPriority, ReferralStatus
from tests.test_large_inbox import fill_inbox

pytestmark = pytest.mark.anyio

LIST = """query L($filter: ReferralFilter, $order: ReferralOrder!, $first: Int!, $after: String) {
  referrals(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id } } }"""
RANK = {"STAT": 0, "ASAP": 1, "URGENT": 2, "ROUTINE": 3}
NEVER = datetime(9999, 12, 31, tzinfo=UTC)


async def ids(gql, who, filter=None, order="URGENCY", first=100) -> list[int]:
    """The whole list as `who`, paged `first` at a time."""
    found, after = [], None
    while True:
        data = (await gql(who, LIST, {"filter": filter, "order": order, "first": first, "after": after})).ok()
        page = data["referrals"]
        found += [int(n["id"]) for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(found)
            return found
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
async def inbox(db, world) -> dict:
    """14 referrals to provider A (grief counseling) and 6 to provider B (food box), with known urgencies."""
    await fill_inbox(db, world, world.grief_center, world.grief_counseling, 14)
    await fill_inbox(db, world, world.pantry, world.food_box, 6)
    now = utcnow()
    async with db.write() as session:
        mine = list(
            (
                await session.exec(
                    select(Referral.id)
                    .where(Referral.provider_id == world.grief_center, Referral.participant_id > world.maria)
                    .order_by(Referral.id)
                )
            ).all()
        )
        assert len(mine) == 14
        changes = {
            mine[0]: {"respond_by": now - timedelta(days=1)},  # REQUESTED, routine, overdue a day
            mine[1]: {"priority": ReferralPriority.STAT},  # ACCEPTED: urgent, but answered
            mine[6]: {"priority": ReferralPriority.URGENT, "respond_by": now - timedelta(hours=2)},  # overdue urgent
            mine[12]: {"priority": ReferralPriority.ASAP, "respond_by": None},  # REQUESTED, no date
            mine[2]: {"facility_id": world.grief_facility, "priority": ReferralPriority.URGENT},
            mine[3]: {"facility_id": world.grief_facility},
        }
        for referral_id, values in changes.items():
            await session.exec(update(Referral).where(Referral.id == referral_id).values(**values))
    return {"mine": mine, "overdue_urgent": mine[6], "overdue_routine": mine[0]}


async def expected(db, principal_scope, now=None) -> list[int]:
    """The urgency order worked out here, from the rows: overdue first, priority, respond-by (none last), id."""
    now = now or utcnow()
    async with db.read() as session:
        rows = (await session.exec(select(Referral).where(principal_scope))).all()

    def key(r: Referral):
        overdue = r.status == ReferralStatus.REQUESTED and r.respond_by is not None and r.respond_by < now
        return (not overdue, RANK[r.priority], r.respond_by or NEVER, r.id)

    return [r.id for r in sorted(rows, key=key)]


async def test_provider_a_sees_the_overdue_urgent_referral_first_and_pages_two_at_a_time_to_the_same_list(
    gql, db, world, inbox
):
    at_once = await ids(gql, "provider_a")
    # the overdue ones first, urgent before routine; then the rest by priority and respond-by date
    assert at_once[0] == inbox["overdue_urgent"]
    assert at_once.index(inbox["overdue_urgent"]) < at_once.index(inbox["overdue_routine"])
    scope = (Referral.provider_id == world.grief_center) & Referral.sent_at.is_not(None)
    assert at_once == await expected(db, scope)
    assert await ids(gql, "provider_a", first=2) == at_once
    assert await ids(gql, "provider_a", first=3) == at_once
    # the newest order is unchanged: ids descending
    newest = await ids(gql, "provider_a", order="NEWEST")
    assert newest == sorted(at_once, reverse=True)


async def test_to_answer_in_urgency_order_is_requested_only_overdue_first(gql, inbox):
    requested = await ids(gql, "provider_a", {"statuses": ["REQUESTED"]}, first=2)
    assert requested[:2] == [inbox["overdue_urgent"], inbox["overdue_routine"]]
    assert inbox["mine"][1] not in requested  # the STAT one is accepted


async def test_provider_b_sees_none_of_provider_as_in_any_order_or_filter(gql, world, inbox):
    theirs = await ids(gql, "provider_b", first=2)
    assert len(theirs) == 6
    assert not set(theirs) & set(inbox["mine"])
    assert await ids(gql, "provider_b", {"facilityId": world.grief_facility}) == []
    assert await ids(gql, "provider_b", {"benefitId": world.grief_counseling}) == []
    assert sorted(await ids(gql, "provider_b", {"benefitId": world.food_box})) == sorted(theirs)


async def test_the_facility_benefit_and_priority_filters_narrow_the_list(gql, world, inbox):
    mine = inbox["mine"]
    at_facility = await ids(gql, "provider_a", {"facilityId": world.grief_facility})
    assert {mine[2], mine[3]} <= set(at_facility)
    assert not {mine[0], mine[1], mine[6], mine[12]} & set(at_facility)
    urgent = await ids(gql, "provider_a", {"priorities": ["URGENT", "STAT"]})
    assert set(urgent) & set(mine) == {mine[1], mine[2], mine[6]}  # (and the demo's urgent one)
    assert urgent[0] == mine[6]  # overdue first
    assert set(await ids(gql, "provider_a", {"priorities": ["ASAP"]})) & set(mine) == {mine[12]}
    grief = await ids(gql, "provider_a", {"benefitId": world.grief_counseling})
    assert set(mine) <= set(grief)
    assert await ids(gql, "provider_a", {"benefitId": world.food_box}) == []
    # combined with a status and with each other
    urgent_to_answer = await ids(gql, "provider_a", {"priorities": ["URGENT"], "statuses": ["REQUESTED"]})
    assert urgent_to_answer[0] == mine[6] and set(urgent_to_answer) & set(mine) == {mine[6]}
    both = {"facilityId": world.grief_facility, "priorities": ["URGENT"]}
    assert set(await ids(gql, "provider_a", both)) & set(mine) == {mine[2]}


async def test_agency_staff_see_both_providers_and_filter_them(gql, world, inbox):
    everything = await ids(gql, "caseworker", first=2)
    assert set(inbox["mine"]) <= set(everything)
    food = await ids(gql, "caseworker", {"benefitId": world.food_box})
    assert len(food) >= 6 and not set(food) & set(inbox["mine"])
    assert set(await ids(gql, "caseworker", {"priorities": ["STAT"]})) == {inbox["mine"][1]}
    # another agency sees none of it
    assert await ids(gql, "other_agency_admin", {"benefitId": world.grief_counseling}) == []


async def test_anonymous_callers_get_nothing(gql, inbox):
    result = await gql(None, LIST, {"filter": {"priorities": ["URGENT"]}, "order": "URGENCY", "first": 10})
    assert result.error_codes() == ["UNAUTHENTICATED"]
    assert (result.data or {}).get("referrals") is None


async def test_a_cursor_of_the_other_order_is_refused(gql, inbox):
    data = (await gql("provider_a", LIST, {"order": "NEWEST", "first": 2})).ok()
    cursor = data["referrals"]["pageInfo"]["endCursor"]
    result = await gql("provider_a", LIST, {"order": "URGENCY", "first": 2, "after": cursor})
    assert result.error_codes() == ["INVALID"] or "INVALID" in str(result.errors)
