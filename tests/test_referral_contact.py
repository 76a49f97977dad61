"""Who referred, and how to reach them: the caseworker's work email and phone on a referral, for the referring agency
and for the provider it was sent to; nobody else."""

import pytest
from sqlalchemy import update

from server.domain.errors import Invalid
from server.domain.principal import Role
from server.domain.users import User, create_user
from tests.conftest import assert_denied, count_statements
from tests.test_large_inbox import fill_inbox
from tests.test_referrals import drive

pytestmark = pytest.mark.anyio

REFERRAL = """query Op($id: ID!) { referral(id: $id) { id referredBy referringCaseworker { name email phone } } }"""
INBOX = """query { referrals(first: 100) { totalCount nodes { id referringCaseworker { name email phone } } } }"""
CONNOR = {"name": "Connor Reyes", "email": "connor@cosville.example", "phone": "(217) 555-0121"}


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "agency_admin", "provider_a", "provider_a_admin"])
async def test_the_agency_and_the_provider_it_was_sent_to_see_who_referred_and_their_work_contact(gql, world, who):
    # when
    referral = (await gql(who, REFERRAL, {"id": world.new_referral})).ok()["referral"]
    # then: the demo's caseworker, with the work phone the demo gives him
    assert referral["referringCaseworker"] == CONNOR
    assert referral["referredBy"] == "Connor Reyes"


@pytest.mark.parametrize("who", ["provider_b", "other_agency_admin"])
async def test_another_provider_or_agency_gets_not_found(gql, world, who):
    assert_denied(await gql(who, REFERRAL, {"id": world.new_referral}), "NOT_FOUND")
    inbox = (await gql(who, INBOX)).ok()["referrals"]
    assert "Connor Reyes" not in str(inbox) and "555-0121" not in str(inbox)


async def test_no_login_gets_unauthenticated(gql, world):
    assert_denied(await gql(None, REFERRAL, {"id": world.new_referral}), "UNAUTHENTICATED")


async def test_a_draft_shows_the_contact_to_its_agency_and_nothing_to_the_provider(gql, db, people, world):
    # given: a draft, never sent
    draft = await drive(db, people, world, "DRAFT")
    # then
    assert (await gql("caseworker", REFERRAL, {"id": draft})).ok()["referral"]["referringCaseworker"] == CONNOR
    assert_denied(await gql("provider_a", REFERRAL, {"id": draft}), "NOT_FOUND")
    inbox = (await gql("provider_a", INBOX)).ok()["referrals"]["nodes"]
    assert str(draft) not in [n["id"] for n in inbox]


async def test_a_caseworker_who_left_keeps_their_name_but_not_a_contact_that_reaches_no_one(gql, db, world, users):
    # given: Connor is deactivated
    async with db.write() as session:
        await session.exec(update(User).where(User.id == users["caseworker"].id).values(active=False))
    # when
    referral = (await gql("provider_a", REFERRAL, {"id": world.new_referral})).ok()["referral"]
    # then
    assert referral["referringCaseworker"] == {"name": "Connor Reyes", "email": None, "phone": None}


async def test_a_work_phone_is_checked_when_a_user_is_created(db):
    async with db.write() as session:
        with pytest.raises(Invalid) as refused:
            await create_user(
                session,
                email="pat@cosville.example",
                full_name="Pat Lee",
                role=Role.CASEWORKER,
                password="long-enough-password",
                agency_id=1,
                hash_profile="test",
                phone="call me maybe",
            )
        assert refused.value.field == "phone"
        made = await create_user(
            session,
            email="sam@cosville.example",
            full_name="Sam Lee",
            role=Role.CASEWORKER,
            password="long-enough-password",
            agency_id=1,
            hash_profile="test",
            phone=" +1 (217) 555-0130 ",
        )
        assert made.phone == "+1 (217) 555-0130"


async def test_the_contact_costs_the_same_for_2_and_242_referrals(gql, db, world):
    async def inbox() -> tuple[int, dict]:
        with count_statements(db) as counted:
            data = (await gql("provider_a", INBOX)).ok()
        return counted(), data

    small_cost, small = await inbox()
    await fill_inbox(db, world, world.grief_center, world.grief_counseling, 240)
    large_cost, large = await inbox()
    assert small["referrals"]["totalCount"] + 240 == large["referrals"]["totalCount"]
    assert {n["referringCaseworker"]["phone"] for n in large["referrals"]["nodes"]} == {CONNOR["phone"]}
    assert large_cost == small_cost
