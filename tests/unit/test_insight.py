"""Harvest insight, pure: suggested groups (app/insight.py) — the same in every process,
whatever the thread count or the order of the cards, each card in one at most, strays left
out, distinct topics kept apart, named from their keywords — and who said what
(app/stakeholders.py) with the report's section built from it. The groups asserted are
properties with a margin, never the exact clusters of one machine."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter

from app import insight, stakeholders
from app.documents import report
from tests.fixtures.documents import NAMES, NOW, TIMELINE, report_view
from tests.fixtures.harvest import CARDS, labelled_cards
from tests.fixtures.servers import ROOT

STRAYS = [("stray-1", "！？"), ("stray-2", "Saxophone marathon"),
          ("stray-3", "量子コンピューターの暗号")]
THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def shape(suggestions) -> list:
    return [[s.id, s.name, list(s.keywords), list(s.cards)] for s in suggestions]


def suggested_elsewhere(pairs: list[tuple[str, str]], threads: int) -> list:
    """The suggestions of another Python process whose BLAS and OpenMP run `threads`
    threads (and whose string hashes differ)."""
    program = ("import json, sys\nfrom app import insight\n"
               "pairs = json.load(sys.stdin)\n"
               "print(json.dumps([[s.id, s.name, list(s.keywords), list(s.cards)] "
               "for s in insight.suggest([tuple(p) for p in pairs])]))")
    env = {key: value for key, value in os.environ.items() if key not in THREADS}
    env.update({name: str(threads) for name in THREADS}, PYTHONHASHSEED=str(threads))
    other = subprocess.run([sys.executable, "-c", program], input=json.dumps(pairs),
                           capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    return json.loads(other.stdout)


def test_the_suggestions_are_the_same_with_one_or_two_threads_and_in_any_order():
    pairs = [(card_id, text) for card_id, text, _ in CARDS] + STRAYS
    here = shape(insight.suggest(pairs))
    assert here and here == shape(insight.suggest(pairs))
    one, two = (suggested_elsewhere(pairs, threads) for threads in (1, 2))
    assert one == two == here
    shuffled = random.Random(7).sample(pairs, len(pairs))
    again = insight.suggest(shuffled)
    assert sorted((s.id, s.name, set(s.cards)) for s in again) == sorted(
        (row[0], row[1], set(row[3])) for row in here)
    for suggestion in again:  # in the order given
        assert list(suggestion.cards) == [c for c, _ in shuffled if c in suggestion.cards]


def test_each_card_is_in_one_suggestion_at_most_and_strays_are_left_out():
    pairs = [(card_id, text) for card_id, text, _ in CARDS] + STRAYS
    found = insight.suggest(pairs)
    placed = [card for s in found for card in s.cards]
    assert found and len(placed) == len(set(placed))
    assert not {card_id for card_id, _ in STRAYS} & set(placed)
    assert len(placed) < len(pairs)
    assert round(len(pairs) ** (1 / 3)) <= insight.group_count(len(pairs)) \
        <= round(len(pairs) ** 0.5)
    for suggestion in found:
        assert len(suggestion.cards) >= insight.MIN_CARDS
        order = [card_id for card_id, _ in pairs if card_id in suggestion.cards]
        assert list(suggestion.cards) == order  # board order


def test_clearly_distinct_topics_are_not_mixed():
    cards = labelled_cards(("防災", "子育て", "動物", "行政手続き"), 20)
    label = {card_id: topic for card_id, _, topic in cards}
    found = insight.suggest([(card_id, text) for card_id, text, _ in cards])
    assert len(found) >= 2
    for suggestion in found:
        topics = Counter(label[c] for c in suggestion.cards)
        assert topics.most_common(1)[0][1] >= 0.75 * len(suggestion.cards), topics


def test_suggestions_are_named_from_their_keywords_and_largest_first():
    found = insight.suggest([(card_id, text) for card_id, text, _ in CARDS])
    assert [len(s.cards) for s in found] == sorted((len(s.cards) for s in found), reverse=True)
    for suggestion in found:
        assert 0 < len(suggestion.keywords) <= insight.KEYWORDS_SHOWN
        words = suggestion.name.split(insight.NAME_SEPARATOR)
        assert set(words) <= set(suggestion.keywords) and len(words) <= insight.NAME_WORDS
        assert len(suggestion.name) <= insight.MAX_NAME
    assert any("空き家" in s.name for s in found)


def test_an_id_names_the_cards_whatever_their_order():
    assert insight.suggestion_id(["b", "a"]) == insight.suggestion_id(["a", "b"])
    assert insight.suggestion_id(["a", "b"]) != insight.suggestion_id(["a", "c"])


def test_too_few_cards_or_no_room_for_groups_give_no_suggestion():
    pairs = [(card_id, text) for card_id, text, _ in CARDS]
    assert insight.suggest(pairs[:5]) == []
    assert insight.suggest(pairs, limit=0) == []
    assert len(insight.suggest(pairs, limit=1)) == 1
    assert insight.suggest([(str(n), "！？") for n in range(10)]) == []


def test_recent_suggestions_are_kept_per_event_and_bounded():
    recent = insight.Recent(size=2)
    one, two, three = (insight.Suggestion(f"s{n}", "x", (), ("c",)) for n in range(3))
    recent.keep("e1", [one, two])
    assert recent.get("e1", "s0") is one and recent.get("e2", "s0") is None
    recent.keep("e1", [three])
    assert recent.get("e1", "s0") is None and recent.get("e1", "s2") is three


def test_who_said_what_by_stakeholder_per_theme_and_per_group():
    view = report_view()
    compared = stakeholders.compare(view)
    assert compared.codes == ["citizen", "city", "host"]
    whole, elders, children = compared.themes
    assert (whole.theme, whole.cards) == (None, 5)  # the hidden card is left out
    assert {code: v.cards for code, v in elders.voices.items()} == {"citizen": 2, "host": 1}
    assert {code: v.cards for code, v in children.voices.items()} == {"city": 2}
    assert ("children", 2) in children.voices["city"].keywords
    assert [(g.group.name if g.group else None, dict(g.counts)) for g in compared.groups] == [
        ("Looking out", {"citizen": 2}), ("After school", {"city": 1}), ("Empty group", {}),
        (None, {"host": 1, "city": 1})]


def test_keyword_lists_for_everyone_and_for_the_projector():
    view = report_view()
    lists = stakeholders.keyword_lists(view)
    assert set(lists["tables"]) == {"1", "2"} and set(lists["themes"]) == {
        "Caring for elders", "Children"}
    assert list(lists["affiliations"]) == ["citizen", "city", "host"]
    assert lists["overall"][0] == {"word": "elders", "count": 2}
    assert all("hidden" not in entry["word"] for entry in lists["overall"])
    projected = stakeholders.keyword_lists(view, 2, whole_event_only=True)
    assert projected == {"overall": lists["overall"][:2], "tables": {}, "themes": {},
                         "affiliations": {}}


def test_the_reports_section_compares_stakeholders_without_names():
    built = report.build(report_view(), TIMELINE, "en", NOW)
    section = next(s for s in built.sections if s.heading == "Who said what")
    tables = [b for b in section.blocks if isinstance(b, report.Table)]
    headings = [b.text for b in section.blocks if isinstance(b, report.Subheading)]
    assert headings == ["All tables", "Theme: Caring for elders", "Theme: Children",
                        "Groups by stakeholder"]
    assert [row[:2] for row in tables[1].rows] == [("Citizen", "2"), ("Table hosts", "1")]
    assert tables[-1].columns == ("Group", "Citizen", "City staff", "Table hosts", "Total")
    assert tables[-1].rows[0] == ("Looking out", "2", "0", "0", "2")
    assert sum(tables[-1].widths) <= 100
    text = repr(section)
    assert not any(name in text for name in NAMES)
