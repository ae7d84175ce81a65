"""Bring the database schema to the newest Alembic revision: `worldcafe migrate`, and
`worldcafe serve` once before its workers start (never in each worker).

The migrations ship inside the wheel (app/migrations, mapped there by the build); a source
checkout has them at the top of the repository. The whole upgrade is one transaction that
first takes the database's write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
lock), so several `migrate` runs or machines starting at once take turns instead of
failing "database is locked". A database that holds other tables and no worldcafe schema
(another program's) is refused before anything is added to it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, inspect, text

from app.store.db import make_engine

APP = Path(__file__).resolve().parents[1]
MIGRATIONS = next(path for path in (APP / "migrations", APP.parent / "migrations")
                  if path.is_dir())
"""Inside the wheel app/migrations/ (hatch_build.py), in a source checkout beside app/."""
ADVISORY_LOCK = 0x776F726C  # "worl": any constant that only worldcafe's migrations use
LOCK_WAIT_MS = 300_000
"""How long a SQLite migration waits for another one's turn to end."""
VERSION_TABLE = "alembic_version"


class ForeignDatabase(Exception):
    """The database belongs to another program: nothing was changed."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Migrate to the newest revision, in turn with other runs; ForeignDatabase when the
    database holds another program's tables."""
    config = alembic_config(database_url)
    plain = create_engine(database_url)  # before our engine turns a SQLite file to WAL
    try:
        with plain.connect() as connection:
            refuse_foreign(connection, config)
    finally:
        plain.dispose()
    engine = make_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
                connection.commit()
            with connection.execution_options(immediate=True).begin():
                if not sqlite:
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                       {"key": ADVISORY_LOCK})
                refuse_foreign(connection, config)  # again, in turn with other runs
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
    finally:
        engine.dispose()


def refuse_foreign(connection: Connection, config: Config) -> None:
    """An empty database, or one whose Alembic revision is one of ours, may be migrated."""
    tables = set(inspect(connection).get_table_names())
    if VERSION_TABLE not in tables:
        if tables:
            raise ForeignDatabase(f"it holds other tables ({_listed(tables)}) and no "
                                  "worldcafe schema")
        return
    versions = set(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
                   .scalars())
    ours = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if not versions <= ours:
        raise ForeignDatabase(f"its schema is at revision {_listed(versions)}, which this "
                              "worldcafe does not know (another program's, or a newer "
                              "worldcafe's)")
    if not versions and tables != {VERSION_TABLE}:
        raise ForeignDatabase(f"it holds other tables ({_listed(tables - {VERSION_TABLE})}) "
                              "and no worldcafe schema")


def _listed(names: set[str], most: int = 5) -> str:
    shown = sorted(names)[:most]
    return ", ".join(shown) + (", …" if len(names) > most else "")
