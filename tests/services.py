"""Moved to tests/fixtures/services.py; kept importable for tests written before."""

from tests.fixtures.services import Postgres, Redis, free_port, postgres_bin  # noqa: F401
