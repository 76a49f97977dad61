"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update
from sqlmodel import SQLModel, select

import server.domain.tables  # noqa: F401
from server.domain.clients.models import Participant
from server.domain.delivery.models import BenefitSession

pytestmark = pytest.mark.anyio


async def test_the_migrated_database_matches_the_models(db):
    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(db):
    if not db.url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    async with db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}")  # noqa: E731
        assert (await pragma("journal_mode")).scalar() == "wal"
        assert (await pragma("foreign_keys")).scalar() == 1
        assert (await pragma("busy_timeout")).scalar() == 5000


async def test_revision_0005_gives_existing_sessions_their_local_weekday_and_minute(db):
    """Sessions made before search by day get their local start from their schedule's time zone."""
    revision = importlib.import_module("server.migrations.versions.0005_delivery_assignments_disbursements")
    async with db.read() as session:
        expected = sorted(
            (s.id, s.local_weekday, s.local_minute) for s in (await session.exec(select(BenefitSession))).all()
        )
    async with db.engine.begin() as connection:
        await connection.execute(update(BenefitSession).values(local_weekday=0, local_minute=0))
        await connection.run_sync(revision.backfill_local_times)
    async with db.read() as session:
        found = sorted(
            (s.id, s.local_weekday, s.local_minute) for s in (await session.exec(select(BenefitSession))).all()
        )
    assert found == expected
    assert {(weekday, minute) for _, weekday, minute in found} == {(0, 540), (2, 540), (4, 540), (2, 660)}


async def test_revision_0006_gives_existing_participants_the_name_providers_search(db):
    revision = importlib.import_module("server.migrations.versions.0006_revoked_tokens_shared_names")
    async with db.engine.begin() as connection:
        await connection.execute(update(Participant).values(shared_name=""))
        await connection.run_sync(revision.backfill_shared_names)
    async with db.read() as session:
        names = sorted((await session.exec(select(Participant.shared_name))).all())
    assert names == ["marisol", "steve"]


async def test_revision_0007_splits_search_text_into_names_and_details(db):
    revision = importlib.import_module("server.migrations.versions.0007_case_management")
    async with db.engine.begin() as connection:
        await connection.execute(update(Participant).values(search_text="", detail_text=""))
        await connection.run_sync(revision.backfill_search_texts)
    async with db.read() as session:
        steve = (await session.exec(select(Participant).where(Participant.preferred_name == "Steve"))).one()
    assert steve.search_text == "steven marsh steve cl-000001"
    assert "118 west monroe street" in steve.detail_text and "recently bereaved" in steve.detail_text
