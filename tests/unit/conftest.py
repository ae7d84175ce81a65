"""The unit tier's fixtures of the use cases on a real database (tests/fixtures/actions.py)."""

from tests.fixtures.actions import engine, event, published, services  # noqa: F401
