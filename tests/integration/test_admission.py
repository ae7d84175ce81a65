"""The facilitator answers a hostile room live: joining closed and opened, a new join code,
a participant removed, a lost device's link replaced, tokens that expire after the event,
and an organiser passcode for creating events; against a real server and real sockets."""

import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from tests.fixtures import loopback
from tests.fixtures.api import (
    assert_refused,
    bearer,
    closed_with,
    control,
    create_event,
    facilitator,
    join,
    listen,
    next_json,
    open_link,
    post_card,
    refused_handshake,
)
from tests.fixtures.timing import Clock, seconds


def test_joining_can_be_closed_and_opened_again(server, api):
    event = create_event(api)
    with listen(server, event, event["projector_token"], format="json") as projector:
        next_json(projector, "snapshot")
        closed = api.patch(f"/api/v1/sessions/{event['id']}", headers=facilitator(event),
                           json={"joining_open": False})
        assert closed.status_code == 200 and closed.json()["joining_open"] is False
        assert next_json(projector, "joining") == {"type": "joining", "open": False,
                                                   "join_code": event["join_code"]}
    assert_refused(join(api, event, "遅れた人"), 409, "joining_closed")
    page = api.get(f"/j/{event['join_code']}", headers={"Accept": "text/html"})
    assert page.status_code == 409 and "参加受付は締め切られています" in page.text
    form = api.post(f"/j/{event['join_code']}", data={"name": "遅れた人"})
    assert form.status_code == 409 and "参加受付は締め切られています" in form.text
    assert_refused(api.patch(f"/api/v1/sessions/{event['id']}", headers=facilitator(event),
                             json={"joining_open": "maybe"}), 422, "invalid")
    api.patch(f"/api/v1/sessions/{event['id']}", headers=facilitator(event),
              json={"joining_open": True})
    assert join(api, event, "遅れた人").status_code == 201


def test_a_new_join_code_refuses_the_old_one_and_joined_phones_keep_working(server, api):
    event = create_event(api)
    person = join(api, event, "先に来た人").json()
    phone = loopback.Client(base_url=server.url, timeout=seconds(10), follow_redirects=True)
    assert open_link(phone, person["url"]).status_code == 200
    with listen(server, event, event["projector_token"], view="projector") as projector:
        assert event["join_code"] in projector.recv(timeout=seconds(5))
        answer = api.post(f"/api/v1/sessions/{event['id']}/join_code",
                          headers=facilitator(event))
        assert answer.status_code == 200, answer.text
        new_code = answer.json()["join_code"]
        assert new_code != event["join_code"] and answer.json()["url"].endswith(f"/j/{new_code}")
        pushed = projector.recv(timeout=seconds(5))
        assert 'id="join"' in pushed and new_code in pushed and "<svg" in pushed
    assert_refused(join(api, event, "古いコード"), 403, "join_code_replaced")
    assert join(api, {**event, "join_code": new_code}, "新しいコード").status_code == 201
    mine = phone.get(f"/m/{event['id']}")
    assert mine.status_code == 200 and "先に来た人" in mine.text
    posted = phone.post(f"/m/{event['id']}/cards", json={"id": str(uuid.uuid4()),
                                                          "text": "まだ書ける"})
    assert posted.status_code == 201, posted.text
    assert phone.get(f"/j/{new_code}").url.path == f"/m/{event['id']}"  # joined already
    phone.close()
    assert_refused(api.post(f"/api/v1/sessions/{event['id']}/join_code",
                            headers=bearer(event["projector_token"])), 403, "forbidden")


def test_a_removed_participant_is_signed_out_at_once_and_their_cards_can_go(server, api):
    event = create_event(api)
    spammer = join(api, event, "荒らし").json()
    honest = join(api, event, "まじめな人").json()
    spam = [post_card(api, event, spammer["token"], f"宣伝{n}").json()["id"] for n in range(3)]
    kept = post_card(api, event, honest["token"], "見守りの輪").json()["id"]
    api.patch(f"/api/v1/sessions/{event['id']}/board", headers=facilitator(event),
              json={"open": True})
    assert api.post(f"/api/v1/sessions/{event['id']}/cards/{kept}/votes",
                    headers=bearer(spammer["token"])).status_code == 201
    with listen(server, event, spammer["token"], format="json") as theirs, \
            listen(server, event, honest["token"], format="json") as other:
        next_json(theirs, "snapshot")
        next_json(other, "snapshot")
        assert_refused(api.delete(f"/api/v1/sessions/{event['id']}/participants/"
                                  f"{spammer['id']}", headers=bearer(honest["token"])),
                     403, "forbidden")
        removed = api.delete(f"/api/v1/sessions/{event['id']}/participants/{spammer['id']}",
                             headers=facilitator(event), params={"hide_cards": "true"})
        assert removed.json() == {"removed": spammer["id"], "hidden_cards": 3}
        assert closed_with(theirs) == 4401
        assert next_json(other, "seating") is not None  # the room goes on
    assert_refused(post_card(api, event, spammer["token"], "まだいる"), 401, "invalid_token")
    assert refused_handshake(f"{server.ws_url}/ws/sessions/{event['id']}"
                             f"?token={spammer['token']}&format=json") == (401, "invalid_token")
    cards = api.get(f"/api/v1/sessions/{event['id']}/cards", headers=facilitator(event))
    hidden = {c["id"]: c["hidden"] for c in cards.json()["cards"]}
    assert all(hidden[card_id] for card_id in spam) and hidden[kept] is False
    votes = api.get(f"/api/v1/sessions/{event['id']}/votes", headers=facilitator(event))
    assert votes.json()["counts"] == {}
    people = api.get(f"/api/v1/sessions/{event['id']}", headers=facilitator(event))
    assert [p["name"] for p in people.json()["participants"]] == ["まじめな人"]
    assert_refused(api.delete(f"/api/v1/sessions/{event['id']}/participants/{spammer['id']}",
                              headers=facilitator(event)), 404, "not_found")


def test_after_a_new_join_code_the_room_does_not_wait_behind_the_flood(make_app):
    """The facilitator's own answer, with the server's turned off."""
    app = make_app(env={"WORLDCAFE_JOIN_BURST": "2", "WORLDCAFE_JOINS_PER_MINUTE": "6",
                        "WORLDCAFE_RENEW_JOIN_CODE_ON_FLOOD": "false"})
    with app.client(timeout=seconds(30)) as client:
        event = create_event(client)
        assert [join(client, event, f"偽{n}").status_code for n in range(2)] == [201, 201]
        with ThreadPoolExecutor(2) as pool:  # one takes the turn in 10 s, one would wait 20 s
            flood = [pool.submit(join, client, event, f"偽の列{n}") for n in range(2)]
            done, (queued,) = wait(flood, timeout=seconds(10), return_when=FIRST_COMPLETED)
            assert_refused(done.pop().result(), 429, "too_many_joins")  # the queue is full
            answer = client.post(f"/api/v1/sessions/{event['id']}/join_code",
                                 headers=facilitator(event))
            renewed = {**event, "join_code": answer.json()["join_code"]}
            assert join(client, renewed, "本人").status_code == 201  # no wait, no 429
            # woken by the new code well before its turn (10 s off), and refused
            assert_refused(queued.result(timeout=seconds(5)), 403, "join_code_replaced")


def test_a_lost_tablet_or_projector_gets_a_new_link_and_the_old_one_is_signed_out(server,
                                                                                  api):
    event = create_event(api)
    table = event["tables"][0]
    with listen(server, event, table["host_token"], format="json") as tablet, \
            listen(server, event, event["projector_token"], format="json") as projector, \
            listen(server, event, event["tables"][1]["host_token"], format="json") as other:
        for socket in (tablet, projector, other):
            next_json(socket, "snapshot")
        host = api.post(f"/api/v1/sessions/{event['id']}/tables/{table['id']}/host_token",
                        headers=facilitator(event))
        assert host.status_code == 200, host.text
        assert closed_with(tablet) == 4401
        screen = api.post(f"/api/v1/sessions/{event['id']}/projector_token",
                          headers=facilitator(event))
        assert closed_with(projector) == 4401
        next_json(other, "session")  # the other host is drawn again, still signed in
    new_host, new_projector = host.json(), screen.json()
    assert new_host["url"].endswith(f"?token={new_host['token']}")
    for old in (table["host_token"], event["projector_token"]):
        assert_refused(api.get(f"/api/v1/sessions/{event['id']}/state", headers=bearer(old)),
                       401, "invalid_token")
    for new in (new_host["token"], new_projector["token"]):
        assert api.get(f"/api/v1/sessions/{event['id']}/state",
                       headers=bearer(new)).status_code == 200
    page = open_link(api, new_projector["url"])
    assert page.status_code == 200 and 'id="join"' in page.text
    assert_refused(api.post(f"/api/v1/sessions/{event['id']}/tables/999999/host_token",
                            headers=facilitator(event)), 404, "not_found")


def test_tokens_expire_after_the_event_finishes(make_app):
    clock = Clock()  # the days pass when the test says so, however slow the machine
    app = make_app(env={"WORLDCAFE_TOKEN_DAYS_AFTER_FINISH": "2"}, now=clock)
    with app.client(timeout=seconds(10)) as client:
        event = create_event(client)
        person = join(client, event, "参加者").json()
        tokens = [event["facilitator_token"], event["projector_token"],
                  event["tables"][0]["host_token"], person["token"]]
        state = f"/api/v1/sessions/{event['id']}/state"
        assert control(client, event, "finish").json()["status"] == "finished"
        clock.advance(2 * 86400 - 1)
        assert all(client.get(state, headers=bearer(t)).status_code == 200 for t in tokens)
        clock.advance(2)
        for token in tokens:
            assert_refused(client.get(state, headers=bearer(token)), 401, "invalid_token")


def test_creating_events_can_need_the_organiser_passcode(make_app):
    app = make_app(env={"WORLDCAFE_ORGANISER_PASSCODE": "kyodo-2026"})
    body = {"title": "市民ワークショップ", "tables": [{"name": "A"}], "program": "standard"}
    with app.client(timeout=seconds(10)) as client:
        assert_refused(client.post("/api/v1/sessions", json=body), 401, "passcode_required")
        assert_refused(client.post("/api/v1/sessions", json=body, headers=bearer("guess")),
                       403, "wrong_passcode")
        made = client.post("/api/v1/sessions", json=body, headers=bearer("kyodo-2026"))
        assert made.status_code == 201, made.text
        landing = client.get("/")
        assert 'name="passcode"' in landing.text
        form = {"title": "フォームから", "language": "ja", "table_name": "A",
                "table_theme": "", "program": "standard"}
        refused = client.post("/", data={**form, "passcode": "guess"})
        assert refused.status_code == 403 and "主催者パスコードが違います" in refused.text
        created = client.post("/", data={**form, "passcode": "kyodo-2026"})
        assert created.status_code == 303 and created.headers["location"].startswith("/f/")
        for _ in range(10):
            client.post("/api/v1/sessions", json=body, headers=bearer("brute"))
        assert_refused(client.post("/api/v1/sessions", json=body, headers=bearer("brute")),
                       429, "too_many_attempts")
        # the venue shares one address: the right passcode still works after the guesses
        made_after = client.post("/api/v1/sessions", json=body, headers=bearer("kyodo-2026"))
        assert made_after.status_code == 201, made_after.text
        listed = client.post("/events", data={"passcode": "kyodo-2026"})
        assert listed.status_code == 200 and "/f/" in listed.text
