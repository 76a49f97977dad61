"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import server.domain.tables  # noqa: F401

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
