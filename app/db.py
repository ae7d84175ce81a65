"""Engine and sessions. SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE
for writes, because a deferred read-then-write transaction fails with "database is locked"
under load (DESIGN.md §7)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

SQLITE_POOL_SIZE = 40
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


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


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for queries only, that sees one committed state throughout: SQLite's read
    transaction does; PostgreSQL needs REPEATABLE READ (a view and its `seq` must agree)."""
    bind = engine if engine.dialect.name == "sqlite" else _snapshots(engine)
    with Session(bind, expire_on_commit=False) as session:
        yield session


@cache
def _snapshots(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="REPEATABLE READ")


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A write transaction that takes SQLite's write lock up front and commits on success."""
    with Session(engine, expire_on_commit=False) as session:
        session.connection(execution_options={"immediate": True})
        yield session
        session.commit()
