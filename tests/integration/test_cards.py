"""Cards against a real server: refusals that store nothing, idempotent resends, the
per-token rate limit, and many writers at once reaching the projector exactly once."""

import json
import threading
import time
import uuid
from collections import Counter

from tests.fixtures import loopback
from tests.fixtures.api import (
    assert_refused,
    bearer,
    control,
    create_event,
    join,
    listen,
    post_card,
    post_until_accepted,
    receive_snapshot,
    stored,
)
from tests.fixtures.timing import seconds


def test_a_host_card_is_stamped_and_a_resend_changes_nothing(api):
    event = create_event(api)
    host = event["tables"][1]["host_token"]
    card_id = str(uuid.uuid4())
    created = post_card(api, event, host, "  <script>alert('x')</script> 見守り  ", card_id)
    assert created.status_code == 201, created.text
    card = created.json()
    assert card["id"] == card_id and card["table_id"] == event["tables"][1]["id"]
    assert card["text"] == "<script>alert('x')</script> 見守り"
    assert card["phase_index"] == 0 and card["author_kind"] == "host"
    assert card["colour"] == "yellow" and card["hidden"] is False
    resent = post_card(api, event, host, "a different text", card_id.upper())
    assert resent.status_code == 200 and resent.json() == card
    assert stored(api, event) == [card]


def test_bad_cards_get_a_readable_4xx_and_store_nothing(api):
    event = create_event(api)
    host = event["tables"][0]["host_token"]
    kept = post_card(api, event, host, "最初のカード").json()
    for text in ("", "   \n\t", "あ" * 141, "bell\x07", "nul\x00byte"):
        message = assert_refused(post_card(api, event, host, text), 422, "invalid")
        assert "card" in message.lower()
    japanese = api.post(f"/api/v1/sessions/{event['id']}/cards",
                        json={"id": str(uuid.uuid4()), "text": "   "},
                        headers={**bearer(host), "Accept-Language": "ja"})
    assert "カード" in assert_refused(japanese, 422, "invalid")
    assert_refused(post_card(api, event, host, "x", "not-a-uuid"), 422, "invalid")
    other_table = event["tables"][2]["id"]
    assert_refused(post_card(api, event, host, "よそのテーブル", table_id=other_table),
                   403, "forbidden")
    assert_refused(post_card(api, event, event["projector_token"], "見るだけ"), 403, "forbidden")
    assert_refused(post_card(api, event, "wrong-token", "だれ？"), 401, "invalid_token")
    person = join(api, event, "佐藤").json()
    assert_refused(post_card(api, event, person["token"], "乗っ取り", kept["id"]),
                   409, "id_taken")
    assert stored(api, event) == [kept]
    control(api, event, "finish")
    assert_refused(post_card(api, event, host, "終わった後"), 409, "finished")
    assert stored(api, event) == [kept]


def test_the_facilitator_names_the_table(api):
    event = create_event(api)
    token = event["facilitator_token"]
    assert_refused(post_card(api, event, token, "どこ？"), 422, "invalid")
    table = event["tables"][2]["id"]
    card = post_card(api, event, token, "全体へのメモ", table_id=table)
    assert card.status_code == 201 and card.json()["table_id"] == table


def test_a_participant_writes_for_the_table_they_sit_at_now(api):
    event = create_event(api)
    people = [join(api, event, f"参加者{n}", theme=event["tables"][n % 3]["theme"]).json()
              for n in range(9)]
    first = post_card(api, event, people[0]["token"], "家のテーブルで").json()
    assert first["table_id"] == people[0]["home_table"] and first["round"] == 0
    assert "participant_id" in first  # the author sees their own id
    state = control(api, event, "next").json()
    while not state["phase"]["moves"]:
        state = control(api, event, "next").json()
    seating = api.get(f"/api/v1/sessions/{event['id']}/seating",
                      headers=bearer(event["facilitator_token"])).json()
    now = next(r for r in seating["rounds"] if r["phase_index"] == state["phase_index"])
    seat = next(int(t) for t, ids in now["tables"].items() if people[0]["id"] in ids)
    moved = post_card(api, event, people[0]["token"], "移動先で").json()
    assert moved["table_id"] == seat and moved["phase_index"] == state["phase_index"]
    assert moved["colour"] != first["colour"]
    visible_to_others = api.get(f"/api/v1/sessions/{event['id']}/cards",
                                headers=bearer(people[1]["token"])).json()["cards"]
    assert len(visible_to_others) == 2
    assert all("participant_id" not in card for card in visible_to_others)


def test_cards_come_a_page_at_a_time_in_board_order(api):
    event = create_event(api)
    for n in range(9):  # three cards per table's host: under the per-token rate
        assert post_card(api, event, event["tables"][n % 3]["host_token"],
                         f"カード{n}").status_code == 201
    url = f"/api/v1/sessions/{event['id']}/cards"
    facilitator = bearer(event["facilitator_token"])
    whole = api.get(url, headers=facilitator).json()  # up to 500 cards: one answer
    assert len(whole["cards"]) == 9 and whole["next"] is None
    hidden = whole["cards"][4]["id"]
    assert api.patch(f"{url}/{hidden}", json={"hidden": True},
                     headers=facilitator).status_code == 200

    def paged(token: str, limit: int) -> list[list[str]]:
        pages, after = [], None
        while True:
            params = {"limit": limit, **({"after": after} if after else {})}
            page = api.get(url, params=params, headers=bearer(token)).json()
            pages.append([card["id"] for card in page["cards"]])
            after = page["next"]
            if after is None:
                return pages

    in_order = [card["id"] for card in whole["cards"]]
    assert paged(event["facilitator_token"], 4) == [in_order[:4], in_order[4:8],
                                                     in_order[8:]]
    seen = paged(event["projector_token"], 4)
    assert [len(page) for page in seen] == [4, 4]
    assert sum(seen, []) == [card_id for card_id in in_order if card_id != hidden]
    assert paged(event["projector_token"], 8) == [sum(seen, [])]  # the last page is full
    assert_refused(api.get(url, params={"after": str(uuid.uuid4())}, headers=facilitator),
                   404, "no_card")
    for limit in (0, 1001, "x"):
        assert_refused(api.get(url, params={"limit": limit}, headers=facilitator), 422,
                       "invalid")


def test_twenty_cards_a_second_from_one_token_are_slowed_another_token_is_not(api):
    event = create_event(api)
    phone = join(api, event, "連打").json()["token"]
    answers = [post_card(api, event, phone, f"カード{n}") for n in range(20)]
    statuses = Counter(r.status_code for r in answers)
    assert statuses[201] >= 5 and statuses[429] >= 10, statuses
    limited = next(r for r in answers if r.status_code == 429)
    assert_refused(limited, 429, "too_many_cards")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    other = post_card(api, event, event["tables"][0]["host_token"], "別の端末")
    assert other.status_code == 201
    texts = {card["text"] for card in stored(api, event)}
    assert len(texts) == statuses[201] + 1 and "別の端末" in texts


def test_identical_posts_at_once_store_one_card(api, server):
    event = create_event(api)
    tokens = [event["tables"][n]["host_token"] for n in range(3)]
    card_id = str(uuid.uuid4())
    barrier = threading.Barrier(4)
    answers = []

    def post(token_index):
        with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
            barrier.wait()
            answers.append(post_card(client, event, tokens[0], "同時送信", card_id))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    assert len({json.dumps(r.json(), sort_keys=True) for r in answers}) == 1
    assert [c["id"] for c in stored(api, event)] == [card_id]


def test_twenty_writers_two_hundred_cards_each_twice_reach_the_projector_once(api, server):
    event = create_event(api)
    writers = [join(api, event, f"書き手{n}", theme=event["tables"][n % 3]["theme"]).json()
               for n in range(20)]
    statuses: list[int] = []
    sent: list[str] = []
    lock = threading.Lock()

    def write(writer):
        with loopback.Client(base_url=server.url, timeout=seconds(20)) as client:
            for n in range(10):
                card_id = str(uuid.uuid4())
                text = f"{writer['id']}-{n} <i>意見</i>"
                first = post_until_accepted(client, event, writer["token"], text, card_id)
                retry = post_until_accepted(client, event, writer["token"], text, card_id)
                with lock:
                    statuses.extend([first, retry])
                    sent.append(card_id)

    with listen(server, event, event["projector_token"], format="json") as projector:
        assert json.loads(projector.recv(timeout=seconds(5)))["type"] == "snapshot"
        threads = [threading.Thread(target=write, args=(w,)) for w in writers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert Counter(statuses) == {201: 200, 200: 200}
        seen: Counter = Counter()
        deadline = time.monotonic() + seconds(20)
        while sum(seen.values()) < 200 and time.monotonic() < deadline:
            message = json.loads(projector.recv(timeout=seconds(10)))
            if message["type"] == "card":
                assert "participant_id" not in message["card"]
                seen[message["card"]["id"]] += 1
        try:  # nothing more may come: a resend is never announced
            while True:
                message = json.loads(projector.recv(timeout=seconds(0.5)))
                if message["type"] == "card":
                    seen[message["card"]["id"]] += 1
        except TimeoutError:
            pass
    assert set(seen) == set(sent) and set(seen.values()) == {1}
    cards = stored(api, event)
    assert len(cards) == 200 and {c["id"] for c in cards} == set(sent)


def test_pages_get_the_card_as_escaped_fragments(api, server):
    event = create_event(api)
    table = event["tables"][0]
    with listen(server, event, table["host_token"], view="host") as host, \
            listen(server, event, event["projector_token"], view="projector") as projector:
        assert 'id="table-cards"' in receive_snapshot(host, "host")
        assert 'id="board"' in projector.recv(timeout=seconds(5))
        post_card(api, event, table["host_token"], "<img src=x onerror=alert(1)>")
        for socket, piece in ((host, 'id="table-cards"'),  # its first card: a new section
                              (projector, f'afterbegin:#board-table-{table["id"]}-cards')):
            update = socket.recv(timeout=seconds(5))
            assert piece in update
            assert "&lt;img src=x onerror=alert(1)&gt;" in update and "<img" not in update


def test_each_event_sets_its_longest_card(api):
    event = create_event(api, card_max_length=20)
    host = event["tables"][0]["host_token"]
    refused = post_card(api, event, host, "あ" * 21)
    assert refused.status_code == 422 and "20" in refused.json()["error"]["message"]
    assert post_card(api, event, host, "あ" * 20).status_code == 201
    changed = api.patch(f"/api/v1/sessions/{event['id']}", json={"card_max_length": 30},
                        headers=bearer(event["facilitator_token"]))
    assert changed.status_code == 200, changed.text
    assert post_card(api, event, host, "い" * 30).status_code == 201
    too_small = api.patch(f"/api/v1/sessions/{event['id']}", json={"card_max_length": 5},
                          headers=bearer(event["facilitator_token"]))
    assert too_small.status_code == 422
    assert len(stored(api, event)) == 2


def test_a_host_edits_and_withdraws_only_their_own_cards(api):
    """`PATCH …/cards/{id}` with a host's token: their table's own card while its round
    runs; another table's card or a participant's card is 403 and stays as it was."""
    event = create_event(api)
    url = f"/api/v1/sessions/{event['id']}/cards"
    host, other_host = (bearer(t["host_token"]) for t in event["tables"][:2])
    own = post_card(api, event, event["tables"][0]["host_token"], "ホームの意見").json()
    others = post_card(api, event, event["tables"][1]["host_token"], "隣の意見").json()
    person = join(api, event, name="参加者").json()
    participants = post_card(api, event, person["token"], "参加者の意見").json()

    for card, who in ((others, host), (participants, host), (own, other_host),
                      (own, bearer(person["token"]))):
        assert_refused(api.patch(f"{url}/{card['id']}", json={"text": "書き換え"}, headers=who),
                       403, "forbidden")
        assert_refused(api.patch(f"{url}/{card['id']}", json={"hidden": True}, headers=who),
                       403, "forbidden")
    assert_refused(api.patch(f"{url}/{own['id']}", json={"group_id": 1}, headers=host),
                   403, "forbidden")

    edited = api.patch(f"{url}/{own['id']}", json={"text": "直した意見"}, headers=host)
    assert edited.status_code == 200, edited.text
    assert edited.json()["text"] == "直した意見" and "participant_id" not in edited.json()
    withdrawn = api.patch(f"{url}/{own['id']}", json={"hidden": True}, headers=host)
    assert withdrawn.status_code == 200 and withdrawn.json()["hidden"] is True
    kept = {card["id"]: (card["text"], card["hidden"]) for card in stored(api, event)}
    assert kept == {own["id"]: ("直した意見", True), others["id"]: ("隣の意見", False),
                    participants["id"]: ("参加者の意見", False)}

    control(api, event, "next", from_phase=0)
    assert_refused(api.patch(f"{url}/{others['id']}", json={"text": "後から"},
                             headers=other_host), 400, "refused")
