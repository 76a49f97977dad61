"""Concurrent changes: a request holds one database session at a time, and contention answers CONFLICT ("busy,
try again") after a bounded wait, never "Unexpected error", while other requests keep being answered."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlmodel import func, select

from server.app import create_app
from server.auth.sessions import COOKIE
from server.config import Settings
from server.core.tokens import issue_token
from server.db import Database, NestedSession, is_sqlite
from server.domain.delivery import schedule_assignments
from server.domain.delivery.models import BenefitDisbursement, BenefitSession
from tests.conftest import SECRET, GraphQL
from tests.stories import approved_schedule, authorized_referral, days_ago_at

pytestmark = pytest.mark.anyio

SAVES = 20
TAKE = """mutation Op($id: ID!, $marks: [AttendanceInput!]!) { takeAttendance(sessionId: $id, marks: $marks) {
  roster { session { status } lines { participantId mark disbursement { id } } } errors { code field message } } }"""
VIEWER = "query { viewer { id } }"


async def roster_of_three(db: Database, people, world) -> tuple[int, list[int]]:
    """A session two days ago with three freshly referred participants enrolled in it."""
    _, (session_id,) = await approved_schedule(db, people, world, first_start=days_ago_at(2, 10))
    participant_ids = []
    for _ in range(3):
        referral = await authorized_referral(db, people, world)
        async with db.write() as session:
            await schedule_assignments.enroll_in_schedule(
                session, people["provider_a"], referral_id=referral.id, session_id=session_id
            )
        participant_ids.append(referral.participant_id)
    return session_id, participant_ids


def marks(participant_ids: list[int], mark: str) -> list[dict]:
    return [{"participantId": p, "mark": mark} for p in participant_ids]


def only_busy(result) -> bool:
    """The save was refused as busy: a CONFLICT in its payload, nothing else."""
    return not result.errors and [e["code"] for e in result.payload_errors()] == ["CONFLICT"]


async def test_twenty_concurrent_saves_of_one_roster_succeed_or_answer_conflict_while_others_are_answered(
    gql, db, people, world
):
    # given a roster of three
    session_id, participant_ids = await roster_of_three(db, people, world)
    saves = [
        gql("provider_a", TAKE, {"id": session_id, "marks": marks(participant_ids, ("PRESENT", "ABSENT")[i % 2])})
        for i in range(SAVES)
    ]
    # when twenty saves arrive at once, and another user asks who they are meanwhile
    *results, viewer = await asyncio.gather(*saves, gql("caseworker", VIEWER))
    # then every save is saved or refused as busy, none fails unexpectedly
    saved = [r for r in results if not r.errors and not r.payload_errors()]
    assert saved, [r.body for r in results]
    assert all(r in saved or only_busy(r) for r in results), [r.body for r in results if r not in saved]
    for result in saved:
        assert result.data["takeAttendance"]["roster"]["session"]["status"] == "COMPLETED"
    # and each participant has exactly one disbursement of the session (the later saves corrected it)
    async with db.read() as session:
        rows = (
            await session.exec(
                select(BenefitDisbursement.participant_id).where(BenefitDisbursement.session_id == session_id)
            )
        ).all()
    assert Counter(rows) == Counter(participant_ids)
    # and the other user was answered
    assert viewer.ok()["viewer"]["id"]


@pytest.fixture
async def impatient(db: Database, users) -> AsyncIterator[tuple[Database, GraphQL]]:
    """The app over the test's database with a short wait for locks (0.2 s), and its own database handle."""
    app_db = Database(db.url, lock_wait=0.2)
    tokens = {who: issue_token(SECRET, user_id=user.id, ttl_seconds=600) for who, user in users.items()}
    app = create_app(Settings(database_url=db.url, secret_key=SECRET, password_hash_profile="test"), app_db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield app_db, GraphQL(http, tokens)
    await app_db.dispose()


@pytest.mark.parametrize("holder", ["this process", "another process"])
async def test_a_save_that_waits_past_its_wait_answers_conflict_and_saves_nothing(impatient, db, people, world, holder):
    # given a roster, and a change that holds it (in this process, or through another engine as another
    # worker process would)
    app_db, client = impatient
    session_id, participant_ids = await roster_of_three(db, people, world)
    holding_db = app_db if holder == "this process" else db
    held, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with holding_db.write() as session:
            if not is_sqlite(db.url):  # PostgreSQL locks rows, not the database: lock the session's
                await session.exec(select(BenefitSession).where(BenefitSession.id == session_id).with_for_update())
            held.set()
            await release.wait()

    holder_task = asyncio.create_task(hold())
    await held.wait()
    try:
        # when a save comes meanwhile
        result = await client("provider_a", TAKE, {"id": session_id, "marks": marks(participant_ids, "PRESENT")})
        # and another user asks who they are
        viewer = await client("caseworker", VIEWER)
    finally:
        release.set()
        await holder_task
    # then the save is refused as busy, and nothing was saved
    assert only_busy(result), result.body
    assert "try again" in result.payload_errors()[0]["message"]
    assert viewer.ok()["viewer"]["id"]
    async with db.read() as session:
        count = (
            await session.exec(
                select(func.count())
                .select_from(BenefitDisbursement)
                .where(BenefitDisbursement.session_id == session_id)
            )
        ).one()
    assert count == 0
    # and once the other change is done, the same save is made
    again = await client("provider_a", TAKE, {"id": session_id, "marks": marks(participant_ids, "PRESENT")})
    assert again.ok()["takeAttendance"]["roster"]["session"]["status"] == "COMPLETED"


async def test_a_task_holds_one_session_at_a_time(db):
    # a session inside a write, or inside a read, is refused
    async with db.write():
        with pytest.raises(NestedSession):
            async with db.read():
                pass
    async with db.read():
        with pytest.raises(NestedSession):
            async with db.write():
                pass
        with pytest.raises(NestedSession):
            async with db.read():
                pass
    # one after the other, and in separate tasks, they are fine
    async with db.read():
        pass
    async with db.write():
        pass

    async def read_once() -> int:
        async with db.read() as session:
            return (await session.exec(select(func.count()).select_from(BenefitSession))).one()

    counts = await asyncio.gather(*(read_once() for _ in range(3)))
    assert len(set(counts)) == 1


@pytest.fixture
async def starved(db: Database, users) -> AsyncIterator[tuple[Database, httpx.AsyncClient, dict[str, str]]]:
    """The app over a pool of one connection with a short wait (0.2 s), its database handle and users' tokens."""
    app_db = Database(db.url, lock_wait=0.2, pool_size=1, max_overflow=0)
    tokens = {who: issue_token(SECRET, user_id=user.id, ttl_seconds=600) for who, user in users.items()}
    app = create_app(Settings(database_url=db.url, secret_key=SECRET, password_hash_profile="test"), app_db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield app_db, http, tokens
    await app_db.dispose()


def requests_outside_resolvers(http: httpx.AsyncClient, tokens: dict[str, str]) -> dict[str, Callable]:
    """A request of each route whose database work happens before or beside GraphQL execution."""
    provider = tokens["provider_a"]
    sign_in = {"username": "nobody@example.org", "password": "not a password"}
    return {
        "identifying a bearer token": lambda: http.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {provider}"}
        ),
        "identifying a session cookie": lambda: http.post(
            "/graphql", json={"query": VIEWER}, headers={"Cookie": f"{COOKIE}={provider}"}
        ),
        "signing out": lambda: http.delete("/auth/session", headers={"Cookie": f"{COOKIE}={provider}"}),
        "a token": lambda: http.post("/auth/token", data=sign_in),
        "a portal sign-in": lambda: http.post("/auth/session", json=sign_in),
        "the health check": lambda: http.get("/healthz"),
    }


async def test_a_busy_database_outside_graphql_answers_503_with_retry_after_and_then_serves_again(starved):
    # given an app whose only pooled connection is taken
    app_db, http, tokens = starved
    requests = requests_outside_resolvers(http, tokens)
    async with app_db.engine.connect() as taken:
        await taken.exec_driver_sql("SELECT 1")
        # when each route needs the database meanwhile
        answers = {name: await request() for name, request in requests.items()}
    # then each says the service is busy and when to try again: no 500, no stack trace
    for name, answer in answers.items():
        assert answer.status_code == 503, (name, answer.status_code, answer.text)
        assert "Traceback" not in answer.text, name
        if name != "the health check":
            assert int(answer.headers["retry-after"]) >= 1, name
            assert "try again" in answer.text, (name, answer.text)
    # and once the connection is back, the same requests are served
    again = {name: (await request()).status_code for name, request in requests.items()}
    assert again == {
        "identifying a bearer token": 200,
        "identifying a session cookie": 200,
        "signing out": 204,
        "a token": 401,
        "a portal sign-in": 401,
        "the health check": 200,
    }
