"""Keyword charts against a real server: words typed on cards reach the console's and the
projector's charts with the card, counted once per card and escaped."""

import re

from tests.conftest import create_event, seconds
from tests.integration.test_cards import listen, post_card


def chart(update: str) -> list[tuple[str, str, int]]:
    """(word, bar width class, count) of the first chart in a pushed keywords fragment."""
    section = update[update.index('id="keywords"'):]
    section = section[:section.index("</ol>")]
    return [(word, width, int(count)) for word, width, count in re.findall(
        r'<span class="keyword__word">(.*?)</span><span class="keyword__track">'
        r'<span class="bar bar--w(\d+)"></span></span><span class="keyword__count"[^>]*>(\d+)<',
        section)]


def test_words_typed_on_cards_reach_the_keyword_charts(api, server):
    event = create_event(api)
    first, second = event["tables"][0], event["tables"][1]
    with listen(server, event, event["projector_token"], view="projector") as projector, \
            listen(server, event, event["facilitator_token"], view="facilitator") as console:
        assert 'id="keywords"' in projector.recv(timeout=seconds(5))
        assert 'id="keywords"' in console.recv(timeout=seconds(5))
        texts = [(first, "見守りボランティアが足りない"), (second, "ボランティアの居場所"),
                 (first, "Volunteers & <script>")]
        for table, text in texts:
            assert post_card(api, event, table["host_token"], text).status_code == 201
            for socket in (projector, console):
                update = socket.recv(timeout=seconds(5))
                assert 'id="keywords"' in update and "<script>" not in update
        words = [(word, count) for word, _, count in chart(update)]
        assert words[0] == ("ボランティア", 2)
        assert ("居場所", 1) in words and ("volunteers", 1) in words
        assert ("が", 1) not in words
        widths = {word: width for word, width, _ in chart(update)}
        assert widths["ボランティア"] == "100" and widths["居場所"] == "50"
