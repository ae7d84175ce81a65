"""Plain, immutable records of an event's rows: what the database side hands out, what live
events carry (they travel between workers as JSON) and what the views are made of.

They hold the columns that the views, the events and the exports read; the database side
copies them from its tables (`record_of`), so nothing outside app/store/ sees a database
object. Participant tokens stay in the database: a record may cross the Redis bus.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from typing import Any, TypeVar

Record = TypeVar("Record")


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One World Café event (models.EventSession)."""

    id: str
    title: str
    language: str
    join_code: str
    facilitator_token: str
    projector_token: str
    cofacilitator_token: str | None
    created_at_ms: int
    card_max_length: int
    vote_budget: int
    voting_open: bool
    votes_revealed: bool
    board_layout: str
    joining_open: bool
    projector_screen: str
    date: str
    start_time: str
    venue: str
    organiser: str
    purpose: str
    time_zone: str
    flood_since_ms: int | None
    flood_until_ms: int | None
    card_flood_since_ms: int | None = None
    card_flood_until_ms: int | None = None
    projector_paused: bool = False
    projector_page_turns: int = 0
    vote_on: str = "cards"
    date_era: str = ""
    contact: str = ""
    privacy_notice: str = ""
    series_id: str | None = None
    """The series it belongs to (its first event's id), None for a single event."""
    series_repeat_bound: int = 0
    """The planner's bound on the series repeats of its stored plan (models.EventSession)."""
    anonymised_at_ms: int | None = None


@dataclass(frozen=True, slots=True)
class TableRecord:
    id: int
    number: int
    name: str
    theme: str
    capacity: int | None
    host_token: str
    host_affiliation: str = ""
    """The host's own stakeholder group, "" until they give it (their cards count as
    "host" until then)."""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A participant, without their token."""

    id: int
    name: str
    affiliation: str
    theme: str
    expectation: str
    home_table_id: int | None
    joined_at_ms: int
    absent: bool
    furigana: str = ""
    email: str = ""
    arrived: bool = True
    """False for someone pre-registered until the reception ticks them in."""
    person_id: int | None = None
    """Their row in the first event of the series they came to (None: this one)."""
    home_by_hand: bool = False
    """The facilitator set their home table by hand; a re-balance keeps it."""

    @property
    def person_key(self) -> int:
        """Who they are across a series: the same number in every event they come to."""
        return self.person_id if self.person_id is not None else self.id

    @property
    def present(self) -> bool:
        """Here to be seated: arrived and not marked absent."""
        return self.arrived and not self.absent


@dataclass(frozen=True, slots=True)
class CardRecord:
    id: str
    table_id: int
    phase_index: int
    round_index: int
    author_kind: str
    participant_id: int | None
    text: str
    colour: str
    hidden: bool
    group_id: int | None
    created_at_ms: int
    merged_into: str | None

    @property
    def order_key(self) -> tuple[int, str]:
        """Oldest first; the id breaks ties, so that every screen shows the same order."""
        return self.created_at_ms, self.id

    @property
    def on_board(self) -> bool:
        """Shown on the board and to vote on: not hidden (a merged card is hidden too)."""
        return not self.hidden


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    name: str
    created_at_ms: int


@dataclass(frozen=True, slots=True)
class CarriedGroupRecord:
    """A group of an earlier event carried into this one (models.CarriedGroup)."""

    id: int
    from_session_id: str
    from_group_id: int
    position: int
    name: str
    theme: str
    dots: int
    cards: tuple[str, ...]
    """Its top card texts, most dots first."""


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """The dots one participant put on one card."""

    participant_id: int
    card_id: str
    dots: int


@dataclass(frozen=True, slots=True)
class GroupVoteRecord:
    """The dots one participant put on one KJ group (an event that votes on groups)."""

    participant_id: int
    group_id: int
    dots: int


@dataclass(frozen=True, slots=True)
class ClockEntryRecord:
    """A change of the clock: from `at_ms` on, phase `phase_index` was in `status`."""

    at_ms: int
    phase_index: int
    status: str


SCALE5 = ("1", "2", "3", "4", "5")


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """One question of the survey: `kind` scale5 (1 to 5), choice (one of `options`) or
    text (free text)."""

    id: str
    kind: str
    text: str
    options: tuple[str, ...] = ()

    @property
    def choices(self) -> tuple[str, ...]:
        """The answers it takes: 1 (not at all) to 5 (very much) for scale5, its options
        for a choice; none (free text) for a text question."""
        return SCALE5 if self.kind == "scale5" else self.options


@dataclass(frozen=True, slots=True)
class SurveyRecord:
    """The event's survey (models.Survey): its questions, and whether it is open."""

    questions: tuple[QuestionRecord, ...]
    open: bool


@dataclass(frozen=True, slots=True)
class SurveyAnswerRecord:
    """One participant's answers: (question id, value) pairs, values as text."""

    participant_id: int
    answers: tuple[tuple[str, str], ...]

    def value(self, question_id: str) -> str | None:
        return dict(self.answers).get(question_id)


PROPOSED, AGREED, IN_PROGRESS, DONE, DROPPED = (
    "proposed", "agreed", "in_progress", "done", "dropped")
ACTION_STATUSES = (PROPOSED, AGREED, IN_PROGRESS, DONE, DROPPED)
ACTION_MOVES = {
    PROPOSED: (AGREED, DROPPED),
    AGREED: (IN_PROGRESS, DROPPED),
    IN_PROGRESS: (DONE, DROPPED),
    DONE: (),
    DROPPED: (),
}
"""An action's statuses and where each may go: proposed → agreed → in_progress → done, or
dropped on the way; done and dropped are final (schemas.status_move checks a move)."""


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """An action of the action plan (models.ActionItem), made in event `session_id`."""

    id: int
    session_id: str
    table_id: int | None
    group_id: int | None
    what: str
    roles: tuple[tuple[str, str], ...]
    """(stakeholder code, what they bring), in the codes' order."""
    due: str
    """"" or an ISO date."""
    status: str
    created_at_ms: int


@dataclass(frozen=True, slots=True)
class ActionStepRecord:
    """One step of an action's history (models.ActionHistory): the status it moved to and
    what happened, when, in which event."""

    action_id: int
    session_id: str
    status: str
    note: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class VolunteerRecord:
    """A participant's raised hand for an action (never shown by name)."""

    action_id: int
    participant_id: int


@dataclass(frozen=True, slots=True)
class PhotoRecord:
    """A photo of a table's paper sheet (models.TablePhoto), without its bytes."""

    id: int
    table_id: int
    phase_index: int
    created_at_ms: int
    width: int
    height: int
    by_host: bool
    on_projector: bool = False


@cache
def record_fields(cls: type) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    return tuple(f.name for f in fields(cls))


def record_of(cls: type[Record], row: Any) -> Record:
    """The record of a database row (or of anything with those attributes)."""
    return cls(**{name: getattr(row, name) for name in record_fields(cls)})
