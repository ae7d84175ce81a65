"""Event sessions in the database: create, edit, load, identify tokens, join, and drive the
clock. Routes call these; the pure rules live in rounds.py and tables.py."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from app import auth, card_store, cards, rounds, seating, tables
from app.db import reading, writing
from app.hub import Event
from app.i18n import N_, translate
from app.models import CafeTable, EventSession, Participant, Phase, RunState
from app.schemas import InputError, JoinIn, PhaseIn, SessionIn, SessionPatch, TableIn

log = logging.getLogger(__name__)


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class MixFigures:
    average_met: float
    least_met: int
    repeats: int
    mix: dict[int, Counter]


@dataclass
class SessionView:
    """Everything the views and the JSON API show about one event, loaded in one go."""

    session: EventSession
    tables: list[CafeTable]
    program: list[rounds.PhaseSpec]
    clock: rounds.ClockState
    participants: list[Participant] = field(default_factory=list)
    seats: dict[int, dict[int, int]] = field(default_factory=dict)
    """Moving round -> participant id -> table id; round 0 is everyone's home table."""
    cards: list = field(default_factory=list)
    """Every card (models.Card) of the event, hidden ones included, oldest first."""
    rendered: dict = field(default_factory=dict)
    """Fragments already rendered from this view, so each is rendered once per push."""
    groups: list = field(default_factory=list)
    """The harvest board's named groups (models.CardGroup), oldest first."""
    votes: list = field(default_factory=list)
    """Every dot vote (models.Vote) of the event."""

    # --- the harvest board -----------------------------------------------------------------

    @property
    def board_layout(self) -> str:
        return self.session.board_view

    @property
    def revealed(self) -> bool:
        return self.session.votes_revealed

    def board_cards(self, include_hidden: bool = False) -> list:
        """The cards on the board: visible ones (the facilitator also sees hidden ones, but
        never those merged into another card)."""
        return [c for c in cards.visible(self.cards, include_hidden) if not c.merged_into]

    def vote_counts(self) -> dict[str, int]:
        shown = {c.id for c in self.board_cards()}
        return cards.vote_counts(v for v in self.votes if v.card_id in shown)

    def dots_cast(self) -> int:
        return sum(self.vote_counts().values())

    def ranking(self) -> list[tuple]:
        return cards.ranking(self.board_cards(), self.vote_counts())

    def my_dots(self, participant_id: int | None) -> dict[str, int]:
        """This participant's dots on visible cards (a hidden card gives its dots back)."""
        shown = {c.id for c in self.board_cards()}
        return {v.card_id: v.dots for v in self.votes
                if v.participant_id == participant_id and v.card_id in shown}

    def dots_left(self, participant_id: int | None) -> int:
        return max(0, self.session.vote_budget - sum(self.my_dots(participant_id).values()))

    def board_columns(self, include_hidden: bool = False) -> list[tuple[str, str, str, list]]:
        """[(key, heading, subheading, cards newest first)] for the chosen layout (by table
        is drawn per table column, see _board_table.html)."""
        shown = list(reversed(self.board_cards(include_hidden)))
        layout = self.board_layout
        if layout == "group":
            columns = [(f"group-{g.id}", g.name, "", [c for c in shown if c.group_id == g.id])
                       for g in self.groups]
            columns.append(("group-none", "", "", [c for c in shown if c.group_id is None]))
            return columns
        if layout == "phase":
            return [(f"phase-{index}", phase.title, "",
                     [c for c in shown if c.phase_index == index])
                    for index, phase in enumerate(self.program)
                    if any(c.phase_index == index for c in shown)]
        if layout == "theme":
            themes = list(dict.fromkeys(t.theme for t in self.tables))
            theme_of = {t.id: t.theme for t in self.tables}
            return [(f"theme-{n}", theme, "",
                     [c for c in shown if theme_of.get(c.table_id) == theme])
                    for n, theme in enumerate(themes)]
        return []

    @property
    def phase(self) -> rounds.PhaseSpec:
        return self.program[self.clock.phase_index]

    @property
    def seating_round(self) -> int:
        return rounds.seating_rounds(self.program)[self.clock.phase_index]

    @property
    def planned(self) -> bool:
        return bool(self.seats)

    @property
    def moving_now(self) -> bool:
        """People are on their way to new tables: a moving phase set up but not started."""
        return self.phase.moves and self.clock.status == rounds.READY

    def cards_at(self, table_id: int, include_hidden: bool = False) -> list:
        return [c for c in cards.visible(self.cards, include_hidden) if c.table_id == table_id]

    def cards_by_phase(self, table_id: int) -> list[tuple[int, list]]:
        """This table's cards by phase, newest phase first (the host's briefing view)."""
        return list(reversed(cards.by_phase(self.cards_at(table_id))))

    def cards_by(self, participant_id: int | None) -> list:
        return [c for c in self.cards if c.participant_id == participant_id and not c.hidden]

    def table(self, table_id: int | None) -> CafeTable | None:
        return next((t for t in self.tables if t.id == table_id), None)

    def person(self, participant_id: int | None) -> Participant | None:
        return next((p for p in self.participants if p.id == participant_id), None)

    def table_id_of(self, person: Participant, round_index: int | None = None) -> int | None:
        round_index = self.seating_round if round_index is None else round_index
        if round_index == 0 or not self.planned:
            return person.home_table_id
        return self.seats.get(round_index, {}).get(person.id)

    def seated_at(self, table_id: int, round_index: int | None = None) -> list[Participant]:
        """Who sits at the table in the current (or given) round, absent people included."""
        return [p for p in self.participants if self.table_id_of(p, round_index) == table_id]

    def present_at(self, table_id: int, round_index: int | None = None) -> list[Participant]:
        return [p for p in self.seated_at(table_id, round_index) if not p.absent]

    def rounds_so_far(self) -> list[int]:
        """The seating rounds met up to the current phase, in order, without repeats in a
        row: the standard program at its return phase gives [0, 1, 2, 0]."""
        visited: list[int] = []
        for round_index in rounds.seating_rounds(self.program)[: self.clock.phase_index + 1]:
            if not visited or visited[-1] != round_index:
                visited.append(round_index)
        return visited

    def route(self, person: Participant) -> list[CafeTable]:
        tables_so_far = [self.table(self.table_id_of(person, r)) for r in self.rounds_so_far()]
        return [t for t in tables_so_far if t is not None]

    def _all_rounds(self) -> list[int]:
        return sorted(set(rounds.seating_rounds(self.program)))

    def full_route(self, person: Participant) -> list[str]:
        """Table numbers through the whole program, e.g. ['1', '3', '2', '1']."""
        visited: list[int] = []
        for round_index in rounds.seating_rounds(self.program):
            if not visited or visited[-1] != round_index:
                visited.append(round_index)
        numbers = []
        for round_index in visited:
            table = self.table(self.table_id_of(person, round_index))
            numbers.append(str(table.number) if table else "–")
        return numbers

    def mix_figures(self) -> MixFigures:
        """How well the plan mixes people: new people met per person, pairs that meet
        again, and the affiliations at each table in the current round."""
        groups = [[[p.id for p in self.present_at(t.id, r)] for t in self.tables]
                  for r in self._all_rounds()]
        met: dict[int, set[int]] = {p.id: set() for p in self.participants if not p.absent}
        for round_groups in groups:
            for group in round_groups:
                for person in group:
                    met[person].update(other for other in group if other != person)
        counts = [len(others) for others in met.values()] or [0]
        mix = {t.id: Counter(p.affiliation for p in self.present_at(t.id)) for t in self.tables}
        return MixFigures(average_met=round(sum(counts) / len(counts), 1),
                          least_met=min(counts), repeats=tables.count_repeat_pairs(groups),
                          mix=mix)

    def arrivals(self, table_id: int) -> dict[int, int]:
        """While people move: how many come to `table_id` from each table of the round
        before (the movement chart)."""
        visited = self.rounds_so_far()
        if len(visited) < 2:
            return {}
        before, now = visited[-2], visited[-1]
        counts: dict[int, int] = {}
        for person in self.present_at(table_id, now):
            origin = self.table_id_of(person, before)
            if origin is not None:
                counts[origin] = counts.get(origin, 0) + 1
        return counts


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
                                    projector_token=auth.new_token(), created_at_ms=now_ms,
                                    card_max_length=spec.card_max_length))
                db.flush()
                for number, table in enumerate(spec.tables, start=1):
                    db.add(_new_table(session_id, number, table))
                _write_program(db, session_id, program)
                db.add(_clock_row(rounds.initial_state(program), RunState(session_id=session_id)))
            return load_view(engine, session_id)
        except IntegrityError:
            continue  # a join code or id clash: draw again
    raise RuntimeError("could not draw a unique join code")


def _load(db: Session, session_id: str, with_participants: bool = True,
          with_cards: bool = False) -> SessionView:
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
    view = SessionView(event, list(cafe_tables), program, clock, list(people),
                       seating.seats_of(db, session_id),
                       card_store.cards_of(db, session_id) if with_cards else [])
    if with_cards:
        view.groups = card_store.groups_of(db, session_id)
        view.votes = card_store.votes_of(db, session_id)
    return view


def load_view(engine: Engine, session_id: str) -> SessionView:
    with reading(engine) as db:
        return _load(db, session_id, with_cards=True)


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
        view = _load(db, session_id)
        transition = rounds.apply(view.program, _clock_of(row), action, now_ms,
                                  seconds=seconds, phase_index=phase_index,
                                  expected_phase=from_phase)
        if transition.changed:
            db.add(_clock_row(transition.state, row))
            if _plan_if_moving(db, view, transition.state.phase_index):
                transition = replace(transition, events=(*transition.events, "seating"))
    return transition


def _plan_if_moving(db: Session, view: SessionView, phase_index: int) -> bool:
    """The first time people move, seat everyone who joined for every moving round. A plan
    that cannot be made (too few people) leaves everyone at home rather than stop the clock."""
    try:
        return seating.ensure_planned(db, view.session.id, view.program, view.tables,
                                      view.participants, phase_index)
    except tables.PlanningError:
        log.warning("no seating plan for %s", view.session.id, exc_info=True)
        return False


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
        if view.seated_at(table.id, 0):
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
        if patch.card_max_length is not None:
            view.session.card_max_length = patch.card_max_length
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
        occupancy = {t.id: len(view.seated_at(t.id, 0)) for t in view.tables}
        plan_tables = [tables.Table(t.id, t.capacity, t.theme or None) for t in view.tables]
        home = tables.choose_home_table(plan_tables, occupancy, spec.theme or None)
        person = Participant(session_id=session_id, name=spec.name,
                             affiliation=spec.affiliation, theme=spec.theme,
                             expectation=spec.expectation, home_table_id=home,
                             token=auth.new_token(), joined_at_ms=now_ms)
        db.add(person)
        db.flush()
        db.refresh(person)
        try:
            seating.place_latecomer(db, session_id, view.program, view.tables,
                                    [*view.participants, person])
        except tables.PlanningError:
            log.warning("latecomer %s stays at home in %s", person.id, session_id,
                        exc_info=True)
    return person


def _seating_change(engine: Engine, session_id: str, change) -> None:
    """Run a seating change in one write transaction; a plan that cannot be made is
    refused with the planner's reason and changes nothing."""
    with writing(engine) as db:
        _locked_clock(db, session_id)
        view = _load(db, session_id)
        try:
            change(db, view)
        except tables.PlanningError as error:
            raise InputError(error.message, **error.params) from None


def move_by_hand(engine: Engine, session_id: str, participant_id: int, table_id: int,
                 phase_index: int | None = None) -> None:
    def change(db: Session, view: SessionView) -> None:
        person, table = view.person(participant_id), view.table(table_id)
        if person is None or table is None:
            raise InputError(N_("There is no such participant or table in this event."))
        index = view.clock.phase_index if phase_index is None else phase_index
        if not 0 <= index < len(view.program):
            raise InputError(N_("There is no such phase in the program."))
        round_index = rounds.seating_rounds(view.program)[index]
        seating.move_by_hand(db, session_id, view.program, view.tables, view.participants,
                             person, table, round_index, view.seating_round)

    _seating_change(engine, session_id, change)


def set_absent(engine: Engine, session_id: str, participant_id: int, absent: bool,
               by: auth.Identity) -> None:
    """Hosts mark people at their own table in the current round; the facilitator anyone."""
    def change(db: Session, view: SessionView) -> None:
        person = view.person(participant_id)
        if person is None:
            raise InputError(N_("There is no such participant in this event."))
        if by.role != auth.FACILITATOR and view.table_id_of(person) != by.table_id:
            raise InputError(N_("This person is not at your table."))
        seating.set_absent(db, session_id, view.program, view.tables, view.participants,
                           person, absent, view.seating_round)

    _seating_change(engine, session_id, change)


def seating_json(view: SessionView) -> dict:
    """Every phase that seats people (the home round and the return included), with who
    sits at which table (DESIGN.md §5 `GET .../seating`)."""
    seating_of_phase = rounds.seating_rounds(view.program)
    phases = [i for i, phase in enumerate(view.program) if phase.is_round] or [0]
    return {"rounds": [
        {"phase_index": index, "round": seating_of_phase[index],
         "tables": {str(t.id): [p.id for p in view.present_at(t.id, seating_of_phase[index])]
                    for t in view.tables}}
        for index in phases
    ]}


def joined_events(view: SessionView, person: Participant) -> list[Event]:
    """What to announce when someone joins: the arrival, and their seats if a plan exists."""
    joined = Event(person.session_id, "participant", {
        "id": person.id, "name": person.name, "affiliation": person.affiliation,
        "home_table": person.home_table_id})
    return [joined, Event(person.session_id, "seating")] if view.planned else [joined]
