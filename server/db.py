"""The database engine and sessions. SQLite gets WAL, foreign keys and a busy timeout on every connection.

A task holds one session at a time: opening a second one while a session is open (a loader inside a write, a
read inside a read) raises `NestedSession`, since a request holding two connections can starve the pool and
wait for its own lock. Changes wait a bounded time for their turn and their locks (`lock_wait`), then fail
with `Busy`, which `is_busy` recognises along with the drivers' own lock and pool timeouts.

A GraphQL request goes through `RequestDatabase`: one session for the whole request, shared by its resolvers and
loaders, so a request holds one connection at most and reads one snapshot.
"""

import asyncio
import logging
import math
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

from sqlalchemy import event, inspect
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)

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
        self._on_change: list[weakref.WeakMethod] = []

    def on_change(self, callback: Callable[[], None]) -> None:
        """Calls `callback` (a bound method, held weakly: an app that is gone is not kept for it) after each change
        committed through this database, so that what remembers the database's contents in this process forgets."""
        self._on_change.append(weakref.WeakMethod(callback))

    def changed(self) -> None:
        callbacks = [ref() for ref in self._on_change]
        if None in callbacks:
            self._on_change = [ref for ref, callback in zip(self._on_change, callbacks, strict=True) if callback]
        for callback in callbacks:
            if callback is not None:
                callback()

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
            await self._take_writer_turn()
            try:
                async with self._sessions() as session, session.begin():
                    await session.connection(execution_options={WRITER_OPTION: True})
                    yield session
            finally:
                self._writers.release()
                self.changed()  # even when the commit raised: it may have reached the database

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def _take_writer_turn(self) -> None:
        try:
            async with asyncio.timeout(self.lock_wait):
                await self._writers.acquire()
        except TimeoutError:
            raise Busy("Other changes kept the database busy.") from None


class RequestDatabase:
    """One session for a whole request, with `Database`'s `read()` and `write()`: its resolvers and loaders take
    turns on it (a lock), so the request holds one connection at most.

    Reads share one transaction, one snapshot of the data (REPEATABLE READ on PostgreSQL; SQLite's WAL gives a read
    transaction its snapshot). The first `write()` ends that transaction, waits its turn among the process's changes
    and begins the request's write transaction; each `write()` is a savepoint in it, undone alone when it fails, and
    later reads (a mutation's payload) see the changes. `finish()` commits before the answer is sent; `close()` gives
    the connection back, rolling back whatever was not committed.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.url = db.url
        self._session: AsyncSession | None = None
        self._turn = asyncio.Lock()
        self._writing = False
        self._spoiled = False  # the request was cut short (its time limit): nothing of it is committed
        self._failed = False  # a statement failed outside a savepoint while writing: the transaction cannot commit
        self._cut = False  # a statement may have been cut mid-way: the connection is not given back to the pool

    def _current(self) -> AsyncSession:
        if self._session is None:
            self._session = self.db._sessions()
        return self._session

    def spoil(self) -> None:
        """Commit nothing of this request (it was stopped part-way)."""
        self._spoiled = True

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        with _only_session("read"):
            async with self._turn:
                session = self._current()
                if not session.in_transaction() and not is_sqlite(self.url):
                    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                try:
                    yield session
                except DBAPIError:
                    # A failed statement ends a PostgreSQL transaction. While writing, the request's changes are
                    # lost with it (its answer must say so); otherwise its next read starts a new transaction.
                    if self._writing:
                        self._failed = True
                    else:
                        await self._end_reads(session)
                    raise
                except Exception:
                    raise
                except BaseException:
                    self._cut = True
                    raise

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A change: a savepoint in the request's write transaction, begun (after `lock_wait` at most, else `Busy`)
        by the first change."""
        with _only_session("write"):
            async with self._turn:
                if not self._writing:
                    await self._begin_writing()
                session = self._current()
                try:
                    async with session.begin_nested():
                        yield session
                except Exception:
                    await self._reload_expired(session)
                    raise
                except BaseException:
                    self._spoiled = self._cut = True
                    raise

    async def _end_reads(self, session: AsyncSession) -> None:
        try:
            await session.commit()
        except Exception:
            self._cut = True
            raise

    async def _reload_expired(self, session: AsyncSession) -> None:
        """A refused change's savepoint is rolled back, which expires the objects it touched; loaders may hand them
        to later resolvers, which read attributes without awaiting. Reload them as they stand."""
        for instance in list(session.identity_map.values()):
            if not inspect(instance).expired_attributes:
                continue
            try:
                await session.refresh(instance)
            except InvalidRequestError:  # its row is gone (created by the refused change)
                session.expunge(instance)
            except Exception:
                log.warning("could not reload a record after a refused change", exc_info=True)
                self._failed = True
                return

    async def _begin_writing(self) -> None:
        session = self._current()
        if session.in_transaction():
            await self._end_reads(session)  # the reads so far (the caller's identity) end; nothing of theirs to keep
        await self.db._take_writer_turn()
        self._writing = True
        try:
            await session.connection(execution_options={WRITER_OPTION: True})
        except BaseException:
            await self.close()
            raise

    async def finish(self) -> bool:
        """Commits the request's changes, if any, and gives the connection back. False if they could not be saved
        (a failed statement spoiled the transaction, or the commit failed). A request stopped part-way (`spoil()`)
        commits nothing: its answer already says so."""
        try:
            if self._writing and not self._spoiled and self._session is not None:
                if self._failed:
                    return False
                try:
                    await self._session.commit()
                except Exception:
                    log.exception("could not commit a request's changes")
                    return False
                finally:
                    self.db.changed()  # even when the commit raised: it may have reached the database
            return True
        finally:
            await self.close()

    async def close(self) -> None:
        """Gives the connection back, rolled back; one that may be mid-statement (cut short) is discarded instead."""
        session, self._session = self._session, None
        try:
            if session is not None:
                if self._cut:
                    await session.invalidate()
                else:
                    await session.close()
        except Exception:
            log.warning("could not give a request's connection back cleanly: discarding it", exc_info=True)
            try:
                await session.invalidate()
            except Exception:
                log.warning("could not discard a request's connection", exc_info=True)
        finally:
            if self._writing:
                self._writing = False
                self.db._writers.release()
