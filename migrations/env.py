"""Alembic environment: the models' metadata, batch mode for SQLite's ALTER limits."""

from alembic import context
from sqlmodel import SQLModel

import app.store.models  # noqa: F401 - registers the tables on SQLModel.metadata
from app.store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, render_as_batch=True,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """On the connection app/store/migrate.py hands over (in its locked transaction), or on one
    of its own (alembic's own commands, e.g. `check`)."""
    given = config.attributes.get("connection")
    if given is not None:
        run_on(given)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        run_on(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
