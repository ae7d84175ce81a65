"""Events: create and edit one, read it, join it, drive its clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from app import auth, rounds
from app.actions import Done, Services, announce, require
from app.actions.access import check_join_code, code_replaced, join_turn, too_many_joins
from app.actions.admission import answer_flood, check_organiser, set_joining
from app.i18n import N_
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import ArrivalIn, ControlIn, JoinIn, SessionIn, SessionPatch, TablePatch
from app.store import sessions
from app.store.records import TableRecord


def create(services: Services, spec: SessionIn, passcode: str | None = None,
           address: str = "") -> Done[EventView]:
    """Anyone who reaches the server may create an event, or anyone with the organiser
    passcode when one is set; nobody watches it yet, so nothing is announced."""
    check_organiser(services, passcode, address)
    return Done(sessions.create_session(services.engine, spec, services.now()))


def view(services: Services, identity: auth.Identity, role: str = auth.PROJECTOR,
         with_board: bool = True) -> EventView:
    """The event, for whoever holds at least `role` (its board only when needed: also
    for the facilitator while a flood of cards is unreviewed, whose list of who wrote
    meanwhile comes from the cards)."""
    require(identity, role)
    view = sessions.load_view(services.engine, identity.event_id, with_board)
    if (not with_board and identity.role == auth.FACILITATOR
        and view.event.card_flood_until_ms is not None):
        return sessions.load_view(services.engine, identity.event_id)
    return view


def view_by_id(services: Services, event_id: str) -> EventView | None:
    """The event a page belongs to (who may see what is the page's own check)."""
    try:
        return sessions.load_view(services.engine, event_id)
    except Refusal as refusal:
        if refusal.code != "not_found":
            raise  # a database that cannot be used is not a missing event
        return None


def edit(services: Services, identity: auth.Identity, patch: SessionPatch
         ) -> Done[EventView]:
    require(identity, auth.FACILITATOR)
    published: tuple = ()
    if patch.edits_the_event:
        seq = sessions.update_session(services.engine, identity.event_id, patch)
        services.tokens.forget(identity.event_id)  # a table may be gone, the language too
        published = announce(services, identity.event_id, seq, changes.EventEdited())
    if patch.joining_open is not None:
        published += set_joining(services, identity, patch.joining_open).changes
    return Done(sessions.load_view(services.engine, identity.event_id, with_board=False),
                published)


def choose_host_affiliation(services: Services, identity: auth.Identity, table_id: int,
                            spec: TablePatch) -> Done[TableRecord]:
    """A table's host gives their own affiliation (the facilitator may for any table):
    the table's host cards then count under it, not under "host"."""
    require(identity, auth.HOST)
    if identity.role == auth.HOST and identity.table_id != table_id:
        raise Refusal("forbidden", N_("Your role may not do this."))
    table, seq = sessions.set_host_affiliation(services.engine, identity.event_id, table_id,
                                               spec.host_affiliation)
    return Done(table, announce(services, identity.event_id, seq,
                                changes.HostAffiliationChosen(table)))


@dataclass(frozen=True)
class NewParticipant:
    view: EventView
    person_id: int
    token: str
    home_table: int | None


def join(services: Services, event_id: str, spec: JoinIn,
         address: str) -> Done[NewParticipant]:
    """A participant joins with the event's join code (access.check_join_code); the web
    layer has waited the address's turn first (access.join_turn)."""
    check_join_code(services, event_id, spec.join_code, address)
    return _arrive(services, event_id, spec, at_reception=False)


def register(services: Services, identity: auth.Identity, spec: ArrivalIn
             ) -> Done[NewParticipant]:
    """The reception desk adds someone who has no phone (they follow a printed route
    slip); no join code, no pacing, and joining by phone may be closed."""
    require(identity, auth.FACILITATOR)
    return _arrive(services, identity.event_id, spec, at_reception=True)


def _arrive(services: Services, event_id: str, spec: ArrivalIn,
            at_reception: bool) -> Done[NewParticipant]:
    arrival = sessions.join(services.engine, event_id, spec, services.now(),
                            services.max_participants, at_reception)
    published = announce(services, event_id, arrival.seq,
                         changes.Joined(arrival.person, arrival.seats))
    view_now = sessions.load_view(services.engine, event_id, with_board=False)
    return Done(NewParticipant(view_now, arrival.person.id, arrival.token,
                               arrival.person.home_table_id), published)


async def join_in_turn(services: Services, event_id: str, spec: JoinIn,
                       address: str) -> Done[NewParticipant]:
    """The whole join from a page or the API: a wrong code is refused before it takes a
    turn; the address waits its turn (access.join_turn); a flood is answered with a new
    join code (admission.answer_flood) or, when that is turned off, 429; a join refused
    after its wait (the code replaced meanwhile, joining closed, the event full) gives its
    turn back, so that a refused flood does not hold up the people behind it."""
    await asyncio.to_thread(check_join_code, services, event_id, spec.join_code, address)
    flooded = await join_turn(services, event_id, address)
    if flooded is not None:
        if not services.renew_join_code_on_flood:
            raise too_many_joins(flooded)
        await asyncio.to_thread(answer_flood, services, event_id, spec.join_code,
                                flooded.since_ms)
        raise code_replaced()
    try:
        return await asyncio.to_thread(join, services, event_id, spec, address)
    except Refusal:
        services.join_pacer.give_back(event_id, address)
        raise


@dataclass(frozen=True)
class Controlled:
    view: EventView
    changed: bool
    note: str | None
    """A msgid: why nothing changed."""


def control(services: Services, identity: auth.Identity, command: ControlIn
            ) -> Done[Controlled]:
    """A facilitator's action on the clock; the first time people move, the plan is made
    in the same transaction and announced with the new phase."""
    require(identity, auth.FACILITATOR)
    change = sessions.control(services.engine, identity.event_id, command.action,
                              services.now(), seconds=command.seconds,
                              phase_index=command.phase_index, from_phase=command.from_phase)
    if change.seq is not None and change.transition.state.status == rounds.FINISHED:
        services.tokens.forget(identity.event_id)  # known tokens learn their expiry
    announced: list = [changes.PhaseChanged(change.transition.state)]
    if change.seating is not None:
        announced.append(changes.SeatingChanged(change.seating.seats, change.seating.people))
    published = announce(services, identity.event_id, change.seq, *announced)
    view_now = sessions.load_view(services.engine, identity.event_id, with_board=False)
    return Done(Controlled(view_now, change.transition.changed, change.transition.note),
                published)
