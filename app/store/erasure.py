"""Erasing names in the database: an event's participants made anonymous (「参加者1」…,
no reading, no email) with every link but the facilitator's revoked, or the event deleted
with everything under it. The action then compacts the database (db.compact), so the bytes
the old rows leave behind go too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete
from sqlmodel import select

from app import auth
from app.store.db import reading, writing
from app.store.models import CafeTable, EventSession, Participant
from app.store.rows import bump, locked_event

NAMED_TABLES = ("participant", "event_session", "cafe_table")
"""The tables whose old rows held names or tokens (db.compact vacuums them)."""


@dataclass(frozen=True)
class Anonymised:
    people: int
    """How many participants were renamed."""
    at_ms: int
    seq: int


def anonymise(engine: Engine, session_id: str, now_ms: int,
              label: Callable[[str, int], str]) -> Anonymised | None:
    """Each participant, in the order they joined, named `label(the event's language,
    n)` (n from 1) with no
    reading or email, and given a token nobody holds; every host and the projector a new
    token, the co-facilitator's link gone; joining closed. The facilitator's own token
    stays: the organiser still opens the event for its report. Cards, groups, dots and
    survey answers stay as they are (they refer to people by id only). None when the
    event's names were erased already."""
    with writing(engine) as db:
        event = locked_event(db, session_id)
        if event.anonymised_at_ms is not None:
            return None
        people = db.exec(select(Participant).where(Participant.session_id == session_id)
                         .order_by(Participant.id)).all()
        for number, person in enumerate(people, start=1):
            person.name, person.furigana, person.email = label(event.language, number), "", ""
            person.token = auth.new_token()
            db.add(person)
        for table in db.exec(select(CafeTable).where(CafeTable.session_id == session_id)):
            table.host_token = auth.new_token()
            db.add(table)
        event.projector_token = auth.new_token()
        event.cofacilitator_token = None
        event.joining_open = False
        event.anonymised_at_ms = now_ms
        db.add(event)
        db.flush()
        return Anonymised(len(people), now_ms, bump(db, session_id))


def delete_event(engine: Engine, session_id: str) -> int:
    """The event and everything under it (the foreign keys cascade); the `seq` its last
    change would have had, for the screens' sign-out."""
    with writing(engine) as db:
        seq = locked_event(db, session_id).seq + 1
        db.execute(delete(EventSession).where(EventSession.id == session_id))
        return seq


def finished_before(engine: Engine, before_ms: int) -> list[str]:
    """The events that finished before `before_ms` and still hold their names."""
    with reading(engine) as db:
        return list(db.exec(select(EventSession.id).where(
            EventSession.finished_at_ms < before_ms,
            EventSession.anonymised_at_ms.is_(None))).all())
