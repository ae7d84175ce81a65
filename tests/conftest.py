"""The fixtures every tier shares: PostgreSQL and Redis for the whole run, a server per
database kind for the whole run (`server`, `api`, through `shared_servers`), servers of
a test's own (`make_server`) and apps in the test's process with settings of their own
(`make_app`).
The helpers they use live in tests/fixtures/ (a test module imports them from there).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import loopback

# Importable from here too, for tests written before tests/fixtures/ existed.
from tests.fixtures.api import (  # noqa: F401
    THEMES,
    bearer,
    control,
    create_event,
    join,
    open_link,
    receive_snapshot,
)
from tests.fixtures.servers import (  # noqa: F401
    DATABASES,
    ROOT,
    SHARED_SERVER_ENV,
    InProcess,
    Server,
    database_url,
)
from tests.fixtures.services import Postgres, Redis
from tests.fixtures.timing import TIME_SCALE, seconds  # noqa: F401
from tests.fixtures.timing import eventually as wait_for  # noqa: F401
from tests.fixtures.workers import FileAndDatabaseScheduling, summary_lines


@pytest.fixture(scope="session")
def postgres():
    """Debian's PostgreSQL for the whole test run (tests/fixtures/services.py)."""
    started = Postgres().start()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def redis_server():
    started = Redis().start()
    yield started
    started.stop()


@pytest.fixture
def make_server(tmp_path, request):
    servers: list[Server] = []

    def make(database: str = "sqlite", redis: bool | str = False,
             shared_with: Server | None = None, **kwargs) -> Server:
        """A server on a new database of `database`'s kind, or on the database of
        `shared_with` (a second machine of the same installation); `redis`: True for the
        session's Redis, or a Redis URL."""
        folder = tmp_path / f"server-{len(servers)}"
        folder.mkdir()
        url = shared_with.database_url if shared_with else database_url(database, folder,
                                                                        request)
        redis_url = redis if isinstance(redis, str) else (
            request.getfixturevalue("redis_server").url if redis else None)
        server = Server(url, folder / "server.log", redis_url=redis_url, **kwargs)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def make_app(tmp_path, request):
    """`make_app(database, env, now)`: the app in this process on a new database, with
    settings and a clock of its own (tests/fixtures/servers.py, `InProcess`); stopped
    after the test."""
    apps: list[InProcess] = []

    def make(database: str = "sqlite", env: dict | None = None, now=None) -> InProcess:
        folder = tmp_path / f"app-{len(apps)}"
        folder.mkdir()
        app = InProcess(database_url(database, folder, request), env, now)
        apps.append(app)
        return app.start()

    yield make
    for app in apps:
        app.stop()


@pytest.fixture(scope="session")
def shared_servers(request, tmp_path_factory):
    """`shared_servers(kind)`: the server of a database kind that the whole run shares,
    started when a test first needs it and kept to the end. A session fixture with the
    kind as its parameter would be stopped and started again at every change of kind,
    and a worker of a split run changes kinds from file to file."""
    started: dict[str, Server] = {}

    def server_of(kind: str) -> Server:
        if kind not in started:
            folder = tmp_path_factory.mktemp(f"server-{kind}")
            started[kind] = Server(database_url(kind, folder, request), folder / "server.log",
                                   env=SHARED_SERVER_ENV).start()
        return started[kind]

    yield server_of
    for server_ in started.values():
        server_.stop()


@pytest.fixture(scope="module", params=DATABASES)
def server(request, shared_servers):
    """`worldcafe serve` on each database kind, shared by the whole run."""
    return shared_servers(request.param)


@pytest.fixture
def api(server):
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        yield client


LONGEST_LAST_TIER = ("test_layouts.py", "test_views.py", "test_grouping_workspace.py",
                     "test_projector_scale.py", "test_console_board.py", "test_voting.py",
                     "test_pushes.py", "test_seating.py")
"""The browser tier's longest modules (over 40 s of a worker's time each, docs/testing.md),
longest first: handed out first among the last tier's, so that no worker is still busy
with a long one at the end while the others have nothing left to do."""


def pytest_collection_modifyitems(items):
    """Fast tiers first: unit, then integration, then the browser (whose Playwright loop
    stays open on the main thread until the session ends, so no test on an event loop may
    follow it in the same process; a run split over workers keeps this order on each).
    Within the browser tier, its longest modules first (LONGEST_LAST_TIER)."""
    tier = {"unit": 0, "integration": 1, "scaled": 2, "e2e": 3}

    def order(item) -> tuple[int, int]:
        path = Path(str(item.fspath))
        long = (LONGEST_LAST_TIER.index(path.name) if path.parent.name == "e2e"
                and path.name in LONGEST_LAST_TIER else len(LONGEST_LAST_TIER))
        return tier.get(path.parent.name, 1), long

    items.sort(key=order)


def pytest_xdist_make_scheduler(config, log):
    """A run split over workers (`-n`) hands out files, each database kind's tests of a
    file as a unit of its own (tests/fixtures/workers.py)."""
    return FileAndDatabaseScheduling(config, log)


def pytest_terminal_summary(terminalreporter):
    """The lines tests left for the summary (the fuzz tier's counts), from every worker."""
    for line in summary_lines(terminalreporter.stats):
        terminalreporter.write_line(line)
