"""A series of events in the database (第1回, 第2回, …): which events belong to it, who met
whom in its earlier events, the groups carried into a follow-up, and the follow-up's
carried people.

The model, kept simple for the features that build on it (an action plan reviewed in the
next session): `event_session.series_id` is the id of the series' first event, set on
that first event when its first follow-up is made (None: a single event); the events of a
series are listed by `events_of_series` in the order they were made. One person across
the series is `PersonRecord.person_key` (`participant.person_id`: their row in the first
event they came to). A follow-up keeps its own copy of the groups carried into it
(`carried_group`), so it shows them as they were when it was made. What a follow-up
carries is written by `carry_into` in the follow-up's creating transaction (Carry, filled
by actions/series.py): the place for more to carry (the actions of a session, to review).
"""

from __future__ import annotations

import itertools
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app import auth, rounds, tables
from app.planner.budget import PLANNING_CLOCK
from app.refusal import Refusal
from app.store.models import CafeTable, CarriedGroup, EventSession, Participant, RunState, Seat
from app.store.records import CarriedGroupRecord, EventRecord, PersonRecord, record_of
from app.store.rows import program_of


def events_of_series(db: Session, series_id: str) -> list[EventRecord]:
    """The events of the series, first first (the order they were made in)."""
    rows = db.exec(select(EventSession).where(EventSession.series_id == series_id)
                   .order_by(EventSession.created_at_ms, EventSession.id)).all()
    return [record_of(EventRecord, row) for row in rows]


def series_members(db: Session, event: EventRecord) -> list[EventRecord]:
    """The events of `event`'s series (only itself when it is in none)."""
    return events_of_series(db, event.series_id) if event.series_id else [event]


def participant_counts(db: Session, event_ids: Sequence[str]) -> dict[str, int]:
    """event id -> how many took part (the pre-registered who never came left out)."""
    if not event_ids:
        return {}
    return dict(db.exec(select(Participant.session_id, func.count(Participant.id))
                        .where(Participant.session_id.in_(event_ids), Participant.arrived)
                        .group_by(Participant.session_id)).all())


def carried_groups(db: Session, session_id: str) -> list[CarriedGroupRecord]:
    rows = db.exec(select(CarriedGroup).where(CarriedGroup.session_id == session_id)
                   .order_by(CarriedGroup.position)).all()
    return [CarriedGroupRecord(row.id, row.from_session_id, row.from_group_id, row.position,
                               row.name, row.theme, row.dots, tuple(json.loads(row.cards)))
            for row in rows]


def _tables_met(db: Session, session_id: str) -> list[list[set[int]]]:
    """Per seating round of the event, the person keys at each table (who took part)."""
    program = program_of(db, session_id)
    people = db.exec(select(Participant.id, Participant.person_id, Participant.home_table_id)
                     .where(Participant.session_id == session_id, Participant.arrived)).all()
    seats: dict[int, dict[int, int]] = {}
    for round_index, person, table in db.exec(
            select(Seat.round_index, Seat.participant_id, Seat.table_id)
            .where(Seat.session_id == session_id)).all():
        seats.setdefault(round_index, {})[person] = table
    met = []
    for round_index in range(rounds.round_count(program) if program else 1):
        at: dict[int, set[int]] = {}
        for person, person_id, home in people:
            table = tables.table_in_round(home, round_index, seats.get(round_index, {}).get(person))
            if table is not None:
                at.setdefault(table, set()).add(person if person_id is None else person_id)
        met.append(list(at.values()))
    return met


def earlier_pairs(db: Session, event: EventRecord,
                  people: Iterable[PersonRecord]) -> frozenset[tuple[int, int]]:
    """The pairs of `people` (participant ids of `event`, smaller first) who sat at one
    table in a round of an earlier event of its series: they have met already."""
    if event.series_id is None:
        return frozenset()
    earlier = [e.id for e in events_of_series(db, event.series_id)
               if (e.created_at_ms, e.id) < (event.created_at_ms, event.id)]
    here = {p.person_key: p.id for p in people}
    return frozenset(tuple(sorted((here[a], here[b])))
                     for a, b in map(tuple, _met_in(db, earlier)) if a in here and b in here)


def _met_in(db: Session, session_ids: Iterable[str]) -> set[frozenset[int]]:
    """Pairs of person keys who sat at one table in a round of any of these events."""
    met: set[frozenset[int]] = set()
    for session_id in session_ids:
        for groups in _tables_met(db, session_id):
            for group in groups:
                met.update(frozenset(pair) for pair in itertools.combinations(group, 2))
    return met


@dataclass(frozen=True)
class CarriedGroupSpec:
    """A group to carry into a follow-up, as the action chose it."""

    from_group_id: int
    name: str
    theme: str
    dots: int
    cards: tuple[str, ...]


@dataclass(frozen=True)
class Carry:
    """What a follow-up takes over from the event it follows (schemas.CarryIn, checked)."""

    people: tuple[PersonRecord, ...]
    groups: tuple[CarriedGroupSpec, ...]


def join_series(db: Session, source: EventRecord, session_id: str) -> str:
    """Put the new event `session_id` in `source`'s series, starting the series with
    `source` when it has none; the series' id."""
    series_id = source.series_id or source.id
    if source.series_id is None:
        row = db.get(EventSession, source.id)
        row.series_id = series_id
        db.add(row)
    db.get(EventSession, session_id).series_id = series_id
    return series_id


def carry_into(db: Session, source: EventRecord, session_id: str, carry: Carry,
               now_ms: int) -> None:
    """Write what a follow-up carries over, in its creation's transaction: the groups (a
    copy each), and the people (a new row each, the same person: `person_id`), at home
    tables of the planner's choosing, which keep apart those who met in the series."""
    for position, group in enumerate(carry.groups):
        db.add(CarriedGroup(session_id=session_id, from_session_id=source.id,
                            from_group_id=group.from_group_id, position=position,
                            name=group.name, theme=group.theme, dots=group.dots,
                            cards=json.dumps(list(group.cards), ensure_ascii=False)))
    if not carry.people:
        return
    db.flush()
    cafe_tables = db.exec(select(CafeTable).where(CafeTable.session_id == session_id)
                          .order_by(CafeTable.number)).all()
    met = _met_in(db, [event.id for event in series_members(db, source)])
    plan_tables = [tables.Table(t.id, t.capacity, t.theme or None) for t in cafe_tables]
    try:
        homes = _planned_homes(session_id, carry.people, plan_tables, met,
                               rounds.round_count(program_of(db, session_id)))
    except Refusal:  # fewer people than tables: no plan, a table each in turn
        homes = _homes(carry.people, plan_tables, met)
    for person in carry.people:
        db.add(Participant(session_id=session_id, name=person.name,
                           affiliation=person.affiliation, theme=person.theme,
                           furigana=person.furigana, email=person.email,
                           home_table_id=homes[person.id], token=auth.new_token(),
                           joined_at_ms=now_ms, person_id=person.person_key))


HOME_PLAN_SECONDS = 1.0
"""The carried people's home tables come from a whole plan of the follow-up's rounds."""


def _planned_homes(session_id: str, people: Sequence[PersonRecord],
                   cafe_tables: list[tables.Table], met: set[frozenset[int]],
                   round_count: int) -> dict[int, int]:
    """Home tables (by old participant id) from the planner's home round of a plan of
    the follow-up that keeps apart who met in the series: the home round is given when the
    moves are planned, so it must already leave the moves room to keep them apart."""
    id_of = {p.person_key: p.id for p in people}
    met_before = [(id_of[a], id_of[b]) for a, b in (tuple(pair) for pair in met)
                  if a in id_of and b in id_of]
    plan = tables.plan_seating(
        [tables.Person(p.id, p.affiliation, p.theme or None) for p in people], cafe_tables,
        round_count, seed=zlib.crc32(session_id.encode()),
        time_limit=HOME_PLAN_SECONDS, met_before=met_before,
        clock=PLANNING_CLOCK)
    return {person: table for table, seated in plan.rounds[0].items() for person in seated}


def _homes(people: Sequence[PersonRecord], cafe_tables: list[tables.Table],
           met: set[frozenset[int]]) -> dict[int, int]:
    """A home table for each carried person (by their old participant id): a table of
    their theme with room and at most one more than the least occupied one (tables stay
    even), the one where they have met the fewest of those already seated."""
    occupancy: dict[int, int] = {}
    seated: dict[int, list[int]] = {t.id: [] for t in cafe_tables}
    homes = {}
    for person in people:
        least = tables.choose_home_table(cafe_tables, occupancy, person.theme or None)
        fewest = occupancy.get(least, 0)
        theme = next(t.theme for t in cafe_tables if t.id == least)
        pool = [t for t in cafe_tables if t.theme == theme
                and occupancy.get(t.id, 0) <= fewest + 1
                and (t.capacity is None or occupancy.get(t.id, 0) < t.capacity)]
        home = min(pool, key=lambda t: (
            sum(frozenset((person.person_key, other)) in met for other in seated[t.id]),
            occupancy.get(t.id, 0), t.id)).id
        homes[person.id] = home
        occupancy[home] = occupancy.get(home, 0) + 1
        seated[home].append(person.person_key)
    return homes


@dataclass(frozen=True)
class SeriesEvent:
    """One event of a series as its listing shows it."""

    event: EventRecord
    status: str
    """Its clock's status (rounds: ready, running, paused, finished)."""
    participants: int


def overview(db: Session, event: EventRecord) -> list[SeriesEvent]:
    """Every event of `event`'s series, first first, with its status and attendance."""
    members = series_members(db, event)
    ids = [e.id for e in members]
    counts = participant_counts(db, ids)
    status = dict(db.exec(select(RunState.session_id, RunState.status)
                          .where(RunState.session_id.in_(ids))).all())
    return [SeriesEvent(e, status.get(e.id, rounds.READY), counts.get(e.id, 0))
            for e in members]


def latest_self(db: Session, session_id: str, participant_id: int) -> tuple[str, str] | None:
    """Where a participant of `session_id` takes part now: the latest later event of the
    series they were carried into, and their token there (None: this one is the latest)."""
    event = db.get(EventSession, session_id)
    person = db.get(Participant, participant_id)
    if event is None or event.series_id is None or person is None:
        return None
    key = person.person_id if person.person_id is not None else person.id
    found = db.exec(
        select(EventSession.id, Participant.token)
        .join(Participant, Participant.session_id == EventSession.id)
        .where(EventSession.series_id == event.series_id,
               EventSession.created_at_ms >= event.created_at_ms,
               EventSession.id != event.id, Participant.person_id == key)
        .order_by(EventSession.created_at_ms.desc(), EventSession.id.desc())).first()
    return None if found is None else (found[0], found[1])
