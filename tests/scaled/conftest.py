"""The scaled mode: two workers of `worldcafe serve` on PostgreSQL, sharing live events
through Redis, all started by the tests (tests/services.py)."""

import pytest

from tests.fixtures.servers import SHARED_SERVER_ENV, Server


@pytest.fixture(scope="session")
def server(postgres, redis_server, tmp_path_factory):
    """The live tests of tests/integration, run again against two workers."""
    folder = tmp_path_factory.mktemp("scaled")
    started = Server(postgres.new_database(), folder / "server.log", workers=2,
                     env=SHARED_SERVER_ENV,
                     redis_url=redis_server.url).start()
    yield started
    started.stop()
