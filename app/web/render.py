"""Templates: one Jinja environment per language, the fragments each view is made of, and
the rendering of a live event for one audience (HTML fragments or JSON)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import jinja2
import segno

from app import cards, keywords, rounds
from app.auth import FACILITATOR
from app.hub import Audience, Event
from app.i18n import LANGUAGE_NAMES, LANGUAGES, translate, translations
from app.models import CafeTable
from app.schemas import AFFILIATION_LABELS, AFFILIATIONS
from app.sessions import SessionView, seating_json
from app.timing import now_ms

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

VIEW_FRAGMENTS = {
    "facilitator": ("event-title", "phase", "controls", "program", "board", "keywords", "people",
                    "plan"),
    "projector": ("event-title", "phase", "tables", "board", "keywords"),
    "host": ("event-title", "phase", "table-people", "table-cards"),
    "participant": ("event-title", "phase", "seat", "my-cards", "my-votes", "vote-cards"),
}
"""The live pieces of each page, pushed whole on (re)connect."""

SEATING_FRAGMENTS = ("seat", "people", "plan", "tables", "table-people")
EVENT_FRAGMENTS = {
    "phase": ("phase", "controls", "program", "table-cards", *SEATING_FRAGMENTS),
    "participant": SEATING_FRAGMENTS,
    "seating": SEATING_FRAGMENTS,
    "group": ("board",),
    "board": ("board",),
    "card_hidden": ("board", "keywords", "table-cards", "my-cards", "my-votes", "vote-cards"),
    "card_edited": ("board", "keywords", "table-cards", "my-cards", "my-votes", "vote-cards"),
    "voting": ("board", "my-votes", "vote-cards"),
}
"""The pieces an event changes; 'snapshot' and 'session' change them all. A new phase can
change the seating too (people move), so it re-renders the seating pieces."""

FRAGMENT_SCOPE = {"table-people": "table_id", "seat": "participant_id",
                  "table-cards": "table_id", "my-cards": "participant_id",
                  "my-votes": "participant_id",
                  "board": "view", "board-table": "view", "keywords": "view"}
"""Pieces that differ within a view, or between views (the facilitator's board shows
hidden cards); every other piece is the same for a whole language."""

BOARD_VIEWS = ("facilitator", "projector")
PROJECTOR_CARDS_PER_TABLE = 24
"""The projector shows each table's newest cards; the console shows them all."""


def format_remaining(ms: int) -> str:
    """M:SS, or H:MM:SS from an hour, rounded up so 0:00 shows only at the very end."""
    seconds = math.ceil(max(0, ms) / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def qr_svg(url: str) -> str:
    """An inline SVG QR code, no styles or scripts (it must pass the page's CSP)."""
    return segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#111", light="#fff")


@cache
def environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)
    env.filters["remaining"] = format_remaining
    env.filters["number"] = lambda value: f"{value:g}" if isinstance(value, float) else value
    env.globals.update(
        language=language,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        affiliations=AFFILIATIONS,
        affiliation_labels=AFFILIATION_LABELS,
        presets=rounds.PRESETS,
        preset_labels=rounds.PRESET_LABELS,
        phase_kinds=rounds.PHASE_KINDS,
        phase_kind_labels=rounds.PHASE_KIND_LABELS,
        qr_svg=qr_svg,
        board_views=BOARD_VIEWS,
        projector_cards_per_table=PROJECTOR_CARDS_PER_TABLE,
        card_colour=cards.colour_for_phase,
        keyword_charts=keywords.charts,
        keyword_bar_width=keywords.bar_width,
    )
    return env


def render(language: str, template: str, **context: object) -> str:
    return environment(language).get_template(template).render(**context)


def fragment_context(view: SessionView, audience: Audience) -> dict:
    moment = now_ms()
    return {
        "view": view,
        "audience": audience,
        "view_name": audience.view,
        "clock": view.clock,
        "phase": view.phase,
        "remaining_ms": view.clock.remaining_at(moment),
        "now_ms": moment,
    }


def render_fragment(view: SessionView, audience: Audience, name: str,
                    table: CafeTable | None = None) -> str:
    """One piece, rendered once per push for everyone who sees the same thing. `table`
    picks one table's column of a piece made of columns (the harvest board)."""
    scope = FRAGMENT_SCOPE.get(name)
    key = (name, audience.language, getattr(audience, scope) if scope else None,
           table.id if table else None)
    if key not in view.rendered:
        extra = {"table": table} if table else {}
        view.rendered[key] = render(audience.language,
                                    f"fragments/_{name.replace('-', '_')}.html",
                                    **fragment_context(view, audience), **extra)
    return view.rendered[key]


def render_fragments(view: SessionView, audience: Audience, names) -> str:
    return "\n".join(render_fragment(view, audience, name) for name in names)


def session_json(view: SessionView, role: str) -> dict:
    """What a JSON client sees; tokens never, names only for the facilitator."""
    event = view.session
    people = [
        {"id": p.id, "name": p.name, "affiliation": p.affiliation, "home_table": p.home_table_id}
        for p in view.participants
    ]
    return {
        "id": event.id,
        "title": event.title,
        "language": event.language,
        "join_code": event.join_code,
        "tables": [
            {"id": t.id, "number": t.number, "name": t.name, "theme": t.theme,
             "capacity": t.capacity}
            for t in view.tables
        ],
        "program": [rounds.phase_json(p) for p in view.program],
        "participants": people if role == FACILITATOR else len(people),
    }


def render_json(view: SessionView, event: Event, audience: Audience) -> str | None:
    state = rounds.state_json(view.program, view.clock, now_ms())
    if event.type in ("snapshot", "session"):
        body = {"type": event.type, "session": session_json(view, audience.role), "state": state,
                "board": {**board_json(view), **voting_json(view, audience.role == FACILITATOR)}}
    elif event.type == "phase":
        body = {"type": "phase", **state}
    elif event.type == "seating":
        body = {"type": "seating", **seating_json(view)}
    elif event.type == "card":
        reveal = audience.role == FACILITATOR
        card = dict(event.data["card"])
        if not reveal:
            card.pop("participant_id", None)
        if card["hidden"] and not reveal:
            return None
        body = {"type": "card", "card": card}
    elif event.type in ("card_hidden", "card_edited"):
        reveal = audience.role == FACILITATOR
        card = dict(event.data["card"])
        if not reveal:
            card.pop("participant_id", None)
            if card["hidden"] and event.type == "card_edited":
                return None
            if card["hidden"]:  # gone from the board: its id only, never its new text
                card = {"id": card["id"], "hidden": True, "merged_into": card["merged_into"]}
        body = {"type": event.type, "card": card}
    elif event.type in ("group", "board"):
        body = {"type": event.type, **event.data, **board_json(view)}
    elif event.type in ("vote", "voting"):
        body = {"type": event.type, **voting_json(view, audience.role == FACILITATOR)}
    elif event.type == "participant":
        body = {"type": "participant", "count": len(view.participants)}
        if audience.role == FACILITATOR:
            body["participant"] = event.data
    else:
        body = {"type": event.type, **event.data}
    return json.dumps(body, ensure_ascii=False)


def board_json(view: SessionView) -> dict:
    """The board's layout and groups (what `group` and `board` events carry)."""
    return {"view": view.board_layout, "groups": [cards.group_json(g) for g in view.groups]}


def voting_json(view: SessionView, facilitator: bool) -> dict:
    """Voting settings, and the counts once revealed (the facilitator always gets them)."""
    body = {"budget": view.session.vote_budget, "open": view.session.voting_open,
            "revealed": view.revealed}
    if view.revealed or facilitator:
        body["counts"] = view.vote_counts()
        body["ranking"] = [{"rank": rank, "card_id": card.id, "dots": dots}
                           for rank, card, dots in view.ranking()]
    return body


def render_event(view: SessionView, event: Event, audience: Audience) -> str | None:
    """The hub's renderer: the text one audience gets for one event."""
    if audience.view == "json":
        return render_json(view, event, audience)
    if event.type == "card":
        return render_card_event(view, event, audience)
    if event.type == "vote":
        return render_vote_event(view, event, audience)
    wanted = VIEW_FRAGMENTS[audience.view]
    if event.type not in ("snapshot", "session"):
        changed = EVENT_FRAGMENTS.get(event.type, ())
        wanted = tuple(name for name in wanted if name in changed)
    return render_fragments(view, audience, wanted) if wanted else None


def render_card_event(view: SessionView, event: Event, audience: Audience) -> str | None:
    """A new card changes one column of the board and the keyword charts, the card list of
    its table's host and the author's own list; each is re-rendered whole (and swapped by
    id), so a page that missed an event is put right by the next one or by its snapshot."""
    card = event.data["card"]
    table = view.table(card["table_id"])
    if table is None:
        return None
    if audience.view in BOARD_VIEWS:
        # in another layout than by table the card lands in a column of the whole board;
        # the keyword charts follow every card; rendered once per view and push
        board = render_fragment(view, audience, "board-table", table) \
            if view.board_layout == "table" else render_fragment(view, audience, "board")
        return "\n".join((board, render_fragment(view, audience, "keywords")))
    if audience.view == "host" and audience.table_id == table.id:
        return render_fragment(view, audience, "table-cards")
    if audience.view == "participant":
        # while voting is open every phone lists the cards to vote on (one text per language)
        wanted = ["vote-cards"] if view.session.voting_open else []
        if audience.participant_id is not None \
                and audience.participant_id == card.get("participant_id"):
            wanted.insert(0, "my-cards")
        return render_fragments(view, audience, wanted) if wanted else None
    return None


def render_vote_event(view: SessionView, event: Event, audience: Audience) -> str | None:
    """A dot put or taken back: the voter's own dots; the counts (board, phones) only once
    the facilitator has revealed them; the console's count of dots placed."""
    wanted: list[str] = []
    if audience.view == "facilitator" or (audience.view == "projector" and view.revealed):
        wanted.append("board")
    if audience.view == "participant":
        if audience.participant_id == event.data.get("participant_id"):
            wanted.append("my-votes")
        if view.revealed:
            wanted.append("vote-cards")
    return render_fragments(view, audience, wanted) if wanted else None


def message(language: str, msgid: str, params: dict | None = None) -> str:
    return translate(language, msgid, **(params or {}))
