"""Shared pieces of the database side: the event row, its change number, the program."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, select

from app import rounds
from app.i18n import N_
from app.refusal import Refusal
from app.store.models import EventSession, Phase, RunState

NO_EVENT = N_("There is no such event.")


def no_event() -> Refusal:
    return Refusal("not_found", NO_EVENT)


def bump(db: Session, session_id: str) -> int:
    """The event's next change number, in this write transaction. The row stays locked
    until the commit, so numbers follow the order of commits (app/live/changes.py)."""
    seq = db.execute(update(EventSession).where(EventSession.id == session_id)
                     .values(seq=EventSession.seq + 1).returning(EventSession.seq)).scalar()
    if seq is None:
        raise no_event()
    return seq


def _locked(db: Session, column, session_id: str):
    """The event's row of `column`'s table, locked until the commit (FOR UPDATE)."""
    row = db.exec(select(column.class_).where(column == session_id).with_for_update()).first()
    if row is None:
        raise no_event()
    return row


def locked_event(db: Session, session_id: str) -> EventSession:
    return _locked(db, EventSession.id, session_id)


def locked_clock(db: Session, session_id: str) -> RunState:
    return _locked(db, RunState.session_id, session_id)


def program_of(db: Session, session_id: str) -> list[rounds.PhaseSpec]:
    phases = db.exec(select(Phase).where(Phase.session_id == session_id)
                     .order_by(Phase.position)).all()
    return [rounds.PhaseSpec(p.kind, p.title, p.minutes, p.question, p.moves) for p in phases]


def clock_of(row: RunState) -> rounds.ClockState:
    return rounds.ClockState(row.phase_index, row.status, row.started_at_ms, row.ends_at_ms,
                             row.remaining_ms)
