"""Engine and sessions. SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE
for writes, because a deferred read-then-write transaction fails with "database is locked"
under load (docs/architecture.md, "The push path")."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import cache

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DataError, OperationalError
from sqlmodel import Session

from app.i18n import N_
from app.refusal import Refusal

log = logging.getLogger(__name__)

SQLITE_POOL_SIZE = 40
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA secure_delete=ON",
)
"""secure_delete: deleted and overwritten content is zeroed in the file, not left in free
pages (erased names must not stay readable in its bytes: docs/architecture.md, "Erasing
names")."""
CHECKPOINT_TRIES = 3


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    # One connection for each worker thread that may query at once (FastAPI's thread pool
    # runs 40), kept open: a new SQLite connection costs its pragmas every time.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10},
                           pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_SIZE)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


UNSTORABLE = N_("The request contains characters that cannot be used here.")
UNAVAILABLE = N_("The database cannot be used just now (%(reason)s). Try again in a moment.")
_failures: dict[str, str] = {}
"""database URL -> why its last write failed (cleared by the next one that succeeds)."""
_written: dict[str, float] = {}
"""database URL -> when a write last committed (time.monotonic())."""


@contextmanager
def available(engine: Engine) -> Iterator[None]:
    """A database that cannot be reached or written (read-only, disk full, server down)
    is a refusal (503) with the reason, never a crash; a deadlock or a failed constraint
    stays what it is for the caller."""
    try:
        yield
    except OperationalError as error:
        reason = " ".join(str(error.orig).split())[:160]
        _failures[str(engine.url)] = reason
        raise Refusal("database_unavailable", UNAVAILABLE, reason=reason) from None
    except DataError:  # PostgreSQL refuses what a client sent (a NUL byte in an id)
        raise Refusal("bad_request", UNSTORABLE) from None


def last_failure(engine: Engine) -> str | None:
    return _failures.get(str(engine.url))


def written_within(engine: Engine, seconds: float) -> bool:
    """Whether a write committed in the last `seconds` (and none failed since): then the
    database takes writes, without asking it again behind the writers' queue."""
    at = _written.get(str(engine.url))
    return (at is not None and time.monotonic() - at < seconds
            and last_failure(engine) is None)


def write_check(engine: Engine) -> str | None:
    """Why the database cannot be written now, or None: SQLite must take a write (a table
    created and rolled back; a read-only file or mount refuses it), PostgreSQL must not be
    read-only; and the last write must not have failed (a full disk shows only then)."""
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":  # begins with BEGIN IMMEDIATE (_on_begin)
                connection.execution_options(immediate=True).exec_driver_sql(
                    "CREATE TABLE IF NOT EXISTS worldcafe_write_check (probe INTEGER)")
                connection.rollback()
            else:
                read_only = connection.exec_driver_sql(
                    "SELECT current_setting('transaction_read_only') = 'on' "
                    "OR pg_is_in_recovery()").scalar()
                if read_only:
                    return "the database is read-only"
    except OperationalError as error:
        return " ".join(str(error.orig).split())[:160]
    return last_failure(engine)


@contextmanager
def connected(engine: Engine) -> Iterator[Connection]:
    """A plain connection for a quick query (no ORM)."""
    with available(engine), engine.connect() as connection:
        yield connection


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for queries only, that sees one committed state throughout: SQLite's read
    transaction does; PostgreSQL needs REPEATABLE READ (a view and its `seq` must agree)."""
    bind = engine if engine.dialect.name == "sqlite" else _snapshots(engine)
    with available(engine), Session(bind, expire_on_commit=False) as session:
        yield session


@cache
def _queue(engine: Engine) -> AbstractContextManager:
    return threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()


@cache
def _snapshots(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="REPEATABLE READ")


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A write transaction that takes SQLite's write lock up front and commits on success.
    SQLite writers of this process queue on a lock of ours first: SQLite's own busy wait
    backs off in growing sleeps and lets a newcomer overtake, so under a flood of cards
    one honest write could wait seconds."""
    with _queue(engine), available(engine), Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={"immediate": True})
        yield session
        session.commit()
    _failures.pop(str(engine.url), None)
    _written[str(engine.url)] = time.monotonic()


def compact(engine: Engine, tables: tuple[str, ...]) -> None:
    """Let no erased byte stay in the database's files. SQLite (secure_delete on every
    connection zeroes what is deleted in the file): the WAL copied into the file and
    emptied, VACUUM rewriting the file whole, and the WAL emptied again, while this
    process's writers wait their turn. PostgreSQL: VACUUM of `tables` (their dead tuples
    removed; what it cannot promise is in docs/architecture.md, "Erasing names")."""
    if engine.dialect.name != "sqlite":
        with available(engine), engine.connect().execution_options(
                isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f"VACUUM {table}")
        return
    with _queue(engine), available(engine), engine.connect() as connection:
        raw = connection.connection.driver_connection  # no BEGIN: VACUUM runs outside one
        _checkpoint(raw)
        raw.execute("VACUUM")
        _checkpoint(raw)


def _checkpoint(raw) -> None:
    """Copy the whole WAL into the database file and truncate it (it waits for readers,
    up to the busy timeout, and is tried again a few times)."""
    for _attempt in range(CHECKPOINT_TRIES):
        busy, _frames, _copied = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return
    log.warning("the WAL could not be emptied: readers held it")
