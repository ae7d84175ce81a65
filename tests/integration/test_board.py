"""The harvest board against a real server: groups, moderation and merging (facilitator
only), dot voting within a budget (also two taps at once), results hidden until revealed,
and every change reaching a JSON socket."""

import json
import threading
import uuid

from tests.fixtures import loopback
from tests.fixtures.api import (
    api_path,
    assert_refused,
    bearer,
    board_event,
    create_event,
    facilitator,
    join,
    listen,
    open_voting,
    post_card,
    stored,
)
from tests.fixtures.timing import seconds


def test_groups_are_created_renamed_and_deleted_by_the_facilitator_only(api):
    event, ids, person = board_event(api)
    created = api.post(api_path(event, "/groups"), json={"name": " 見守り "},
                       headers=facilitator(event))
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["name"] == "見守り"
    for token in (person["token"], event["tables"][0]["host_token"], event["projector_token"]):
        assert_refused(api.post(api_path(event, "/groups"), json={"name": "x"},
                                headers=bearer(token)), 403, "forbidden")
    assert_refused(api.post(api_path(event, "/groups"), json={"name": "  "},
                            headers=facilitator(event)), 422, "invalid")
    renamed = api.patch(api_path(event, f"/groups/{group['id']}"), json={"name": "地域の見守り"},
                        headers=facilitator(event))
    assert renamed.status_code == 200 and renamed.json()["name"] == "地域の見守り"
    assert_refused(api.patch(api_path(event, f"/groups/{group['id']}"), json={"name": "x" * 61},
                             headers=facilitator(event)), 422, "invalid")
    moved = api.patch(api_path(event, f"/cards/{ids[0]}"), json={"group_id": group["id"]},
                      headers=facilitator(event))
    assert moved.status_code == 200 and moved.json()["group_id"] == group["id"]
    listed = api.get(api_path(event, "/groups"), headers=bearer(person["token"])).json()
    assert listed["groups"] == [{"id": group["id"], "name": "地域の見守り"}]
    deleted = api.delete(api_path(event, f"/groups/{group['id']}"), headers=facilitator(event))
    assert deleted.status_code == 200
    assert {c["id"]: c["group_id"] for c in stored(api, event)}[ids[0]] is None
    assert_refused(api.delete(api_path(event, f"/groups/{group['id']}"),
                              headers=facilitator(event)), 404, "no_group")


def test_moving_a_card_to_a_group_of_another_event_is_refused_and_changes_nothing(api):
    event, ids, _person = board_event(api)
    other = create_event(api)
    foreign = api.post(api_path(other, "/groups"), json={"name": "よそ"},
                       headers=facilitator(other)).json()
    before = stored(api, event)
    assert_refused(api.patch(api_path(event, f"/cards/{ids[0]}"), json={"group_id": foreign["id"]},
                             headers=facilitator(event)), 404, "no_group")
    assert_refused(api.patch(api_path(event, f"/cards/{ids[0]}"),
                             json={"hidden": True, "text": ""}, headers=facilitator(event)),
                   422, "invalid")
    assert_refused(api.patch(api_path(event, f"/cards/{uuid.uuid4()}"), json={"hidden": True},
                             headers=facilitator(event)), 404, "no_card")
    assert stored(api, event) == before


def test_hide_edit_and_merge_are_for_the_facilitator_and_never_show_the_author(api):
    """Others' cards: a participant's own card is theirs to withdraw (issue 24,
    tests/integration/test_cards.py), never a host's, the projector's or another phone's."""
    event, ids, person = board_event(api)
    mine = post_card(api, event, person["token"], "自分のカード").json()
    other = join(api, event, "別の参加者").json()
    for token in (other["token"], event["tables"][0]["host_token"], event["projector_token"]):
        assert_refused(api.patch(api_path(event, f"/cards/{mine['id']}"), json={"hidden": True},
                                 headers=bearer(token)), 403, "forbidden")
        assert_refused(api.post(api_path(event, f"/cards/{ids[0]}/merge"), json={"cards": [ids[1]]},
                                headers=bearer(token)), 403, "forbidden")
    assert_refused(api.post(api_path(event, f"/cards/{ids[0]}/merge"), json={"cards": [ids[1]]},
                            headers=bearer(person["token"])), 403, "forbidden")
    hidden = api.patch(api_path(event, f"/cards/{ids[2]}"), json={"hidden": True},
                       headers=facilitator(event))
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    edited = api.patch(api_path(event, f"/cards/{mine['id']}"),
                       json={"text": "  直した <b>文</b> "}, headers=facilitator(event))
    assert edited.status_code == 200 and edited.json()["text"] == "直した <b>文</b>"
    merged = api.post(api_path(event, f"/cards/{ids[0]}/merge"), json={"cards": [mine["id"]]},
                      headers=facilitator(event))
    assert merged.status_code == 200, merged.text
    assert merged.json()["card"]["text"] == "見守りの担い手が足りない / 直した <b>文</b>"
    assert merged.json()["merged"] == [mine["id"]]
    public = api.get(api_path(event, "/cards"), headers=bearer(event["projector_token"])).json()
    assert [c["id"] for c in public["cards"]] == [ids[0], ids[1]]
    assert all("participant_id" not in c for c in public["cards"])
    everything = {c["id"]: c for c in stored(api, event)}
    assert everything[mine["id"]]["hidden"] and everything[mine["id"]]["merged_into"] == ids[0]
    assert_refused(api.post(api_path(event, f"/cards/{ids[1]}/merge"), json={"cards": [mine["id"]]},
                            headers=facilitator(event)), 409, "already_merged")
    assert_refused(api.patch(api_path(event, f"/cards/{mine['id']}"), json={"hidden": False},
                             headers=facilitator(event)), 409, "already_merged")


def test_votes_over_the_budget_are_refused_and_taking_one_back_frees_it(api):
    event, ids, person = board_event(api)
    phone = bearer(person["token"])
    assert_refused(api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone),
                   409, "voting_closed")
    open_voting(api, event, budget=2)
    assert api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone).status_code == 201
    second = api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone)
    assert second.status_code == 201 and second.json()["dots"] == {ids[0]: 2}
    message = assert_refused(api.post(api_path(event, f"/cards/{ids[1]}/votes"), headers=phone),
                             409, "no_dots_left")
    assert "2" in message
    japanese = api.post(api_path(event, f"/cards/{ids[1]}/votes"),
                        headers={**phone, "Accept-Language": "ja"}).json()["error"]["message"]
    assert japanese != message and "2" in japanese
    for token in (event["facilitator_token"], event["tables"][0]["host_token"]):
        assert_refused(api.post(api_path(event, f"/cards/{ids[1]}/votes"), headers=bearer(token)),
                       403, "forbidden")
    back = api.delete(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone)
    assert back.status_code == 200 and back.json()["left"] == 1
    assert_refused(api.delete(api_path(event, f"/cards/{ids[1]}/votes"), headers=phone),
                   409, "no_dot_here")
    assert api.post(api_path(event, f"/cards/{ids[1]}/votes"), headers=phone).status_code == 201
    assert_refused(api.patch(api_path(event, "/board"), json={"budget": 99},
                             headers=facilitator(event)), 422, "invalid")
    counts = api.get(api_path(event, "/votes"), headers=facilitator(event)).json()["counts"]
    assert counts == {ids[0]: 1, ids[1]: 1}


def test_two_taps_at_once_at_the_budget_edge_place_one_dot(api, server):
    event, ids, person = board_event(api)
    open_voting(api, event, budget=1)
    barrier = threading.Barrier(6)
    statuses = []

    def tap(card_id):
        with loopback.Client(base_url=server.url, timeout=seconds(10)) as client:
            barrier.wait()
            statuses.append(client.post(api_path(event, f"/cards/{card_id}/votes"),
                                        headers=bearer(person["token"])).status_code)

    threads = [threading.Thread(target=tap, args=(ids[n % 3],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409, 409, 409, 409, 409]
    mine = api.get(api_path(event, "/votes"), headers=bearer(person["token"])).json()["mine"]
    assert mine["used"] == 1 and sum(mine["dots"].values()) == 1


def test_results_are_hidden_from_phones_and_projector_until_revealed(api, server):
    event, ids, person = board_event(api)
    other = join(api, event, "佐藤").json()
    open_voting(api, event)
    api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=bearer(other["token"]))
    api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=bearer(person["token"]))
    for token in (person["token"], event["projector_token"]):
        seen = api.get(api_path(event, "/votes"), headers=bearer(token)).json()
        assert seen["revealed"] is False and "counts" not in seen and "ranking" not in seen
    mine = api.get(api_path(event, "/votes"), headers=bearer(person["token"])).json()["mine"]
    assert mine["dots"] == {ids[0]: 1}  # one's own dots only, never the other's
    with listen(server, event, event["projector_token"], format="json") as projector:
        snapshot = json.loads(projector.recv(timeout=seconds(5)))
        assert snapshot["type"] == "snapshot" and snapshot["board"]["open"] is True
        assert "counts" not in snapshot["board"]
        api.post(api_path(event, f"/cards/{ids[1]}/votes"), headers=bearer(other["token"]))
        message = json.loads(projector.recv(timeout=seconds(5)))
        assert message["type"] == "vote" and "counts" not in message
        assert "participant_id" not in message
        api.patch(api_path(event, "/board"), json={"revealed": True}, headers=facilitator(event))
        message = json.loads(projector.recv(timeout=seconds(5)))
        assert message["type"] == "voting" and message["revealed"] is True
        assert message["counts"] == {ids[0]: 2, ids[1]: 1}
        assert message["ranking"][0] == {"rank": 1, "card_id": ids[0], "dots": 2}
    seen = api.get(api_path(event, "/votes"), headers=bearer(person["token"])).json()
    assert seen["counts"] == {ids[0]: 2, ids[1]: 1}


def test_board_changes_reach_json_sockets_without_the_author(api, server):
    event, ids, person = board_event(api)
    mine = post_card(api, event, person["token"], "匿名のはず").json()
    with listen(server, event, event["projector_token"], format="json") as projector, \
            listen(server, event, event["facilitator_token"], format="json") as console:
        for socket in (projector, console):
            assert json.loads(socket.recv(timeout=seconds(5)))["type"] == "snapshot"

        def both():
            return [json.loads(s.recv(timeout=seconds(5))) for s in (projector, console)]

        group = api.post(api_path(event, "/groups"), json={"name": "居場所"},
                         headers=facilitator(event)).json()
        for message in both():
            assert message["type"] == "group" and message["action"] == "created"
            assert message["groups"] == [group]
        api.patch(api_path(event, f"/cards/{mine['id']}"), json={"group_id": group["id"]},
                  headers=facilitator(event))
        for message in both():
            assert message["type"] == "group" and message["action"] == "moved"
            assert message["card_id"] == mine["id"] and message["group_id"] == group["id"]
        api.patch(api_path(event, f"/cards/{mine['id']}"), json={"text": "書き直し"},
                  headers=facilitator(event))
        on_projector, on_console = both()
        assert on_projector["type"] == "card_edited"
        assert on_projector["card"]["text"] == "書き直し"
        assert "participant_id" not in on_projector["card"]
        assert on_console["card"]["participant_id"] == person["id"]
        api.patch(api_path(event, f"/cards/{mine['id']}"), json={"hidden": True},
                  headers=facilitator(event))
        on_projector, on_console = both()
        assert on_projector == {"type": "card_hidden", "card": {
            "id": mine["id"], "hidden": True, "merged_into": None}}
        assert on_console["type"] == "card_hidden" and on_console["card"]["hidden"] is True
        api.patch(api_path(event, "/board"), json={"view": "group"}, headers=facilitator(event))
        for message in both():
            assert message["type"] == "board" and message["view"] == "group"


def test_every_layout_renders_on_the_console_and_the_projector_without_authors(server):
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as api:
        event, ids, person = board_event(api)
        post_card(api, event, person["token"], "作者は秘密")
        group = api.post(api_path(event, "/groups"), json={"name": "まとめ<1>"},
                         headers=facilitator(event)).json()
        api.patch(api_path(event, f"/cards/{ids[1]}"), json={"group_id": group["id"]},
                  headers=facilitator(event))
    with loopback.Client(base_url=server.url, timeout=seconds(10), follow_redirects=True) as page:
        page.get(event["urls"]["console"])
        page.get(event["urls"]["projector"])
        for layout in ("table", "group", "phase", "theme"):
            changed = page.post(f"/f/{event['id']}/board", data={"view": layout},
                                headers={"Origin": server.url})
            assert changed.status_code == 200, changed.text
            for path in (f"/f/{event['id']}", f"/p/{event['id']}"):
                html = page.get(path).text
                assert f'data-layout="{layout}"' in html
                assert "作者は秘密" in html and "山田" not in html.split('id="people"')[0]
            if layout == "group":
                assert "まとめ&lt;1&gt;" in html and "まとめ<1>" not in html


def test_page_actions_need_the_facilitator_cookie_and_a_same_site_origin(server):
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as api:
        event, ids, person = board_event(api)
    with loopback.Client(base_url=server.url, timeout=seconds(10), follow_redirects=True) as page:
        page.get(person["url"])  # a participant's cookie only
        refused = page.post(f"/f/{event['id']}/groups", data={"name": "x"})
        assert refused.status_code == 403 and 'class="flash flash--error"' in refused.text
        page.get(event["urls"]["console"])
        foreign = page.post(f"/f/{event['id']}/groups", data={"name": "x"},
                            headers={"Origin": "http://evil.example"})
        assert foreign.status_code == 403
        bad = page.post(f"/f/{event['id']}/board", data={"budget": "-4"},
                        headers={"Origin": server.url, "Accept-Language": "ja"})
        assert bad.status_code == 422 and "整数" in bad.text
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as api:
        groups = api.get(api_path(event, "/groups"), headers=facilitator(event))
        assert groups.json()["groups"] == []
        assert api.get(api_path(event, "/votes"), headers=facilitator(event)).json()["budget"] == 3


def test_the_console_merges_the_ticked_cards_into_the_first(api, server):
    event, ids, _person = board_event(api)
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as console:
        console.get(event["urls"]["console"].removeprefix(server.url))  # the cookie
        one = console.post(f"/f/{event['id']}/merge", data={"cards": [ids[0]]})
        assert one.status_code == 422 and "2枚以上" in one.text  # the event is in Japanese
        asked = console.post(f"/f/{event['id']}/merge", data={"cards": [ids[1], ids[2]]})
        assert asked.status_code == 200 and 'id="merge-confirm"' in asked.text
        merged = console.post(f"/f/{event['id']}/merge",
                              data={"cards": [ids[1], ids[2]], "confirmed": "yes"})
        assert merged.status_code == 200, merged.text
    everything = {card["id"]: card for card in stored(api, event)}
    assert everything[ids[1]]["text"] == "子どもの居場所 / 空き家の活用"
    assert everything[ids[2]]["merged_into"] == ids[1]
    assert not everything[ids[0]].get("merged_into")
