"""Cards in the database: add one (idempotent on its client-made id), list them. The rules
live in app/cards.py; this module only reads what they need and stores what they decide."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import auth, cards, rounds
from app.db import reading, writing
from app.i18n import N_
from app.models import CafeTable, Card, Participant, Phase, RunState, Seat


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
