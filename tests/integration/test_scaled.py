"""Two server processes share one event through Redis pub/sub and one database."""

import json
import subprocess
import time

import httpx
import pytest
from websockets.sync.client import connect

from tests.conftest import Server, control, create_event, free_port, seconds


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + seconds(10)
    import redis

    while time.monotonic() < deadline:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait()


def test_an_action_on_one_worker_reaches_sockets_on_the_other(tmp_path, redis_url):
    database = tmp_path / "shared.db"
    first = Server(database, env={"WORLDCAFE_REDIS_URL": redis_url}).start()
    second = Server(database, env={"WORLDCAFE_REDIS_URL": redis_url}).start()
    try:
        with httpx.Client(base_url=first.url) as client:
            event = create_event(client)
        url = (f"{second.ws_url}/ws/sessions/{event['id']}"
               f"?token={event['projector_token']}&format=json")
        with connect(url, open_timeout=seconds(5)) as socket:
            assert json.loads(socket.recv(timeout=seconds(5)))["type"] == "snapshot"
            time.sleep(seconds(0.3))  # let the second worker's subscription settle
            with httpx.Client(base_url=first.url) as client:
                started = control(client, event, "start").json()
            phase = json.loads(socket.recv(timeout=seconds(5)))
            assert phase["type"] == "phase" and phase["ends_at_ms"] == started["ends_at_ms"]
    finally:
        first.stop()
        second.stop()
