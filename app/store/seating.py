"""Seating in the database: the planner (tables.py) applied to a live event.

Round 0 is the home round: everyone at their home table (Participant.home_table_id). Each
moving round is stored as Seat rows. Rounds that have happened, or are happening, are
never re-planned: a latecomer is placed without moving anyone, an absence or a manual move
re-plans only the rounds after the current one, around the seats placed by hand. In a
follow-up of a series, pairs who sat together in an earlier event count as having met.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from sqlmodel import Session, delete, select

from app import rounds, tables
from app.i18n import N_
from app.planner.budget import PLANNING_CLOCK
from app.refusal import Refusal
from app.store import series
from app.store.models import EventSession, Participant, Seat
from app.store.records import EventRecord, PersonRecord, TableRecord, record_of

FIRST_PLAN_SECONDS = 2.0
"""The whole plan, made once (at the first move, or "plan the moves now"): large themed
events (96 people at 12 tables) need a few thousand steps to reach no repeat; the search
stops as soon as every bound is met, so small events take far less."""
PLANNING_SECONDS = 0.5
"""A re-plan of the rounds ahead (an absence, a move by hand) starts from a good plan."""
LATECOMER_SECONDS = 0.1
"""Placing one latecomer around fixed seats has few choices; it runs inside the join's write
transaction, so it gets a shorter budget than a whole plan."""


def seat_triples(seats: dict[int, dict[int, int]]) -> tuple[tuple[int, int, int], ...]:
    """(round, participant id, table id) of every seat, as live changes carry them."""
    return tuple((round_index, person, table)
                 for round_index, seated in sorted(seats.items())
                 for person, table in sorted(seated.items()))


def seats_of(db: Session, session_id: str) -> dict[int, dict[int, int]]:
    """round -> participant id -> table id, for the moving rounds (1 and later)."""
    seating: dict[int, dict[int, int]] = {}
    for seat in db.exec(select(Seat).where(Seat.session_id == session_id)).all():
        seating.setdefault(seat.round_index, {})[seat.participant_id] = seat.table_id
    return seating


def _manual(db: Session, session_id: str) -> set[tuple[int, int]]:
    rows = db.exec(select(Seat.round_index, Seat.participant_id)
                   .where(Seat.session_id == session_id, Seat.manual)).all()
    return {(round_index, person) for round_index, person in rows}


def replan(db: Session, session_id: str, program: list[rounds.PhaseSpec],
           cafe_tables: list[TableRecord], people: list[PersonRecord], keep_through: int,
           time_limit: float = PLANNING_SECONDS) -> None:
    """Plan the moving rounds after `keep_through` again; rounds up to it stay as they are,
    and so do seats placed by hand. Someone without a seat in a kept round (a latecomer)
    gets one there too, without moving anyone else."""
    total = rounds.round_count(program)
    present = [p for p in people if p.present]
    if total < 2 or not present:
        return
    if len(present) < len(cafe_tables):
        cafe_tables = _tables_in_use(cafe_tables, present)
    current = seats_of(db, session_id)
    manual = _manual(db, session_id)
    present_ids = {p.id for p in present}
    fixed: list[dict[int, int]] = [{}]
    for round_index in range(1, total):
        seats = current.get(round_index, {})
        fixed.append({
            person: table for person, table in seats.items()
            if person in present_ids
            and (round_index <= keep_through or (round_index, person) in manual)
        })
    plan = tables.plan_seating(
        [tables.Person(p.id, p.affiliation, p.theme or None, p.home_table_id) for p in present],
        [tables.Table(t.id, t.capacity, t.theme or None) for t in cafe_tables],
        total, seed=zlib.crc32(session_id.encode()), time_limit=time_limit, fixed=fixed,
        met_before=_met_before(db, session_id, present), clock=PLANNING_CLOCK)
    event = db.get(EventSession, session_id)
    event.series_repeat_bound = plan.series_repeat_bound  # kept with the plan it bounds
    db.add(event)
    for round_index in range(1, total):
        planned = {p: t for t, seated in plan.rounds[round_index].items() for p in seated}
        for person, table in planned.items():
            if current.get(round_index, {}).get(person) == table:
                continue
            db.exec(delete(Seat).where(Seat.session_id == session_id,
                                       Seat.round_index == round_index,
                                       Seat.participant_id == person))
            db.add(Seat(session_id=session_id, round_index=round_index, participant_id=person,
                        table_id=table, manual=(round_index, person) in manual))


def _met_before(db: Session, session_id: str, people: list[PersonRecord]
                ) -> frozenset[tuple[int, int]]:
    """Who met in an earlier event of the series (none for a single event)."""
    event = db.get(EventSession, session_id)
    if event is None or event.series_id is None:
        return frozenset()
    return series.earlier_pairs(db, record_of(EventRecord, event), people)


def _tables_in_use(cafe_tables: list[TableRecord], present: list[PersonRecord]
                   ) -> list[TableRecord]:
    """With fewer people than tables, plan over the home tables and as many others as
    there are people, so that every table in the plan has someone at it."""
    homes = {p.home_table_id for p in present}
    chosen = [t for t in cafe_tables if t.id in homes]
    others = [t for t in cafe_tables if t.id not in homes]
    return chosen + others[: max(0, len(present) - len(chosen))]


def has_plan(db: Session, session_id: str) -> bool:
    found = db.exec(select(Seat.id).where(Seat.session_id == session_id).limit(1)).first()
    return found is not None


def ensure_planned(db: Session, session_id: str, program, cafe_tables, people,
                   phase_index: int) -> bool:
    """Plan all moving rounds the first time the clock reaches a phase where people move.
    True when a plan was made now."""
    if rounds.seating_rounds(program)[phase_index] == 0:
        return False
    if has_plan(db, session_id):
        return False
    replan(db, session_id, program, cafe_tables, people, keep_through=0,
           time_limit=FIRST_PLAN_SECONDS)
    return True


FEWEST_TO_PLAN = 2
"""Moving needs someone to meet: one person's plan would only keep them at home."""


def plan_now(db: Session, session_id: str, program, cafe_tables, people) -> bool:
    """Plan all moving rounds before the clock gets there, for everyone joined so far (so
    the route slips can be printed); later joiners are placed like latecomers. False when
    the moves are planned already."""
    if has_plan(db, session_id):
        return False
    if rounds.round_count(program) < 2:
        raise Refusal("refused", N_("This program has no round in which people move."))
    if sum(1 for p in people if p.present) < FEWEST_TO_PLAN:
        raise Refusal("refused", N_("Too few people to plan the moves: at least two must "
                                    "have joined."))
    replan(db, session_id, program, cafe_tables, people, keep_through=0,
           time_limit=FIRST_PLAN_SECONDS)
    return True


def place_latecomer(db: Session, session_id: str, program, cafe_tables, people) -> bool:
    """Seat someone who joined after the plan was made, moving nobody else."""
    if not has_plan(db, session_id):
        return False
    replan(db, session_id, program, cafe_tables, people, keep_through=rounds.round_count(program),
           time_limit=LATECOMER_SECONDS)
    return True


def move_by_hand(db: Session, session_id: str, program, cafe_tables: list[TableRecord],
                 people, person: PersonRecord, table: TableRecord, round_index: int,
                 current_round: int) -> None:
    """The facilitator seats `person` at `table` in `round_index` (now or later); the
    planner keeps that seat and re-plans the rounds after the current one around it."""
    if round_index < current_round:
        raise Refusal("refused",
                      N_("That round is over; only the current and later rounds can change."))
    seats = seats_of(db, session_id).get(round_index, {})
    others = sum(1 for p in people if p.present and p.id != person.id and tables.table_in_round(
        p.home_table_id, round_index, seats.get(p.id)) == table.id)
    if table.capacity is not None and others >= table.capacity:
        raise Refusal("refused", N_("Table %(number)s is full (%(capacity)s seats)."),
                      number=table.number, capacity=table.capacity)
    if round_index == 0:
        row = db.get(Participant, person.id)
        row.home_table_id = table.id
        row.home_by_hand = True
        db.add(row)
        people = [replace(p, home_table_id=table.id, home_by_hand=True) if p.id == person.id
                  else p for p in people]
    else:
        db.exec(delete(Seat).where(Seat.session_id == session_id,
                                   Seat.round_index == round_index,
                                   Seat.participant_id == person.id))
        db.add(Seat(session_id=session_id, round_index=round_index, participant_id=person.id,
                    table_id=table.id, manual=True))
    db.flush()
    if has_plan(db, session_id):
        replan(db, session_id, program, cafe_tables, people, keep_through=current_round)


def rebalance_homes(db: Session, session_id: str, program, cafe_tables: list[TableRecord],
                    people: list[PersonRecord]) -> int:
    """Give the people present the home tables that mix affiliations best within their
    theme (tables.balance_homes), keeping those seated by hand; the moves, if planned, are
    planned again around the new homes (seats placed by hand kept). How many moved."""
    present = [p for p in people if p.present]
    homes = tables.balance_homes(
        [tables.Person(p.id, p.affiliation, p.theme or None, p.home_table_id) for p in present],
        [tables.Table(t.id, t.capacity, t.theme or None) for t in cafe_tables],
        kept={p.id for p in present if p.home_by_hand})
    moved = {p.id: homes[p.id] for p in present if homes.get(p.id, p.home_table_id)
             != p.home_table_id}
    for person_id, table_id in moved.items():
        row = db.get(Participant, person_id)
        row.home_table_id = table_id
        db.add(row)
    db.flush()
    if moved and has_plan(db, session_id):
        replan(db, session_id, program, cafe_tables,
               [replace(p, home_table_id=moved.get(p.id, p.home_table_id)) for p in people],
               keep_through=0)
    return len(moved)


def set_absent(db: Session, session_id: str, program, cafe_tables, people,
               person: PersonRecord, absent: bool, current_round: int) -> None:
    """An absence frees the person's seats after the current round and re-plans those
    rounds; coming back seats them again like a latecomer."""
    row = db.get(Participant, person.id)
    row.absent = absent
    db.add(row)
    people = [replace(p, absent=absent) if p.id == person.id else p for p in people]
    if absent:
        db.exec(delete(Seat).where(Seat.session_id == session_id,
                                   Seat.participant_id == person.id,
                                   Seat.round_index > current_round))
    db.flush()
    if has_plan(db, session_id):
        replan(db, session_id, program, cafe_tables, people, keep_through=current_round)
