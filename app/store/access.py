"""Control of who gets in, in the database: close or open joining, replace the join code,
remove a participant, replace a host's or the projector's token."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from app import auth
from app.db import writing
from app.i18n import N_
from app.models import CafeTable, Card, Participant, Vote
from app.records import CardRecord, VoteRecord, record_of
from app.refusal import Refusal
from app.store.rows import bump, locked_clock, locked_event
from app.store.sessions import SeatingNow, seating_now

CODE_DRAWS = 5


@dataclass(frozen=True)
class Joining:
    join_code: str
    open: bool
    seq: int


def change_joining(engine: Engine, session_id: str, open_: bool | None = None,
                   new_code: bool = False) -> Joining:
    """Open or close joining, and/or draw a new join code (the old one is refused from
    the commit on)."""
    for _attempt in range(CODE_DRAWS):
        try:
            with writing(engine) as db:
                event = locked_event(db, session_id)
                if open_ is not None:
                    event.joining_open = open_
                if new_code:
                    event.join_code = auth.new_join_code()
                db.add(event)
                db.flush()
                return Joining(event.join_code, event.joining_open, bump(db, session_id))
        except IntegrityError:
            continue  # another event has that code: draw again
    raise RuntimeError("could not draw a unique join code")


@dataclass(frozen=True)
class Removal:
    seating: SeatingNow
    hidden: tuple[CardRecord, ...]
    """Their cards hidden by this removal."""
    votes: tuple[VoteRecord, ...]
    """Their dots, now 0."""
    seq: int


def remove_participant(engine: Engine, session_id: str, participant_id: int,
                       hide_cards: bool) -> Removal:
    """Delete a participant: their token, seats and dots go with the row; their cards
    stay on the board (without their name) unless `hide_cards`."""
    with writing(engine) as db:
        locked_clock(db, session_id)
        person = db.get(Participant, participant_id)
        if person is None or person.session_id != session_id:
            raise Refusal("not_found", N_("There is no such participant in this event."))
        votes = tuple(VoteRecord(v.participant_id, v.card_id, 0) for v in db.exec(
            select(Vote).where(Vote.participant_id == participant_id)).all())
        hidden = []
        if hide_cards:
            for card in db.exec(select(Card).where(Card.participant_id == participant_id,
                                                   Card.hidden == False)).all():  # noqa: E712
                card.hidden = True
                db.add(card)
                hidden.append(card)
        db.delete(person)
        db.flush()
        for card in hidden:
            db.refresh(card)
        return Removal(seating_now(db, session_id),
                       tuple(record_of(CardRecord, c) for c in hidden), votes,
                       bump(db, session_id))


def new_token(engine: Engine, session_id: str, role: str, table_id: int | None = None,
              revoke: bool = False) -> tuple[str | None, int]:
    """Replace the projector's or the co-facilitator's token (or revoke the latter), or
    the host token of `table_id`; (token, seq)."""
    with writing(engine) as db:
        token = None if revoke else auth.new_token()
        if role in (auth.PROJECTOR, auth.CO_FACILITATOR):
            event = locked_event(db, session_id)
            if role == auth.PROJECTOR:
                event.projector_token = token
            else:
                event.cofacilitator_token = token
            db.add(event)
        else:
            table = db.get(CafeTable, table_id) if table_id is not None else None
            if table is None or table.session_id != session_id:
                raise Refusal("not_found", N_("There is no such table in this event."))
            table.host_token = token
            db.add(table)
        db.flush()
        return token, bump(db, session_id)

