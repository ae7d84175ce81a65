"""A series of events (第1回, 第2回, …): the follow-up of an event, what it carries over,
the series' listing, and where a carried person's old link leads."""

from __future__ import annotations

from app import auth
from app.actions import Done, Services, require
from app.i18n import N_, translate
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import DETAILS, FollowUpIn, PhaseIn, SessionIn, TableIn
from app.store import series, sessions
from app.store.records import EventRecord

TOP_CARDS = 3
"""The cards a carried group shows under its name: those with the most dots."""
FOLLOW_UP_TITLE = N_("%(title)s (session %(number)s)")


def follow_up(services: Services, identity: auth.Identity, spec: FollowUpIn
              ) -> Done[EventView]:
    """The facilitator makes the next event of the series: the event's settings, tables
    and programme unless the request gives its own, the people who took part (the same
    people, new links) and the chosen groups as its starting material. Nobody watches it
    yet, so nothing is announced."""
    require(identity, auth.FACILITATOR)
    source = sessions.load_view(services.engine, identity.event_id)
    carry = series.Carry(
        people=tuple(p for p in source.participants if p.arrived)
        if spec.carry.participants else (),
        groups=carried_groups(source, spec.carry.groups))
    title = spec.title or default_title(source.event, next_number(services, source.event))
    return Done(sessions.create_follow_up(services.engine, source.event,
                                          _settings(source, spec, title), carry,
                                          services.now()))


def default_title(event: EventRecord, number: int) -> str:
    """The title a follow-up of `event` gets when none is given: the event's, with the
    follow-up's `number` in the series (the console's form shows it as its placeholder)."""
    return translate(event.language, FOLLOW_UP_TITLE, title=event.title, number=number)


def next_number(services: Services, event: EventRecord) -> int:
    """The number in the series (第N回) of a follow-up made now."""
    return len(sessions.series_overview(services.engine, event.id)) + 1


def carried_groups(view: EventView, group_ids: list[int]) -> tuple[series.CarriedGroupSpec, ...]:
    """The groups to carry, in the order asked, each with the theme most of its cards were
    written under and its top cards; an id that is no group of the event is refused."""
    wanted = list(dict.fromkeys(group_ids))
    unknown = [str(gid) for gid in wanted if view.group(gid) is None]
    if unknown:
        raise Refusal("invalid", N_("There is no group %(ids)s in this event."),
                      ids=", ".join(unknown))
    dots = dict((group.id, count) for group, count in view.group_dots())
    carried = []
    for group_id in wanted:
        top = sorted(view.listed(("group", group_id), "shown"),
                     key=lambda c: (-view.dots_on(c.id), -view.weight(c.id), c.order_key))
        carried.append(series.CarriedGroupSpec(
            group_id, view.group(group_id).name, view.group_theme(group_id),
            dots.get(group_id, 0), tuple(card.text for card in top[:TOP_CARDS])))
    return tuple(carried)


def _settings(source: EventView, spec: FollowUpIn, title: str) -> SessionIn:
    """The new event's settings: the request's, else the event's (no date: a new day)."""
    event = source.event
    tables = spec.tables
    if tables is None and spec.carry.tables:
        tables = [TableIn(name=t.name, theme=t.theme, capacity=t.capacity)
                  for t in source.tables]
    if tables is None:
        raise Refusal("invalid", N_("Give the follow-up's tables, or carry the tables."))
    program = spec.program
    if program is None and spec.carry.program:
        program = [PhaseIn(kind=p.kind, title=p.title, minutes=p.minutes, question=p.question,
                           moves=p.moves) for p in source.program]
    details = {name: getattr(event, name) for name in DETAILS} | {"date": spec.date or ""}
    return SessionIn(title=title[:120], language=event.language, tables=tables,
                     program=program or "standard", card_max_length=event.card_max_length,
                     **details)


def listing(services: Services, identity: auth.Identity) -> tuple[str, list[series.SeriesEvent]]:
    """The series the event belongs to (its id: the first event's; the event's own while
    it has no follow-up) and its events, first first."""
    require(identity, auth.FACILITATOR)
    events = sessions.series_overview(services.engine, identity.event_id)
    return events[0].event.series_id or identity.event_id, events


def current_link(services: Services, identity: auth.Identity) -> tuple[str, str] | None:
    """Where a participant's link of an earlier event leads now: (event id, token) of the
    latest event of the series they were carried into; None when this one is."""
    require(identity, auth.PARTICIPANT)
    if identity.participant_id is None:
        return None
    return sessions.latest_self(services.engine, identity.event_id, identity.participant_id)
