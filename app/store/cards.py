"""Cards in the database: add one (idempotent on its client-made id), list them; groups,
moderation (hide, edit, merge, move) and dot votes. The rules
live in app/cards.py; this module only reads what they need and stores what they decide."""

from __future__ import annotations

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import auth, cards, rounds
from app.db import reading, writing
from app.i18n import N_
from app.models import (
    CafeTable,
    Card,
    CardGroup,
    EventSession,
    Participant,
    Phase,
    RunState,
    Seat,
    Vote,
)


def cards_of(db: Session, session_id: str) -> list[Card]:
    """Every card of the event, hidden ones included, oldest first."""
    rows = db.exec(select(Card).where(Card.session_id == session_id)
                   .order_by(Card.created_at_ms, Card.id)).all()
    return list(rows)


def list_cards(engine: Engine, session_id: str, include_hidden: bool) -> list[Card]:
    with reading(engine) as db:
        return cards.visible(cards_of(db, session_id), include_hidden)


def _own_table(db: Session, session_id: str, author: auth.Identity,
               round_index: int) -> int | None:
    """The table the author is at now: a host's own table; a participant's seat in this
    round (their home table in the home round, or when they have no seat in it)."""
    if author.role != auth.PARTICIPANT:
        return author.table_id
    person = db.get(Participant, author.participant_id)
    if person is None:
        return None
    if round_index:
        seat = db.exec(select(Seat.table_id).where(
            Seat.session_id == session_id, Seat.round_index == round_index,
            Seat.participant_id == person.id)).first()
        if seat is not None:
            return seat
    return person.home_table_id


def _replay(card: Card, session_id: str, author: auth.Identity) -> Card:
    """A resent card: the stored one, unchanged, if it is the author's own."""
    if card.session_id != session_id or not cards.same_author(
            card, author.role, author.participant_id, author.table_id):
        raise cards.CardRefusal(409, "id_taken",
                                N_("This card id is already used by another card."))
    return card


def add_card(engine: Engine, session_id: str, author: auth.Identity, card_id: str, text: str,
             requested_table: int | None, now_ms: int) -> tuple[Card, bool]:
    """Store a card stamped with its table, phase and colour; (card, True) once committed.
    A card whose id is already stored comes back as it was, (card, False), whatever text
    the resend carries. Two identical requests at once store one row: SQLite takes turns
    (BEGIN IMMEDIATE), and elsewhere the loser of the primary-key race reads the winner's."""
    card_id = cards.clean_id(card_id)
    try:
        with writing(engine) as db:
            stored = db.get(Card, card_id)
            if stored is not None:
                return _replay(stored, session_id, author), False
            card = _new_card(db, session_id, author, card_id, text, requested_table, now_ms)
            db.add(card)
        return card, True
    except IntegrityError:
        with reading(engine) as db:
            stored = db.get(Card, card_id)
        if stored is None:
            raise
        return _replay(stored, session_id, author), False


def _new_card(db: Session, session_id: str, author: auth.Identity, card_id: str, text: str,
              requested_table: int | None, now_ms: int) -> Card:
    run = db.get(RunState, session_id)
    if run is None:
        raise cards.CardRefusal(404, "not_found", N_("There is no such event."))
    if run.status == rounds.FINISHED:
        raise cards.CardRefusal(409, "finished",
                                N_("This event has finished; no more cards can be added."))
    cards.check_length(text, _event(db, session_id).card_max_length)
    phases = db.exec(select(Phase).where(Phase.session_id == session_id)
                     .order_by(Phase.position)).all()
    program = [rounds.PhaseSpec(p.kind, p.title, p.minutes, p.question, p.moves)
               for p in phases]
    round_index = rounds.seating_rounds(program)[run.phase_index]
    table_ids = db.exec(select(CafeTable.id).where(CafeTable.session_id == session_id)).all()
    table_id = cards.decide_table(author.role, requested_table,
                                  _own_table(db, session_id, author, round_index), table_ids)
    return Card(id=card_id, session_id=session_id, table_id=table_id,
                phase_index=run.phase_index, round_index=round_index,
                author_kind=author.role,
                participant_id=author.participant_id if author.role == auth.PARTICIPANT
                else None,
                text=text, colour=cards.colour_for_phase(run.phase_index),
                created_at_ms=now_ms)


# --- the harvest board ----------------------------------------------------------------------

def groups_of(db: Session, session_id: str) -> list[CardGroup]:
    return list(db.exec(select(CardGroup).where(CardGroup.session_id == session_id)
                        .order_by(CardGroup.id)).all())


def votes_of(db: Session, session_id: str) -> list[Vote]:
    return list(db.exec(select(Vote).where(Vote.session_id == session_id)
                        .order_by(Vote.id)).all())


def _event(db: Session, session_id: str) -> EventSession:
    event = db.exec(select(EventSession).where(EventSession.id == session_id)
                    .with_for_update()).first()
    if event is None:
        raise cards.CardRefusal(404, "not_found", N_("There is no such event."))
    return event


def _group(db: Session, session_id: str, group_id: object) -> CardGroup:
    group = db.get(CardGroup, group_id) if isinstance(group_id, int) else None
    if group is None or group.session_id != session_id:
        raise cards.CardRefusal(404, "no_group", N_("There is no such group in this event."))
    return group


def _card(db: Session, session_id: str, card_id: object) -> Card:
    try:
        card = db.get(Card, cards.clean_id(card_id))
    except cards.CardRefusal:
        card = None
    if card is None or card.session_id != session_id:
        raise cards.CardRefusal(404, "no_card", N_("There is no such card in this event."))
    return card


def create_group(engine: Engine, session_id: str, name: object, now_ms: int) -> CardGroup:
    name = cards.clean_group_name(name)
    with writing(engine) as db:
        _event(db, session_id)
        if len(groups_of(db, session_id)) >= cards.MAX_GROUPS:
            raise cards.CardRefusal(409, "too_many_groups",
                                    N_("At most %(limit)s groups."), limit=cards.MAX_GROUPS)
        group = CardGroup(session_id=session_id, name=name, created_at_ms=now_ms)
        db.add(group)
        db.flush()
        db.refresh(group)
    return group


def rename_group(engine: Engine, session_id: str, group_id: int, name: object) -> CardGroup:
    name = cards.clean_group_name(name)
    with writing(engine) as db:
        group = _group(db, session_id, group_id)
        group.name = name
        db.add(group)
    return group


def delete_group(engine: Engine, session_id: str, group_id: int) -> None:
    """The group goes; its cards go back to the ungrouped pile."""
    with writing(engine) as db:
        group = _group(db, session_id, group_id)
        for card in db.exec(select(Card).where(Card.group_id == group.id)).all():
            card.group_id = None
            db.add(card)
        db.flush()
        db.delete(group)


def update_card(engine: Engine, session_id: str, card_id: str, changes: dict) -> Card:
    """The facilitator's moderation: any of `hidden`, `text`, `group_id` (None = ungrouped).
    Everything is checked before anything is written."""
    with writing(engine) as db:
        card = _card(db, session_id, card_id)
        if "text" in changes:
            # a merged card may be longer than a new one; editing must not cut it short
            own = _event(db, session_id).card_max_length
            limit = cards.MAX_MERGED_TEXT if len(card.text) > own else own
            text = cards.clean_text(changes["text"], limit)
        if "group_id" in changes and changes["group_id"] is not None:
            _group(db, session_id, changes["group_id"])
        if "hidden" in changes:
            if not isinstance(changes["hidden"], bool):
                raise cards.CardRefusal(422, "invalid", N_("'hidden' must be true or false."))
            if not changes["hidden"] and card.merged_into:
                raise cards.CardRefusal(409, "already_merged",
                                        N_("That card was already merged."))
            card.hidden = changes["hidden"]
        if "text" in changes:
            card.text = text
        if "group_id" in changes:
            card.group_id = changes["group_id"]
        db.add(card)
    return card


def merge_cards(engine: Engine, session_id: str, keep_id: str,
                other_ids: list[str]) -> tuple[Card, list[Card]]:
    """Keep one card with the combined text; the others are hidden and marked as merged
    into it; their dots move to the kept card."""
    with writing(engine) as db:
        keep = _card(db, session_id, keep_id)
        others = [_card(db, session_id, other) for other in dict.fromkeys(other_ids)]
        cards.check_merge(keep, others)
        keep.text = cards.merged_text([keep.text, *(o.text for o in others)])
        for other in others:
            other.hidden, other.merged_into = True, keep.id
            db.add(other)
            for vote in db.exec(select(Vote).where(Vote.card_id == other.id)).all():
                mine = db.exec(select(Vote).where(Vote.card_id == keep.id,
                                                  Vote.participant_id == vote.participant_id)
                               ).first()
                if mine is None:
                    db.add(Vote(session_id=session_id, participant_id=vote.participant_id,
                                card_id=keep.id, dots=vote.dots))
                else:
                    mine.dots += vote.dots
                    db.add(mine)
                db.delete(vote)
        db.add(keep)
    return keep, others


def _dots_used(db: Session, participant_id: int) -> int:
    """Dots on visible cards: hiding a card gives its dots back."""
    used = db.exec(select(func.coalesce(func.sum(Vote.dots), 0))
                   .join(Card, Card.id == Vote.card_id)
                   .where(Vote.participant_id == participant_id, Card.hidden == False)  # noqa: E712
                   ).one()
    return int(used)


def vote(engine: Engine, session_id: str, participant_id: int, card_id: str,
         delta: int) -> dict:
    """Put one dot on a card (+1) or take one back (-1), in one write transaction: the
    budget is checked against the committed dots, so two quick taps never exceed it
    (SQLite takes turns with BEGIN IMMEDIATE; elsewhere the participant row is locked)."""
    with writing(engine) as db:
        event = db.get(EventSession, session_id)
        db.exec(select(Participant).where(Participant.id == participant_id)
                .with_for_update()).first()
        if not event.voting_open:
            raise cards.CardRefusal(409, "voting_closed", N_("Voting is not open right now."))
        card = _card(db, session_id, card_id)
        if card.hidden:
            raise cards.CardRefusal(404, "no_card", N_("There is no such card in this event."))
        mine = db.exec(select(Vote).where(Vote.card_id == card.id,
                                          Vote.participant_id == participant_id)).first()
        if delta > 0:
            cards.check_vote(_dots_used(db, participant_id), event.vote_budget)
            if mine is None:
                db.add(Vote(session_id=session_id, participant_id=participant_id,
                            card_id=card.id, dots=1))
            else:
                mine.dots += 1
                db.add(mine)
        else:
            if mine is None:
                raise cards.CardRefusal(409, "no_dot_here",
                                        N_("You have no dot on this card."))
            if mine.dots <= 1:
                db.delete(mine)
            else:
                mine.dots -= 1
                db.add(mine)
        db.flush()
        return my_votes(db, session_id, participant_id, event.vote_budget)


def my_votes(db: Session, session_id: str, participant_id: int, budget: int) -> dict:
    rows = db.exec(select(Vote).join(Card, Card.id == Vote.card_id)
                   .where(Vote.session_id == session_id, Vote.participant_id == participant_id,
                          Card.hidden == False)).all()  # noqa: E712
    used = sum(v.dots for v in rows)
    return {"budget": budget, "used": used, "left": max(0, budget - used),
            "dots": {v.card_id: v.dots for v in rows}}


def participant_votes(engine: Engine, session_id: str, participant_id: int) -> dict:
    with reading(engine) as db:
        event = db.get(EventSession, session_id)
        return my_votes(db, session_id, participant_id, event.vote_budget)


def set_board(engine: Engine, session_id: str, changes: dict) -> EventSession:
    """The facilitator's board settings: any of `budget`, `open`, `revealed`, `view`."""
    budget = cards.clean_budget(changes["budget"]) if "budget" in changes else None
    layout = cards.clean_layout(changes["view"]) if "view" in changes else None
    for name in ("open", "revealed"):
        if name in changes and not isinstance(changes[name], bool):
            raise cards.CardRefusal(422, "invalid", N_("'%(field)s' must be true or false."),
                                    field=name)
    revealed, voting_open = changes.get("revealed"), changes.get("open")
    with writing(engine) as db:
        event = _event(db, session_id)
        if budget is not None:
            event.vote_budget = budget
        if layout is not None:
            event.board_view = layout
        if revealed is not None:
            event.votes_revealed = revealed
        if voting_open is not None:
            event.voting_open = voting_open
        db.add(event)
    return event
