"""Event sessions in the database: create, edit, load, identify tokens, join, drive the
clock and change the seating. The rules live in rounds.py and tables.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Integer, func, literal, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from app import auth, rounds, tables
from app.i18n import N_, translate
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import DETAILS, ArrivalIn, PhaseIn, SessionIn, SessionPatch, TableIn
from app.store import action_plan, photos, seating, series, survey
from app.store.db import connected, reading, writing
from app.store.models import (
    CafeTable,
    Card,
    CardGroup,
    ClockEntry,
    EventSession,
    GroupVote,
    Participant,
    Phase,
    ReplacedJoinCode,
    RunState,
    Vote,
)
from app.store.records import (
    CardRecord,
    ClockEntryRecord,
    EventRecord,
    GroupRecord,
    GroupVoteRecord,
    PersonRecord,
    TableRecord,
    VoteRecord,
    record_fields,
    record_of,
)
from app.store.rows import bump, clock_of, locked_clock, no_event, program_of

log = logging.getLogger(__name__)


def program_from(spec: str | list[PhaseIn], language: str) -> list[rounds.PhaseSpec]:
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


def _new_table(session_id: str, number: int, spec: TableIn) -> CafeTable:
    return CafeTable(session_id=session_id, number=number, name=spec.name, theme=spec.theme,
                     capacity=spec.capacity, host_token=auth.new_token())


def create_session(engine: Engine, spec: SessionIn, now_ms: int,
                   also: Callable[[Session, str], None] | None = None) -> EventView:
    """A new event; `also(db, its id)` adds to it in the same transaction (a follow-up's
    series and what it carries over: store/series.py)."""
    program = program_from(spec.program, spec.language)
    for _attempt in range(5):
        session_id, join_code = auth.new_session_id(), auth.new_join_code()
        try:
            with writing(engine) as db:
                db.add(EventSession(id=session_id, title=spec.title, language=spec.language,
                                    join_code=join_code, facilitator_token=auth.new_token(),
                                    projector_token=auth.new_token(), created_at_ms=now_ms,
                                    card_max_length=spec.card_max_length,
                                    **{name: getattr(spec, name) for name in DETAILS}))
                db.flush()
                for number, table in enumerate(spec.tables, start=1):
                    db.add(_new_table(session_id, number, table))
                _write_program(db, session_id, program)
                db.add(_clock_row(rounds.initial_state(program), RunState(session_id=session_id)))
                if also is not None:
                    db.flush()
                    also(db, session_id)
            return load_view(engine, session_id)
        except IntegrityError:
            continue  # a join code or id clash: draw again
    raise RuntimeError("could not draw a unique join code")


def create_follow_up(engine: Engine, source: EventRecord, spec: SessionIn,
                     carry: series.Carry, now_ms: int) -> EventView:
    """The next event of `source`'s series (starting one with `source`), made like any
    event, with what it carries over written in the same transaction."""
    def also(db: Session, session_id: str) -> None:
        series.join_series(db, source, session_id)
        series.carry_into(db, source, session_id, carry, now_ms)

    return create_session(engine, spec, now_ms, also)


def series_overview(engine: Engine, session_id: str) -> list[series.SeriesEvent]:
    with reading(engine) as db:
        event = db.get(EventSession, session_id)
        if event is None:
            raise no_event()
        return series.overview(db, record_of(EventRecord, event))


def series_views(engine: Engine, session_id: str) -> list[EventView]:
    """Every event of the series `session_id` belongs to, first first, each with its
    board (the series report), read in one transaction."""
    with reading(engine) as db:
        event = db.get(EventSession, session_id)
        if event is None:
            raise no_event()
        return [view_of(db, member.id)
                for member in series.series_members(db, record_of(EventRecord, event))]


def series_seq(engine: Engine, session_id: str) -> int:
    """The change numbers of every event of the series added up: it grows with any
    change of any of them (the series report is made again then)."""
    with reading(engine) as db:
        event = db.get(EventSession, session_id)
        if event is None:
            raise no_event()
        if event.series_id is None:
            return event.seq
        return db.exec(select(func.sum(EventSession.seq))
                       .where(EventSession.series_id == event.series_id)).one()


def latest_self(engine: Engine, session_id: str, participant_id: int
                ) -> tuple[str, str] | None:
    with reading(engine) as db:
        return series.latest_self(db, session_id, participant_id)


def _records(db: Session, cls, model, session_id: str, *order) -> list:
    """The event's rows of `model` as records of `cls`: only the record's columns are
    read, straight into the records (a hall's 2000 cards, without building ORM objects)."""
    columns = [getattr(model, name) for name in record_fields(cls)]
    rows = db.execute(select(*columns).where(model.session_id == session_id).order_by(*order))
    return [cls(*row) for row in rows]


def view_of(db: Session, session_id: str, with_board: bool = True) -> EventView:
    """The whole event as one view, read in the caller's transaction (so it shows one
    committed state, the one of its `seq`)."""
    event = db.get(EventSession, session_id)
    if event is None:
        raise no_event()
    board = {}
    asked, answers = survey.survey_of(db, session_id)
    actions, steps, hands = action_plan.actions_of(db, session_id)
    event_record = record_of(EventRecord, event)
    people = _records(db, PersonRecord, Participant, session_id, Participant.id)
    if event.series_id is not None:
        board["sessions_before"] = [(e.id, e.title) for e in series.events_of_series(
            db, event.series_id) if e.created_at_ms < event.created_at_ms]
        board["carried"] = series.carried_groups(db, session_id)
        board["met_before"] = series.earlier_pairs(db, event_record, people)
    if with_board:
        board |= {"cards": _records(db, CardRecord, Card, session_id),
                 "groups": _records(db, GroupRecord, CardGroup, session_id, CardGroup.id),
                 "votes": _records(db, VoteRecord, Vote, session_id),
                 "group_votes": _records(db, GroupVoteRecord, GroupVote, session_id)}
    return EventView(
        event_record,
        _records(db, TableRecord, CafeTable, session_id, CafeTable.number),
        program_of(db, session_id), clock_of(db.get(RunState, session_id)),
        people, seating.seats_of(db, session_id), seq=event.seq, survey=asked,
        survey_answers=answers, actions=actions, action_steps=steps, volunteers=hands,
        photos=photos.photos_of(db, session_id), **board)


def load_view(engine: Engine, session_id: str, with_board: bool = True) -> EventView:
    """The event as it is committed now; without its board (cards, groups, votes) when only
    the event, its tables, people and clock are needed."""
    with reading(engine) as db:
        return view_of(db, session_id, with_board)


def committed_seq(engine: Engine, session_id: str) -> int | None:
    """The event's change number as committed now (None: no such event): whether a view
    kept from earlier still shows the event as it is."""
    with reading(engine) as db:
        return db.exec(select(EventSession.seq).where(EventSession.id == session_id)).first()


STATE_PREPARING, STATE_RUNNING, STATE_FINISHED, STATE_ANONYMISED = (
    "preparing", "running", "finished", "anonymised")
"""An event's state on the start page's list."""


@dataclass(frozen=True)
class EventSummary:
    """One line of the events on this server: enough to find it and open its console."""

    event: EventRecord
    people: int
    state: str
    """STATE_PREPARING (its clock not started), _RUNNING, _FINISHED or _ANONYMISED."""
    finished_at_ms: int | None

    def erase_on(self, after_ms: int) -> str:
        """The day (YYYY-MM-DD, in the event's time zone) its names will be erased by the
        server; "" when they will not be (not finished, erased already, 0: never)."""
        if self.state != STATE_FINISHED or after_ms <= 0:
            return ""
        at = datetime.fromtimestamp((self.finished_at_ms + after_ms) / 1000,
                                    ZoneInfo(self.event.time_zone))
        return at.date().isoformat()


def _state(event: EventSession, clock: RunState | None) -> str:
    if event.anonymised_at_ms is not None:
        return STATE_ANONYMISED
    if event.finished_at_ms is not None:
        return STATE_FINISHED
    if clock is None or (clock.status == rounds.READY and clock.phase_index == 0):
        return STATE_PREPARING
    return STATE_RUNNING


def recent_events(engine: Engine, limit: int) -> list[EventSummary]:
    """The events created most recently, with how many joined each and their state."""
    with reading(engine) as db:
        rows = db.exec(select(EventSession, RunState)
                       .join(RunState, RunState.session_id == EventSession.id, isouter=True)
                       .order_by(EventSession.created_at_ms.desc()).limit(limit)).all()
        counts = dict(db.exec(
            select(Participant.session_id, func.count(Participant.id))
            .where(Participant.session_id.in_([row.id for row, _clock in rows]))
            .group_by(Participant.session_id)).all()) if rows else {}
        return [EventSummary(record_of(EventRecord, row), counts.get(row.id, 0),
                             _state(row, clock), row.finished_at_ms)
                for row, clock in rows]


def session_id_for_join_code(engine: Engine, join_code: str) -> str | None:
    code = auth.clean_join_code(join_code)
    with reading(engine) as db:
        return db.exec(select(EventSession.id).where(EventSession.join_code == code)).first()


def session_id_for_replaced_code(engine: Engine, join_code: str) -> str | None:
    """The event whose join code this was before it was replaced."""
    code = auth.clean_join_code(join_code)
    with reading(engine) as db:
        replaced = db.get(ReplacedJoinCode, code)
        return None if replaced is None else replaced.session_id


@dataclass(frozen=True)
class SignedIn:
    identity: auth.Identity | None
    token: str | None
    language: str | None
    """None: there is no such event."""
    finished_at_ms: int | None
    """When the event finished (its tokens expire some time after)."""


def signed_in(engine: Engine, session_id: str, candidates,
              finished_after_ms: int) -> SignedIn:
    """The first of (role, token) pairs valid here for its role (None: any role), its
    token, and the event's language: one query for all of them, since every page, socket
    and request asks it. An event that finished before `finished_after_ms` has no valid
    tokens any more."""
    candidates = [(role, token) for role, token in candidates if token]
    tokens = list(dict.fromkeys(token for _, token in candidates)) or [""]
    event = EventSession.__table__.c
    table, person = CafeTable.__table__.c, Participant.__table__.c
    for_event = event.id == session_id
    none = literal(None, Integer)  # PostgreSQL wants each column of a union typed alike
    query = union_all(
        select(literal("language"), event.language, event.finished_at_ms, none)
        .where(for_event),
        select(literal(auth.FACILITATOR), event.facilitator_token, none, none)
        .where(for_event, event.facilitator_token.in_(tokens)),
        select(literal(auth.CO_FACILITATOR), event.cofacilitator_token, none, none)
        .where(for_event, event.cofacilitator_token.in_(tokens)),
        select(literal(auth.PROJECTOR), event.projector_token, none, none)
        .where(for_event, event.projector_token.in_(tokens)),
        select(literal(auth.HOST), table.host_token, table.id, none)
        .where(table.session_id == session_id, table.host_token.in_(tokens)),
        select(literal(auth.PARTICIPANT), person.token, person.home_table_id, person.id)
        .where(person.session_id == session_id, person.token.in_(tokens)))
    with connected(engine) as connection:
        rows = connection.execute(query).all()
    language, finished = next(((value, at) for kind, value, at, _ in rows
                               if kind == "language"), (None, None))
    if finished is not None and finished < finished_after_ms:
        return SignedIn(None, None, language, finished)  # its tokens have expired
    holders = {value: _holder(kind, session_id, table_id, participant_id)
               for kind, value, table_id, participant_id in rows if kind != "language"}
    for role, token in candidates:
        identity = holders.get(token)
        if identity is not None and role in (None, identity.role):
            return SignedIn(identity, token, language, finished)
    return SignedIn(None, None, language, finished)


def _holder(kind: str, session_id: str, table_id: int | None,
            participant_id: int | None) -> auth.Identity:
    if kind == auth.CO_FACILITATOR:
        return auth.Identity(auth.FACILITATOR, session_id, co_facilitator=True)
    return auth.Identity(kind, session_id, table_id=table_id, participant_id=participant_id)


@dataclass(frozen=True)
class SeatingNow:
    """The seating after a change, as SeatingChanged carries it."""

    seats: tuple[tuple[int, int, int], ...]
    people: tuple[PersonRecord, ...]


def seating_now(db: Session, session_id: str) -> SeatingNow:
    db.flush()
    return SeatingNow(seating.seat_triples(seating.seats_of(db, session_id)),
                      tuple(_records(db, PersonRecord, Participant, session_id, Participant.id)))


@dataclass(frozen=True)
class ClockChange:
    transition: rounds.Transition
    seating: SeatingNow | None
    """Set when this change planned the moves."""
    seq: int | None
    """None when nothing changed."""


def control(engine: Engine, session_id: str, action: str, now_ms: int, *,
            seconds: int | None = None, phase_index: int | None = None,
            from_phase: int | None = None) -> ClockChange:
    """Apply a facilitator action inside one write transaction, so two consoles clicking at
    once take turns and the second sees the first one's result. Every change is also
    logged (`clock_log`): the report tells the minutes each phase actually ran."""
    with writing(engine) as db:
        row = locked_clock(db, session_id)
        view = view_of(db, session_id, with_board=False)
        transition = rounds.apply(view.program, clock_of(row), action, now_ms,
                                  seconds=seconds, phase_index=phase_index,
                                  expected_phase=from_phase)
        if not transition.changed:
            return ClockChange(transition, None, None)
        db.add(_clock_row(transition.state, row))
        db.add(ClockEntry(session_id=session_id, at_ms=now_ms,
                          phase_index=transition.state.phase_index,
                          status=transition.state.status))
        event = db.get(EventSession, session_id)
        finished = transition.state.status == rounds.FINISHED
        event.finished_at_ms = (event.finished_at_ms or now_ms) if finished else None
        db.add(event)
        planned = _plan_if_moving(db, view, transition.state.phase_index)
        return ClockChange(transition, seating_now(db, session_id) if planned else None,
                           bump(db, session_id))


def clock_log(engine: Engine, session_id: str) -> list[ClockEntryRecord]:
    """Every change of the event's clock, oldest first (the report's programme)."""
    with reading(engine) as db:
        return _records(db, ClockEntryRecord, ClockEntry, session_id, ClockEntry.id)


def _plan_if_moving(db: Session, view: EventView, phase_index: int) -> bool:
    """The first time people move, seat everyone who joined for every moving round. A plan
    that cannot be made (too few people) leaves everyone at home rather than stop the clock."""
    try:
        return seating.ensure_planned(db, view.event.id, view.program, view.tables,
                                      view.participants, phase_index)
    except Refusal:
        log.warning("no seating plan for %s", view.event.id, exc_info=True)
        return False


def _apply_tables(db: Session, view: EventView, specs: list[TableIn]) -> None:
    """Tables keep their number, id and host token; extra rows add tables; a table can only
    be removed while nobody calls it home."""
    existing = [db.get(CafeTable, t.id) for t in view.tables]
    for table, spec in zip(existing, specs, strict=False):
        table.name, table.theme, table.capacity = spec.name, spec.theme, spec.capacity
        db.add(table)
    for number, spec in enumerate(specs[len(existing):], start=len(existing) + 1):
        db.add(_new_table(view.event.id, number, spec))
    for table in existing[len(specs):]:
        if view.seated_at(table.id, 0):
            raise Refusal("refused",
                          N_("Table %(number)s still has participants; it cannot be removed."),
                          number=table.number)
        db.delete(table)


def set_host_affiliation(engine: Engine, session_id: str, table_id: int,
                         affiliation: str) -> tuple[TableRecord, int]:
    """A table host's own affiliation; the table as it is now and the new `seq`."""
    with writing(engine) as db:
        table = db.get(CafeTable, table_id)
        if table is None or table.session_id != session_id:
            raise Refusal("not_found", N_("There is no such table in this event."))
        table.host_affiliation = affiliation
        db.add(table)
        seq = bump(db, session_id)
        return record_of(TableRecord, table), seq


def update_session(engine: Engine, session_id: str, patch: SessionPatch) -> int:
    """Edit the title, language, card length, tables or program; the new `seq`."""
    with writing(engine) as db:
        row = locked_clock(db, session_id)
        view = view_of(db, session_id, with_board=False)
        event = db.get(EventSession, session_id)
        if patch.title is not None:
            event.title = patch.title
        if patch.language is not None:
            event.language = patch.language
        if patch.card_max_length is not None:
            event.card_max_length = patch.card_max_length
        for name in DETAILS:
            if getattr(patch, name) is not None:
                setattr(event, name, getattr(patch, name))
        db.add(event)
        if patch.tables is not None:
            _apply_tables(db, view, patch.tables)
        if patch.program is not None:
            program = program_from(patch.program, event.language)
            _write_program(db, session_id, program)
            db.add(_clock_row(rounds.reprogram(program, clock_of(row)), row))
        return bump(db, session_id)


@dataclass(frozen=True)
class Arrival:
    person: PersonRecord
    token: str
    seats: tuple[tuple[int, int], ...]
    """(round, table id) of the newcomer's seats, once the moves are planned."""
    planned: bool
    seq: int


def join(engine: Engine, session_id: str, spec: ArrivalIn, now_ms: int,
         max_participants: int = 500, at_reception: bool = False) -> Arrival:
    """Add a participant at the table of the theme they chose that their affiliation mixes
    best (tables.choose_home_table); once the
    moves are planned, seat them in every moving round without moving anyone else. The
    reception desk (`at_reception`) may add someone while joining by phone is closed (and
    asks for their consent on paper); a phone's join needs it when the event has a privacy
    notice."""
    with writing(engine) as db:
        view = view_of(db, session_id, with_board=False)
        if view.clock.status == rounds.FINISHED:
            raise Refusal("refused", N_("This event has finished; joining is closed."))
        refuse_if_anonymised(view)
        if not view.event.joining_open and not at_reception:
            raise joining_closed()
        if view.event.privacy_notice and not at_reception and not spec.consent:
            raise Refusal("invalid", N_("Please agree to how your data is used to join."))
        if len(view.participants) >= max_participants:
            raise Refusal("event_full", N_("This event is full (%(limit)s participants)."),
                          limit=max_participants)
        plan_tables = [tables.Table(t.id, t.capacity, t.theme or None) for t in view.tables]
        home = tables.choose_home_table(plan_tables, view.home_affiliations(),
                                        spec.theme or None, spec.affiliation)
        person = Participant(session_id=session_id, name=spec.name,
                             affiliation=spec.affiliation, theme=spec.theme,
                             expectation=spec.expectation, home_table_id=home,
                             token=auth.new_token(), joined_at_ms=now_ms)
        db.add(person)
        db.flush()
        db.refresh(person)
        record = record_of(PersonRecord, person)
        try:
            seating.place_latecomer(db, session_id, view.program, view.tables,
                                    [*view.participants, record])
        except Refusal:
            log.warning("latecomer %s stays at home in %s", person.id, session_id,
                        exc_info=True)
        db.flush()
        seats = tuple((round_index, seated[person.id])
                      for round_index, seated in sorted(seating.seats_of(db, session_id).items())
                      if person.id in seated)
        seq = bump(db, session_id)
        if not at_reception:
            _still_admitted(db, session_id, spec.join_code)
        return Arrival(record, person.token, seats, view.planned, seq)


def refuse_if_anonymised(view: EventView) -> None:
    """Nobody is added to an event whose names were erased (its list stays anonymous)."""
    if view.event.anonymised_at_ms is not None:
        raise Refusal("joining_closed", N_("The names of this event have been erased; "
                                           "nobody can join it any more."))


def _still_admitted(db: Session, session_id: str, join_code: str) -> None:
    """Checked again once the transaction holds the event's row (bump): a join that raced
    the replacement of its code (a flood answered) or the closing of joining is refused,
    not stored."""
    code, open_ = db.exec(select(EventSession.join_code, EventSession.joining_open)
                          .where(EventSession.id == session_id)).one()
    if not open_:
        raise joining_closed()
    if code != auth.clean_join_code(join_code):
        raise code_replaced()


def joining_closed() -> Refusal:
    return Refusal("joining_closed", N_("Joining is closed for now. Ask the facilitator."))


def code_replaced() -> Refusal:
    return Refusal("join_code_replaced",
                   N_("This join code has been replaced. Use the new one on the screen."))


def seating_change(engine: Engine, session_id: str, change) -> tuple[SeatingNow, int]:
    """Run a seating change in one write transaction; a plan that cannot be made is
    refused with the planner's reason and changes nothing."""
    with writing(engine) as db:
        locked_clock(db, session_id)
        view = view_of(db, session_id, with_board=False)
        change(db, view)
        return seating_now(db, session_id), bump(db, session_id)


def plan_now(engine: Engine, session_id: str) -> tuple[SeatingNow, int] | None:
    """Plan the moves now for everyone joined so far (store/seating.py plan_now); None,
    changing nothing, when they are planned already."""
    with writing(engine) as db:
        locked_clock(db, session_id)
        view = view_of(db, session_id, with_board=False)
        if not seating.plan_now(db, session_id, view.program, view.tables, view.participants):
            return None
        return seating_now(db, session_id), bump(db, session_id)


@dataclass(frozen=True)
class Rebalanced:
    moved: int
    """How many people got another home table."""
    seating: SeatingNow
    seq: int


def rebalance_homes(engine: Engine, session_id: str) -> Rebalanced:
    """New home tables for the best mix of affiliations (store/seating.py), only before
    the first round starts: `409 rounds_started` after."""
    with writing(engine) as db:
        locked_clock(db, session_id)
        view = view_of(db, session_id, with_board=False)
        if view.rounds_started:
            raise Refusal("rounds_started", N_("The rounds have started: the home tables "
                                               "stay as they are."))
        moved = seating.rebalance_homes(db, session_id, view.program, view.tables,
                                        view.participants)
        return Rebalanced(moved, seating_now(db, session_id), bump(db, session_id))


def move_by_hand(engine: Engine, session_id: str, participant_id: int, table_id: int,
                 phase_index: int | None = None) -> tuple[SeatingNow, int]:
    def change(db: Session, view: EventView) -> None:
        person, table = view.person(participant_id), view.table(table_id)
        if person is None or table is None:
            raise Refusal("refused", N_("There is no such participant or table in this event."))
        index = view.clock.phase_index if phase_index is None else phase_index
        if not 0 <= index < len(view.program):
            raise Refusal("refused", N_("There is no such phase in the program."))
        round_index = rounds.seating_rounds(view.program)[index]
        seating.move_by_hand(db, session_id, view.program, view.tables, view.participants,
                             person, table, round_index, view.seating_round)

    return seating_change(engine, session_id, change)


def set_absent(engine: Engine, session_id: str, participant_id: int, absent: bool,
               by: auth.Identity) -> tuple[SeatingNow, int]:
    """Hosts mark people at their own table in the current round; the facilitator anyone."""
    def change(db: Session, view: EventView) -> None:
        person = view.person(participant_id)
        if person is None:
            raise Refusal("refused", N_("There is no such participant in this event."))
        if by.role != auth.FACILITATOR and view.table_id_of(person) != by.table_id:
            raise Refusal("forbidden", N_("This person is not at your table."))
        seating.set_absent(db, session_id, view.program, view.tables, view.participants,
                           person, absent, view.seating_round)

    return seating_change(engine, session_id, change)
