"""Two server processes share one event through Redis pub/sub and one database."""

import json

from websockets.sync.client import connect

from tests.fixtures import loopback
from tests.fixtures.api import control, create_event
from tests.fixtures.timing import seconds


def test_an_action_on_one_worker_reaches_sockets_on_the_other(make_server, postgres,
                                                              redis_server):
    first = make_server("postgresql", redis=True)
    second = make_server(redis=True, shared_with=first)
    with loopback.Client(base_url=first.url, timeout=seconds(10)) as client:
        event = create_event(client)
    url = (f"{second.ws_url}/ws/sessions/{event['id']}"
           f"?token={event['projector_token']}&format=json")
    with connect(url, open_timeout=seconds(5)) as socket:
        assert json.loads(socket.recv(timeout=seconds(5)))["type"] == "snapshot"
        with loopback.Client(base_url=first.url, timeout=seconds(10)) as client:
            started = control(client, event, "start").json()
        phase = json.loads(socket.recv(timeout=seconds(5)))
        assert phase["type"] == "phase" and phase["ends_at_ms"] == started["ends_at_ms"]
