"""One database session per GraphQL request: every resolver and loader of a request shares it, so a request holds
one connection at most; a query reads one snapshot; a mutation's root fields are each all-or-nothing inside the
request's one write transaction, committed before the answer is sent."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from server.db import Database, NestedSession, RequestDatabase
from server.domain.audit import AuditEvent
from server.domain.referrals.models import Referral, ReferralStatus
from tests.conftest import count_statements

pytestmark = pytest.mark.anyio

INBOX = """query { referrals(first: 50) { totalCount nodes { id status isNew availableActions
  sharedParticipant { preferredName phone } facility { name provider { name } } benefit { name } } } }"""
NETWORK = """query { providers(first: 100) { totalCount nodes { name facilities { name address { city }
  specialties { primary specialty { code parent { code } } } } } } viewer { id } }"""
TWO_CHANGES = """mutation Op($good: ID!, $bad: ID!) {
  first: acceptReferral(id: $good) { referral { status availableActions } errors { code } }
  second: startReferral(id: $bad) { referral { status } errors { code } } }"""


@dataclass
class Connections:
    """What one stretch of time did with the engine's pool and transactions."""

    checkouts: int = 0
    held: int = 0
    most_held: int = 0
    transactions: int = 0
    savepoints: list[str] = field(default_factory=list)


@contextmanager
def watch(db: Database) -> Iterator[Connections]:
    seen = Connections()

    def checkout(*_):
        seen.checkouts += 1
        seen.held += 1
        seen.most_held = max(seen.most_held, seen.held)

    def checkin(*_):
        seen.held -= 1

    def begin(*_):
        seen.transactions += 1

    def savepoint(_conn, name):
        seen.savepoints.append(name)

    listeners = [
        (db.engine.sync_engine, "checkout", checkout),
        (db.engine.sync_engine, "checkin", checkin),
        (db.engine.sync_engine, "begin", begin),
        (db.engine.sync_engine, "savepoint", savepoint),
    ]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield seen
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)


@pytest.mark.parametrize(("who", "document"), [("provider_a", INBOX), ("agency_admin", NETWORK)])
async def test_a_query_with_nested_lists_uses_one_connection_in_one_transaction(gql, db, who, document):
    # warm the pool: a connection opened for the first time is not what is measured
    (await gql(who, "query { viewer { id } }")).ok()
    with watch(db) as seen:
        data = (await gql(who, document)).ok()
    assert data
    assert (seen.checkouts, seen.most_held, seen.transactions) == (1, 1, 1)
    assert seen.held == 0  # given back before the answer


async def test_each_mutation_of_a_request_is_all_or_nothing_in_one_write_transaction(gql, db, world):
    # given a new referral (the provider may accept it) and the same one as the second change, which cannot start
    # before it is authorized
    (await gql("provider_a", "query { viewer { id } }")).ok()
    ids = {"good": world.new_referral, "bad": world.new_referral}
    with watch(db) as seen:
        result = await gql("provider_a", TWO_CHANGES, ids)
    assert not result.errors, result.errors
    data = result.data
    # then the first is saved and its payload reads it; the second is refused and left nothing
    assert data["first"]["errors"] == []
    assert data["first"]["referral"]["status"] == "ACCEPTED"
    assert "START" not in data["first"]["referral"]["availableActions"]
    assert [e["code"] for e in data["second"]["errors"]] == ["CONFLICT"]
    async with db.read() as session:
        referral = await session.get(Referral, world.new_referral)
    assert referral.status == ReferralStatus.ACCEPTED
    # and the request held one connection at a time: one to identify the caller, one for its changes
    assert seen.most_held == 1
    assert seen.checkouts <= 2
    assert seen.transactions <= 2
    assert len(seen.savepoints) == 2
    assert seen.held == 0


async def count_events(session) -> int:
    return (await session.exec(select(func.count()).select_from(AuditEvent))).one()


def an_event() -> AuditEvent:
    return AuditEvent(actor_name="Test", action="tested", record_type="test")


async def test_a_requests_reads_see_one_snapshot_and_its_writes_see_its_own_changes(db):
    request = RequestDatabase(db)
    try:
        # given a request that has read the referrals
        async with request.read() as session:
            before = await count_events(session)
        # when another request adds one
        async with db.write() as other:
            other.add(an_event())
        # then this request still reads the world as it was when it began
        async with request.read() as session:
            assert await count_events(session) == before
        # and a change of its own begins a new transaction that sees the other's, then its own
        async with request.write() as session:
            assert await count_events(session) == before + 1
            session.add(an_event())
        async with request.read() as session:
            assert await count_events(session) == before + 2
        assert await request.finish()
    finally:
        await request.close()
    async with db.read() as session:
        assert await count_events(session) == before + 2


async def test_a_failed_change_is_undone_alone_and_an_unfinished_request_saves_nothing(db):
    request = RequestDatabase(db)
    async with db.read() as session:
        before = await count_events(session)
    try:
        async with request.write() as session:
            session.add(an_event())
        with pytest.raises(RuntimeError):
            async with request.write() as session:
                session.add(an_event())
                await session.flush()
                raise RuntimeError("refused")
        async with request.read() as session:
            assert await count_events(session) == before + 1
    finally:
        await request.close()  # not finished: nothing is committed
    async with db.read() as session:
        assert await count_events(session) == before


async def test_a_request_session_is_not_opened_inside_itself(db):
    request = RequestDatabase(db)
    try:
        async with request.read():
            with pytest.raises(NestedSession):
                async with request.write():
                    pass
            with pytest.raises(NestedSession):
                async with request.read():
                    pass
    finally:
        await request.close()


@pytest.mark.parametrize("who", ["caseworker", "provider_a"])
async def test_who_is_calling_costs_one_statement(gql, db, who):
    # the caller's user, zone and revocation come in one statement; `viewer { id }` needs nothing more
    (await gql(who, "query { viewer { id } }")).ok()
    with count_statements(db) as counted, watch(db) as seen:
        data = (await gql(who, "query { viewer { id name role timeZone } }")).ok()
    assert data["viewer"]["id"]
    assert (counted(), seen.transactions) == (1, 1)
