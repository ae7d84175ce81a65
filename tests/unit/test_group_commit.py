"""Group commit (app/store/combining.py) and the cards' batch write (store.add_cards) on real
SQLite and PostgreSQL: requests that arrive while a batch is written go together into the
next one, in their order; each card of a batch is checked on its own; what a batch makes is
announced once, numbered by one seq."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from app import keywords
from app.actions import Services, access, board, sessions
from app.live import changes
from app.refusal import Refusal
from app.schemas import CardIn, JoinIn, SessionIn
from app.store import cards as store
from app.store.combining import GroupCommit
from tests.fixtures.actions import HALL, THEMES
from tests.fixtures.timing import eventually, seconds


def test_items_that_arrive_during_a_write_go_together_into_the_next_one_in_order():
    commits: GroupCommit[int, int] = GroupCommit(most=64)
    batches: list[list[int]] = []
    first_started, release = threading.Event(), threading.Event()

    def write(key, items):
        batches.append(list(items))
        if len(batches) == 1:
            first_started.set()
            assert release.wait(seconds(10))
        return [item * 10 for item in items]

    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(commits.submit, "event", 0, write)
        assert first_started.wait(seconds(10))
        later = []
        for item in range(1, 6):  # one after the other: their order in the queue is known
            later.append(pool.submit(commits.submit, "event", item, write))
            eventually(lambda n=item: len(commits._queues["event"]) == n + 1, 10, "the queue")
        release.set()
        assert first.result() == 0 and [f.result() for f in later] == [10, 20, 30, 40, 50]
    assert batches == [[0], [1, 2, 3, 4, 5]]
    assert commits._queues == {}


def test_an_outcome_that_is_a_refusal_is_raised_for_its_own_item_only():
    commits: GroupCommit[int, int] = GroupCommit()

    def write(key, items):
        return [Refusal("invalid", "odd") if item % 2 else item for item in items]

    assert commits.submit("event", 2, write) == 2
    with pytest.raises(Refusal):
        commits.submit("event", 3, write)


def test_with_most_one_every_item_is_written_alone():
    commits: GroupCommit[int, int] = GroupCommit(most=1)
    sizes: list[int] = []

    def write(key, items):
        sizes.append(len(items))
        return list(items)

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(lambda n: commits.submit("event", n, write), range(40))) == \
            list(range(40))
    assert sizes == [1] * 40


@pytest.fixture
def hall(engine, published):  # noqa: F811 - the fixtures imported above
    """An event with three participants, the services and what they publish from now."""
    services = Services(engine, published.append)
    spec = SessionIn.model_validate({
        "title": "市民協働ワークショップ", "language": "ja", "program": "standard",
        "tables": [{"name": f"テーブル{n}", "theme": t} for n, t in enumerate(THEMES, 1)]})
    view = sessions.create(services, spec).value
    people = []
    for number in range(3):
        joined = sessions.join(services, view.event.id, JoinIn(
            join_code=view.event.join_code, name=f"参加者{number}", theme=THEMES[number]),
            HALL)
        people.append(access.identify(services, view.event.id, joined.value.token))
    published.clear()
    return services, view, people, published


def new_card(author, text="見守りの担い手が足りない", card_id=None, table_id=None):
    return store.NewCard(author, card_id or str(uuid.uuid4()), text, table_id, 1_000)


def test_a_batch_stores_its_good_cards_under_one_seq_and_refuses_each_bad_one_alone(hall):
    services, view, (first, second, third), _ = hall
    sid = view.event.id
    stored_before = new_card(first, "前からあるカード")
    [kept] = store.add_cards(services.engine, sid, [stored_before], board.file_card)
    other_table = next(t.id for t in view.tables if t.id != third.table_id)
    good = new_card(first, "空き家を地域の居場所に")
    batch = [
        good,
        new_card(second, "長" * 1000),                           # too long
        new_card(third, table_id=other_table),                   # another table's
        new_card(second, "子どもの居場所", stored_before.card_id),  # someone else's id
        new_card(first, "何度送っても一枚", stored_before.card_id),  # a resend of one's own
        new_card(third, "町内会と学校をつなぐ"),
        new_card(first, "同じ要求が二度", good.card_id),             # twice in one batch
    ]
    keywords.prepare(card.text for card in batch)
    outcomes = store.add_cards(services.engine, sid, batch, board.file_card)

    assert [getattr(o, "code", None) for o in outcomes] == \
        [None, "invalid", "forbidden", "id_taken", None, None, None]
    added = [o for o in outcomes if isinstance(o, store.Added) and o.seq is not None]
    assert [o.card.id for o in added] == [good.card_id, batch[5].card_id]
    assert {o.seq for o in added} == {kept.seq + 1}
    assert outcomes[4].card == kept.card and outcomes[4].seq is None
    assert outcomes[6].card.id == good.card_id and outcomes[6].seq is None
    assert outcomes[6].card.text == "空き家を地域の居場所に"
    listed = board.list_cards(services, first).cards
    assert sorted(c.id for c in listed) == sorted([stored_before.card_id, good.card_id,
                                                   batch[5].card_id])


def test_concurrent_card_requests_are_each_stored_once_and_announced_once(hall):
    services, _, people, batches = hall
    cards = [CardIn.model_validate({"id": str(uuid.uuid4()), "text": f"意見{n}"})
             for n in range(12)]

    def post(number: int):
        try:
            return board.add_card(services, people[number % 3], f"token-{number % 3}-{number}",
                                  cards[number], HALL).value
        except Refusal as refusal:
            return refusal

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(post, range(12)))
    assert all(answer.created for answer in answers)
    announced = [change.card.id for batch in batches for change in batch.changes
                 if isinstance(change, changes.CardAdded)]
    assert sorted(announced) == sorted(c.id for c in cards)
    seqs = [batch.seq for batch in batches]
    assert seqs == sorted(set(seqs))  # one batch per seq, in commit order
    assert len(board.list_cards(services, people[0]).cards) == 12
