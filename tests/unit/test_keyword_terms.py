"""Keyword terms kept in the database (app/store/keyword_terms.py), on real SQLite and
PostgreSQL: a process that starts afresh draws the keyword charts of stored cards without
running the analyser over them, and the charts are the ones the analyser would draw; cards
stored before the terms were (no row) are analysed once on load, then never again."""

from __future__ import annotations

import pytest
from sqlmodel import delete

from app import auth, keywords
from app.actions import Services, board
from app.store import keyword_terms
from app.store import sessions as stored
from app.store.db import writing
from app.store.models import KeywordTerms
from tests.fixtures.actions import card_spec

TEXTS = ("見守りボランティアが足りない", "ボランティアの居場所づくり", "空き教室を使う子ども食堂",
         "民生委員さんの負担が大きすぎる", "NPO and volunteers share the load")


@pytest.fixture
def services(engine, published) -> Services:
    """Without the card limit: the cards are put in at once."""
    return Services(engine, published.append,
                    card_limiter=auth.RateLimiter(((10**6, 1000),)))


@pytest.fixture
def analysed(monkeypatch) -> list[str]:
    """The texts the analyser runs on from now on, in a process that has analysed nothing
    and remembers nothing (as after a restart)."""
    texts: list[str] = []
    analyse = keywords.analysed_terms
    analyse.cache_clear()
    keywords.words.cache_clear()
    monkeypatch.setattr(keywords, "_remembered", {})

    def counted(text: str) -> tuple[keywords.Term, ...]:
        texts.append(text)
        return analyse(text)

    monkeypatch.setattr(keywords, "analysed_terms", counted)
    yield texts
    analyse.cache_clear()
    keywords.words.cache_clear()


def filled(services, event) -> list[str]:
    tables = [table.id for table in event["view"].tables]
    for index, text in enumerate(TEXTS):
        board.add_card(services, event["facilitator"], "t",
                       card_spec(text, tables[index % len(tables)]), "10.0.0.1")
    return list(TEXTS)


def charts_after_load(engine, event_id: str) -> dict:
    """What the server's loader does (app/main.py): the view, its cards' terms recalled."""
    view = stored.load_view(engine, event_id)
    keyword_terms.recall(engine, event_id,
                         (card.text for card in view.all_cards if not card.hidden))
    return view.keyword_charts(8)


def test_a_fresh_process_draws_the_charts_of_stored_cards_without_the_analyser(
        services, event, engine, request):
    texts = filled(services, event)
    expected = keywords.charts(event["view"].tables,
                               stored.load_view(engine, event["id"]).all_cards,
                               left_out=stored.load_view(engine, event["id"]).prompted)
    analysed = request.getfixturevalue("analysed")
    charts = charts_after_load(engine, event["id"])
    assert not set(analysed) & set(texts)
    assert charts["all"] == expected["all"] and charts["all"]
    assert ("ボランティア", 2) in charts["all"]
    assert [ranked for _, ranked in charts["tables"]] == \
        [ranked for _, ranked in expected["tables"]]


def test_cards_stored_without_terms_are_analysed_once_on_load(
        services, event, engine, request):
    texts = filled(services, event)
    with writing(engine) as db:  # as if written before the terms were kept
        db.exec(delete(KeywordTerms).where(KeywordTerms.session_id == event["id"]))
    analysed = request.getfixturevalue("analysed")
    first = charts_after_load(engine, event["id"])
    assert sorted(set(analysed) & set(texts)) == sorted(texts)
    analysed.clear()
    keywords._remembered.clear()
    keywords.words.cache_clear()
    again = charts_after_load(engine, event["id"])
    assert not set(analysed) & set(texts)
    assert again["all"] == first["all"]


def test_terms_kept_under_older_keyword_rules_are_analysed_again(
        services, event, engine, request, monkeypatch):
    texts = filled(services, event)
    monkeypatch.setattr(keywords, "RULES_VERSION", keywords.RULES_VERSION + 1)
    analysed = request.getfixturevalue("analysed")
    charts_after_load(engine, event["id"])
    assert sorted(set(analysed) & set(texts)) == sorted(texts)
