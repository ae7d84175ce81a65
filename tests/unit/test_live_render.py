"""Pushes proportional to the change (app/live/delivery.py), with real templates and no server:
a screen that applies every push shows exactly what a fresh snapshot of the same state
shows, and a push carries only what changed."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app import cards, screens, templating
from app.live import changes, delivery
from app.live.hub import Audience
from app.store.records import GroupRecord, GroupVoteRecord, VoteRecord
from tests.fixtures.screens import Screen, card_record, event_record, make_view

AUDIENCES = (
    Audience("facilitator", "ja", role="facilitator"),
    Audience("projector", "ja", role="projector"),
    Audience("host", "ja", table_id=1, role="host"),
    Audience("host", "en", table_id=2, role="host"),
    Audience("participant", "ja", participant_id=1, role="participant"),
    Audience("participant", "ja", participant_id=2, role="participant"),
    Audience("participant", "en", participant_id=3, role="participant"),
)
TEXTS = ("見守りボランティアが足りない", "子どもの居場所", "空き家を地域の居場所に",
         "SNSで発信する")


class Event:
    """The truth the test keeps by itself: records, changed by steps that also say which
    live changes they announce."""

    def __init__(self, preloaded: int = 0):
        self.session = event_record(voting_open=True)
        self.cards: dict[str, object] = {}
        for number in range(preloaded):  # near the projector's limit of a column
            card = card_record(f"b{number:03d}", created=-100 + number, participant_id=None)
            self.cards[card.id] = card
        self.votes: dict[tuple[int, str], int] = {}
        self.group_votes: dict[tuple[int, int], int] = {}
        self.moved: dict[tuple[int, str], tuple[str, int]] = {}
        """(voter, merged card) -> (kept card, dots the merge moved)"""
        self.own_text: dict[str, str] = {}
        """kept card -> its text before its first merge"""
        self.groups: list[GroupRecord] = []
        self.next_group = 1

    def view(self):
        return make_view(self.session, list(self.cards.values()),
                         [VoteRecord(p, c, d) for (p, c), d in self.votes.items()],
                         self.groups,
                         group_votes=[GroupVoteRecord(p, g, d)
                                      for (p, g), d in self.group_votes.items()])

    def pick(self, index: int, keep=lambda card: True):
        chosen = [c for c in self.cards.values() if keep(c)]
        return chosen[index % len(chosen)] if chosen else None

    def votes_on(self, *chosen) -> tuple:
        ids = {card.id for card in chosen}
        return tuple(VoteRecord(p, c, d) for (p, c), d in self.votes.items() if c in ids)

    def shift(self, voter: int, card_id: str, dots: int) -> None:
        left = self.votes.get((voter, card_id), 0) + dots
        if left:
            self.votes[(voter, card_id)] = left
        else:
            self.votes.pop((voter, card_id), None)

    def used(self, voter: int) -> int:
        if self.session.vote_on == "groups":
            return sum(d for (p, _), d in self.group_votes.items() if p == voter)
        return sum(d for (p, c), d in self.votes.items()
                   if p == voter and not self.cards[c].hidden)

    def tap(self, votes: dict, key: tuple, voter: int, more: bool) -> int | None:
        """One dot more (within the budget) or one less on `key`; None: nothing changed."""
        if more and self.used(voter) < self.session.vote_budget:
            votes[key] = votes.get(key, 0) + 1
        elif votes.get(key):
            votes[key] -= 1
        else:
            return None
        dots = votes[key]
        if not dots:
            del votes[key]
        return dots

    def step(self, action: tuple) -> list:  # noqa: C901 - one branch per kind of change
        kind, a, b, c = action
        if kind == "add":
            number = len(self.cards)
            author = (a % 4) or None
            card = card_record(f"c{number:03d}", table_id=b % 3 + 1, created=number // 2,
                               phase=c % 3, participant_id=author, text=TEXTS[number % 4],
                               colour=cards.colour_for_phase(c % 3))
            self.cards[card.id] = card
            return [changes.CardAdded(card)]
        if kind == "hide":
            card = self.pick(a, lambda c: c.merged_into is None)
            if card is None:
                return []
            self.cards[card.id] = card = replace(card, hidden=not card.hidden)
            return [changes.CardHidden(card)]
        if kind == "edit":
            card = self.pick(a, lambda c: c.merged_into is None)
            if card is None:
                return []
            self.cards[card.id] = card = replace(card, text=TEXTS[b % 4] + "！")
            return [changes.CardEdited(card)]
        if kind == "group":
            if len(self.groups) >= 3:
                return []
            group = GroupRecord(self.next_group, f"グループ{self.next_group}", 0)
            self.next_group += 1
            self.groups.append(group)
            return [changes.GroupSaved(group, created=True)]
        if kind == "ungroup":
            if not self.groups:
                return []
            group = self.groups.pop(a % len(self.groups))
            for key in [key for key in self.group_votes if key[1] == group.id]:
                del self.group_votes[key]
            for card in list(self.cards.values()):
                if card.group_id == group.id:
                    self.cards[card.id] = replace(card, group_id=None)
            return [changes.GroupDeleted(group.id)]
        if kind == "move":
            card = self.pick(a)
            if card is None:
                return []
            target = self.groups[b % len(self.groups)].id if self.groups and b % 3 else None
            self.cards[card.id] = card = replace(card, group_id=target)
            return [changes.CardGrouped(card)]
        if kind == "vote":
            voter = a % 3 + 1
            if not self.session.voting_open:
                return []
            if self.session.vote_on == "groups":
                if not self.groups:
                    return []
                group = self.groups[b % len(self.groups)]
                dots = self.tap(self.group_votes, (voter, group.id), voter, bool(c % 3))
                return [] if dots is None else [
                    changes.GroupDotsChanged(GroupVoteRecord(voter, group.id, dots))]
            card = self.pick(b, lambda c: not c.hidden)
            if card is None:
                return []
            dots = self.tap(self.votes, (voter, card.id), voter, bool(c % 3))
            return [] if dots is None else [changes.DotsChanged(VoteRecord(voter, card.id, dots))]
        if kind == "merge":
            keep = self.pick(a, lambda c: not c.hidden)
            other = self.pick(b, lambda c: c.merged_into is None and c is not keep)
            if keep is None or other is None or other.id == keep.id:
                return []
            self.own_text.setdefault(keep.id, keep.text)
            kept = replace(keep, text=cards.merged_text([keep.text, other.text]))
            merged = replace(other, hidden=True, merged_into=keep.id)
            self.cards[kept.id], self.cards[merged.id] = kept, merged
            for (voter, card_id), dots in list(self.votes.items()):
                if card_id == merged.id:
                    del self.votes[(voter, card_id)]
                    self.votes[(voter, kept.id)] = self.votes.get((voter, kept.id), 0) + dots
                    self.moved[(voter, merged.id)] = (kept.id, dots)
            return [changes.CardsMerged(kept, (merged,), self.votes_on(kept, merged))]
        if kind == "unmerge":
            keep = self.pick(a, lambda c: c.merged_into is None and any(
                other.merged_into == c.id for other in self.cards.values()))
            if keep is None:
                return []
            kept = replace(keep, text=self.own_text.pop(keep.id))
            restored = [replace(c, hidden=False, merged_into=None)
                        for c in self.cards.values() if c.merged_into == keep.id]
            for (voter, card_id), (kept_id, dots) in list(self.moved.items()):
                if kept_id == kept.id:
                    back = min(dots, self.votes.get((voter, kept.id), 0))
                    self.shift(voter, kept.id, -back)
                    self.shift(voter, card_id, back)
                    del self.moved[(voter, card_id)]
            for card in (kept, *restored):
                self.cards[card.id] = card
            return [changes.CardsUnmerged(kept, tuple(restored),
                                          self.votes_on(kept, *restored))]
        if kind == "layout":
            layout = cards.BOARD_LAYOUTS[a % 4]
            self.session = replace(self.session, board_layout=layout)
            return [changes.LayoutChosen(layout)]
        if kind == "pages":
            paused, turns = screens.pages_after(
                screens.PAGE_COMMANDS[a % len(screens.PAGE_COMMANDS)],
                self.session.projector_paused, self.session.projector_page_turns)
            self.session = replace(self.session, projector_paused=paused,
                                   projector_page_turns=turns)
            return [changes.PagesCommanded(paused, turns)]
        if kind == "voting":
            vote_on = self.session.vote_on
            if not self.votes and not self.group_votes:  # it changes only without dots
                vote_on = cards.VOTE_TARGETS[c % 2]
            self.session = replace(self.session, voting_open=bool(a % 2),
                                   votes_revealed=bool(b % 2), vote_on=vote_on)
            return [changes.VotingChanged(self.session.vote_budget, self.session.voting_open,
                                          self.session.votes_revealed, vote_on)]
        raise AssertionError(kind)


KINDS = ("add", "add", "add", "hide", "edit", "group", "ungroup", "move", "move", "vote",
         "vote", "merge", "merge", "unmerge", "layout", "voting", "pages")
steps = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 30), st.integers(0, 30),
                           st.integers(0, 30)), min_size=1, max_size=40)


def snapshots(view) -> dict[Audience, Screen]:
    drawing = delivery.Drawing(view)
    return {a: Screen("\n".join(delivery.snapshot(view, a, drawing))) for a in AUDIENCES}


def push(screens: dict, outgoing: delivery.Delivery) -> None:
    for audience, frames in outgoing.texts(AUDIENCES).items():
        for frame in frames:
            screens[audience].apply(frame)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.integers(1, 4), st.sampled_from([0, 0, 20, 23]), st.lists(st.booleans()))
# a card grouped while the phones vote on groups: the group's count of cards on the phones
@example([("add", 0, 0, 0), ("group", 0, 0, 0), ("voting", 1, 0, 1), ("move", 0, 1, 0)], 1, 0,
         [])
def test_a_screen_that_applies_every_push_shows_what_a_fresh_snapshot_shows(actions, run,
                                                                            preloaded,
                                                                            charts_now):
    """Keyword charts go out when the hub says (`charts_now`, one per run: at most every
    few seconds), the ones held back by a later delivery or on their own."""
    truth = Event(preloaded)
    live = truth.view()
    screens = snapshots(live)
    batches = []
    for seq, action in enumerate(actions, start=1):
        batches.append(changes.Batch("S1", seq, tuple(truth.step(action))))
    charts_due = set()
    for position, start in enumerate(range(0, len(batches), run)):  # runs coalesce
        outgoing = delivery.Delivery(live, set())
        for batch in batches[start:start + run]:
            outgoing.apply(batch)
        charts_due |= outgoing.charts
        if position < len(charts_now) and charts_now[position]:
            outgoing.show_charts(charts_due)
            charts_due = set()
        push(screens, outgoing)
    held_back = delivery.Delivery(live, set())
    held_back.show_charts(charts_due)
    push(screens, held_back)
    assert live.seq == len(actions)
    assert all(live.weight(card_id) == weight
               for card_id, weight in cards.weights(truth.cards.values()).items())
    templating.forget_items()  # the fresh screens draw every card anew
    fresh = snapshots(truth.view())
    for audience in AUDIENCES:
        for piece in delivery.PAGE_PIECES[audience.page]:
            assert screens[audience].shape(piece) == fresh[audience].shape(piece), \
                (audience, piece, actions)


def deliver(view, *announced, seq: int = 1) -> dict:
    outgoing = delivery.Delivery(view, {"facilitator"})
    outgoing.apply(changes.Batch("S1", seq, announced))
    every = (*AUDIENCES, Audience("json", role="facilitator"))
    return {a: "".join(f) for a, f in outgoing.texts(every).items()}


def test_a_new_card_is_one_item_for_each_list_that_shows_it():
    old = [card_record(f"old{n:04d}", table_id=n % 3 + 1, created=n, participant_id=None)
           for n in range(300)]
    view = make_view(cards=old)
    new = card_record("new", table_id=1, created=1000, participant_id=1, text="新しいカード")
    texts = deliver(view, changes.CardAdded(new))
    by_view = {a.page + str(a.participant_id or a.table_id or ""): t for a, t in texts.items()}
    phone, other_phone = by_view["participant1"], by_view["participant2"]
    assert phone.count('id="vc-new"') == 1 and phone.count('id="mc-new"') == 1
    assert 'hx-swap-oob="afterbegin:#vote-cards-group-none-list"' in other_phone
    assert "old0001" not in other_phone and len(other_phone.encode()) < 3 * 1024
    assert by_view["host1"].count('id="tc-new"') == 1 and "host2" not in by_view
    console = by_view["facilitator"]
    assert 'afterbegin:#board-table-1-cards' in console and 'id="board-table-1-count"' in console
    assert "old0299" not in console.split('id="keywords"')[0]  # one card, not the column
    assert '"type": "card"' in by_view["json"]


def test_the_projector_keeps_every_card_of_a_column():
    old = [card_record(f"old{n:03d}", created=n, participant_id=None) for n in range(300)]
    texts = deliver(make_view(cards=old), changes.CardAdded(card_record("new", created=999)))
    projector = next(t for a, t in texts.items() if a.page == "projector")
    assert 'afterbegin:#board-table-1-cards' in projector and 'id="bc-new"' in projector
    assert "delete:" not in projector and "old000" not in projector  # one card, no more


def test_before_the_reveal_a_dot_reaches_the_voter_the_console_and_the_projectors_count():
    view = make_view(cards=[card_record("c1"), card_record("c2", created=2)],
                     votes=[VoteRecord(2, "c2", 1)])
    texts = deliver(view, changes.DotsChanged(VoteRecord(1, "c1", 2)))
    names = {a.page + str(a.participant_id or a.table_id or ""): t for a, t in texts.items()}
    assert set(names) == {"facilitator", "participant1", "projector", "json"}
    assert 'id="my-votes"' in names["participant1"] and 'data-left="1"' in names["participant1"]
    assert 'id="board-dots-placed"' in names["facilitator"]
    assert "data-dots" not in names["facilitator"] and 'id="board"' not in names["facilitator"]
    # the projector's voting screen counts the dots cast, never which card has them
    assert 'id="vote-screen-cast"' in names["projector"]
    assert 'data-dots-cast="3"' in names["projector"] and "c1" not in names["projector"]


def test_the_first_dot_redraws_the_consoles_voting_tools_and_not_the_phones_lists():
    view = make_view(cards=[card_record("c1")])
    texts = deliver(view, changes.DotsChanged(VoteRecord(1, "c1", 1)))
    names = {a.page + str(a.participant_id or a.table_id or ""): t for a, t in texts.items()}
    assert 'id="board"' in names["facilitator"]  # what the dots go on is fixed from now
    assert 'name="vote_on" data-vote-on disabled' in names["facilitator"]
    assert set(names) == {"facilitator", "participant1", "projector", "json"}


def test_after_the_reveal_counts_reach_every_phone_and_the_projector():
    view = make_view(event_record(votes_revealed=True), cards=[card_record("c1")])
    texts = deliver(view, changes.DotsChanged(VoteRecord(1, "c1", 2)))
    names = {a.page + str(a.participant_id or a.table_id or ""): t for a, t in texts.items()}
    assert 'data-dots="2"' in names["participant2"] and 'id="my-votes"' not in names["participant2"]
    assert 'data-dots="2"' in names["projector"] and 'id="board-ranking"' in names["projector"]
    for text in names.values():
        assert "秘密の名前" not in text  # the board never names an author


def test_hiding_a_card_removes_one_element_from_each_screen():
    view = make_view(cards=[card_record(f"c{n}", created=n) for n in range(50)])
    texts = deliver(view, changes.CardHidden(replace(view.card("c40"), hidden=True)))
    for audience, text in texts.items():
        if audience.page == "json":
            continue
        assert 'id="board"' not in text and 'id="vote-cards"' not in text, audience
        if audience.page in ("projector", "participant"):
            assert "delete:#" in text and len(text.encode()) < 3 * 1024, audience


def test_an_unmerge_puts_the_cards_back_in_order_on_every_screen():
    """The cards given back are next to each other in the phones' list: each is inserted
    after one that is already on the screen."""
    session = event_record(voting_open=True, votes_revealed=True)
    loose = [card_record(f"c{n}", created=n, text="同じ", participant_id=None) for n in range(4)]
    kept = replace(loose[0], text="同じ")
    merged = tuple(replace(c, hidden=True, merged_into="c0") for c in loose[1:])
    votes = (VoteRecord(1, "c0", 2),)
    view = make_view(session, [kept, *merged, card_record("c9", created=9)], votes)
    screens = snapshots(view)
    assert screens[AUDIENCES[0]].element("bc-c0").xpath(".//*[@data-weight]/@data-weight") == ["4"]
    outgoing = delivery.Delivery(view, set())
    outgoing.apply(changes.Batch("S1", 1, (changes.CardsUnmerged(
        kept, tuple(replace(c, hidden=False, merged_into=None) for c in merged),
        (VoteRecord(1, "c0", 1), VoteRecord(1, "c2", 1))),)))
    for audience, frames in outgoing.texts(AUDIENCES).items():
        for frame in frames:
            screens[audience].apply(frame)
    templating.forget_items()
    fresh = snapshots(view)
    for audience in AUDIENCES:
        for piece in delivery.PAGE_PIECES[audience.page]:
            assert screens[audience].shape(piece) == fresh[audience].shape(piece), piece
    assert view.weight("c0") == 1 and view.dots_on("c2") == 1


def test_a_command_to_the_pages_redraws_the_projectors_screen_and_the_consoles_buttons():
    view = make_view(cards=[card_record(f"c{n}", created=n) for n in range(200)])
    texts = deliver(view, changes.PagesCommanded(True, 1), changes.PagesCommanded(True, 2))
    names = {a.page + str(a.participant_id or a.table_id or ""): t for a, t in texts.items()}
    assert set(names) == {"facilitator", "projector", "json"}
    assert 'data-pages="pause"' in names["projector"]
    assert 'data-page-turns="2"' in names["projector"]
    assert 'id="board"' not in names["projector"]  # the screen, not the cards
    console = names["facilitator"]
    assert console.count('id="projector-pages"') == 1 and 'value="play"' in console
    assert 'id="board"' not in console and "c199" not in console
    assert names["json"].count('"type": "pages"') == 2
    assert '"pages": "pause", "page_turns": 2' in names["json"]


def test_phones_share_one_snapshot_text_and_get_their_own_pieces_after_it():
    view = make_view(cards=[card_record(f"c{n}", created=n) for n in range(30)])
    drawing = delivery.Drawing(view)
    one, two = (delivery.snapshot(view, a, drawing) for a in AUDIENCES[4:6])
    assert one[0] is two[0]  # one text for every phone, not a copy each
    assert 'id="vote-cards"' in one[0] and 'id="my-cards"' not in one[0]
    assert 'id="my-cards"' in one[1] and 'id="my-votes"' in one[1] and one[1] != two[1]
    later = delivery.Drawing(view)  # another load: a phone's own pieces are kept
    assert later.piece("my-cards", AUDIENCES[4]) is drawing.piece("my-cards", AUDIENCES[4])
