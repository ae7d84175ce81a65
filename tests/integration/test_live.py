"""Live updates through real WebSocket clients against a real server."""

import contextlib
import json

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.fixtures import loopback
from tests.fixtures.api import (
    bearer,
    control,
    create_event,
    join,
    listen,
    next_json,
    receive_snapshot,
    refused_handshake,
)
from tests.fixtures.timing import seconds


def test_three_clients_see_a_start(server, api):
    event = create_event(api)
    tokens = [event["facilitator_token"], event["projector_token"],
              event["tables"][0]["host_token"]]
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(listen(server, event, token, format="json"))
                   for token in tokens]
        for socket in sockets:
            snapshot = next_json(socket, "snapshot")
            assert snapshot["state"]["status"] == "ready"
            assert snapshot["session"]["join_code"] == event["join_code"]
        started = control(api, event, "start").json()
        for socket in sockets:
            phase = next_json(socket, "phase")
            assert phase["status"] == "running"
            assert phase["ends_at_ms"] == started["ends_at_ms"]


def test_html_views_get_fragments_by_id(server, api):
    event = create_event(api)
    with listen(server, event, event["tables"][0]["host_token"], view="host") as socket:
        snapshot = receive_snapshot(socket, "host")
        assert 'id="phase"' in snapshot and 'id="table-people"' in snapshot
        assert 'data-status="ready"' in snapshot
        control(api, event, "start")
        update = socket.recv(timeout=seconds(5))
        assert 'id="phase"' in update and 'data-status="running"' in update
        assert 'id="controls"' not in update
        join(api, event, "新人", theme=event["tables"][0]["theme"], expectation="<b>hi</b>")
        arrival = socket.recv(timeout=seconds(5))
        assert "新人" in arrival and "&lt;b&gt;hi&lt;/b&gt;" in arrival


def test_participants_are_announced_to_the_facilitator_only_by_name(server, api):
    event = create_event(api)
    with listen(server, event, event["facilitator_token"], format="json") as facilitator, \
            listen(server, event, event["projector_token"], format="json") as projector:
        next_json(facilitator, "snapshot")
        next_json(projector, "snapshot")
        join(api, event, "高橋")
        assert next_json(facilitator, "participant")["participant"]["name"] == "高橋"
        seen = next_json(projector, "participant")
        assert seen["count"] == 1 and "participant" not in seen


def test_pings_get_the_server_clock(server, api):
    event = create_event(api)
    with listen(server, event, event["projector_token"], format="json") as socket:
        next_json(socket, "snapshot")
        socket.send(json.dumps({"type": "ping", "t0": 12345}))
        pong = next_json(socket, "pong")
        assert pong["t0"] == 12345 and pong["server_ms"] > 1_700_000_000_000


def test_bad_tokens_and_foreign_origins_are_refused_before_the_socket_is_accepted(server,
                                                                                   api):
    """A program (its token in the URL) gets the HTTP status at the handshake; a page's
    socket (cookies) is closed at once with 44xx, which live.js reads (a browser sees a
    refused handshake only as 1006)."""
    event = create_event(api)
    base = f"{server.ws_url}/ws/sessions"
    assert refused_handshake(f"{base}/{event['id']}?token=nope&format=json") == (
        401, "invalid_token")
    assert refused_handshake(f"{base}/NoSuchEv?token=x&format=json") == (404, "not_found")
    assert refused_handshake(f"{base}/{event['id']}?token={event['projector_token']}",
                             origin="http://evil.example") == (403, "forbidden")
    assert refused_handshake(f"{base}/{event['id']}?token={event['projector_token']}"
                             "&view=facilitator") == (403, "forbidden")
    page = f"{base}/{event['id']}?view=facilitator"
    cookie = {"Cookie": f"wc_f_{event['id']}=nope"}
    with connect(page, additional_headers=cookie, open_timeout=seconds(5)) as socket:
        assert close_code(socket) == 4401
    with connect(f"{base}/NoSuchEv?view=facilitator", open_timeout=seconds(5)) as socket:
        assert close_code(socket) == 4404


def test_a_page_asking_to_be_drawn_again_is_answered_at_most_once_a_second(server, api):
    event = create_event(api)
    with listen(server, event, event["projector_token"], format="json") as socket:
        next_json(socket, "snapshot")
        for _ in range(20):
            socket.send(json.dumps({"type": "resync"}))
        next_json(socket, "snapshot")  # the first at once
        next_json(socket, "snapshot")  # the other 19: once, when the second is over
        socket.send(json.dumps({"type": "ping", "t0": 1}))
        assert json.loads(socket.recv(timeout=seconds(5)))["type"] == "pong"


def close_code(socket) -> int | None:
    """The code the server closed with before sending anything; None if it sent data."""
    try:
        socket.recv(timeout=seconds(5))
    except ConnectionClosed as closed:
        return closed.rcvd.code
    return None


def test_restart_keeps_the_phase_and_the_deadline(make_server):
    server = make_server()
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        event = create_event(client)
        control(client, event, "next")
        started = control(client, event, "start").json()
    server.kill()
    server.start()
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        state = client.get(f"/api/v1/sessions/{event['id']}/state",
                           headers=bearer(event["projector_token"])).json()
    assert state["phase_index"] == 1 and state["status"] == "running"
    assert state["ends_at_ms"] == started["ends_at_ms"]
    with listen(server, event, event["projector_token"], format="json") as socket:
        assert next_json(socket, "snapshot")["state"]["ends_at_ms"] == started["ends_at_ms"]
