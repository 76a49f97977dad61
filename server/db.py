"""The database engine and sessions. SQLite gets WAL, foreign keys and a busy timeout on every connection.

A task holds one session at a time: opening a second one while a session is open (a loader inside a write, a
read inside a read) raises `NestedSession`, since a request holding two connections can starve the pool and
wait for its own lock. Changes wait a bounded time for their turn and their locks (`lock_wait`), then fail
with `Busy`, which `is_busy` recognises along with the drivers' own lock and pool timeouts.
"""

import asyncio
import math
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 5000
WRITER_OPTION = "caseway_writer"
LOCK_WAIT_SECONDS = 5.0  # how long a change waits for its turn, a lock or a pooled connection before `Busy`
# Changes at once in this process. SQLite takes one writer at a time anyway: the others wait here, not
# holding a pooled connection. PostgreSQL's pool (5 + 10 overflow) keeps a third for reads.
SQLITE_WRITERS = 1
POSTGRESQL_WRITERS = 10
# PostgreSQL's answers to a change that waited too long or lost a race: lock_not_available, deadlock_detected,
# serialization_failure.
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}


class NestedSession(RuntimeError):
    """A session was opened while this task already holds one."""


class Busy(Exception):
    """The database stayed busy with other changes for longer than the wait."""


def is_busy(error: BaseException) -> bool:
    """Whether `error` means "busy, try again": our own wait, the pool's, or a lock timeout of the database."""
    if isinstance(error, Busy | PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in BUSY_SQLSTATES or getattr(original, "pgcode", None) in BUSY_SQLSTATES:
        return True
    message = str(original).lower()
    return "database is locked" in message or "database table is locked" in message


_held: ContextVar[str | None] = ContextVar("caseway_session_held", default=None)


@contextmanager
def _only_session(kind: str) -> Iterator[None]:
    held = _held.get()
    if held is not None:
        raise NestedSession(
            f"A {kind} session was opened inside a {held} session: do every read through the session given."
        )
    token = _held.set(kind)
    try:
        yield
    finally:
        _held.reset(token)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs) -> AsyncEngine:
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        event.listen(
            engine.sync_engine,
            "connect",
            lambda dbapi_connection, record: _sqlite_pragmas(dbapi_connection, record, busy_timeout_ms),
        )
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate_for_writes)
    return engine


def _sqlite_pragmas(dbapi_connection, _record, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    # aiosqlite's default isolation would BEGIN lazily, after SQLAlchemy's own; leave BEGIN to us.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
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
    """One engine and its session factory; `read()` and `write()` open short-lived sessions, one at a time
    per task. `lock_wait` bounds (in seconds) how long a change waits for its turn, a lock or a connection."""

    def __init__(self, url: str, *, lock_wait: float = LOCK_WAIT_SECONDS, **engine_kwargs) -> None:
        self.url = url
        self.lock_wait = lock_wait
        wait_ms = max(1, int(lock_wait * 1000))
        if ":memory:" not in url and "poolclass" not in engine_kwargs:
            engine_kwargs.setdefault("pool_timeout", lock_wait)
        if url.startswith("postgresql+asyncpg"):
            connect_args = engine_kwargs.setdefault("connect_args", {})
            connect_args.setdefault("server_settings", {}).setdefault("lock_timeout", str(wait_ms))
        self.engine = create_engine(url, busy_timeout_ms=wait_ms, **engine_kwargs)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False, autoflush=False)
        self._writers = asyncio.Semaphore(SQLITE_WRITERS if is_sqlite(url) else POSTGRESQL_WRITERS)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        with _only_session("read"):
            async with self._sessions() as session:
                yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed on success, rolled back on any error. Waits its turn among
        this process's changes (raising `Busy` after `lock_wait`) before taking a connection."""
        with _only_session("write"):
            try:
                async with asyncio.timeout(self.lock_wait):
                    await self._writers.acquire()
            except TimeoutError:
                raise Busy("Other changes kept the database busy.") from None
            try:
                async with self._sessions() as session, session.begin():
                    await session.connection(execution_options={WRITER_OPTION: True})
                    yield session
            finally:
                self._writers.release()

    async def dispose(self) -> None:
        await self.engine.dispose()
