"""The database engine and sessions. SQLite gets WAL, foreign keys and a busy timeout on every connection."""

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITER_OPTION = "caseway_writer"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, **kwargs) -> AsyncEngine:
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate_for_writes)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # aiosqlite's default isolation would BEGIN lazily, after SQLAlchemy's own; leave BEGIN to us.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        cursor.execute("SELECT asin(sqrt(power(sin(radians(1)), 2)))")
    except Exception:  # a SQLite built without its math functions: provider search needs these
        for name, arity, function in MATH_FUNCTIONS:
            dbapi_connection.create_function(name, arity, function, deterministic=True)
    cursor.close()


def _null_safe(function):
    return lambda *args: None if None in args else function(*args)


MATH_FUNCTIONS = [
    ("sin", 1, _null_safe(math.sin)),
    ("cos", 1, _null_safe(math.cos)),
    ("asin", 1, _null_safe(math.asin)),
    ("sqrt", 1, _null_safe(math.sqrt)),
    ("power", 2, _null_safe(math.pow)),
    ("radians", 1, _null_safe(math.radians)),
]


def _sqlite_begin_immediate_for_writes(conn) -> None:
    # A deferred BEGIN that later writes can fail with SQLITE_BUSY without waiting on busy_timeout;
    # BEGIN IMMEDIATE in writing sessions makes concurrent writers queue instead.
    if conn.get_execution_options().get(WRITER_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


class Database:
    """One engine and its session factory; `read()` and `write()` open short-lived sessions."""

    def __init__(self, url: str, **engine_kwargs) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on any error."""
        async with self._sessions() as session, session.begin():
            await session.connection(execution_options={WRITER_OPTION: True})
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
