"""One database session per GraphQL request: every resolver and loader of a request shares it, so a request holds
one connection at most; a query reads one snapshot; a mutation's root fields are each all-or-nothing inside the
request's one write transaction, committed before the answer is sent."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from server.app import create_app
from server.core.tokens import issue_token
from server.db import Database, NestedSession, RequestDatabase
from server.domain.audit import AuditEvent
from server.domain.catalogue.models import BenefitItemCode
from server.domain.referrals.models import Referral, ReferralStatus
from tests.conftest import SECRET, count_statements

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
async def test_who_is_calling_costs_one_statement_then_none_while_remembered(gql, db, who):
    # the caller's user, zone and revocation come in one statement; `viewer { id }` needs nothing more
    query = "query { viewer { id name role timeZone } }"
    with count_statements(db) as counted, watch(db) as seen:
        first = (await gql(who, query)).ok()
    assert first["viewer"]["id"]
    assert (counted(), seen.transactions) == (1, 1)
    # the same token again, soon: the caller is remembered, and nothing else is needed
    with count_statements(db) as counted, watch(db) as seen:
        again = (await gql(who, query)).ok()
    assert again == first
    assert (counted(), seen.transactions) == (0, 0)


@pytest.mark.parametrize("change", ["deactivate", "sign_out", "zone"])
async def test_a_change_committed_through_this_process_reaches_the_next_request_though_the_caller_was_remembered(
    gql, http, db, users, change
):
    from datetime import timedelta

    from sqlalchemy import update

    from server.core.columns import utcnow
    from server.core.revocation import RevokedToken
    from server.core.tokens import read_token
    from server.domain.agencies import Agency
    from server.domain.users import User

    query = "query { viewer { id timeZone } }"
    assert (await gql("caseworker", query)).ok()["viewer"]["timeZone"] == "America/Chicago"  # now remembered
    async with db.write() as session:
        if change == "deactivate":
            await session.exec(update(User).where(User.id == users["caseworker"].id).values(active=False))
        elif change == "sign_out":
            claims = read_token(SECRET, gql.tokens["caseworker"])
            session.add(
                RevokedToken(token_id=claims.token_id, user_id=claims.user_id, expires_at=utcnow() + timedelta(hours=1))
            )
        else:
            await session.exec(
                update(Agency).where(Agency.id == users["caseworker"].agency_id).values(time_zone="Europe/Paris")
            )
    after = await gql("caseworker", query)
    if change == "zone":
        assert after.ok()["viewer"]["timeZone"] == "Europe/Paris"
    else:
        assert [e["extensions"]["code"] for e in after.errors] == ["UNAUTHENTICATED"]


def test_callers_are_remembered_for_at_most_five_seconds_and_a_bounded_number():
    from server.auth.callers import RecentCallers

    now = [100.0]
    recent = RecentCallers(5.0, size=2, clock=lambda: now[0])
    recent.put(1, "a", "one")
    recent.put(2, "b", "two")
    assert recent.get(1, "a") == "one"
    assert recent.get(1, "b") is None  # another user's token id: not theirs
    now[0] += 4.99
    assert recent.get(2, "b") == "two"
    now[0] += 0.01
    assert recent.get(1, "a") is None and recent.get(2, "b") is None  # lapsed
    for user in range(1, 4):
        recent.put(user, "t", user)
    assert [recent.get(u, "t") for u in range(1, 4)] == [None, 2, 3]  # the oldest forgotten past the size
    # a lookup that began before a change was committed (forget_all) is not remembered when it ends after it
    looked_up_at = recent.generation
    recent.forget_all()
    recent.put(5, "late", "read before the sign-out", generation=looked_up_at)
    assert recent.get(5, "late") is None
    recent.put(5, "late", "read after it", generation=recent.generation)
    assert recent.get(5, "late") == "read after it"
    recent.put(9, "", "untraceable")
    assert recent.get(9, "") is None  # a token without an id is never remembered
    with pytest.raises(ValueError):
        RecentCallers(5.5)
    assert RecentCallers(0).put(1, "a", "x") is None and RecentCallers(0).get(1, "a") is None


REFUSED_BETWEEN = """mutation Op($ic: ID!, $b: ID!, $other: ID!) {
  a: updateBenefitItemCode(id: $ic, input: {}) { benefitItemCode { benefit { name } } errors { code } }
  b: updateBenefit(id: $b, input: {programId: $other}) { benefit { id } errors { code field } }
  c: updateBenefitItemCode(id: $ic, input: {}) { benefitItemCode { benefit { name } } errors { code } } }"""


async def test_a_refused_change_between_two_leaves_the_records_the_request_holds_readable(gql, db, world):
    # given an item code whose benefit the first change's payload loads, and a second change that alters that
    # benefit, then is refused (another agency's program), undoing its savepoint
    async with db.read() as session:
        item = await session.get(BenefitItemCode, world.item_b00034)
    names = {"ic": item.id, "b": item.benefit_id, "other": world.other_family_support}
    result = await gql("agency_admin", REFUSED_BETWEEN, names)
    # then the third change's payload reads the benefit as it stands, not an expired record
    assert not result.errors, result.errors
    assert result.data["b"]["errors"][0]["code"] == "NOT_FOUND"
    first, third = result.data["a"]["benefitItemCode"], result.data["c"]["benefitItemCode"]
    assert third == first and first["benefit"]["name"]


async def test_a_statement_failing_while_writing_saves_nothing_and_says_so(db):
    # given a request that made a change, then ran a statement that failed outside any change's savepoint
    request = RequestDatabase(db)
    async with db.read() as session:
        before = await count_events(session)
    try:
        async with request.write() as session:
            session.add(an_event())
        with pytest.raises(DBAPIError):
            async with request.read() as session:
                await session.exec(text("SELECT * FROM no_such_table"))
        # then the request cannot be committed (PostgreSQL has aborted its transaction), and finish says so
        assert not await request.finish()
    finally:
        await request.close()
    async with db.read() as session:
        assert await count_events(session) == before


CHANGE_THEN_MORE = "\n".join(
    ['mutation Op($ic: ID!) { a: updateBenefitItemCode(id: $ic, input: {code: "CODE"}) { errors { code } }']
    + [
        f"n{i}: updateBenefitItemCode(id: $ic, input: {{}}) {{ benefitItemCode {{ code benefit {{ name "
        "program { name } } } errors { code } }"
        for i in range(6)
    ]
    + ["}"]
)


# The same bug leaves an aiosqlite connection to the garbage collector, which warns (see below).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning", "ignore::ResourceWarning")
async def test_a_request_stopped_by_its_time_limit_at_any_point_answers_and_keeps_nothing(
    db, settings, users, world, request
):
    # Known bug, open (see the closing note of 2026-12-03): on SQLite, a time limit that cancels a request while the
    # pool reconnects a connection invalidated by an earlier cut leaves the pool's record without a connection, and
    # a later checkout fails SQLAlchemy's own assertion. Seen twice under CI's load; still run, still reported.
    request.applymarker(
        pytest.mark.xfail(db.url.startswith("sqlite"), reason="cancel during the pool's reconnect", strict=False)
    )
    # given time limits from 1 ms to 60 ms, each stopping a document of changes at another point
    token = issue_token(SECRET, user_id=users["agency_admin"].id, ttl_seconds=600)
    stopped = 0
    for step in range(1, 31):
        app = create_app(replace(settings, query_timeout_seconds=step * 0.002), db)
        code = f"T-{step}"
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.post(
                "/graphql",
                json={"query": CHANGE_THEN_MORE.replace("CODE", code), "variables": {"ic": world.item_b00034}},
                headers={"Authorization": f"Bearer {token}"},
            )
        # then each is answered (never a 500), and one answered TIMEOUT kept none of its changes
        assert answer.status_code == 200, answer.text
        timed_out = any(e["extensions"]["code"] == "TIMEOUT" for e in answer.json().get("errors") or [])
        async with db.read() as session:
            stored = (await session.get(BenefitItemCode, world.item_b00034)).code
        if timed_out:
            stopped += 1
            assert stored != code, step
        else:
            assert stored == code, answer.json()
    # and the pool's connections are all usable afterwards
    for _ in range(10):
        async with db.read() as session:
            assert (await session.exec(text("SELECT 1"))).one() == (1,)
    assert stopped  # the sweep did stop some


async def test_a_caller_looked_up_while_a_sign_out_commits_is_not_remembered(gql, db, users):
    """A request whose lookup read the caller before a sign-out committed must not remember what it read: the
    lookup is held between its statement and its remembering until the sign-out commits; the next request is
    refused."""
    import asyncio
    from datetime import timedelta

    from server.core.columns import utcnow
    from server.core.revocation import RevokedToken
    from server.core.tokens import read_token
    from server.db import RequestDatabase

    query = "query { viewer { id } }"
    original_read = RequestDatabase.read
    reading, signed_out = asyncio.Event(), asyncio.Event()

    def held_read(self):
        manager = original_read(self)

        class Held:
            async def __aenter__(self_inner):
                return await manager.__aenter__()

            async def __aexit__(self_inner, *exc):
                reading.set()  # the lookup has read the caller: signed in
                await signed_out.wait()  # the sign-out commits before the lookup goes on to remember it
                return await manager.__aexit__(*exc)

        return Held()

    async def sign_out() -> None:
        await reading.wait()
        claims = read_token(SECRET, gql.tokens["caseworker"])
        async with db.write() as session:
            session.add(
                RevokedToken(token_id=claims.token_id, user_id=claims.user_id, expires_at=utcnow() + timedelta(hours=1))
            )
        signed_out.set()

    RequestDatabase.read = held_read
    try:
        in_flight, _ = await asyncio.gather(gql("caseworker", query), sign_out())
    finally:
        RequestDatabase.read = original_read
    assert in_flight.ok()["viewer"]["id"]  # answered as the caller stood when it was read
    after = await gql("caseworker", query)
    assert [e["extensions"]["code"] for e in after.errors] == ["UNAUTHENTICATED"]
