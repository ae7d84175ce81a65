"""Cards in the database: add one (idempotent on its client-made id), list them; groups,
moderation (hide, edit, merge, move) and dot votes. Whether a change is valid is the
action's to say (app/actions/board.py, with the rules of app/cards.py): this module reads
what its rules need in the change's transaction, hands it to them, stores what they decide
and returns records and the event's new `seq` (app/store/rows.bump) for every committed
change. It refuses only what the database's own integrity does: rows that are not there
(or not this event's), a card id another author took, more groups than the event holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from types import SimpleNamespace

from sqlalchemy import Engine, and_, func, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import auth, cards, rounds, screens, tables
from app.i18n import N_
from app.refusal import Refusal
from app.schemas import MAX_ID
from app.store import keyword_terms
from app.store.db import reading, writing
from app.store.models import (
    CafeTable,
    Card,
    CardGroup,
    EventSession,
    GroupVote,
    MovedDots,
    Participant,
    RunState,
    Seat,
    Vote,
)
from app.store.records import (
    CardRecord,
    EventRecord,
    GroupRecord,
    GroupVoteRecord,
    VoteRecord,
    record_of,
)
from app.store.rows import bump, clock_of, locked_clock, locked_event, no_event, program_of

NO_CARD = N_("There is no such card in this event.")


@dataclass(frozen=True)
class Listed:
    cards: list[CardRecord]
    weights: dict[str, int]
    """card id -> weight (app/cards.py weights), for every card of the event."""


def list_cards(engine: Engine, session_id: str, include_hidden: bool,
               after: str | None = None, limit: int | None = None) -> Listed:
    """The cards oldest first (hidden ones only when asked): every one, or at most `limit`
    of those after the card `after` (a page); and the weights of every card."""
    with reading(engine) as db:
        query = select(Card).where(Card.session_id == session_id)
        if not include_hidden:
            query = query.where(Card.hidden == False)  # noqa: E712 - SQL, not Python
        if after is not None:
            start = db.exec(select(Card.created_at_ms).where(
                Card.session_id == session_id, Card.id == after)).first()
            if start is None:
                raise Refusal("no_card", NO_CARD)
            query = query.where(or_(Card.created_at_ms > start,
                                    and_(Card.created_at_ms == start, Card.id > after)))
        rows = db.exec(query.order_by(Card.created_at_ms, Card.id).limit(limit)).all()
        return Listed([record_of(CardRecord, c) for c in rows], _weights(db, session_id))


def _weights(db: Session, session_id: str) -> dict[str, int]:
    """Every card's weight, as this transaction sees the merges."""
    rows = db.exec(select(Card.id, Card.merged_into).where(Card.session_id == session_id)).all()
    return cards.weights(rows)


def _own_tables(db: Session, session_id: str, participant_ids: set[int],
                round_index: int) -> dict[int, int | None]:
    """The table each participant is at now (tables.table_in_round); absent when they are
    not (any longer) in the event."""
    if not participant_ids:
        return {}
    homes = dict(db.exec(select(Participant.id, Participant.home_table_id).where(
        Participant.session_id == session_id, Participant.id.in_(participant_ids))).all())
    seats = dict(db.exec(select(Seat.participant_id, Seat.table_id).where(
        Seat.session_id == session_id, Seat.round_index == round_index,
        Seat.participant_id.in_(homes))).all()) if round_index else {}
    return {person: tables.table_in_round(home, round_index, seats.get(person))
            for person, home in homes.items()}


def _replay(card: Card | SimpleNamespace, session_id: str, author: auth.Identity) -> CardRecord:
    """A resent card: the stored one, unchanged, if it is the author's own."""
    if card.session_id != session_id or not cards.same_author(
            card, author.role, author.participant_id, author.table_id):
        raise Refusal("id_taken", N_("This card id is already used by another card."))
    return record_of(CardRecord, card)


@dataclass(frozen=True)
class NewCard:
    """One card as its author sent it, stamped with the time it arrived."""

    author: auth.Identity
    card_id: str
    text: str
    requested_table: int | None
    now_ms: int


@dataclass(frozen=True)
class Place:
    """What the rules of a new card need (app/actions/board.py file_card), read once for
    the cards of one transaction: the event's phase and seating round, whether it has
    finished, its tables, its longest card and the table each participant author is at."""

    phase_index: int
    round_index: int
    finished: bool
    table_ids: list[int]
    max_length: int
    participant_tables: dict[int, int | None]


@dataclass(frozen=True)
class Filed:
    """Where the rules put a valid new card: its table and its colour."""

    table_id: int
    colour: str


Rules = Callable[[Place, NewCard], Filed]
"""The action's rules for a new card: where it goes, or a Refusal."""


@dataclass(frozen=True)
class Added:
    card: CardRecord
    seq: int | None
    """The change that stored it; None for a resent card: nothing changed."""


def add_cards(engine: Engine, session_id: str, new: Sequence[NewCard],
              rules: Rules) -> list[Added | Refusal]:
    """Store cards in one write transaction (group commit, app/store/combining.py), each
    stamped with its phase and where `rules` file it, each on its own: a card the rules
    refuse gets its refusal in its place and the others are stored. What refuses them all (no such
    event, a finished one, a database that cannot be written) is raised. A card whose id
    is already stored, or came earlier in the same batch, comes back as it was, whatever
    text the resend carries. Two identical requests at once store one row: SQLite takes
    turns (BEGIN IMMEDIATE); elsewhere the transaction that loses the primary-key race is
    tried again card by card, and a card that lost reads the winner's. Analyse the texts
    before (`keywords.prepare`): the transaction holds SQLite's write lock."""
    try:
        with writing(engine) as db:
            outcomes, fresh = _add_all(db, session_id, new, rules)
            if not fresh:
                return outcomes
            keyword_terms.store(db, session_id, (outcomes[i].card.text for i in fresh))
            seq = bump(db, session_id)
            for index in fresh:
                outcomes[index] = replace(outcomes[index], seq=seq)
            return outcomes
    except IntegrityError:
        if len(new) > 1:
            return [outcome for card in new
                    for outcome in add_cards(engine, session_id, [card], rules)]
        with reading(engine) as db:
            stored = db.get(Card, new[0].card_id)
        if stored is None:
            raise
        return [_replayed(stored, session_id, new[0].author)]


def _replayed(stored: Card | SimpleNamespace, session_id: str,
              author: auth.Identity) -> Added | Refusal:
    try:
        return Added(_replay(stored, session_id, author), None)
    except Refusal as refusal:
        return refusal


def _add_all(db: Session, session_id: str, new: Sequence[NewCard],
             rules: Rules) -> tuple[list[Added | Refusal], list[int]]:
    """Each card added to the transaction, or its resend's stored card, or its refusal;
    and the places of the added ones (their seq is the transaction's, once known). What
    the cards need is read in a few queries for the whole batch, and the rows are added
    at the end (a query after an added row would flush it first)."""
    known: dict[str, Card | SimpleNamespace] = {card.id: card for card in db.exec(
        select(Card).where(Card.id.in_({card.card_id for card in new}))).all()}
    place: Place | Refusal | None = None
    rows: list[SimpleNamespace] = []
    outcomes: list[Added | Refusal] = []
    fresh: list[int] = []
    for card in new:
        stored = known.get(card.card_id)
        if stored is not None:
            outcomes.append(_replayed(stored, session_id, card.author))
            continue
        try:
            if place is None:
                place = _place(db, session_id, new)
            if isinstance(place, Refusal):
                raise place
            row = _row(session_id, place, card, rules(place, card))
        except Refusal as refusal:
            place = refusal if place is None else place  # refuses every new card alike
            outcomes.append(refusal)
            continue
        rows.append(row)
        known[card.card_id] = row
        fresh.append(len(outcomes))
        outcomes.append(Added(record_of(CardRecord, row), None))
    if rows:
        db.execute(insert(Card), [vars(row) for row in rows])
    return outcomes, fresh


def _place(db: Session, session_id: str, new: Sequence[NewCard]) -> Place:
    run = db.get(RunState, session_id)
    if run is None:
        raise no_event()
    max_length = locked_event(db, session_id).card_max_length
    round_index = rounds.seating_rounds(program_of(db, session_id))[run.phase_index]
    table_ids = list(db.exec(select(CafeTable.id).where(
        CafeTable.session_id == session_id)).all())
    participants = {card.author.participant_id for card in new
                    if card.author.role == auth.PARTICIPANT}
    return Place(run.phase_index, round_index, run.status == rounds.FINISHED, table_ids,
                 max_length, _own_tables(db, session_id, participants, round_index))


def _row(session_id: str, place: Place, new: NewCard, filed: Filed) -> SimpleNamespace:
    """The row of a new card (its columns, to insert without building ORM objects: a batch
    of them costs a few SQLAlchemy compilations less)."""
    author = new.author
    return SimpleNamespace(
        id=new.card_id, session_id=session_id, table_id=filed.table_id,
        phase_index=place.phase_index, round_index=place.round_index,
        author_kind=author.role,
        participant_id=author.participant_id if author.role == auth.PARTICIPANT else None,
        text=new.text, colour=filed.colour, created_at_ms=new.now_ms, hidden=False,
        group_id=None, merged_into=None, text_before_merge=None)


# --- the harvest board ----------------------------------------------------------------------

def _groups(db: Session, session_id: str) -> list[CardGroup]:
    return list(db.exec(select(CardGroup).where(CardGroup.session_id == session_id)
                        .order_by(CardGroup.id)).all())


def _group(db: Session, session_id: str, group_id: object) -> CardGroup:
    group = db.get(CardGroup, group_id) if isinstance(group_id, int) and \
        0 < group_id <= MAX_ID else None
    if group is None or group.session_id != session_id:
        raise Refusal("no_group", N_("There is no such group in this event."))
    return group


def _card(db: Session, session_id: str, card_id: object) -> Card:
    try:
        card = db.get(Card, cards.clean_id(card_id))
    except Refusal:
        card = None
    if card is None or card.session_id != session_id:
        raise Refusal("no_card", NO_CARD)
    return card


def _new_group(db: Session, session_id: str, name: str, now_ms: int) -> CardGroup:
    locked_event(db, session_id)
    if len(_groups(db, session_id)) >= cards.MAX_GROUPS:
        raise Refusal("too_many_groups", N_("At most %(limit)s groups."),
                      limit=cards.MAX_GROUPS)
    group = CardGroup(session_id=session_id, name=name, created_at_ms=now_ms)
    db.add(group)
    db.flush()
    db.refresh(group)
    return group


def create_group(engine: Engine, session_id: str, name: str,
                 now_ms: int) -> tuple[GroupRecord, int]:
    with writing(engine) as db:
        group = _new_group(db, session_id, name, now_ms)
        return record_of(GroupRecord, group), bump(db, session_id)


def create_group_of_loose(engine: Engine, session_id: str, name: str, card_ids: list[str],
                          now_ms: int) -> tuple[GroupRecord, list[CardRecord], int]:
    """A new group holding those of the cards that are shown and in no group yet: a card
    grouped meanwhile stays where it is. Nothing is made when none is left. The cards are
    locked before the event's row, in the order of every other card change (PostgreSQL
    then rechecks a row that a concurrent change committed; SQLite takes turns)."""
    with writing(engine) as db:
        loose = db.exec(select(Card).where(
            Card.session_id == session_id, Card.id.in_(card_ids),
            Card.group_id == None, Card.hidden == False)  # noqa: E711, E712
            .order_by(Card.created_at_ms, Card.id).with_for_update()).all()
        if not loose:
            raise Refusal("already_grouped",
                          N_("Every card of this suggestion is in a group already (or "
                             "hidden); no group was made."))
        group = _new_group(db, session_id, name, now_ms)
        for card in loose:
            card.group_id = group.id
            db.add(card)
        db.flush()
        return (record_of(GroupRecord, group), [record_of(CardRecord, c) for c in loose],
                bump(db, session_id))


def rename_group(engine: Engine, session_id: str, group_id: int,
                 name: str) -> tuple[GroupRecord, int]:
    with writing(engine) as db:
        group = _group(db, session_id, group_id)
        group.name = name
        db.add(group)
        return record_of(GroupRecord, group), bump(db, session_id)


def delete_group(engine: Engine, session_id: str, group_id: int) -> int:
    """The group goes; its cards go back to the ungrouped pile."""
    with writing(engine) as db:
        group = _group(db, session_id, group_id)
        for card in db.exec(select(Card).where(Card.group_id == group.id)).all():
            card.group_id = None
            db.add(card)
        db.flush()
        db.delete(group)
        return bump(db, session_id)


@dataclass(frozen=True)
class Weighed:
    card: CardRecord
    weight: int
    """1 and every card merged into it (app/cards.py weights)."""


EditRules = Callable[[CardRecord, int, rounds.ClockState], dict]
"""The action's rules for an edit of a card (the facilitator's, or its author's own),
given the card as stored, the event's longest card and its clock: the fields to store, or
a Refusal."""


def update_card(engine: Engine, session_id: str, card_id: str,
                rules: EditRules) -> tuple[Weighed, int]:
    """The facilitator's moderation or an author's edit of their own card: any of
    `hidden`, `text`, `group_id` (None = ungrouped), as `rules` give them, into a group of
    this event. The clock is held (before the event's row, as a phase change takes them)
    so that no phase begins while the rules read it. Nothing is written before all is
    checked."""
    with writing(engine) as db:
        clock = clock_of(locked_clock(db, session_id))
        card = _card(db, session_id, card_id)
        fields = rules(record_of(CardRecord, card),
                       locked_event(db, session_id).card_max_length, clock)
        if fields.get("group_id") is not None:
            _group(db, session_id, fields["group_id"])
        for name, value in fields.items():
            setattr(card, name, value)
        db.add(card)
        return (Weighed(record_of(CardRecord, card), _weights(db, session_id).get(card.id, 1)),
                bump(db, session_id))


def group_cards(engine: Engine, session_id: str, card_ids: list[str],
                group_id: int | None) -> tuple[list[CardRecord], int]:
    """Several cards into one group (None = ungrouped) in one change; the ones that were
    there already are left out of the answer."""
    with writing(engine) as db:
        if group_id is not None:
            _group(db, session_id, group_id)
        moved = []
        for card in [_card(db, session_id, card_id) for card_id in dict.fromkeys(card_ids)]:
            if card.group_id != group_id:
                card.group_id = group_id
                db.add(card)
                moved.append(record_of(CardRecord, card))
        return moved, bump(db, session_id)


@dataclass(frozen=True)
class Merged:
    """A merge or an unmerge: the kept card, the cards merged into it or given back, and
    every vote on all of them after the change."""

    kept: CardRecord
    others: list[CardRecord]
    votes: list[VoteRecord]
    weights: dict[str, int]
    """The weight of each of these cards after the change."""
    seq: int


MergeRules = Callable[[CardRecord, list[CardRecord]], str]
"""The action's rules for a merge, given the kept card and the others as stored: the kept
card's new text, or a Refusal."""


def merge_cards(engine: Engine, session_id: str, keep_id: str, other_ids: list[str],
                rules: MergeRules) -> Merged:
    """Keep one card with the text `rules` give it; the others are hidden and marked as
    merged into it; their dots move to the kept card, and each voter's moved dots are
    noted (MovedDots) with the kept card's own text, for `unmerge_cards`."""
    with writing(engine) as db:
        keep = _card(db, session_id, keep_id)
        others = [_card(db, session_id, other) for other in dict.fromkeys(other_ids)]
        text = rules(record_of(CardRecord, keep), [record_of(CardRecord, o) for o in others])
        if keep.text_before_merge is None:
            keep.text_before_merge = keep.text
        keep.text = text
        for other in others:
            other.hidden, other.merged_into = True, keep.id
            db.add(other)
            for vote in db.exec(select(Vote).where(Vote.card_id == other.id)).all():
                db.add(MovedDots(session_id=session_id, participant_id=vote.participant_id,
                                 card_id=other.id, kept_id=keep.id, dots=vote.dots))
                _move_dots(db, session_id, vote.participant_id, keep.id, vote.dots)
                db.delete(vote)
        db.add(keep)
        return _merged(db, session_id, keep, others)


def unmerge_cards(engine: Engine, session_id: str, keep_id: str,
                  rules: Callable[[CardRecord, list[CardRecord]], None]) -> Merged:
    """Undo the merges into a card: the cards merged into it are shown again, each with the
    dots the merge moved (as many of them as are still on the kept card: a voter who took
    dots back from it took the moved ones last), and the kept card has its own text back;
    when `rules` let it (given the card and the cards merged into it)."""
    with writing(engine) as db:
        keep = _card(db, session_id, keep_id)
        others = list(db.exec(select(Card).where(Card.session_id == session_id,
                                                 Card.merged_into == keep.id)
                              .order_by(Card.created_at_ms, Card.id)).all())
        rules(record_of(CardRecord, keep), [record_of(CardRecord, o) for o in others])
        for moved in db.exec(select(MovedDots).where(MovedDots.kept_id == keep.id)
                             .order_by(MovedDots.id)).all():
            on_kept = db.exec(select(Vote).where(Vote.card_id == keep.id,
                                                 Vote.participant_id == moved.participant_id)
                              ).first()
            back = min(moved.dots, on_kept.dots if on_kept else 0)
            if back:
                _move_dots(db, session_id, moved.participant_id, keep.id, -back)
                _move_dots(db, session_id, moved.participant_id, moved.card_id, back)
            db.delete(moved)
        for other in others:
            other.hidden, other.merged_into = False, None
            db.add(other)
        if keep.text_before_merge is not None:
            keep.text, keep.text_before_merge = keep.text_before_merge, None
        db.add(keep)
        return _merged(db, session_id, keep, others)


def _move_dots(db: Session, session_id: str, participant_id: int, card_id: str,
               dots: int) -> None:
    """Add (or, negative, take off) a voter's dots on a card; a row left with none goes."""
    mine = db.exec(select(Vote).where(Vote.card_id == card_id,
                                      Vote.participant_id == participant_id)).first()
    if mine is None:
        mine = Vote(session_id=session_id, participant_id=participant_id, card_id=card_id,
                    dots=0)
    mine.dots += dots
    if mine.dots > 0:
        db.add(mine)
    elif mine.id is not None:
        db.delete(mine)
    db.flush()


def _merged(db: Session, session_id: str, keep: Card, others: list[Card]) -> Merged:
    db.flush()
    ids = [keep.id, *(o.id for o in others)]
    votes = db.exec(select(Vote).where(Vote.card_id.in_(ids))).all()
    weights = _weights(db, session_id)
    return Merged(record_of(CardRecord, keep), [record_of(CardRecord, o) for o in others],
                  [record_of(VoteRecord, v) for v in votes],
                  {card_id: weights.get(card_id, 1) for card_id in ids}, bump(db, session_id))


def _dots_used(db: Session, participant_id: int, vote_on: str) -> int:
    """Dots on visible cards (hiding a card gives its dots back), or on groups."""
    if vote_on == "groups":
        query = select(func.coalesce(func.sum(GroupVote.dots), 0)).where(
            GroupVote.participant_id == participant_id)
    else:
        query = (select(func.coalesce(func.sum(Vote.dots), 0))
                 .join(Card, Card.id == Vote.card_id)
                 .where(Vote.participant_id == participant_id, Card.hidden == False))  # noqa: E712
    return int(db.exec(query).one())


@dataclass(frozen=True)
class Voted:
    mine: dict
    """The voter's own dots: {"budget", "used", "left", "dots": {card or group id: n},
    "vote_on"}"""
    vote: VoteRecord | GroupVoteRecord
    """The voter's dots on this card or group now (0: none left there)."""
    seq: int


@dataclass(frozen=True)
class Ballot:
    """What the rules of a dot need, read once the voter's row is locked: whether voting
    is open, what the dots go on, the budget, and for a dot more the voter's dots so far
    (committed; on visible cards or on groups)."""

    voting_open: bool
    vote_on: str
    budget: int
    dots_used: int | None


VoteRules = Callable[[Ballot, str, int], None]
"""The action's rules for a dot more (+1) or one taken back (-1) on "cards" or "groups":
nothing, or a Refusal."""


def _ballot(db: Session, session_id: str, participant_id: int, target: str, delta: int,
            rules: VoteRules) -> EventSession:
    """The event, once the voter's row is locked (so two quick taps never exceed the
    budget: SQLite takes turns with BEGIN IMMEDIATE, elsewhere this lock) and `rules` let
    the dot go on `target`."""
    event = db.get(EventSession, session_id)
    if event is None:
        raise no_event()
    db.exec(select(Participant).where(Participant.id == participant_id)
            .with_for_update()).first()
    used = _dots_used(db, participant_id, event.vote_on) if delta > 0 else None
    rules(Ballot(event.voting_open, event.vote_on, event.vote_budget, used), target, delta)
    return event


def _change_dots(db: Session, mine, new, delta: int, none_here: str) -> int:
    """One dot more (+1) or one less (-1) on the voter's row `mine` (None: no dots there
    yet; `new()` makes it); the dots there now."""
    if delta > 0:
        mine = mine if mine is not None else new()
        mine.dots += 1
        db.add(mine)
    else:
        if mine is None:
            raise Refusal("no_dot_here", none_here)
        mine.dots -= 1
        if mine.dots:
            db.add(mine)
        else:
            db.delete(mine)
    db.flush()
    return mine.dots


def vote(engine: Engine, session_id: str, participant_id: int, card_id: str,
         delta: int, rules: VoteRules) -> Voted:
    """Put one dot on a card (+1) or take one back (-1), in one write transaction: the
    rules see the committed dots."""
    with writing(engine) as db:
        event = _ballot(db, session_id, participant_id, "cards", delta, rules)
        card = _card(db, session_id, card_id)
        if card.hidden:
            raise Refusal("no_card", NO_CARD)
        mine = db.exec(select(Vote).where(Vote.card_id == card.id,
                                          Vote.participant_id == participant_id)).first()
        dots = _change_dots(db, mine,
                            lambda: Vote(session_id=session_id, participant_id=participant_id,
                                         card_id=card.id, dots=0),
                            delta, N_("You have no dot on this card."))
        return Voted(my_votes(db, event, participant_id),
                     VoteRecord(participant_id, card.id, dots), bump(db, session_id))


def vote_group(engine: Engine, session_id: str, participant_id: int, group_id: int,
               delta: int, rules: VoteRules) -> Voted:
    """Put one dot on a KJ group (+1) or take one back (-1), as `vote` does for a card."""
    with writing(engine) as db:
        event = _ballot(db, session_id, participant_id, "groups", delta, rules)
        group = _group(db, session_id, group_id)
        mine = db.exec(select(GroupVote).where(GroupVote.group_id == group.id,
                                               GroupVote.participant_id == participant_id)
                       ).first()
        dots = _change_dots(db, mine,
                            lambda: GroupVote(session_id=session_id,
                                              participant_id=participant_id,
                                              group_id=group.id, dots=0),
                            delta, N_("You have no dot on this group."))
        return Voted(my_votes(db, event, participant_id),
                     GroupVoteRecord(participant_id, group.id, dots), bump(db, session_id))


def my_votes(db: Session, event: EventSession, participant_id: int) -> dict:
    """A voter's dots on what the event votes on: visible cards, or groups."""
    if event.vote_on == "groups":
        rows = db.exec(select(GroupVote).where(GroupVote.session_id == event.id,
                                               GroupVote.participant_id == participant_id)
                       .order_by(GroupVote.group_id)).all()
        dots = {str(v.group_id): v.dots for v in rows}
    else:
        rows = db.exec(select(Vote).join(Card, Card.id == Vote.card_id)
                       .where(Vote.session_id == event.id,
                              Vote.participant_id == participant_id,
                              Card.hidden == False)).all()  # noqa: E712
        dots = {v.card_id: v.dots for v in rows}
    used = sum(dots.values())
    return {"budget": event.vote_budget, "used": used,
            "left": max(0, event.vote_budget - used), "dots": dots, "vote_on": event.vote_on}


def participant_votes(engine: Engine, session_id: str, participant_id: int) -> dict:
    with reading(engine) as db:
        event = db.get(EventSession, session_id)
        if event is None:
            raise no_event()
        return my_votes(db, event, participant_id)


def _dots_cast(db: Session, session_id: str) -> bool:
    """Whether anyone has a dot on a card (hidden ones too: showing one gives its dots
    back) or on a group."""
    return any(db.exec(select(model.id).where(model.session_id == session_id).limit(1)).first()
               is not None for model in (Vote, GroupVote))


def set_board(engine: Engine, session_id: str, settings: dict) -> tuple[EventRecord, int]:
    """The facilitator's board settings, checked by the action (app/actions/board.py): any
    of `budget`, `open`, `revealed`, `view`, `screen`, `pages` (a command to the
    projector's pages), `vote_on`. Revealing the results closes voting unless the same
    change keeps it open (`open`: true), so that nobody votes for what the counts already
    favour. What the dots go on changes only while no dot is cast (a dot on a card cannot
    become one on a group)."""
    vote_on, budget, layout, screen, pages, revealed, voting_open = (
        settings.get(name) for name in ("vote_on", "budget", "view", "screen", "pages",
                                        "revealed", "open"))
    with writing(engine) as db:
        event = locked_event(db, session_id)
        if budget is not None:
            event.vote_budget = budget
        if layout is not None:
            event.board_layout = layout
        if screen is not None:
            event.projector_screen = screen
        if vote_on is not None and vote_on != event.vote_on:
            if _dots_cast(db, session_id):
                raise Refusal("votes_cast",
                              N_("Dots are already cast. What they go on (cards or groups) "
                                 "can change only before anyone votes."))
            event.vote_on = vote_on
        if pages is not None:
            event.projector_paused, event.projector_page_turns = screens.pages_after(
                pages, event.projector_paused, event.projector_page_turns)
        if revealed is not None:
            event.votes_revealed = revealed
            if revealed and voting_open is None:
                event.voting_open = False
        if voting_open is not None:
            event.voting_open = voting_open
        db.add(event)
        return record_of(EventRecord, event), bump(db, session_id)
