"""A provider's inbox costs a fixed number of SQL statements however many referrals it holds.

The document is the portal's own (portal-ui/js/views/inbox.js); a copy here, checked against the portal's text so
the test follows the page if it changes. The portal reads pages of 25 (most urgent first) and pages on with `after`;
pages of 100 and of 50, followed by `after`, are checked here.
"""

import re
from datetime import timedelta
from itertools import cycle
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from server.db import Database
from server.domain.catalogue.models import Benefit
from server.domain.clients.models import BenefitAssignment, Participant, ProgramEnrollment
from server.domain.columns import utcnow
from server.domain.referrals.models import Referral, ReferralStatus
from tests.conftest import World, count_statements

pytestmark = pytest.mark.anyio

PORTAL_INBOX = Path(__file__).parent.parent / "portal-ui" / "js" / "views" / "inbox.js"

# Copied from portal-ui/js/views/inbox.js (QUERY); the variables are the ones the page sends on its "All" tab.
INBOX = """query Inbox($filter: ReferralFilter!, $names: ReferralFilter!, $first: Int!, $after: String) {
  referrals(filter: $filter, orderBy: URGENCY, first: $first, after: $after) { totalCount
    pageInfo { hasNextPage endCursor } nodes { id status version isNew isOverdue priority sentAt respondBy
    availableActions sharedParticipant { preferredName } benefit { name } facility { name } } }
  referralCounts(filter: $names) { status count }
  unopened: referrals(filter: {new: true}, first: 1) { totalCount } }"""
ALL_TAB = {"filter": {"statuses": None}, "names": {}, "first": 100}

# The same fields in pages of 50 with the page's position, as a client paging through the inbox would ask.
PAGE_OF_50 = INBOX  # the page pages itself: `first` and `after` are variables

STATUSES = [
    ReferralStatus.REQUESTED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.ON_HOLD,
    ReferralStatus.COMPLETED,
    ReferralStatus.REJECTED,
]


async def fill_inbox(db: Database, world: World, provider_id: int, benefit_id: int, count: int) -> None:
    """`count` clients of the demo agency, each referred (sent) to the provider for the benefit: one bulk insert
    per table. Statuses vary; a third are unopened; some requested ones are overdue."""
    now = utcnow()
    async with db.write() as session:
        program_id = await session.scalar(select(Benefit.program_id).where(Benefit.id == benefit_id))
        connor = await session.scalar(select(Referral.referring_user_id).where(Referral.id == world.new_referral))
        start = await session.scalar(select(func.max(Participant.id))) + 1
        people = (
            await session.exec(
                insert(Participant).returning(Participant.id, sort_by_parameter_order=True),
                params=[
                    {
                        "agency_id": 1,
                        "client_id": f"INBOX-{start + i:06d}",
                        "legal_first_name": f"Client{start + i}",
                        "legal_last_name": "Inbox",
                        "shared_name": f"client{start + i}",
                        "search_text": f"client{start + i} inbox",
                    }
                    for i in range(count)
                ],
            )
        ).all()
        enrollments = (
            await session.exec(
                insert(ProgramEnrollment).returning(ProgramEnrollment.id, sort_by_parameter_order=True),
                params=[
                    {"agency_id": 1, "participant_id": p.id, "program_id": program_id, "status": "IN_PROGRESS"}
                    for p in people
                ],
            )
        ).all()
        assignments = (
            await session.exec(
                insert(BenefitAssignment).returning(BenefitAssignment.id, sort_by_parameter_order=True),
                params=[
                    {"agency_id": 1, "participant_id": p.id, "benefit_id": benefit_id, "enrollment_id": e.id}
                    for p, e in zip(people, enrollments, strict=True)
                ],
            )
        ).all()
        statuses = cycle(STATUSES)
        await session.exec(
            insert(Referral),
            params=[
                {
                    "agency_id": 1,
                    "participant_id": p.id,
                    "benefit_assignment_id": a.id,
                    "provider_id": provider_id,
                    "referring_user_id": connor,
                    "status": next(statuses),
                    "sent_at": now - timedelta(minutes=count - i),
                    "respond_by": now + timedelta(days=-1 if i % 7 == 0 else 3),
                    "first_viewed_at": None if i % 3 == 0 else now,
                    "shared_fields": [],
                }
                for i, (p, a) in enumerate(zip(people, assignments, strict=True))
            ],
        )


def test_the_copy_is_the_portals_inbox_query():
    portal = re.search(r"const QUERY = `(.*?)`;", PORTAL_INBOX.read_text(), re.DOTALL)
    assert portal is not None, "the inbox page no longer declares its QUERY"
    assert portal.group(1) == INBOX


async def test_the_portals_inbox_costs_the_same_for_60_and_600_referrals(gql, db, world):
    async def inbox() -> tuple[int, dict]:
        with count_statements(db) as counted:
            data = (await gql("provider_a", INBOX, ALL_TAB)).ok()
        return counted(), data

    await fill_inbox(db, world, world.grief_center, world.grief_counseling, 60)
    await fill_inbox(db, world, world.pantry, world.food_box, 60)  # another provider's: never in this inbox
    small_cost, small = await inbox()
    await fill_inbox(db, world, world.grief_center, world.grief_counseling, 540)
    await fill_inbox(db, world, world.pantry, world.food_box, 300)
    large_cost, large = await inbox()

    # The demo's two referrals to the Grief Center are in the inbox too.
    assert sum(c["count"] for c in small["referralCounts"]) == 62
    assert sum(c["count"] for c in large["referralCounts"]) == 602
    assert len(small["referrals"]["nodes"]) == 62
    assert len(large["referrals"]["nodes"]) == 100
    assert large["unopened"]["totalCount"] == small["unopened"]["totalCount"] + 180
    assert all(n["sharedParticipant"]["preferredName"] and n["benefit"]["name"] for n in large["referrals"]["nodes"])
    assert {n["benefit"]["name"] for n in large["referrals"]["nodes"]} == {"Grief Counseling"}
    overdue = [n["isOverdue"] for n in large["referrals"]["nodes"]]
    assert any(overdue) and not all(overdue)
    assert overdue == sorted(overdue, reverse=True)  # most urgent first: the overdue ones lead
    # One statement for the caller, two for the page (its rows with their participants, and its total), one per
    # batched field (assignment, benefit, facility; no alerts, none are shared), one for the counts, two for the
    # unopened total (its page and its count): 9, the same at 10x the inbox.
    assert large_cost == small_cost
    assert small_cost <= 9


async def test_pages_of_50_cost_the_same_at_60_and_600_referrals_and_the_next_page_too(gql, db, world):
    async def page(after: str | None = None) -> tuple[int, dict]:
        await gql("provider_a", "{ viewer { id } }")  # the caller is identified (and remembered) before counting
        with count_statements(db) as counted:
            data = (await gql("provider_a", PAGE_OF_50, {**ALL_TAB, "first": 50, "after": after})).ok()
        return counted(), data

    await fill_inbox(db, world, world.grief_center, world.grief_counseling, 60)
    small_cost, small = await page()
    await fill_inbox(db, world, world.grief_center, world.grief_counseling, 540)
    await fill_inbox(db, world, world.pantry, world.food_box, 300)
    large_cost, large = await page()
    next_cost, following = await page(large["referrals"]["pageInfo"]["endCursor"])

    for data in (small, large, following):
        assert len(data["referrals"]["nodes"]) == 50
        assert data["referrals"]["pageInfo"]["hasNextPage"] is True
    first_ids = [int(n["id"]) for n in large["referrals"]["nodes"]]
    next_ids = [int(n["id"]) for n in following["referrals"]["nodes"]]
    at_once = (await gql("provider_a", INBOX, ALL_TAB)).ok()["referrals"]["nodes"]
    assert first_ids + next_ids == [int(n["id"]) for n in at_once]
    assert not set(first_ids) & set(next_ids)
    assert small_cost == large_cost == next_cost
    assert small_cost <= 8  # the page with its participants and its total, 3 batched fields, the counts, unopened


PARTICIPANTS_ASKED = {
    "nothing": "{ referrals(first: 50) { nodes { id } } }",
    "nodes": "{ referrals(first: 50) { nodes { id sharedParticipant { preferredName } } } }",
    "edges": "{ referrals(first: 50) { edges { node { id sharedParticipant { preferredName } } } } }",
    "fragment": "{ referrals(first: 50) { ...Page } } fragment Page on ReferralConnection { nodes { ...Row } } "
    "fragment Row on Referral { id sharedParticipant { preferredName } }",
}


@pytest.mark.parametrize("role", ["caseworker", "provider_a", "provider_b"])
async def test_the_participants_of_a_page_come_with_its_rows_however_they_are_asked_for(gql, db, world, role):
    await fill_inbox(db, world, world.grief_center, world.grief_counseling, 30)
    await fill_inbox(db, world, world.pantry, world.food_box, 30)  # provider B's own inbox, and none of A's in it
    async with db.read() as session:
        grief = await session.exec(select(Referral.id).where(Referral.provider_id == world.grief_center))
        grief_ids = {row[0] for row in grief.all()}
    costs = {}
    await gql(role, "{ viewer { id } }")  # the caller is identified (and remembered) before counting
    for name, query in PARTICIPANTS_ASKED.items():
        with count_statements(db) as counted:
            data = (await gql(role, query)).ok()
        costs[name] = counted()
        rows = (
            data["referrals"]["nodes"]
            if "nodes" in data["referrals"]
            else [e["node"] for e in data["referrals"]["edges"]]
        )
        assert len(rows) >= 30
        ids = {int(r["id"]) for r in rows}
        # provider B's page holds its own referrals only; provider A's, the Grief Center's only
        assert not ids & grief_ids if role == "provider_b" else role == "caseworker" or ids <= grief_ids
        if name != "nothing":
            assert all(r["sharedParticipant"]["preferredName"] for r in rows)
    assert set(costs.values()) == {1}, costs  # the page, its participants with it
