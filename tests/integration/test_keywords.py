"""Keyword charts against a real server: words typed on cards reach the console's and the
projector's charts (each chart replaced by its id, a few seconds after the card at most),
counted once per card and escaped."""

import re

from tests.fixtures import loopback
from tests.fixtures.api import (
    assert_refused,
    bearer,
    create_event,
    join,
    listen,
    open_link,
    post_card,
    receive_snapshot,
)
from tests.fixtures.timing import seconds


def chart(update: str) -> list[tuple[str, str, int]]:
    """(word, bar width class, count) of the whole event's chart in a pushed fragment."""
    section = update[update.index('id="keywords-all"'):]
    section = section[:section.index("</ol>")]
    return [(word, width, int(count)) for word, width, count in re.findall(
        r'<span class="keyword__word">(.*?)</span><span class="keyword__track">'
        r'<span class="bar bar--w(\d+)"></span></span><span class="keyword__count"[^>]*>(\d+)<',
        section)]


def charts_counting(socket, word: str, count: int) -> str:
    """The next push of the whole event's chart in which `word` counts `count` cards (the
    charts of a run of cards follow at most every few seconds)."""
    while True:
        update = socket.recv(timeout=seconds(10))
        assert "<script>" not in update and 'id="keywords"' not in update  # charts alone
        if 'id="keywords-all"' in update and (word, count) in [
                (w, c) for w, _, c in chart(update)]:
            return update


def test_words_typed_on_cards_reach_the_keyword_charts(api, server):
    event = create_event(api)
    first, second = event["tables"][0], event["tables"][1]
    with listen(server, event, event["projector_token"], view="projector") as projector, \
            listen(server, event, event["facilitator_token"], view="facilitator") as console:
        assert 'id="keywords-all"' in projector.recv(timeout=seconds(5))
        assert 'id="keywords-all"' in console.recv(timeout=seconds(5))
        texts = [(first, "見守りボランティアが足りない"), (second, "ボランティアの居場所"),
                 (first, "Volunteers & <script>")]
        for table, text in texts:
            assert post_card(api, event, table["host_token"], text).status_code == 201
        for socket in (projector, console):
            update = charts_counting(socket, "volunteers", 1)
        words = [(word, count) for word, _, count in chart(update)]
        assert words[0] == ("ボランティア", 2)
        assert ("居場所", 1) in words and ("volunteers", 1) in words
        assert ("が", 1) not in words
        widths = {word: width for word, width, _ in chart(update)}
        assert widths["ボランティア"] == "100" and widths["居場所"] == "50"
        assert f'id="keywords-table-{first["id"]}"' in update  # the console's table charts


def url(event, path=""):
    return f"/api/v1/sessions/{event['id']}{path}"


def keyword_lists(api, event) -> dict:
    response = api.get(url(event, "/keywords"), headers=bearer(event["facilitator_token"]))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_host_gives_their_own_affiliation_and_their_cards_count_under_it(api, server):
    event = create_event(api)
    mine, other = event["tables"][0], event["tables"][1]
    assert post_card(api, event, mine["host_token"], "空き教室を使う子ども食堂").status_code == 201
    assert "host" in keyword_lists(api, event)["affiliations"]
    with listen(server, event, mine["host_token"], view="host") as tablet:
        first = receive_snapshot(tablet, "host")
        assert 'id="host-affiliation"' in first and 'data-host-affiliation=""' in first
        chosen = api.patch(url(event, f"/tables/{mine['id']}"), json={"host_affiliation": "city"},
                           headers=bearer(mine["host_token"]))
        assert chosen.status_code == 200, chosen.text
        assert chosen.json()["host_affiliation"] == "city"
        update = tablet.recv(timeout=seconds(5))
        while 'id="host-affiliation"' not in update:
            update = tablet.recv(timeout=seconds(5))
        assert 'data-host-affiliation="city"' in update
    lists = keyword_lists(api, event)
    assert "host" not in lists["affiliations"]
    assert lists["affiliations"]["city"][0] == {"word": "空き教室", "count": 1}
    session = api.get(url(event), headers=bearer(event["facilitator_token"])).json()
    assert [t["host_affiliation"] for t in session["tables"]][:2] == ["city", None]
    # a host sets only their own table; a participant none; the list of kinds is closed
    assert_refused(api.patch(url(event, f"/tables/{other['id']}"),
                             json={"host_affiliation": "npo"},
                             headers=bearer(mine["host_token"])), 403, "forbidden")
    someone = join(api, event, "参加者").json()
    assert_refused(api.patch(url(event, f"/tables/{mine['id']}"),
                             json={"host_affiliation": "npo"},
                             headers=bearer(someone["token"])), 403, "forbidden")
    assert_refused(api.patch(url(event, f"/tables/{mine['id']}"),
                             json={"host_affiliation": "host"},
                             headers=bearer(mine["host_token"])), 422, "invalid")
    assert_refused(api.patch(url(event, "/tables/999999"), json={"host_affiliation": "npo"},
                             headers=bearer(event["facilitator_token"])), 404, "not_found")
    by_facilitator = api.patch(url(event, f"/tables/{other['id']}"),
                               json={"host_affiliation": "npo"},
                               headers=bearer(event["facilitator_token"]))
    assert by_facilitator.json()["host_affiliation"] == "npo"
    with loopback.Client(base_url=server.url, timeout=seconds(10)) as console:
        open_link(console, event["urls"]["console"])
        panel = console.get(f"/f/{event['id']}/stakeholders").text
    assert 'data-stakeholder="city"' in panel and 'data-stakeholder="host"' not in panel


def test_keyword_lists_leave_out_the_theme_words_and_keep_unknown_names_whole(api):
    themes = ("見守りの仕組み", "子育ての仕組みづくり", "防災の仕組み")
    event = create_event(api, tables=[{"name": f"テーブル{n}", "theme": theme}
                                      for n, theme in enumerate(themes, 1)])
    hosts = [table["host_token"] for table in event["tables"]]
    texts = ("くるっぱを活用した見守りの仕組み", "くるっぱのグッズで子育て支援", "仕組みが大事",
             "くるっぱと一緒に防災訓練", "外国人の子の日本語の仕組み", "子どもの居場所")
    for number, text in enumerate(texts):
        assert post_card(api, event, hosts[number % 3], text).status_code == 201
    lists = keyword_lists(api, event)
    assert lists["overall"][0] == {"word": "くるっぱ", "count": 3}
    assert {"word": "子ども", "count": 2} in lists["overall"]
    every_list = [lists["overall"], *lists["tables"].values(), *lists["themes"].values(),
                  *lists["affiliations"].values()]
    words = {entry["word"] for ranked in every_list for entry in ranked}
    assert not {"仕組み", "くるう", "ぱを", "子"} & words
