"""A hostile room against a real server: malformed requests get the error shape (a page on
page paths), text people type follows one rule, joins from one address are paced but a
venue behind one NAT gets in, wrong join codes never lock out the right one, bad frames
close a socket with a protocol code, and the log never shows a token or a traceback."""

import asyncio
import gc
import json
import socket
import sqlite3
import uuid
import weakref

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.sync.client import connect

from tests.fixtures import loopback
from tests.fixtures.api import (
    assert_refused,
    bearer,
    create_event,
    join,
    post_card,
    refused_handshake,
    stored,
)
from tests.fixtures.timing import eventually, seconds


def send(api, method: str, url: str, body: dict, headers: dict | None = None):
    """JSON as any client may send it: lone surrogates as \\ud800 escapes."""
    return api.request(method, url, content=json.dumps(body).encode(),
                       headers={"Content-Type": "application/json", **(headers or {})})


def test_unknown_routes_methods_and_bodies_get_the_error_shape(api):
    assert_refused(api.get("/no/such/thing"), 404, "not_found")
    assert_refused(api.delete("/api/v1/sessions"), 405, "method_not_allowed")
    assert_refused(api.post("/api/v1/sessions", content=b"{not json",
                            headers={"Content-Type": "application/json"}), 422, "invalid")
    page = api.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.text.startswith("<!doctype html>")


def typed_everywhere(api, event: dict, card: dict, text: str) -> dict[str, httpx.Response]:
    """`text` sent as each kind of text people type: title, theme, name, card, card edit,
    group name."""
    facilitator = bearer(event["facilitator_token"])
    host = bearer(event["tables"][0]["host_token"])
    url = f"/api/v1/sessions/{event['id']}"
    return {
        "title": send(api, "POST", "/api/v1/sessions", {"title": text, "language": "ja",
                                                         "tables": [{"name": "A"}],
                                                         "program": "standard"}),
        "theme": send(api, "PATCH", url, {"tables": [{"name": "A", "theme": text}]},
                      facilitator),
        "name": send(api, "POST", f"{url}/participants", {"join_code": event["join_code"],
                                                          "name": text}),
        "card": send(api, "POST", f"{url}/cards", {"id": str(uuid.uuid4()), "text": text},
                     host),
        "card edit": send(api, "PATCH", f"{url}/cards/{card['id']}", {"text": text},
                          facilitator),
        "group": send(api, "POST", f"{url}/groups", {"name": text}, facilitator),
    }


@pytest.mark.parametrize("text", ["a\ud800b", "a\x7fb", "a\x85b", "a\u202eb", "a\x00b",
                                  "Z" + "\u0301" * 120, "x\u0301\u0302\u0303\u0304"])
def test_one_text_rule_for_names_titles_themes_cards_and_groups(api, text):
    event = create_event(api)
    card = post_card(api, event, event["tables"][0]["host_token"], "元のカード").json()
    for response in typed_everywhere(api, event, card, text).values():
        assert_refused(response, 422, "invalid")
    assert [c["text"] for c in stored(api, event)] == ["元のカード"]


@pytest.mark.parametrize("text", ["\u200b", "\u3164", "\u3164 \u200b\ufeff\u2060",
                                  "\u115f\u1160\uffa0\u2800", "\u0301\u0302"])
def test_a_text_with_no_visible_character_is_empty(api, text):
    event = create_event(api)
    card = post_card(api, event, event["tables"][0]["host_token"], "元のカード").json()
    answers = typed_everywhere(api, event, card, text)
    theme = answers.pop("theme")  # a theme may be empty: it is kept empty
    assert theme.status_code == 200 and theme.json()["tables"][0]["theme"] == ""
    for response in answers.values():
        assert_refused(response, 422, "invalid")
    assert "empty" in answers["card"].json()["error"]["message"]
    assert [c["text"] for c in stored(api, event)] == ["元のカード"]


def test_marks_that_writing_needs_are_kept(api):
    """Thai vowels and tones, Vietnamese, decomposed kana, keycaps and joined emoji stay."""
    event = create_event(api)
    texts = ["น้ำใจ", "Tiê\u0301ng Viê\u0323t", "か\u3099", "1\ufe0f\u20e3",
             "👩\u200d👩\u200d👧", "a\u200bb"]
    for n, text in enumerate(texts):  # two cards per table: under the per-token rate
        answer = post_card(api, event, event["tables"][n % 3]["host_token"], text)
        assert answer.status_code == 201, (text, answer.text)
    assert len(stored(api, event)) == len(texts)


def test_integers_are_bounded_where_they_are_read(api):
    event = create_event(api)
    facilitator = bearer(event["facilitator_token"])
    url = f"/api/v1/sessions/{event['id']}"
    card = post_card(api, event, event["tables"][0]["host_token"], "カード").json()
    huge = 10**20
    assert_refused(api.patch(f"{url}/cards/{card['id']}", json={"group_id": huge},
                             headers=facilitator), 422, "invalid")
    assert_refused(api.patch(f"{url}/groups/{huge}", json={"name": "x"}, headers=facilitator),
                   422, "invalid")
    assert_refused(api.post(f"{url}/control", json={"action": "goto", "phase_index": huge},
                            headers=facilitator), 422, "invalid")
    assert_refused(api.post(f"{url}/seats", json={"participant_id": huge, "table_id": 1},
                            headers=facilitator), 422, "invalid")


def test_a_right_join_code_is_never_refused_for_wrong_ones_from_the_same_address(make_app):
    app = make_app()  # its own: the address is blocked for guesses for a minute
    with app.client(timeout=seconds(10)) as api:
        event = create_event(api)
        wrong = {**{"name": "侵入者"}, "join_code": "XXXXXX"}
        answers = [api.post(f"/api/v1/sessions/{event['id']}/participants", json=wrong)
                   for _ in range(15)]
        assert {a.status_code for a in answers} == {403, 429}
        assert answers[-1].headers["Retry-After"]
        assert join(api, event, "正しい人").status_code == 201


def test_joins_from_one_address_are_paced_but_a_venue_gets_in(make_app):
    app = make_app(env={"WORLDCAFE_JOIN_BURST": "5", "WORLDCAFE_JOINS_PER_MINUTE": "120"})
    with app.client(timeout=seconds(30)) as client:
        event = create_event(client)
        statuses = [join(client, event, f"人{n}").status_code for n in range(12)]
    assert statuses == [201] * 12  # the last seven each waited half a second for their turn
    flood = make_app(env={"WORLDCAFE_JOIN_BURST": "2", "WORLDCAFE_JOINS_PER_MINUTE": "2"})
    with flood.client(timeout=seconds(30)) as client:
        event = create_event(client)
        answers = [join(client, event, f"偽{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 403]
    assert_refused(answers[2], 403, "join_code_replaced")  # the server's answer: a new code


def test_an_event_takes_at_most_its_participants(make_app):
    app = make_app(env={"WORLDCAFE_MAX_PARTICIPANTS": "3"})
    with app.client(timeout=seconds(30)) as client:
        event = create_event(client)
        statuses = [join(client, event, f"人{n}").status_code for n in range(4)]
        assert statuses == [201, 201, 201, 409]
        assert_refused(join(client, event, "もう一人"), 409, "event_full")


def test_bad_frames_close_the_socket_with_a_protocol_code_and_no_traceback(make_server):
    server = make_server()
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        event = create_event(client)
        client.get(event["urls"]["console"])  # a token in a page link, for the log
    url = (f"{server.ws_url}/ws/sessions/{event['id']}?token={event['projector_token']}"
           f"&format=json")
    over = b"x" * (16 * 1024 + 1)  # over ws_max_message_bytes, whole or in fragments
    for frames, code in (([Frame(Opcode.BINARY, b"\x00\x01")], 1003),
                         ([Frame(Opcode.TEXT, b"\xff\xfe")], 1007),
                         ([Frame(Opcode.TEXT, over)], 1009),
                         ([Frame(Opcode.TEXT, over[:9000], fin=False),
                           Frame(Opcode.CONT, over[9000:])], 1009),
                         ([Frame(Opcode.PING, b"")] * 31, 1008)):  # 30 pings a minute
        with connect(url, open_timeout=seconds(5), ping_interval=None) as socket:
            assert json.loads(socket.recv(timeout=seconds(5)))["type"] == "snapshot"
            with socket.protocol_mutex:  # raw frames no well-behaved client would send
                for frame in frames:
                    socket.protocol.send_frame(frame)
                socket.send_data()
            with pytest.raises(ConnectionClosed):
                while True:
                    socket.recv(timeout=seconds(5))
            assert socket.protocol.close_rcvd.code == code
    assert refused_handshake(f"{server.ws_url}/ws/sessions/no-such-event?token=x") == (
        404, "not_found")
    log = server.log.read_text()
    assert "Traceback" not in log
    for token in (event["facilitator_token"], event["projector_token"]):
        assert token not in log
    assert "token=…" in log


def test_a_host_may_not_mark_someone_at_another_table(api):
    event = create_event(api)
    person = join(api, event, theme=event["tables"][0]["theme"]).json()
    other_host = event["tables"][1]["host_token"]
    refused = api.post(f"/api/v1/sessions/{event['id']}/participants/{person['id']}/absence",
                       json={"absent": True}, headers=bearer(other_host))
    assert_refused(refused, 403, "forbidden")


def test_a_card_id_is_a_uuid_and_the_queue_can_move_on(api):
    """A card the server refuses is answered 4xx (the phone's queue drops it and goes on),
    never 500 (which the queue would retry first, forever)."""
    event = create_event(api)
    host = event["tables"][0]["host_token"]
    lone = send(api, "POST", f"/api/v1/sessions/{event['id']}/cards",
                {"id": str(uuid.uuid4()), "text": "a\ud800b"}, bearer(host))
    assert_refused(lone, 422, "invalid")
    assert post_card(api, event, host, "次のカード", str(uuid.uuid4())).status_code == 201


def test_a_body_over_the_limit_is_refused_with_the_error_shape_both_ways(make_server):
    server = make_server(env={"WORLDCAFE_MAX_BODY_BYTES": "4096"})
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        event = create_event(client)
        headers = {**bearer(event["facilitator_token"]), "Content-Type": "application/json"}
        huge = json.dumps({"title": "x" * 10_000}).encode()
        assert_refused(client.patch(f"/api/v1/sessions/{event['id']}", content=huge,
                                    headers=headers), 413, "too_large")

        def streamed():  # no Content-Length: the limit is counted as the body arrives
            yield b'{"title": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'

        assert_refused(client.patch(f"/api/v1/sessions/{event['id']}", content=streamed(),
                                    headers=headers), 413, "too_large")
        # far more than the socket buffers hold, sent whole before the answer is read
        for body in (b"z" * 8_000_000, iter([b"z" * 1_000_000] * 8)):
            assert_refused(client.post("/api/v1/sessions", content=body,
                                       headers={"Content-Type": "application/json"}),
                         413, "too_large")
        kept = client.get(f"/api/v1/sessions/{event['id']}",
                          headers=bearer(event["facilitator_token"]))
        assert kept.json()["title"] == "市民協働ワークショップ"
        small = client.patch(f"/api/v1/sessions/{event['id']}", json={"title": "短い題"},
                             headers=bearer(event["facilitator_token"]))
        assert small.status_code == 200, small.text


def test_a_client_that_sends_its_whole_body_before_reading_sees_the_413(make_server):
    """httpx's async client reads only once it has sent everything: the server reads on
    (and drops) the rest while it closes, so the answer is not lost to a reset."""
    server = make_server(env={"WORLDCAFE_MAX_BODY_BYTES": "4096"})

    async def post(declared: bool) -> httpx.Response:
        async def body():
            for _ in range(320):
                yield b" " * 65536  # 20 MiB, far beyond the socket buffers

        headers = {"Content-Type": "application/json"}
        if declared:
            headers["Content-Length"] = str(320 * 65536)
        async with loopback.AsyncClient(base_url=server.url, timeout=seconds(20)) as client:
            return await client.post("/api/v1/sessions", content=body(), headers=headers)

    for declared in (True, False):
        assert_refused(asyncio.run(post(declared)), 413, "too_large")


PIECE = 64 * 1024


def _cyclic_garbage_holding_pieces(make_request, *arguments) -> list[str]:
    """The kinds of unreachable objects that hold a piece of a body after
    `make_request(*arguments)` ran with automatic collection off: the server collects
    cycles rarely (app/web/protocols.py, collect_garbage_less_often), so a body in a
    cycle outlives its request."""
    gc.collect()
    gc.disable()
    try:
        make_request(*arguments)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return sorted({type(holder).__name__ for holder in gc.garbage
                       for held in gc.get_referents(holder)
                       if isinstance(held, bytes | bytearray) and len(held) >= PIECE})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


def test_a_body_refused_or_left_half_sent_is_freed_at_once(make_app):
    """The ASGI messages a chunked upload makes, sent to the app as uvicorn sends them:
    17 pieces of 64 KiB (over the 1 MiB limit), or 4 and then the client gone."""
    app = make_app()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/v1/sessions",
             "raw_path": b"/api/v1/sessions", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"test"), (b"content-type", b"application/json"),
                         (b"transfer-encoding", b"chunked")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}

    def post(pieces: int) -> list[int]:
        messages = [{"type": "http.request", "body": b" " * PIECE, "more_body": True}
                    for _ in range(pieces)]
        statuses: list[int] = []

        async def receive():
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message):
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        app.run(app.app(dict(scope), receive, send))
        return statuses

    answers: dict[int, list[int]] = {}

    def answer(pieces: int) -> None:
        answers[pieces] = post(pieces)

    for pieces in (17, 4):
        held = _cyclic_garbage_holding_pieces(answer, pieces)
        assert held == [], f"{pieces} pieces: held by {held}"
    assert answers == {17: [413], 4: []}


class _Transport:
    """What uvicorn's HTTP protocol needs of a connection's transport, with nothing sent."""

    def __init__(self):
        self.closing = False

    def get_extra_info(self, name: str, default=None):
        return ("127.0.0.1", 50000) if name == "peername" else default

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def can_write_eof(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        pass

    pause_reading = resume_reading = close


def test_a_closed_connection_and_the_body_it_was_sending_are_freed_at_once():
    """A connection lost halfway through a chunked body, in uvicorn's HTTP protocol with
    our guards: once its request has seen the client gone, nothing keeps the protocol
    (reference counting alone frees it, with its body buffer)."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from app.web.protocols import GuardedHttp

    async def app(scope, receive, send):
        while (await receive())["type"] != "http.disconnect":
            pass

    loop = asyncio.new_event_loop()
    state = ServerState()
    gc.disable()
    try:
        protocol = GuardedHttp(Config(app=app, log_level="warning"), state, {}, _loop=loop)
        protocol.connection_made(_Transport())  # type: ignore[arg-type]
        protocol.data_received(b"POST /api/v1/sessions HTTP/1.1\r\nHost: test\r\n"
                               b"Transfer-Encoding: chunked\r\n\r\n10000\r\n"
                               + b" " * PIECE + b"\r\n")
        request = protocol.cycle
        assert len(request.body) == PIECE
        protocol.connection_lost(None)
        loop.run_until_complete(asyncio.gather(*state.tasks))
        gone = weakref.ref(protocol)
        del protocol
        assert gone() is None
        assert len(request.body) == 0
    finally:
        gc.enable()
        loop.close()


def _closed_by_server(connection: socket.socket) -> bool:
    """True when the server closes (or resets) the connection before the time-out."""
    connection.settimeout(seconds(10))
    try:
        return connection.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_half_sent_requests_are_cut_off_and_one_address_cannot_hold_every_connection(
        make_server):
    server = make_server(env={"WORLDCAFE_HEADER_TIMEOUT": "1",
                              "WORLDCAFE_CONNECTIONS_PER_ADDRESS": "3"})
    slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
    try:
        for connection in slow:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and no more
        with socket.create_connection(("127.0.0.1", server.port)) as fourth:
            assert _closed_by_server(fourth)  # over the cap: closed at once
        assert all(_closed_by_server(connection) for connection in slow)  # time-out
    finally:
        for connection in slow:
            connection.close()
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
        assert client.get("/healthz").status_code == 200  # the slots were given back


def test_healthz_answers_while_its_database_check_waits(make_server):
    """The write check runs beside /healthz: while another program holds the database's
    write lock, /healthz answers at once with the last check's answer, and says the
    database does not answer once a check has waited its patience (set to 1 s here)."""
    server = make_server(env={"WORLDCAFE_HEALTH_CHECK_PATIENCE": "1"})
    assert loopback.get(f"{server.url}/healthz", timeout=seconds(10)).status_code == 200
    holder = sqlite3.connect(server.database_url.removeprefix("sqlite:///"), timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    try:
        answers = []

        def degraded() -> bool:
            answer = loopback.get(f"{server.url}/healthz", timeout=seconds(3))
            answers.append(answer)
            return answer.status_code == 503

        eventually(degraded, 20, "/healthz says the database does not answer")
    finally:
        holder.rollback()
        holder.close()
    assert "no answer from the database" in answers[-1].json()["error"]["message"]
    assert {answer.status_code for answer in answers[:-1]} <= {200}
    eventually(lambda: loopback.get(f"{server.url}/healthz",
                                    timeout=seconds(10)).status_code == 200, 20,
               "/healthz is ok again")
