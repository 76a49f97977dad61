"""A connection given back to the pool holds no transaction. On SQLite the pool's reset rolls back only when one is
open (server/db.py `_sqlite_reset`): a session, which ends its own, gives its connection back for one call."""

import pytest
from sqlalchemy import text

from server.db import Database

pytestmark = pytest.mark.anyio


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if not db.url.startswith("sqlite"):
        pytest.skip("SQLite's reset (PostgreSQL keeps SQLAlchemy's)")
    return db


async def test_a_connection_given_back_mid_transaction_is_rolled_back(sqlite_db: Database):
    async with sqlite_db.engine.connect() as conn:
        await conn.commit()  # nothing open that SQLAlchemy knows of
        driver = (await conn.get_raw_connection()).driver_connection
        await driver.execute("BEGIN")  # below SQLAlchemy: only the pool's reset can end it
        await driver.execute("CREATE TEMPORARY TABLE scratch (n INTEGER)")
        assert driver.in_transaction
    assert not driver.in_transaction


async def test_a_session_gives_its_connection_back_with_one_rollback(sqlite_db: Database, monkeypatch):
    async with sqlite_db.read() as session:
        await session.exec(text("SELECT 1"))
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        calls = []
        rollback = driver.rollback

        async def counted():
            calls.append("rollback")
            return await rollback()

        monkeypatch.setattr(driver, "rollback", counted)
    assert calls == ["rollback"]
    assert not driver.in_transaction
