"""Where benchmarks run: a throwaway SQLite file, or a throwaway database on the PostgreSQL server that
BENCH_DATABASE_URL points at (created before, dropped after)."""

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from server.db import Database


@asynccontextmanager
async def bench_database(name: str) -> AsyncIterator[Database]:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url and url.startswith("postgresql"):
        admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await conn.exec_driver_sql(f"CREATE DATABASE {name}")
        db = Database(make_url(url).set(database=name).render_as_string(hide_password=False))
        try:
            yield db
        finally:
            await db.dispose()
            async with admin.connect() as conn:
                await conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            db = Database(f"sqlite+aiosqlite:///{folder}/{name}.db")
            try:
                yield db
            finally:
                await db.dispose()
