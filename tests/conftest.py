"""Shared test fixtures: a real server on a free port, API helpers and a time unit.

Every wait in the tests is a multiple of `seconds(...)`, which a slow machine can stretch
with WORLDCAFE_TEST_TIME_SCALE=3 (never a wall-clock assertion: only how long to wait).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.services import Postgres, Redis, free_port

ROOT = Path(__file__).resolve().parent.parent
TIME_SCALE = float(os.environ.get("WORLDCAFE_TEST_TIME_SCALE", "1"))


def seconds(value: float) -> float:
    return value * TIME_SCALE


def receive_snapshot(socket, view: str, timeout: float = 5) -> str:
    """A page socket's snapshot: a host's or a participant's comes in two frames, what
    every such page shares and then its own pieces (app/render.py)."""
    from app.render import own_pieces

    frames = 2 if own_pieces(view) else 1
    return "\n".join(socket.recv(timeout=seconds(timeout)) for _ in range(frames))


class Server:
    """`worldcafe serve` in a child process, so a test can kill -9 it (or one of its
    workers) and start it again."""

    def __init__(self, database_url: str, log: Path, port: int | None = None,
                 env: dict | None = None, workers: int = 1, redis_url: str | None = None):
        self.database_url = database_url
        self.port = port or free_port()
        self.env = env or {}
        self.workers = workers
        self.redis_url = redis_url
        self.process: subprocess.Popen | None = None
        self.log = log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, healthy: bool = True) -> Server:
        """Start and wait until every worker answers /healthz (with 200 when `healthy`;
        with anything at all otherwise, for a server meant to start degraded)."""
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port),
                   "--database-url", self.database_url, "--workers", str(self.workers)]
        if self.redis_url:
            command += ["--redis-url", self.redis_url]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        self.wait_until_serving(healthy)
        return self

    def wait_until_serving(self, healthy: bool = True) -> None:
        """Until every worker has answered /healthz (with 200 when `healthy`)."""
        answered: set[int] = set()
        deadline = time.monotonic() + seconds(60)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                with httpx.Client(timeout=1) as fresh:  # a new connection, any worker
                    answer = fresh.get(f"{self.url}/healthz")
                if answer.status_code == 200 or not healthy:
                    answered.add(answer.json()["worker"])
                    if len(answered) >= self.workers:
                        return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def worker_pids(self) -> list[int]:
        """The worker processes of a server started with several workers (not the
        multiprocessing resource tracker, also a child of uvicorn's supervisor)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        return [pid for pid in pids
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def kill(self) -> None:
        """kill -9: no shutdown handlers, no goodbye to the sockets."""
        if self.process and self.process.poll() is None:
            pids = self.worker_pids() if self.workers > 1 else []
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=seconds(20))
            except subprocess.TimeoutExpired:
                self.kill()


DATABASES = ("sqlite", "postgresql")
"""Every test of a running server runs on both."""


@pytest.fixture(scope="session")
def postgres():
    """Debian's PostgreSQL for the whole test run (tests/services.py)."""
    started = Postgres().start()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def redis_server():
    started = Redis().start()
    yield started
    started.stop()


def database_url(kind: str, folder: Path, request) -> str:
    """A new, empty database of `kind` (sqlite or postgresql)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'worldcafe.db'}"
    return request.getfixturevalue("postgres").new_database()


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


SHARED_SERVER_ENV = {"WORLDCAFE_JOIN_BURST": "100000"}
"""A server shared by a whole tier stands for many venues at once: every test joins from
127.0.0.1, so the per-address join pacing (tested on servers of their own) would make
late tests wait for their turn."""


@pytest.fixture(scope="session", params=DATABASES)
def server(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"server-{request.param}")
    started = Server(database_url(request.param, folder, request), folder / "server.log",
                     env=SHARED_SERVER_ENV)
    started.start()
    yield started
    started.stop()


@pytest.fixture
def api(server):
    with httpx.Client(base_url=server.url, timeout=seconds(10)) as client:
        yield client


THEMES = ("高齢者を地域で支え合う", "子どもの成長を地域で支える", "市民参画による魅力発信")


def create_event(client: httpx.Client, **overrides) -> dict:
    body = {
        "title": "市民協働ワークショップ",
        "language": "ja",
        "tables": [{"name": f"テーブル{n}", "theme": theme} for n, theme in enumerate(THEMES, 1)],
        "program": "standard",
        **overrides,
    }
    response = client.post("/api/v1/sessions", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def wait_for(condition, timeout: float, what: str) -> None:
    """Until `condition()` holds; fails after `timeout` seconds (scaled by seconds())."""
    deadline = time.monotonic() + seconds(timeout)
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout} s: {what}")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def open_link(client: httpx.Client, url: str) -> httpx.Response:
    """Open a page link with a token as a browser does: the sign-in step sets the cookie
    and refreshes to the clean URL (docs/api.md, "Page links"); the page it leads to."""
    step = client.get(url, follow_redirects=False)
    assert step.status_code == 401 and "HttpOnly" in step.headers["set-cookie"], step.text
    target = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', step.text).group(1)
    assert "token" not in target
    return client.get(target, follow_redirects=True)


def join(client: httpx.Client, event: dict, name: str = "山田", **fields) -> httpx.Response:
    body = {"join_code": event["join_code"], "name": name, "affiliation": "citizen", **fields}
    return client.post(f"/api/v1/sessions/{event['id']}/participants", json=body)


def control(client: httpx.Client, event: dict, action: str, **fields) -> httpx.Response:
    return client.post(f"/api/v1/sessions/{event['id']}/control",
                       headers=bearer(event["facilitator_token"]),
                       json={"action": action, **fields})


def pytest_collection_modifyitems(items):
    """Fast tiers first: unit, then integration, then the browser (whose Playwright loop
    stays open on the main thread until the session ends)."""
    tier = {"unit": 0, "integration": 1, "scaled": 2, "e2e": 3}
    items.sort(key=lambda item: tier.get(Path(str(item.fspath)).parent.name, 1))
