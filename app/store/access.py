"""Control of who gets in, in the database: close or open joining, replace the join code,
remove a participant, replace a host's or the projector's token."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from app import auth
from app.i18n import N_
from app.refusal import Refusal
from app.store.db import writing
from app.store.models import (
    CafeTable,
    Card,
    EventSession,
    GroupVote,
    Participant,
    ReplacedJoinCode,
    Vote,
)
from app.store.records import CardRecord, GroupVoteRecord, VoteRecord, record_of
from app.store.rows import bump, locked_clock, locked_event
from app.store.sessions import SeatingNow, seating_now

CODE_DRAWS = 5


@dataclass(frozen=True)
class Joining:
    join_code: str
    open: bool
    flood_since_ms: int | None
    flood_until_ms: int | None
    card_flood_since_ms: int | None
    card_flood_until_ms: int | None
    seq: int


def _change_event(engine: Engine, session_id: str, change) -> Joining | None:
    """`change(db, event)` on the event's locked row, committed with its new seq (None
    when `change` answers False: nothing to do); run again when a join code it drew is
    another event's."""
    for _attempt in range(CODE_DRAWS):
        try:
            with writing(engine) as db:
                event = locked_event(db, session_id)
                if change(db, event) is False:
                    return None
                db.add(event)
                db.flush()
                return Joining(event.join_code, event.joining_open, event.flood_since_ms,
                               event.flood_until_ms, event.card_flood_since_ms,
                               event.card_flood_until_ms, bump(db, session_id))
        except IntegrityError:
            continue  # another event has that code: draw again
    raise RuntimeError("could not draw a unique join code")


def change_joining(engine: Engine, session_id: str, now_ms: int, open_: bool | None = None,
                   new_code: bool = False) -> Joining:
    """Open or close joining, and/or draw a new join code (the old one is refused from
    the commit on, as replaced)."""
    def change(db, event: EventSession) -> None:
        if open_ is not None:
            event.joining_open = open_
        if new_code:
            _replace_code(db, event, now_ms)

    return _change_event(engine, session_id, change)


def renew_after_flood(engine: Engine, session_id: str, flooded_code: str, since_ms: int,
                      now_ms: int) -> Joining | None:
    """A new join code because a flood used `flooded_code`, and the flood's window kept
    for the facilitator's review (one window however often it happens before the review);
    None when the code was replaced already (by the facilitator or a parallel join)."""
    def change(db, event: EventSession) -> bool:
        if event.join_code != auth.clean_join_code(flooded_code):
            return False
        _replace_code(db, event, now_ms)
        # joins that committed while this waited for the event's row count too
        latest = db.exec(select(func.max(Participant.joined_at_ms))
                         .where(Participant.session_id == session_id)).one()
        event.flood_since_ms = min(since_ms, event.flood_since_ms or since_ms)
        event.flood_until_ms = max(now_ms, latest or now_ms)
        return True

    return _change_event(engine, session_id, change)


def _replace_code(db, event: EventSession, now_ms: int) -> None:
    db.merge(ReplacedJoinCode(code=event.join_code, session_id=event.id,
                              replaced_at_ms=now_ms))
    event.join_code = auth.new_join_code()


def card_flood_seen(engine: Engine, session_id: str, since_ms: int,
                    now_ms: int) -> Joining:
    """Cards over an address's budget, refused at `now_ms`: the window of the card flood
    (one window however often it happens before the review) reaches that far."""
    def change(_db, event: EventSession) -> None:
        event.card_flood_since_ms = min(since_ms, event.card_flood_since_ms or since_ms)
        event.card_flood_until_ms = max(now_ms, event.card_flood_until_ms or now_ms)

    return _change_event(engine, session_id, change)


def flood_reviewed(engine: Engine, session_id: str) -> Joining:
    """The facilitator has looked at who joined or wrote in the floods: the notice goes."""
    def change(_db, event: EventSession) -> None:
        event.flood_since_ms = event.flood_until_ms = None
        event.card_flood_since_ms = event.card_flood_until_ms = None

    return _change_event(engine, session_id, change)


@dataclass(frozen=True)
class Removal:
    removed: tuple[int, ...]
    seating: SeatingNow
    hidden: tuple[CardRecord, ...]
    """Their cards hidden by this removal."""
    votes: tuple[VoteRecord | GroupVoteRecord, ...]
    """Their dots on cards and on groups, now 0."""
    seq: int


def remove_participants(engine: Engine, session_id: str, participant_ids: Iterable[int],
                        hide_cards: bool) -> Removal:
    """Delete participants, all or none: their tokens, seats and dots go with the rows;
    their cards stay on the board (without their names) unless `hide_cards`."""
    ids = tuple(dict.fromkeys(participant_ids))
    with writing(engine) as db:
        locked_clock(db, session_id)
        people = db.exec(select(Participant).where(Participant.id.in_(ids),
                                                   Participant.session_id == session_id)
                         ).all() if ids else []
        if not ids or len(people) != len(ids):
            raise Refusal("not_found", N_("There is no such participant in this event."))
        votes = (*(VoteRecord(v.participant_id, v.card_id, 0) for v in db.exec(
            select(Vote).where(Vote.participant_id.in_(ids))).all()),
                 *(GroupVoteRecord(v.participant_id, v.group_id, 0) for v in db.exec(
                     select(GroupVote).where(GroupVote.participant_id.in_(ids))).all()))
        hidden = []
        if hide_cards:
            for card in db.exec(select(Card).where(Card.participant_id.in_(ids),
                                                   Card.hidden == False)).all():  # noqa: E712
                card.hidden = True
                db.add(card)
                hidden.append(card)
        for person in people:
            db.delete(person)
        db.flush()
        for card in hidden:
            db.refresh(card)
        return Removal(ids, seating_now(db, session_id),
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

