"""Event sessions in the database: create, edit, load, identify tokens, join, and drive the
clock. Routes call these; the pure rules live in rounds.py and tables.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from app import auth, rounds, tables
from app.db import reading, writing
from app.hub import Event
from app.i18n import N_, translate
from app.models import CafeTable, EventSession, Participant, Phase, RunState
from app.schemas import InputError, JoinIn, PhaseIn, SessionIn, SessionPatch, TableIn


class NotFound(LookupError):
    pass


@dataclass
class SessionView:
    """Everything the views and the JSON API show about one event, loaded in one go."""

    session: EventSession
    tables: list[CafeTable]
    program: list[rounds.PhaseSpec]
    clock: rounds.ClockState
    participants: list[Participant] = field(default_factory=list)

    @property
    def phase(self) -> rounds.PhaseSpec:
        return self.program[self.clock.phase_index]

    def table(self, table_id: int | None) -> CafeTable | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def seated_at(self, table_id: int) -> list[Participant]:
        return [p for p in self.participants if p.home_table_id == table_id]


def _program_of(spec: str | list[PhaseIn], language: str) -> list[rounds.PhaseSpec]:
    if isinstance(spec, str):
        return rounds.preset(spec, lambda msgid: translate(language, msgid))
    return [
        rounds.PhaseSpec(p.kind, p.title, p.minutes, p.question, p.moves_or_default())
        for p in spec
    ]


def _write_program(db: Session, session_id: str, program: list[rounds.PhaseSpec]) -> None:
    db.exec(delete(Phase).where(Phase.session_id == session_id))
    db.flush()
    for position, spec in enumerate(program):
        db.add(Phase(session_id=session_id, position=position, kind=spec.kind,
                     title=spec.title, minutes=spec.minutes, question=spec.question,
                     moves=spec.moves))


def _clock_row(clock: rounds.ClockState, row: RunState) -> RunState:
    row.phase_index = clock.phase_index
    row.status = clock.status
    row.started_at_ms = clock.started_at_ms
    row.ends_at_ms = clock.ends_at_ms
    row.remaining_ms = clock.remaining_ms
    row.version += 1
    return row


def _clock_of(row: RunState) -> rounds.ClockState:
    return rounds.ClockState(row.phase_index, row.status, row.started_at_ms, row.ends_at_ms,
                             row.remaining_ms)


def _new_table(session_id: str, number: int, spec: TableIn) -> CafeTable:
    return CafeTable(session_id=session_id, number=number, name=spec.name, theme=spec.theme,
                     capacity=spec.capacity, host_token=auth.new_token())


def create_session(engine: Engine, spec: SessionIn, now_ms: int) -> SessionView:
    program = _program_of(spec.program, spec.language)
    for _attempt in range(5):
        session_id, join_code = auth.new_session_id(), auth.new_join_code()
        try:
            with writing(engine) as db:
                db.add(EventSession(id=session_id, title=spec.title, language=spec.language,
                                    join_code=join_code, facilitator_token=auth.new_token(),
                                    projector_token=auth.new_token(), created_at_ms=now_ms))
                db.flush()
                for number, table in enumerate(spec.tables, start=1):
                    db.add(_new_table(session_id, number, table))
                _write_program(db, session_id, program)
                db.add(_clock_row(rounds.initial_state(program), RunState(session_id=session_id)))
            return load_view(engine, session_id)
        except IntegrityError:
            continue  # a join code or id clash: draw again
    raise RuntimeError("could not draw a unique join code")


def _load(db: Session, session_id: str, with_participants: bool = True) -> SessionView:
    event = db.get(EventSession, session_id)
    if event is None:
        raise NotFound(session_id)
    cafe_tables = db.exec(select(CafeTable).where(CafeTable.session_id == session_id)
                          .order_by(CafeTable.number)).all()
    phases = db.exec(select(Phase).where(Phase.session_id == session_id)
                     .order_by(Phase.position)).all()
    program = [rounds.PhaseSpec(p.kind, p.title, p.minutes, p.question, p.moves) for p in phases]
    clock = _clock_of(db.get(RunState, session_id))
    people = []
    if with_participants:
        people = db.exec(select(Participant).where(Participant.session_id == session_id)
                         .order_by(Participant.id)).all()
    return SessionView(event, list(cafe_tables), program, clock, list(people))


def load_view(engine: Engine, session_id: str) -> SessionView:
    with reading(engine) as db:
        return _load(db, session_id)


def session_id_for_join_code(engine: Engine, join_code: str) -> str | None:
    code = auth.clean_join_code(join_code)
    with reading(engine) as db:
        return db.exec(select(EventSession.id).where(EventSession.join_code == code)).first()


def identify(engine: Engine, session_id: str, token: str | None) -> auth.Identity | None:
    """Who holds `token` in this event, or None."""
    if not token:
        return None
    with reading(engine) as db:
        event = db.get(EventSession, session_id)
        if event is None:
            return None
        if token == event.facilitator_token:
            return auth.Identity(auth.FACILITATOR, session_id)
        if token == event.projector_token:
            return auth.Identity(auth.PROJECTOR, session_id)
        table_id = db.exec(select(CafeTable.id).where(
            CafeTable.session_id == session_id, CafeTable.host_token == token)).first()
        if table_id is not None:
            return auth.Identity(auth.HOST, session_id, table_id=table_id)
        person = db.exec(select(Participant).where(
            Participant.session_id == session_id, Participant.token == token)).first()
        if person is not None:
            return auth.Identity(auth.PARTICIPANT, session_id, table_id=person.home_table_id,
                                 participant_id=person.id)
    return None


def _locked_clock(db: Session, session_id: str) -> RunState:
    row = db.exec(select(RunState).where(RunState.session_id == session_id)
                  .with_for_update()).first()
    if row is None:
        raise NotFound(session_id)
    return row


def control(engine: Engine, session_id: str, action: str, now_ms: int, *,
            seconds: int | None = None, phase_index: int | None = None,
            from_phase: int | None = None) -> rounds.Transition:
    """Apply a facilitator action inside one write transaction, so two consoles clicking at
    once take turns and the second sees the first one's result."""
    with writing(engine) as db:
        row = _locked_clock(db, session_id)
        program = _load(db, session_id, with_participants=False).program
        transition = rounds.apply(program, _clock_of(row), action, now_ms, seconds=seconds,
                                  phase_index=phase_index, expected_phase=from_phase)
        if transition.changed:
            db.add(_clock_row(transition.state, row))
    return transition


def _apply_tables(db: Session, view: SessionView, specs: list[TableIn]) -> None:
    """Tables keep their number, id and host token; extra rows add tables; a table can only
    be removed while nobody calls it home."""
    existing = view.tables
    for table, spec in zip(existing, specs, strict=False):
        table.name, table.theme, table.capacity = spec.name, spec.theme, spec.capacity
        db.add(table)
    for number, spec in enumerate(specs[len(existing):], start=len(existing) + 1):
        db.add(_new_table(view.session.id, number, spec))
    for table in existing[len(specs):]:
        if view.seated_at(table.id):
            raise InputError(N_("Table %(number)s still has participants; it cannot be removed."),
                             number=table.number)
        db.delete(table)


def update_session(engine: Engine, session_id: str, patch: SessionPatch) -> SessionView:
    with writing(engine) as db:
        row = _locked_clock(db, session_id)
        view = _load(db, session_id)
        if patch.title is not None:
            view.session.title = patch.title
        if patch.language is not None:
            view.session.language = patch.language
        db.add(view.session)
        if patch.tables is not None:
            _apply_tables(db, view, patch.tables)
        if patch.program is not None:
            program = _program_of(patch.program, view.session.language)
            _write_program(db, session_id, program)
            db.add(_clock_row(rounds.reprogram(program, _clock_of(row)), row))
    return load_view(engine, session_id)


def join(engine: Engine, session_id: str, spec: JoinIn, now_ms: int) -> Participant:
    """Add a participant at the least crowded table of the theme they chose."""
    with writing(engine) as db:
        view = _load(db, session_id)
        if view.clock.status == rounds.FINISHED:
            raise InputError(N_("This event has finished; joining is closed."))
        occupancy = {t.id: len(view.seated_at(t.id)) for t in view.tables}
        plan_tables = [tables.Table(t.id, t.capacity, t.theme or None) for t in view.tables]
        home = tables.choose_home_table(plan_tables, occupancy, spec.theme or None)
        person = Participant(session_id=session_id, name=spec.name,
                             affiliation=spec.affiliation, theme=spec.theme,
                             expectation=spec.expectation, home_table_id=home,
                             token=auth.new_token(), joined_at_ms=now_ms)
        db.add(person)
        db.flush()
        db.refresh(person)
    return person


def joined_event(person: Participant) -> Event:
    return Event(person.session_id, "participant", {
        "id": person.id, "name": person.name, "affiliation": person.affiliation,
        "home_table": person.home_table_id})
