"""The insight use cases (app/actions/insight.py) without a server, on real SQLite and
PostgreSQL: a suggestion accepted on another worker (whose memory never saw it) is found
by computing the suggestions again; the group is one batch of the usual events; a board
that changed under it says so; a suggestion already taken makes nothing."""

from __future__ import annotations

import pytest

from app import auth
from app.actions import Services, board
from app.actions import insight as actions
from app.live import changes
from tests.fixtures.actions import card_spec, refused
from tests.fixtures.harvest import CARDS


@pytest.fixture
def services(engine, published) -> Services:
    """Without the card limit: the cards are put in at once."""
    return Services(engine, published.append,
                    card_limiter=auth.RateLimiter(((10**6, 1000),)))


@pytest.fixture
def filled(services, event):
    table = event["view"].tables[0].id
    for _, text, _ in CARDS:
        board.add_card(services, event["facilitator"], "t", card_spec(text, table), "10.0.0.1")
    return event


def test_another_worker_finds_the_suggestion_by_computing_it_again(
        services, engine, published, filled):
    made = actions.suggest(services, filled["facilitator"]).suggestions[0]
    other = Services(engine, published.append)  # a second worker: its memory is empty
    assert other.suggested.get(filled["id"], made.id) is None
    published.clear()
    accepted = actions.accept(other, filled["facilitator"], made.id, "別の名前").value
    assert accepted.group.name == "別の名前" and accepted.skipped == 0
    assert [c.id for c in accepted.moved] == list(made.cards)
    (batch,) = published
    assert batch.changes[0] == changes.GroupSaved(accepted.group, created=True)
    assert list(batch.changes[1:]) == [changes.CardGrouped(card) for card in accepted.moved]
    # the board changed: the same cards are no longer suggested, on a worker that forgot
    third = Services(engine, published.append)
    refused(actions.accept, third, filled["facilitator"], made.id, code="no_suggestion")
    # the worker that made it still knows it: nothing is left to take, nothing is made
    refused(actions.accept, services, filled["facilitator"], made.id, code="already_grouped")


def test_only_the_facilitator_may_ask_or_accept(services, filled):
    refused(actions.suggest, services, filled["hosts"][0], code="forbidden")
    made = actions.suggest(services, filled["facilitator"]).suggestions[0]
    refused(actions.accept, services, filled["projector"], made.id, code="forbidden")
    refused(actions.accept, services, filled["facilitator"], made.id, None, [],
            code="invalid")
