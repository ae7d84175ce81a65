"""Voting at scale and after the end, against a real server (SQLite and PostgreSQL): dots
on KJ groups within the same budget (`vote_on`), the ranking then counting groups, what
the dots go on fixed once any is cast, revealing closing voting, the phone's voting piece
after voting ran and after the end, a finished event's join page, and the exports and the
report of an event that voted on groups ranking the groups."""

import csv
import io
import json

import docx
import httpx

from tests.fixtures import loopback
from tests.fixtures.api import (
    api_path,
    assert_refused,
    bearer,
    board_event,
    control,
    create_event,
    facilitator,
    join,
    listen,
    open_link,
    open_voting,
)
from tests.fixtures.printed import pdf_text, squeeze
from tests.fixtures.timing import seconds


def make_groups(api, event, *names) -> list[int]:
    ids = []
    for name in names:
        answer = api.post(api_path(event, "/groups"), json={"name": name},
                          headers=facilitator(event))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def test_dots_on_groups_keep_the_budget_and_the_ranking_counts_groups(api):
    event, ids, person = board_event(api)
    other = join(api, event, "佐藤").json()
    mitsu, kodomo = make_groups(api, event, "見守り", "子育て")
    phone, second = bearer(person["token"]), bearer(other["token"])
    board = open_voting(api, event, budget=2, vote_on="groups")
    assert board["vote_on"] == "groups" and board["open"] is True
    groups = api.get(api_path(event, "/groups"), headers=phone).json()
    assert groups["vote_on"] == "groups"
    # a card is not what the dots go on now; unknown groups are not found
    assert_refused(api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone),
                   409, "voting_on_groups")
    assert_refused(api.post(api_path(event, "/groups/999999/votes"), headers=phone),
                   404, "no_group")
    elsewhere = create_event(api)
    foreign = make_groups(api, elsewhere, "よその")[0]
    assert_refused(api.post(api_path(event, f"/groups/{foreign}/votes"), headers=phone),
                   404, "no_group")
    first = api.post(api_path(event, f"/groups/{mitsu}/votes"), headers=phone)
    assert first.status_code == 201, first.text
    assert first.json() == {"budget": 2, "used": 1, "left": 1, "dots": {str(mitsu): 1},
                            "vote_on": "groups"}
    assert api.post(api_path(event, f"/groups/{kodomo}/votes"), headers=phone).status_code == 201
    message = assert_refused(api.post(api_path(event, f"/groups/{kodomo}/votes"), headers=phone),
                             409, "no_dots_left")
    assert "2" in message
    back = api.delete(api_path(event, f"/groups/{kodomo}/votes"), headers=phone)
    assert back.status_code == 200 and back.json()["left"] == 1
    assert back.json()["dots"] == {str(mitsu): 1}
    assert_refused(api.delete(api_path(event, f"/groups/{kodomo}/votes"), headers=phone),
                   409, "no_dot_here")
    for token in (event["facilitator_token"], event["tables"][0]["host_token"]):
        assert_refused(api.post(api_path(event, f"/groups/{mitsu}/votes"), headers=bearer(token)),
                       403, "forbidden")
    for _ in range(2):
        voted = api.post(api_path(event, f"/groups/{mitsu}/votes"), headers=second)
        assert voted.status_code == 201
    assert api.post(api_path(event, f"/groups/{kodomo}/votes"), headers=phone).status_code == 201
    votes = api.get(api_path(event, "/votes"), headers=facilitator(event)).json()
    assert votes["vote_on"] == "groups"
    assert votes["counts"] == {str(mitsu): 3, str(kodomo): 1}
    assert votes["ranking"] == [{"rank": 1, "group_id": mitsu, "dots": 3},
                                {"rank": 2, "group_id": kodomo, "dots": 1}]
    mine = api.get(api_path(event, "/votes"), headers=phone).json()["mine"]
    assert mine["used"] == 2 and mine["dots"] == {str(mitsu): 1, str(kodomo): 1}
    # dots are cast: what they go on stays
    assert_refused(api.patch(api_path(event, "/board"), json={"vote_on": "cards"},
                             headers=facilitator(event)), 409, "votes_cast")
    assert_refused(api.patch(api_path(event, "/board"), json={"vote_on": "tables"},
                             headers=facilitator(event)), 422, "invalid")
    # a deleted group takes its dots with it: they are the voters' again
    api.delete(api_path(event, f"/groups/{kodomo}"), headers=facilitator(event))
    mine = api.get(api_path(event, "/votes"), headers=phone).json()["mine"]
    assert mine["left"] == 1 and mine["dots"] == {str(mitsu): 1}
    revealed = api.patch(api_path(event, "/board"), json={"revealed": True},
                         headers=facilitator(event)).json()
    assert revealed["counts"] == {str(mitsu): 3} and revealed["open"] is False
    seen = api.get(api_path(event, "/votes"), headers=phone).json()
    assert seen["ranking"] == [{"rank": 1, "group_id": mitsu, "dots": 3}]


def test_on_cards_a_group_is_refused_and_the_target_changes_while_no_dot_is_cast(api):
    event, ids, person = board_event(api)
    group = make_groups(api, event, "見守り")[0]
    phone = bearer(person["token"])
    board = open_voting(api, event)
    assert board["vote_on"] == "cards"  # the default
    assert_refused(api.post(api_path(event, f"/groups/{group}/votes"), headers=phone),
                   409, "voting_on_cards")
    assert api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone).status_code == 201
    assert_refused(api.patch(api_path(event, "/board"), json={"vote_on": "groups"},
                             headers=facilitator(event)), 409, "votes_cast")
    assert api.delete(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone).status_code == 200
    switched = api.patch(api_path(event, "/board"), json={"vote_on": "groups"},
                         headers=facilitator(event))
    assert switched.status_code == 200 and switched.json()["vote_on"] == "groups"
    assert api.post(api_path(event, f"/groups/{group}/votes"), headers=phone).status_code == 201


def test_revealing_closes_voting_unless_the_same_change_keeps_it_open(api):
    event, ids, person = board_event(api)
    phone = bearer(person["token"])
    open_voting(api, event)
    assert api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=phone).status_code == 201
    revealed = api.patch(api_path(event, "/board"), json={"revealed": True},
                         headers=facilitator(event)).json()
    assert revealed["revealed"] is True and revealed["open"] is False
    assert_refused(api.post(api_path(event, f"/cards/{ids[1]}/votes"), headers=phone),
                   409, "voting_closed")
    hidden = api.patch(api_path(event, "/board"), json={"revealed": False},
                       headers=facilitator(event)).json()
    assert hidden["open"] is False  # hiding the results opens nothing
    for kept_open in ({"open": True}, {"voting_open": True}):
        body = api.patch(api_path(event, "/board"), json={"revealed": True, **kept_open},
                         headers=facilitator(event)).json()
        assert body["revealed"] is True and body["open"] is True, kept_open
        assert api.post(api_path(event, f"/cards/{ids[1]}/votes"), headers=phone).status_code == 201
        api.delete(api_path(event, f"/cards/{ids[1]}/votes"), headers=phone)


def test_a_group_dot_reaches_a_json_socket_with_the_groups_counts(api, server):
    event, _ids, person = board_event(api)
    group = make_groups(api, event, "見守り")[0]
    open_voting(api, event, vote_on="groups")
    with listen(server, event, event["facilitator_token"], format="json") as console:
        snapshot = json.loads(console.recv(timeout=seconds(5)))
        assert snapshot["board"]["vote_on"] == "groups"
        api.post(api_path(event, f"/groups/{group}/votes"), headers=bearer(person["token"]))
        message = json.loads(console.recv(timeout=seconds(5)))
        assert message["type"] == "vote" and message["counts"] == {str(group): 1}
        assert message["ranking"] == [{"rank": 1, "group_id": group, "dots": 1}]


def phone(server) -> httpx.Client:
    """A phone of its own (its own cookie)."""
    return loopback.Client(base_url=server.url, timeout=seconds(10))


def test_the_phone_shows_the_list_then_a_closing_word_then_the_result(api, server):
    event, ids, person = board_event(api)
    with phone(server) as client:
        page = open_link(client, person["url"]).text
        assert 'data-ballot=""' in page and "まだ始まって" not in page  # nothing yet
        open_voting(api, event)
        page = client.get(f"/m/{event['id']}").text
        assert 'data-ballot="open"' in page and f'data-vote-target="card:{ids[0]}"' in page
        # the list comes before the card form and the rest of the page
        assert page.index('id="vote-cards"') < page.index("data-card-entry")
        api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=bearer(person["token"]))
        api.patch(api_path(event, "/board"), json={"open": False}, headers=facilitator(event))
        page = client.get(f"/m/{event['id']}").text
        assert 'data-ballot="closed"' in page and "まだ始まって" not in page
        assert "投票を締め切りました" in page.replace("<wbr>", "")
        api.patch(api_path(event, "/board"), json={"revealed": True}, headers=facilitator(event))
        page = client.get(f"/m/{event['id']}").text
        assert 'data-ballot="results"' in page and 'class="vote-results__item"' in page


def test_a_finished_event_shows_phones_the_result_or_thanks_and_its_join_page_no_form(
        api, server):
    event, ids, person = board_event(api)
    assert "<form" in api.get(f"/j/{event['join_code']}").text
    open_voting(api, event)
    api.post(api_path(event, f"/cards/{ids[0]}/votes"), headers=bearer(person["token"]))
    assert control(api, event, "finish").status_code == 200
    with phone(server) as client:
        page = open_link(client, person["url"]).text
        assert 'data-ballot="thanks"' in page and "data-card-entry" not in page
        assert "ご参加ありがとうございました" in page.replace("<wbr>", "")
        api.patch(api_path(event, "/board"), json={"revealed": True}, headers=facilitator(event))
        page = client.get(f"/m/{event['id']}").text
        assert 'data-ballot="results"' in page and "data-card-entry" not in page
        assert "見守りの担い手が足りない" in page.split('id="vote-cards"')[1].split("</section>")[0]
    ended = api.get(f"/j/{event['join_code']}")
    assert ended.status_code == 410 and "<form" not in ended.text
    assert "このイベントは終了しました" in ended.text
    posted = api.post(f"/j/{event['join_code']}", data={"name": "遅刻", "affiliation": "citizen"})
    assert posted.status_code == 410 and "<form" not in posted.text


def test_the_exports_and_the_report_rank_the_groups_an_event_voted_on(api, tmp_path):
    event, ids, person = board_event(api)
    other = join(api, event, "佐藤").json()
    mitsu, kodomo, _empty = make_groups(api, event, "見守りの輪", "子どもの居場所", "空き家")
    for card_id, group in ((ids[0], mitsu), (ids[1], kodomo), (ids[2], kodomo)):
        moved = api.patch(api_path(event, f"/cards/{card_id}"), json={"group_id": group},
                          headers=facilitator(event))
        assert moved.status_code == 200, moved.text
    open_voting(api, event, budget=3, vote_on="groups")
    for voter, group, times in ((person, kodomo, 3), (other, kodomo, 1), (other, mitsu, 2)):
        for _ in range(times):
            cast = api.post(api_path(event, f"/groups/{group}/votes"),
                            headers=bearer(voter["token"]))
            assert cast.status_code == 201, cast.text

    def download(fmt: str) -> bytes:
        answer = api.get(api_path(event, f"/export.{fmt}"), headers=facilitator(event))
        assert answer.status_code == 200, answer.text
        return answer.content

    table = list(csv.reader(io.StringIO(download("csv").decode("utf-8-sig"), newline="")))
    votes, rank = table[0].index("グループの投票数"), table[0].index("グループの順位")
    assert {row[0]: (row[votes], row[rank]) for row in table[1:]} == {
        "見守りの担い手が足りない": ("2", "2"), "子どもの居場所": ("4", "1"),
        "空き家の活用": ("4", "1")}
    body = json.loads(download("json"))
    assert body["vote_on"] == "groups"
    assert [(g["name"], g["card_count"], g["dots"], g["rank"]) for g in body["groups"]] == [
        ("見守りの輪", 1, 2, 2), ("子どもの居場所", 2, 4, 1), ("空き家", 0, 0, None)]
    markdown = download("md").decode("utf-8")
    ranking = markdown[markdown.index("## ランキング\n"):]
    assert "| 1 | 子どもの居場所 | 4 | 2 |\n| 2 | 見守りの輪 | 2 | 1 |\n" in ranking
    board = squeeze(pdf_text(download("pdf"), tmp_path))
    assert "子どもの居場所2枚·●4·1位" in board and "見守りの輪1枚·●2·2位" in board

    report = squeeze(pdf_text(download("report.pdf"), tmp_path))
    top = report[report.index("投票の多かったグループ"):]
    assert top.index("1子どもの居場所24") < top.index("2見守りの輪12")
    assert "投票の多かったカード" not in report
    document = docx.Document(io.BytesIO(download("report.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "投票の多かったグループ" in headings and "投票の多かったカード" not in headings
    columns = ["順位", "グループ", "カード枚数", "投票数"]
    ranked = next(t for t in document.tables if [c.text for c in t.rows[0].cells] == columns)
    assert [[c.text for c in row.cells] for row in ranked.rows[1:]] == [
        ["1", "子どもの居場所", "2", "4"], ["2", "見守りの輪", "1", "2"]]
