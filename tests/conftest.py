"""Fixtures: a migrated, seeded database template per backend, copied for each test; clients per role.

Every test that takes `db` (or anything built on it) runs on SQLite, and again on PostgreSQL when
DATABASE_URL points at a PostgreSQL server (it skips there otherwise).
"""

import asyncio
import itertools
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import select

from server.app import create_app
from server.config import Settings
from server.core.tokens import issue_token
from server.db import Database
from server.demo import load_demo
from server.domain import api_clients
from server.domain.agencies import get_or_create_agency
from server.domain.api_clients import ApiClient
from server.domain.catalogue.models import Benefit
from server.domain.catalogue.programs import programs
from server.domain.clients.enrollments import assign_benefit
from server.domain.clients.models import ProgramEnrollment
from server.domain.columns import set_clock
from server.domain.principal import Role
from server.domain.users import User, create_user, principal_of
from server.migrations import upgrade
from tests.error_fields import check_error_fields

# `oidc_provider` and `other_oidc_provider`: real OpenID providers on loopback ports (Node's oidc-provider).
pytest_plugins = ["tests.oidc_provider"]

SECRET = "test-secret-key-that-is-long-enough-for-hs256"
PASSWORD = "cosville-demo"
OTHER_AGENCY = "Harlow County Human Services"
COSVILLE_ZONE = "America/Chicago"  # the demo agency's time zone, and its providers'

# The people the tests act as: the Cosville demo's, plus an admin of a second agency.
PEOPLE = {
    "agency_admin": "tishon@cosville.example",
    "supervisor": "dana@cosville.example",
    "caseworker": "connor@cosville.example",
    "provider_a": "ashley@griefcenter.example",  # staff of Cosville Grief Counseling Center
    "provider_a_admin": "marcus@griefcenter.example",
    "provider_b": "bea@harvesttable.example",  # admin of Harvest Table Food Pantry
    "other_agency_admin": "admin@harlow.example",
}

# API clients of Cosville (server/domain/api_clients.py) the tests act as, by name: one reads everything an API
# client may read, one may also write. A third, revoked, makes the agency's list of clients three long.
READ_SCOPES = ["referrals:read", "clients:read", "delivery:read", "directory:read"]
ALL_SCOPES = [*READ_SCOPES, "referrals:write", "clients:write", "delivery:write", "directory:write"]
API_CLIENTS = {
    "client_reader": ("Cosville Dashboard", READ_SCOPES),
    "client_writer": ("Cosville Intake App", ALL_SCOPES),
}
REVOKED_API_CLIENT = "Cosville Old Kiosk"


@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


async def seed(db: Database) -> None:
    """The template's data: the Cosville demo and a second agency with its own catalogue."""
    await upgrade(db)
    await load_demo(db, hash_profile="test")
    async with db.write() as session:
        harlow = await get_or_create_agency(session, name=OTHER_AGENCY, time_zone="America/New_York")
        admin = await create_user(
            session,
            email=PEOPLE["other_agency_admin"],
            full_name="Hal Harlow",
            role=Role.AGENCY_ADMIN,
            password=PASSWORD,
            agency_id=harlow.id,
            hash_profile="test",
        )
        await programs.create(session, principal_of(admin), {"name": "Family Support", "status": "ACTIVE"})
        # Steve also gets a food box, not yet referred anywhere.
        connor = principal_of((await session.exec(select(User).where(User.email == PEOPLE["caseworker"]))).one())
        enrollment = (await session.exec(select(ProgramEnrollment))).first()
        food_box = (await session.exec(select(Benefit).where(Benefit.name == "Weekly Food Box"))).one()
        await assign_benefit(session, connor, {"enrollment_id": enrollment.id, "benefit_id": food_box.id})
        tishon = principal_of((await session.exec(select(User).where(User.email == PEOPLE["agency_admin"]))).one())
        for name, scopes in API_CLIENTS.values():
            await api_clients.register(session, tishon, {"name": name, "scopes": scopes})
        old = await api_clients.register(session, tishon, {"name": REVOKED_API_CLIENT, "scopes": ["referrals:read"]})
        await api_clients.revoke(session, tishon, old.client.id)


class Backend:
    """Makes a fresh copy of the seeded template for each test."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self.counter = itertools.count()
        self.pg = make_url(postgres_url()) if name == "postgresql" else None
        self.template = f"caseway_tpl_{uuid.uuid4().hex[:8]}"

    def url_for(self, database: str) -> str:
        if self.pg is None:
            return f"sqlite+aiosqlite:///{self.workdir / database}.db"
        return self.pg.set(database=database).render_as_string(hide_password=False)

    async def _admin(self, sql: str) -> None:
        engine = create_async_engine(self.url_for(self.pg.database), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql(sql)
        finally:
            await engine.dispose()

    async def build_template(self) -> None:
        if self.pg is not None:
            await self._admin(f'CREATE DATABASE "{self.template}"')
        db = Database(self.url_for(self.template))
        try:
            await seed(db)
        finally:
            await db.dispose()

    async def copy(self) -> str:
        name = f"{self.template}_{next(self.counter)}"
        if self.pg is None:
            shutil.copy(self.workdir / f"{self.template}.db", self.workdir / f"{name}.db")
        else:
            await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    async def drop(self, name: str) -> None:
        if self.pg is None:
            for suffix in (".db", ".db-wal", ".db-shm"):
                (self.workdir / f"{name}{suffix}").unlink(missing_ok=True)
        else:
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def drop_template(self) -> None:
        if self.pg is not None:
            await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


@pytest.fixture(scope="session")
def backends(tmp_path_factory) -> dict[str, Backend]:
    made: dict[str, Backend] = {}
    yield made
    for backend in made.values():
        asyncio.run(backend.drop_template())


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, backends, tmp_path_factory) -> Backend:
    name = request.param
    if name == "postgresql" and postgres_url() is None:
        pytest.skip("DATABASE_URL does not point at PostgreSQL")
    if name not in backends:
        backend = Backend(name, tmp_path_factory.mktemp("databases"))
        asyncio.run(backend.build_template())
        backends[name] = backend
    return backends[name]


@pytest.fixture
async def db(backend: Backend) -> AsyncIterator[Database]:
    name = await backend.copy()
    database = Database(backend.url_for(name))
    try:
        yield database
    finally:
        await database.dispose()
        await backend.drop(name)


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(database_url=db.url, secret_key=SECRET, password_hash_profile="test")


@pytest.fixture
async def http(db: Database, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@dataclass
class Result:
    """A GraphQL answer, with the one way tests read success and denial."""

    body: dict

    @property
    def data(self) -> dict | None:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict]:
        return self.body.get("errors") or []

    def payload_errors(self) -> list[dict]:
        """Errors returned in a mutation's payload (`errors { code field message }`)."""
        found = []
        for value in (self.data or {}).values():
            if isinstance(value, dict) and value.get("errors"):
                found.extend(value["errors"])
        return found

    def error_codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors] + [e["code"] for e in self.payload_errors()]

    def ok(self) -> dict:
        assert not self.errors, self.errors
        assert not self.payload_errors(), self.payload_errors()
        return self.data


def assert_denied(result: Result, code: str) -> None:
    """The request was refused with `code`, at the top level or in the payload, and returned no record."""
    assert code in result.error_codes(), result.body
    for value in (result.data or {}).values():
        if isinstance(value, dict):
            assert all(v is None for k, v in value.items() if k != "errors"), result.body


class GraphQL:
    def __init__(self, http: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        self.http = http
        self.tokens = tokens

    async def __call__(self, who: str | None, document: str, variables: dict | None = None) -> Result:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        response = await self.http.post(
            "/graphql", json={"query": document, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        check_error_fields(document, body)  # every error's field names what this operation takes
        return Result(body)


@pytest.fixture
async def users(db: Database) -> dict[str, User]:
    async with db.read() as session:
        found = (await session.exec(select(User).where(User.email.in_(PEOPLE.values())))).all()
    by_email = {u.email: u for u in found}
    return {who: by_email[email] for who, email in PEOPLE.items()}


@pytest.fixture
def people(users: dict[str, User]) -> dict:
    """The test users as domain principals, for arranging records through the domain services."""
    return {who: principal_of(user) for who, user in users.items()}


@pytest.fixture
async def client_users(db: Database) -> dict[str, int]:
    """The user ids the API clients of API_CLIENTS act as, by role name."""
    names = {name: who for who, (name, _) in API_CLIENTS.items()}
    async with db.read() as session:
        found = (await session.exec(select(ApiClient).where(ApiClient.name.in_(names)))).all()
    return {names[client.name]: client.user_id for client in found}


@pytest.fixture
def gql(http: httpx.AsyncClient, users: dict[str, User], client_users: dict[str, int]) -> GraphQL:
    """Requests as each of PEOPLE and each API client of API_CLIENTS (a token bounded by the client's scopes)."""
    ids = {who: user.id for who, user in users.items()} | client_users
    tokens = {who: issue_token(SECRET, user_id=user_id, ttl_seconds=600) for who, user_id in ids.items()}
    return GraphQL(http, tokens)


class Clock:
    """Moves the clock (`server.core.columns.utcnow`) for one test: `clock.set(moment)`."""

    def set(self, moment: datetime) -> None:
        set_clock(moment)


@pytest.fixture
def clock() -> Iterator[Clock]:
    yield Clock()
    set_clock(None)


def local_time(day: date, hour: int, minute: int = 0, zone: str = COSVILLE_ZONE) -> datetime:
    """An aware moment at a local wall-clock time of `day` in `zone`."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(zone))


@contextmanager
def count_statements(db: Database):
    """Counts the SQL statements run on `db` inside the block: `with count_statements(db) as n: … n()`."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT")):
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", before)


@dataclass(frozen=True)
class World:
    """Ids of the seeded records the tests act on."""

    grief_center: int  # provider A
    grief_facility: int
    pantry: int  # provider B
    pantry_facility: int
    shelter_facility: int  # confidential
    counseling: int
    grief_specialty: int
    food_pantry_specialty: int
    family_support: int
    other_family_support: int  # the second agency's
    housing_stability: int
    grief_counseling: int
    mental_health: int
    cpt_90832: int
    counseling_bundle: int
    item_b00034: int
    food_box: int
    steve: int
    steve_alert: int
    steve_enrollment: int
    grief_assignment: int  # Steve's, referred and in progress
    food_box_assignment: int  # not referred
    steve_referral: int  # IN_PROGRESS: enrolled in the Wednesday sessions, five of them attended
    wednesday_schedule: int
    held_session: int  # the first Wednesday session: Steve present
    mwf_session: int  # the first session of the Monday/Wednesday/Friday group (upcoming)
    steve_disbursement: int  # the first Wednesday's
    steve_enrolled: int  # his enrollment into the Wednesday schedule
    maria: int
    new_assignment: int  # Marisol's grief counseling, referred
    new_referral: int  # REQUESTED, not yet opened
    steve_case: int  # ACTIVE, with the care plan below
    maria_case: int  # INTAKE
    care_plan: int  # ACTIVE: "Grief recovery"
    goal: int
    task: int  # due today, Connor's
    steve_note: int  # final
    dana: int  # the supervisor, on Steve's case team
    tishon: int  # the agency admin
    api_client: int  # Cosville Dashboard, the read-only API client (API_CLIENTS)


@pytest.fixture
async def world(db: Database) -> World:
    from server.domain.cases.models import CarePlan, CarePlanGoal, CarePlanTask, Case, CaseNote
    from server.domain.catalogue.models import (
        BenefitItemCode,
        BenefitType,
        CodeSet,
        CodeSetBundle,
        Program,
    )
    from server.domain.clients.models import BenefitAssignment, Participant, ParticipantAlert
    from server.domain.delivery.models import (
        BenefitDisbursement,
        BenefitSchedule,
        BenefitSession,
        ScheduleAssignment,
    )
    from server.domain.network.models import CareSpecialty, Facility, Provider
    from server.domain.referrals.models import Referral

    async with db.read() as session:

        async def one(model, *where):
            return (await session.exec(select(model.id).where(*where))).one()

        async def first(model, *where):
            return (await session.exec(select(model.id).where(*where).order_by(model.id))).first()

        grief = await one(Provider, Provider.name == "Cosville Grief Counseling Center")
        pantry = await one(Provider, Provider.name == "Harvest Table Food Pantry")
        grief_benefit = await one(Benefit, Benefit.name == "Grief Counseling")
        steve = await one(Participant, Participant.preferred_name == "Steve")
        maria = await one(Participant, Participant.preferred_name == "Marisol")
        wednesday = await one(BenefitSchedule, BenefitSchedule.name.startswith("Individual"))
        return World(
            grief_center=grief,
            grief_facility=await one(Facility, Facility.provider_id == grief),
            pantry=pantry,
            pantry_facility=await one(Facility, Facility.name == "Harvest Table — Eastside Pantry"),
            shelter_facility=await one(Facility, Facility.confidential.is_(True)),
            counseling=await one(CareSpecialty, CareSpecialty.code == "CNS"),
            grief_specialty=await one(CareSpecialty, CareSpecialty.code == "CNS-GRF"),
            food_pantry_specialty=await one(CareSpecialty, CareSpecialty.code == "FOOD-PAN"),
            family_support=await one(Program, Program.name == "Family Support", Program.agency_id == 1),
            housing_stability=await one(Program, Program.name == "Housing Stability"),
            other_family_support=await one(Program, Program.name == "Family Support", Program.agency_id != 1),
            grief_counseling=await one(Benefit, Benefit.name == "Grief Counseling"),
            mental_health=await one(BenefitType, BenefitType.name == "Mental Health"),
            cpt_90832=await one(CodeSet, CodeSet.code == "90832"),
            counseling_bundle=await one(CodeSetBundle, CodeSetBundle.name == "Counseling sessions"),
            item_b00034=await one(BenefitItemCode, BenefitItemCode.code == "B-00034"),
            food_box=await one(Benefit, Benefit.name == "Weekly Food Box"),
            steve=steve,
            steve_alert=await one(ParticipantAlert, ParticipantAlert.participant_id == steve),
            steve_enrollment=await one(ProgramEnrollment, ProgramEnrollment.participant_id == steve),
            grief_assignment=await one(
                BenefitAssignment,
                BenefitAssignment.benefit_id == grief_benefit,
                BenefitAssignment.participant_id == steve,
            ),
            food_box_assignment=await one(BenefitAssignment, BenefitAssignment.benefit_id != grief_benefit),
            steve_referral=await one(Referral, Referral.participant_id == steve),
            wednesday_schedule=wednesday,
            held_session=await first(BenefitSession, BenefitSession.schedule_id == wednesday),
            mwf_session=await first(BenefitSession, BenefitSession.schedule_id != wednesday),
            steve_disbursement=await first(BenefitDisbursement),
            steve_enrolled=await first(ScheduleAssignment),
            maria=maria,
            new_assignment=await one(BenefitAssignment, BenefitAssignment.participant_id == maria),
            new_referral=await one(Referral, Referral.participant_id == maria),
            steve_case=await one(Case, Case.participant_id == steve),
            maria_case=await one(Case, Case.participant_id == maria),
            care_plan=await one(CarePlan),
            goal=await one(CarePlanGoal),
            task=await one(CarePlanTask),
            steve_note=await one(CaseNote),
            dana=await one(User, User.email == PEOPLE["supervisor"]),
            tishon=await one(User, User.email == PEOPLE["agency_admin"]),
            api_client=await one(ApiClient, ApiClient.name == API_CLIENTS["client_reader"][0]),
        )


# The browser tests' shared fixtures (tests/test_portal*.py); each module brings its own `server` (a live server on
# its own fixture data).


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, launched once per browser-test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def api(server):
    """The module's live server, through the API (agency steps, and checks of what the portal saved)."""
    from tests.test_portal import Api

    client = Api(server)
    yield client
    client.client.close()
