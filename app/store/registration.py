"""Pre-registration in the database: the office's list of applications stored in one
transaction (everyone or no one), the reception ticking people in, and the tokens their
name tags carry. Pre-registered people are not seated until they arrive
(PersonRecord.present)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, select

from app import auth, rounds, tables
from app.i18n import N_
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import RegisteredIn
from app.store import seating
from app.store.db import reading, writing
from app.store.models import Participant
from app.store.records import PersonRecord, record_of
from app.store.rows import bump
from app.store.sessions import (
    SeatingNow,
    refuse_if_anonymised,
    seating_change,
    seating_now,
    view_of,
)


@dataclass(frozen=True)
class Registered:
    people: tuple[tuple[PersonRecord, str], ...]
    """Each person stored, with their token, in the order of the list."""
    seating: SeatingNow
    seq: int


def register_all(engine: Engine, session_id: str, people: Sequence[RegisteredIn],
                 now_ms: int, max_participants: int) -> Registered:
    """Store everyone on the list, not arrived, each at a table of the theme they chose,
    in the list's order, as if they joined (tables.choose_home_table); a refusal stores
    no one."""
    with writing(engine) as db:
        view = view_of(db, session_id, with_board=False)
        if view.clock.status == rounds.FINISHED:
            raise Refusal("finished", N_("This event has finished."))
        refuse_if_anonymised(view)
        if len(view.participants) + len(people) > max_participants:
            raise Refusal("event_full", N_("This event is full (%(limit)s participants)."),
                          limit=max_participants)
        seated = view.home_affiliations()
        plan_tables = [tables.Table(t.id, t.capacity, t.theme or None) for t in view.tables]
        rows = []
        for spec in people:
            home = tables.choose_home_table(plan_tables, seated, spec.theme or None,
                                            spec.affiliation)
            seated[home].append(spec.affiliation)
            rows.append(Participant(
                session_id=session_id, name=spec.name, furigana=spec.furigana,
                email=spec.email, affiliation=spec.affiliation, theme=spec.theme,
                home_table_id=home, token=auth.new_token(), joined_at_ms=now_ms,
                arrived=False))
        db.add_all(rows)
        db.flush()
        stored = tuple((record_of(PersonRecord, row), row.token) for row in rows)
        return Registered(stored, seating_now(db, session_id), bump(db, session_id))


def arrive(engine: Engine, session_id: str, participant_id: int) -> tuple[SeatingNow, int]:
    """The reception ticks someone in; once the moves are planned they are seated like a
    latecomer, moving nobody else."""
    def change(db: Session, view: EventView) -> None:
        person = view.person(participant_id)
        if person is None:
            raise Refusal("refused", N_("There is no such participant in this event."))
        if person.arrived:
            return
        row = db.get(Participant, participant_id)
        row.arrived = True
        db.add(row)
        db.flush()
        seating.place_latecomer(db, session_id, view.program, view.tables,
                                [p if p.id != person.id else record_of(PersonRecord, row)
                                 for p in view.participants])

    return seating_change(engine, session_id, change)


def tokens(engine: Engine, session_id: str) -> dict[int, str]:
    """Every participant's token: their name tag's QR code is their own phone link."""
    with reading(engine) as db:
        return dict(db.exec(select(Participant.id, Participant.token)
                            .where(Participant.session_id == session_id)).all())
