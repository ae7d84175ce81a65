"""Shared test fixtures: a real server on a free port, API helpers and a time unit.

Every wait in the tests is a multiple of `seconds(...)`, which a slow machine can stretch
with WORLDCAFE_TEST_TIME_SCALE=3 (never a wall-clock assertion: only how long to wait).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
TIME_SCALE = float(os.environ.get("WORLDCAFE_TEST_TIME_SCALE", "1"))


def seconds(value: float) -> float:
    return value * TIME_SCALE


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`worldcafe serve` in a child process, so a test can kill -9 it and start it again."""

    def __init__(self, database: Path, port: int | None = None, env: dict | None = None):
        self.database = database
        self.port = port or free_port()
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.log = database.with_suffix(".log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port),
                   "--database-url", f"sqlite:///{self.database}"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + seconds(30)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """kill -9: no shutdown handlers, no goodbye to the sockets."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=seconds(10))
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def make_server(tmp_path):
    servers: list[Server] = []

    def make(**kwargs) -> Server:
        server = Server(tmp_path / f"worldcafe-{len(servers)}.db", **kwargs)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    started = Server(tmp_path_factory.mktemp("server") / "worldcafe.db").start()
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


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


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
    tier = {"unit": 0, "integration": 1, "e2e": 2}
    items.sort(key=lambda item: tier.get(Path(str(item.fspath)).parent.name, 1))
