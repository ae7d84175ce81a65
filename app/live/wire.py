"""The JSON shapes of an event (docs/api.md): one place for the API's answers and the
socket's JSON messages, so that both always say the same thing the same way.

Each message a JSON socket gets has its shape here (`Message`, one TypedDict per `type`
of docs/api.md); app/live/delivery.py json_messages makes them from the live changes.
Several changes share a message where docs/api.md promises one: a card grouped and a
group saved or deleted are each a `group` message (with its `action`), a dot on a card
and one on a group each a `vote`.

No `from __future__ import annotations` here: a TypedDict tells its NotRequired keys only
from evaluated annotations."""

from dataclasses import asdict
from typing import Any, Literal, NotRequired, TypedDict

from app import auth, cards, rounds, stakeholders
from app.live.view import EventView
from app.schemas import DETAILS
from app.store.records import (
    ActionRecord,
    PhotoRecord,
    QuestionRecord,
    SurveyRecord,
    TableRecord,
)

SEES_JOIN_CODE = (auth.FACILITATOR, auth.PROJECTOR, auth.HOST)
"""Not a participant: a script that joined in a flood must not read the code the server
drew against it (app/actions/admission.py answer_flood)."""


def session_json(view: EventView, role: str) -> dict:
    """What a JSON client sees; tokens never, names only for the facilitator."""
    event = view.event
    people = [
        {"id": p.id, "name": p.name, "affiliation": p.affiliation, "home_table": p.home_table_id}
        for p in view.participants
    ]
    return {
        "id": event.id,
        "title": event.title,
        "language": event.language,
        **({"join_code": event.join_code} if role in SEES_JOIN_CODE else {}),
        "joining_open": event.joining_open,
        **({"join_flood": join_flood_json(view), "card_flood": card_flood_json(view)}
           if role == auth.FACILITATOR else {}),
        **{name: getattr(event, name) for name in DETAILS},
        "tables": [table_json(t) for t in view.tables],
        "program": [rounds.phase_json(p) for p in view.program],
        "participants": people if role == auth.FACILITATOR else len(people),
    }


def table_json(table: TableRecord) -> dict:
    return {"id": table.id, "number": table.number, "name": table.name, "theme": table.theme,
            "capacity": table.capacity, "host_affiliation": table.host_affiliation or None}


def join_flood_json(view: EventView) -> dict | None:
    """The flood the server answered with a new join code, until the facilitator reviews
    it: its window and who joined in it (those still here)."""
    return _flood_json(view.event.flood_since_ms, view.event.flood_until_ms,
                       view.joined_in_flood())


def card_flood_json(view: EventView) -> dict | None:
    """The flood of cards over an address's budget, until the facilitator reviews it: its
    window and who wrote cards in it (those still here, most cards first)."""
    return _flood_json(view.event.card_flood_since_ms, view.event.card_flood_until_ms,
                       [person for person, _count in view.wrote_in_card_flood()])


def _flood_json(since_ms: int | None, until_ms: int | None, people) -> dict | None:
    if until_ms is None:
        return None
    return {"since_ms": since_ms, "until_ms": until_ms,
            "participant_ids": [person.id for person in people]}


def state_json(view: EventView, now_ms: int) -> dict:
    return rounds.state_json(view.program, view.clock, now_ms)


def board_json(view: EventView) -> dict:
    """The board's layout, the projector's pinned screen and whether its pages play, and
    the groups (what `group` and `board` messages carry)."""
    return {"view": view.board_layout, "screen": view.event.projector_screen,
            "pages": pages_json(view)["pages"], "vote_on": view.vote_on,
            "groups": [cards.group_json(g) for g in view.groups]}


def pages_json(view: EventView) -> dict:
    """The board screen's pages: `play` or `pause`, and the facilitator's steps so far."""
    return {"pages": "pause" if view.event.projector_paused else "play",
            "page_turns": view.event.projector_page_turns}


def voting_json(view: EventView, facilitator: bool) -> dict:
    """Voting settings, and the counts once revealed (the facilitator always gets them):
    per card, or per group (`vote_on`: "groups"; the ids as JSON keys are strings)."""
    body = {"budget": view.event.vote_budget, "open": view.event.voting_open,
            "revealed": view.revealed, "vote_on": view.vote_on}
    if view.revealed or facilitator:
        body["counts"] = {str(key): dots for key, dots in view.counts().items()}
        body["ranking"] = ([{"rank": rank, "group_id": group.id, "dots": dots}
                            for rank, group, dots in view.group_ranking()]
                           if view.vote_on == "groups" else
                           [{"rank": rank, "card_id": card.id, "dots": dots}
                            for rank, card, dots in view.ranking()])
    return body


def seating_json(view: EventView) -> dict:
    """Every phase that seats people (the home round and the return included), with who
    sits at which table, and the affiliations at each home table (docs/api.md
    `GET .../seating`)."""
    seating_of_phase = rounds.seating_rounds(view.program)
    phases = [i for i, phase in enumerate(view.program) if phase.is_round] or [0]
    home_mix = view.home_mix()
    return {"home_mix": [
        {"table_id": t.id, "theme": t.theme, "mix": dict(sorted(home_mix[t.id].items()))}
        for t in view.tables
    ], "rounds": [
        {"phase_index": index, "round": seating_of_phase[index],
         "tables": {str(t.id): [p.id for p in view.present_at(t.id, seating_of_phase[index])]
                    for t in view.tables}}
        for index in phases
    ], "theme_misses": [
        {"participant_id": miss.person, "themes": list(miss.themes), "reason": miss.reason}
        for miss in view.theme_misses()
    ], **asdict(view.repeat_figures())}


def participant_json(person) -> dict:
    return {"id": person.id, "name": person.name, "affiliation": person.affiliation,
            "home_table": person.home_table_id}


def question_json(question: QuestionRecord) -> dict:
    return {"id": question.id, "kind": question.kind, "text": question.text,
            "options": list(question.options)}


def photo_url(event_id: str, photo: PhotoRecord) -> str:
    """Where the API answers a photo's JPEG, to the token that uploaded it."""
    return f"/api/v1/sessions/{event_id}/tables/{photo.table_id}/photos/{photo.id}"


def photo_json(view: EventView, photo: PhotoRecord) -> dict:
    """A photo of a table's paper sheet: the round it was taken in, its size, whether the
    projector shows it, where its JPEG and its thumbnail are."""
    url = photo_url(view.event.id, photo)
    return {"id": photo.id, "table_id": photo.table_id, "phase_index": photo.phase_index,
            "phase_title": view.program[photo.phase_index].title
            if photo.phase_index < len(view.program) else "",
            "created_at_ms": photo.created_at_ms, "width": photo.width,
            "height": photo.height, "on_projector": photo.on_projector, "url": url,
            "thumbnail_url": f"{url}?thumbnail=true"}


def survey_json(survey: SurveyRecord) -> dict:
    return {"questions": [question_json(q) for q in survey.questions], "open": survey.open}


def survey_results_json(view: EventView) -> dict:
    """What the answers add up to, per question (GET …/survey/results)."""
    return {"open": view.survey.open, "answered": len(view.survey_answers),
            "questions": [{**question_json(r.question), "answered": r.answered,
                           "counts": dict(r.counts), "mean": r.mean, "texts": list(r.texts)}
                          for r in view.survey_results()]}


def action_json(view: EventView, action: ActionRecord) -> dict:
    """An action with its roles, its volunteers counted per stakeholder (never named) and
    its history (docs/api.md, "Action plan")."""
    counts = dict(stakeholders.volunteers(view, action.id))
    return {"id": action.id, "session_id": action.session_id, "table_id": action.table_id,
            "group_id": action.group_id, "theme": view.action_theme(action),
            "what": action.what, "roles": dict(action.roles), "due": action.due or None,
            "status": action.status, "created_at_ms": action.created_at_ms,
            "volunteers": counts, "volunteer_count": sum(counts.values()),
            "history": [{"status": step.status, "note": step.note, "at_ms": step.at_ms,
                         "session_id": step.session_id}
                        for step in view.action_steps.get(action.id, ())]}


# --- the socket's JSON messages (docs/api.md, "WebSocket") -------------------------------------


class StateFields(TypedDict):
    """The clock (`GET .../state`, rounds.state_json)."""

    phase_index: int
    phase: dict[str, Any]
    status: str
    ends_at_ms: int | None
    remaining_ms: int | None
    server_now_ms: int


class BoardFields(TypedDict):
    """The board (`board_json`)."""

    view: str
    screen: str
    pages: str
    vote_on: str
    groups: list[dict[str, Any]]


class VotingFields(TypedDict):
    """The voting (`voting_json`); the counts once revealed, always for the facilitator."""

    budget: int
    open: bool
    revealed: bool
    vote_on: str
    counts: NotRequired[dict[str, int]]
    ranking: NotRequired[list[dict[str, Any]]]


class SnapshotMessage(TypedDict):
    type: Literal["snapshot", "session"]
    session: dict[str, Any]
    state: StateFields
    board: dict[str, Any]


class PhaseMessage(StateFields):
    type: Literal["phase"]


class SeatingMessage(TypedDict):
    type: Literal["seating"]
    home_mix: list[dict[str, Any]]
    rounds: list[dict[str, Any]]
    theme_misses: list[dict[str, Any]]
    repeat_pairs: int
    lower_bound: int
    series_repeat_pairs: int
    series_lower_bound: int
    series_repeat_bound: int


class ParticipantMessage(TypedDict):
    type: Literal["participant"]
    count: int
    participant: NotRequired[dict[str, Any]]


class CardMessage(TypedDict):
    type: Literal["card", "card_edited", "card_hidden"]
    card: dict[str, Any]


class GroupMessage(BoardFields):
    type: Literal["group"]
    action: Literal["created", "renamed", "deleted", "moved"]
    group: NotRequired[dict[str, Any]]
    group_id: NotRequired[int | None]
    card_id: NotRequired[str]


class BoardMessage(BoardFields):
    type: Literal["board"]


class ScreenMessage(TypedDict):
    type: Literal["screen"]
    screen: str
    showing: str


class PagesMessage(TypedDict):
    type: Literal["pages"]
    pages: str
    page_turns: int


class JoiningMessage(TypedDict):
    type: Literal["joining"]
    open: bool
    join_code: NotRequired[str]
    join_flood: NotRequired[dict[str, Any] | None]
    card_flood: NotRequired[dict[str, Any] | None]


class VotingMessage(VotingFields):
    type: Literal["vote", "voting"]


class ActionMessage(TypedDict):
    """An action drafted or changed, or its volunteers' counts changed (action_json)."""

    type: Literal["action"]
    action: dict[str, Any]


Message = (SnapshotMessage | PhaseMessage | SeatingMessage | ParticipantMessage | CardMessage
           | GroupMessage | BoardMessage | ScreenMessage | PagesMessage | JoiningMessage
           | VotingMessage | ActionMessage)
"""Every message a JSON socket gets from the server (besides `pong`)."""
