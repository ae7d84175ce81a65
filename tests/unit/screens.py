"""Moved to tests/fixtures/screens.py; kept importable for tests written before."""

from tests.fixtures.screens import Screen, card_record, event_record, make_view  # noqa: F401
