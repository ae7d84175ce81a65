"""Duplicates keep their weight, against a real server on SQLite and PostgreSQL: ×N (1 and
every card merged in, however deep) in the API, the JSON socket and every export; unmerge
gives the cards back with their dots; the x-into-y race answers 409; near-identical cards
are offered as merges; merging from the console asks first."""

import csv
import io
import json
import re

from tests.fixtures import loopback
from tests.fixtures.api import (
    api_path,
    assert_refused,
    bearer,
    create_event,
    facilitator,
    join,
    listen,
    open_link,
    open_voting,
    post_card,
    stored,
)
from tests.fixtures.printed import pdf_text
from tests.fixtures.timing import seconds

SAME = "高齢者の居場所が公民館だけでは足りない"


def four_and_one(api):
    """An event with four cards that say the same (three tables), one other card and two
    participants; the cards' ids, oldest first."""
    event = create_event(api)
    hosts = [t["host_token"] for t in event["tables"]]
    texts = ((0, SAME), (1, f"{SAME}。"), (2, f"{SAME}！"), (0, SAME), (1, "子ども食堂を続けたい"))
    ids = [post_card(api, event, hosts[table], text).json()["id"] for table, text in texts]
    people = [join(api, event, name).json() for name in ("山田", "佐藤")]
    return event, ids, people


def weights(api, event, token=None) -> dict[str, int]:
    listed = api.get(api_path(event, "/cards"), headers=bearer(token or event["facilitator_token"]))
    assert listed.status_code == 200, listed.text
    return {card["id"]: card["weight"] for card in listed.json()["cards"]}


def merge(api, event, keep, *others):
    response = api.post(api_path(event, f"/cards/{keep}/merge"), json={"cards": list(others)},
                        headers=facilitator(event))
    assert response.status_code == 200, response.text
    return response.json()


def vote(api, event, person, card_id):
    response = api.post(api_path(event, f"/cards/{card_id}/votes"), headers=bearer(person["token"]))
    assert response.status_code == 201, response.text


def counts(api, event) -> dict[str, int]:
    return api.get(api_path(event, "/votes"), headers=facilitator(event)).json()["counts"]


def test_a_merge_of_merges_weighs_every_card_in_the_api_and_the_exports(api, tmp_path):
    event, ids, _people = four_and_one(api)
    assert set(weights(api, event).values()) == {1}
    assert merge(api, event, ids[1], ids[2])["card"]["weight"] == 2
    nested = merge(api, event, ids[0], ids[1], ids[3])
    assert nested["card"]["weight"] == 4 and nested["merged"] == [ids[1], ids[3]]
    assert weights(api, event) == {ids[0]: 4, ids[1]: 2, ids[2]: 1, ids[3]: 1, ids[4]: 1}
    assert weights(api, event, event["projector_token"]) == {ids[0]: 4, ids[4]: 1}
    edited = api.patch(api_path(event, f"/cards/{ids[0]}"), json={"text": SAME},
                       headers=facilitator(event))
    assert edited.status_code == 200 and edited.json()["weight"] == 4
    headers = facilitator(event)
    table = list(csv.reader(io.StringIO(api.get(api_path(event, "/export.csv"), headers=headers)
                                        .content.decode("utf-8-sig"), newline="")))
    weight_column = table[0].index("重み（枚数）")
    assert {row[0]: row[weight_column] for row in table[1:]} == {SAME: "4",
                                                                 "子ども食堂を続けたい": "1"}
    exported = json.loads(api.get(api_path(event, "/export.json"), headers=headers).content)
    assert {c["id"]: c["weight"] for c in exported["cards"]} == {ids[0]: 4, ids[4]: 1}
    markdown = api.get(api_path(event, "/export.md"), headers=headers).content.decode("utf-8")
    assert f"- {SAME} (×4" in markdown and "子ども食堂を続けたい (×" not in markdown
    report = pdf_text(api.get(api_path(event, "/export.report.pdf"), headers=headers).content,
                      tmp_path)
    assert "×4" in report and report.count("×") == 1
    board = pdf_text(api.get(api_path(event, "/export.pdf"), headers=headers).content, tmp_path)
    assert "×4" in board


def test_unmerge_gives_the_cards_back_with_their_dots_text_and_weight(api):
    event, ids, (yamada, sato) = four_and_one(api)
    open_voting(api, event, budget=5)
    for person, card_id in ((yamada, ids[0]), (yamada, ids[1]), (yamada, ids[2]),
                            (sato, ids[2]), (sato, ids[3]), (sato, ids[4])):
        vote(api, event, person, card_id)
    merge(api, event, ids[1], ids[2])
    merge(api, event, ids[0], ids[1], ids[3])
    assert counts(api, event) == {ids[0]: 5, ids[4]: 1}
    mine = api.get(api_path(event, "/votes"), headers=bearer(yamada["token"])).json()["mine"]
    assert mine["dots"] == {ids[0]: 3} and mine["left"] == 2

    restored = api.post(api_path(event, f"/cards/{ids[0]}/unmerge"), headers=facilitator(event))
    assert restored.status_code == 200, restored.text
    body = restored.json()
    assert body["card"]["id"] == ids[0] and body["card"]["text"] == SAME
    assert body["card"]["weight"] == 1
    assert [(c["id"], c["weight"], c["hidden"], c["merged_into"]) for c in body["restored"]] == [
        (ids[1], 2, False, None), (ids[3], 1, False, None)]
    assert body["restored"][0]["text"] == f"{SAME}。"  # the same sentence once
    assert counts(api, event) == {ids[0]: 1, ids[1]: 3, ids[3]: 1, ids[4]: 1}
    assert_refused(api.post(api_path(event, f"/cards/{ids[0]}/unmerge"),
                            headers=facilitator(event)), 409, "not_merged")
    assert api.post(api_path(event, f"/cards/{ids[1]}/unmerge"),
                    headers=facilitator(event)).status_code == 200
    assert counts(api, event) == {ids[0]: 1, ids[1]: 1, ids[2]: 2, ids[3]: 1, ids[4]: 1}
    assert set(weights(api, event).values()) == {1}
    assert all(not card["hidden"] and card["merged_into"] is None for card in stored(api, event))


def test_dots_taken_back_after_a_merge_come_back_as_far_as_they_are_left(api):
    event, ids, (yamada, _sato) = four_and_one(api)
    open_voting(api, event, budget=3)
    vote(api, event, yamada, ids[0])
    vote(api, event, yamada, ids[1])
    merge(api, event, ids[0], ids[1])
    for _ in range(2):
        assert api.delete(api_path(event, f"/cards/{ids[0]}/votes"),
                          headers=bearer(yamada["token"])).status_code == 200
    vote(api, event, yamada, ids[0])
    api.post(api_path(event, f"/cards/{ids[0]}/unmerge"), headers=facilitator(event))
    assert counts(api, event) == {ids[1]: 1}  # the one dot left was the moved one
    mine = api.get(api_path(event, "/votes"), headers=bearer(yamada["token"])).json()["mine"]
    assert mine["used"] == 1 and mine["left"] == 2


def test_unmerge_and_duplicates_are_the_facilitators_and_unknown_cards_are_404(api):
    event, ids, (yamada, _sato) = four_and_one(api)
    merge(api, event, ids[0], ids[1])
    for token in (yamada["token"], event["tables"][0]["host_token"], event["projector_token"]):
        assert_refused(api.post(api_path(event, f"/cards/{ids[0]}/unmerge"), headers=bearer(token)),
                       403, "forbidden")
        assert_refused(api.get(api_path(event, "/duplicates"), headers=bearer(token)),
                       403, "forbidden")
    assert_refused(api.post(api_path(event, "/cards/00000000-0000-4000-8000-000000000000/unmerge"),
                            headers=facilitator(event)), 404, "no_card")
    assert_refused(api.post(api_path(event, f"/cards/{ids[4]}/unmerge"),
                            headers=facilitator(event)), 409, "not_merged")
    assert_refused(api.post(api_path(event, f"/cards/{ids[1]}/unmerge"),
                            headers=facilitator(event)), 409, "already_merged")


def test_merging_x_into_y_after_y_into_x_answers_409_already_merged(api):
    event, ids, _people = four_and_one(api)
    merge(api, event, ids[0], ids[1])
    assert_refused(api.post(api_path(event, f"/cards/{ids[1]}/merge"), json={"cards": [ids[0]]},
                            headers=facilitator(event)), 409, "already_merged")
    assert weights(api, event)[ids[0]] == 2


def test_near_identical_cards_are_offered_as_one_merge(api):
    event, ids, _people = four_and_one(api)
    found = api.get(api_path(event, "/duplicates"), headers=facilitator(event))
    assert found.status_code == 200, found.text
    assert found.json() == {"duplicates": [{"cards": ids[:4], "text": SAME}]}
    merge(api, event, ids[0], *ids[1:4])
    assert api.get(api_path(event, "/duplicates"), headers=facilitator(event)).json() == {
        "duplicates": []}


def test_the_json_socket_carries_the_weight_of_a_merge_and_an_unmerge(api, server):
    event, ids, _people = four_and_one(api)
    with listen(server, event, event["projector_token"], format="json") as projector, \
            listen(server, event, event["facilitator_token"], format="json") as console:
        for socket in (projector, console):
            assert json.loads(socket.recv(timeout=seconds(5)))["type"] == "snapshot"

        def messages(socket, count):
            return [json.loads(socket.recv(timeout=seconds(5))) for _ in range(count)]

        merge(api, event, ids[0], ids[1], ids[2])
        for socket in (projector, console):
            edited, *hidden = messages(socket, 3)
            assert edited["type"] == "card_edited" and edited["card"]["weight"] == 3
            assert [(m["type"], m["card"]["id"], m["card"]["hidden"]) for m in hidden] == [
                ("card_hidden", ids[1], True), ("card_hidden", ids[2], True)]
        api.post(api_path(event, f"/cards/{ids[0]}/unmerge"), headers=facilitator(event))
        for socket in (projector, console):
            edited, *shown = messages(socket, 3)
            assert edited["card"]["weight"] == 1 and edited["card"]["text"] == SAME
            assert [(m["type"], m["card"]["id"], m["card"]["hidden"], m["card"]["weight"])
                    for m in shown] == [("card_hidden", ids[1], False, 1),
                                        ("card_hidden", ids[2], False, 1)]


def test_the_console_asks_before_merging_and_names_the_cards(api, server):
    event, ids, _people = four_and_one(api)
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as console:
        console.get(event["urls"]["console"].removeprefix(server.url))  # the cookie
        asked = console.post(f"/f/{event['id']}/merge", data={"cards": ids[:3]})
        assert asked.status_code == 200, asked.text
        assert 'id="merge-confirm"' in asked.text and "この3枚を1枚にまとめますか" in asked.text
        assert re.findall(r'data-merge-card="([^"]+)"', asked.text) == ids[:3]
        assert set(weights(api, event).values()) == {1}  # nothing merged yet
        done = console.post(f"/f/{event['id']}/merge",
                            data={"cards": ids[:3], "confirmed": "yes"})
        assert done.status_code == 200 and "3枚をまとめました" in done.text
        assert weights(api, event)[ids[0]] == 3
        raced = console.post(f"/f/{event['id']}/merge", data={"cards": [ids[1], ids[0]]})
        assert raced.status_code == 409
        page = console.get(f"/f/{event['id']}").text
        assert 'data-weight="3"' in page and "×3" in page and "data-unmerge" in page
        panel = console.get(f"/f/{event['id']}/duplicates").text
        assert "この2枚は同じ内容です" in panel  # the kept card and the fourth say the same
        back = console.post(f"/f/{event['id']}/cards/{ids[0]}/unmerge")
        assert back.status_code == 200 and "2枚がボードに戻りました" in back.text
    assert set(weights(api, event).values()) == {1}


def test_a_phones_voting_list_shows_the_kept_cards_weight(api, server):
    event, ids, (yamada, _sato) = four_and_one(api)
    open_voting(api, event)
    merge(api, event, ids[0], *ids[1:4])
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as phone:
        page = open_link(phone, yamada["url"]).text
    rows = dict(re.findall(r'<li id="vc-([^"]+)"(.*?)</li>', page))
    assert set(rows) == {ids[0], ids[4]}  # the merged cards are not on the list
    assert '<span class="weight" data-weight="4"' in rows[ids[0]] and "×4" in rows[ids[0]]
    assert 'class="weight"' not in rows[ids[4]]
