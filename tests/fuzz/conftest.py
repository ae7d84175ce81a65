"""The fuzz tier: a fresh server of each database kind, and a line per run in the summary."""

from __future__ import annotations

import pytest

from tests.fixtures.servers import DATABASES
from tests.fixtures.workers import SUMMARY

FUZZ_SERVER_ENV = {
    # The fuzzer joins many people from one address: no pacing beyond the first burst (the
    # pacer itself is tested in tests/integration/test_hostile.py), or each join would wait.
    "WORLDCAFE_JOIN_BURST": "100000",
}


@pytest.fixture(params=DATABASES)
def fuzz_server(request, make_server):
    """A real server (`worldcafe serve`, as the session's `server`) of its own: the
    fuzzer's wrong join codes trip the per-address limiter that other tests count on, and
    it leaves a few hundred events behind."""
    return make_server(request.param, env=FUZZ_SERVER_ENV)


@pytest.fixture
def fuzz_runs(request) -> list:
    """Where each fuzz run leaves its counts for the terminal summary: they travel with the
    test's report (from a pytest-xdist worker too) and tests/conftest.py prints them."""
    lines: list[str] = []
    yield lines
    request.node.user_properties.extend((SUMMARY, line) for line in lines)
