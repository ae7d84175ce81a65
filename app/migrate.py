"""Bring the database schema to the newest Alembic revision: `worldcafe migrate`, and
`worldcafe serve` once before its workers start (never in each worker).

The migrations ship inside the wheel (app/migrations, mapped there by the build); a source
checkout has them at the top of the repository. On PostgreSQL the upgrade holds an
advisory lock, so two machines starting at once take turns instead of racing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

PACKAGE = Path(__file__).resolve().parent
MIGRATIONS = next(path for path in (PACKAGE / "migrations", PACKAGE.parent / "migrations")
                  if path.is_dir())
ADVISORY_LOCK = 0x776F726C  # "worl": any constant that only worldcafe's migrations use


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        command.upgrade(alembic_config(database_url), "head")
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK})
            try:
                command.upgrade(alembic_config(database_url), "head")
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                   {"key": ADVISORY_LOCK})
    finally:
        engine.dispose()
