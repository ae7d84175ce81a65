"""The shapes of the JSON API's answers, as pydantic models (docs/api.md).

The routes still build plain dicts with the shape functions that the sockets share
(app/live/wire.py, app/cards.py, app/templating/links.py); FastAPI checks each answer
against its model here, so the OpenAPI schema describes every answer and the fuzz tier's
response checks can fail. An undeclared key is an error (`extra="forbid"`), not silently
dropped: a shape function that grows a field must grow its model too. Keys that only some
callers get (`join_code` for screens, `mine` for a voter) are optional here and the routes
answer with `response_model_exclude_unset`, so an absent key stays absent, never `null`.
"""

from __future__ import annotations

from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict

from app.refusal import Code


class AnswerRoute(APIRoute):
    """Every answer is checked against its model and says only the keys its route gave: an
    optional key the route left out stays out, never `null`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "response_model_exclude_unset": True})

class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Answer):
    code: Code
    message: str
    """In the language of Accept-Language (ja or en)."""


class Error(Answer):
    """Every refusal: `{"error": {"code", "message"}}` (docs/api.md lists the codes)."""
    error: ErrorDetail


def files(media_types: dict[str, str]) -> dict:
    """The OpenAPI content of an export: bytes, except the JSON export, an object that
    names its format and version (docs/api.md)."""
    content = {media: {"schema": {"type": "string", "format": "binary"}}
               for media in sorted(set(media_types.values()))}
    content["application/json"] = {"schema": {
        "type": "object", "required": ["format", "version"],
        "properties": {"format": {"const": "worldcafe-export"},
                       "version": {"type": "integer"}}}}
    return content


class DocumentJob(Answer):
    """A document's job (app/documents/jobs.py): its url once ready, its error once failed."""
    name: str
    status: str
    progress: int
    stage: str
    url: str | None = None
    error: ErrorDetail | None = None


REFUSALS = {status: {"model": Error, "description": "Refused: " + ", ".join(
                sorted(code.value for code in Code if code.status == status))}
            for status in sorted({code.status for code in Code})}
"""The refusals any route may answer, by status, for the OpenAPI schema."""


class Phase(Answer):
    kind: str
    title: str
    minutes: float
    question: str
    moves: bool


class State(Answer):
    """The clock (`GET …/state`)."""
    phase_index: int
    phase: Phase
    status: str
    ends_at_ms: int | None
    remaining_ms: int
    server_now_ms: int


class Controlled(State):
    """The clock after a control command; `note` says why nothing changed."""
    changed: bool
    note: str | None = None


class Table(Answer):
    id: int
    number: int
    name: str
    theme: str
    capacity: int | None
    host_affiliation: str | None


class CreatedTable(Answer):
    """A table as its creator sees it: with its host's token and link."""
    id: int
    number: int
    name: str
    theme: str
    host_affiliation: str | None
    host_token: str
    host_url: str


class PageLinks(Answer):
    console: str
    projector: str
    join: str


class Created(Answer):
    """What the creator of an event gets: ids, tokens and every page's link."""
    id: str
    privacy_notice: str
    join_code: str
    facilitator_token: str
    projector_token: str
    tables: list[CreatedTable]
    urls: PageLinks


class SeriesSession(Answer):
    id: str
    title: str
    date: str
    status: str
    participants: int


class Series(Answer):
    """The events of a series (第1回, 第2回, …), first first."""
    series_id: str
    sessions: list[SeriesSession]


class Person(Answer):
    id: int
    name: str
    affiliation: str
    home_table: int | None


class JoinFlood(Answer):
    """A flood the server answered (of joins, or of cards over an address's budget), until
    the facilitator reviews it: its window and who joined or wrote cards in it."""
    since_ms: int | None
    until_ms: int
    participant_ids: list[int]


class EventDetails(Answer):
    """What every view of an event shares: its title, details and programme."""
    id: str
    title: str
    language: str
    joining_open: bool
    date: str
    start_time: str
    venue: str
    organiser: str
    purpose: str
    time_zone: str
    date_era: str
    """"reiwa": documents date the event 令和8年…; "": 2026年…"""
    contact: str
    privacy_notice: str
    program: list[Phase]


class Event(EventDetails):
    """An event as a JSON client sees it: people by name for the facilitator, a count
    for the others; the join code never for participants."""
    join_code: str | None = None
    join_flood: JoinFlood | None = None
    card_flood: JoinFlood | None = None
    tables: list[Table]
    participants: list[Person] | int


class EventWithLinks(EventDetails):
    """`GET /sessions/{id}` (facilitator): the event with its tokens and links, as on
    creation, and the clock."""
    join_code: str
    join_flood: JoinFlood | None
    card_flood: JoinFlood | None
    tables: list[CreatedTable]
    participants: list[Person]
    facilitator_token: str
    projector_token: str
    urls: PageLinks
    state: State


class Joined(Answer):
    """A person who joined (or was added at reception): their token and phone link."""
    id: int
    token: str
    home_table: int | None
    url: str


class RowError(Answer):
    """One problem of a pre-registration list: its row (the header is row 1, as a
    spreadsheet counts) and column (name, furigana, affiliation, theme, email)."""
    row: int
    column: str
    message: str


class Registered(Answer):
    """Someone pre-registered: their own phone link (the QR code on their name tag)."""
    id: int
    name: str
    furigana: str
    url: str


class Imported(Answer):
    """POST …/participants/import: a dry run answers `rows` and `errors` (nothing
    stored), an import `imported` and `participants`."""
    rows: int | None = None
    errors: list[RowError] | None = None
    imported: int | None = None
    participants: list[Registered] | None = None


class Arrived(Answer):
    """Someone the reception ticked in."""
    id: int
    arrived: bool
    home_table: int | None


class JoinCode(Answer):
    join_code: str
    joining_open: bool
    url: str


class Removed(Answer):
    removed: int
    hidden_cards: int


class RemovedMany(Answer):
    removed: list[int]
    hidden_cards: int


class FloodReviewed(Answer):
    join_flood: None


class Link(Answer):
    """A new screen link: its token and its URL (the old link is signed out)."""
    token: str
    url: str


class Revoked(Answer):
    revoked: bool


class Anonymised(Answer):
    """`anonymised`: false when the event's names had been erased already."""
    anonymised: bool
    participants: int
    anonymised_at: int
    """When the names were erased (UTC milliseconds)."""


class RoundSeating(Answer):
    phase_index: int
    round: int
    tables: dict[str, list[int]]


class ThemeMiss(Answer):
    participant_id: int
    themes: list[str]
    reason: str


class HomeMix(Answer):
    """How many people of each affiliation code are present at one home table."""
    table_id: int
    theme: str
    mix: dict[str, int]


class Seating(Answer):
    """The home tables' mix, who sits where in every phase that seats people, who missed a
    theme, the pairs that meet again (in this event, and across its series), the
    planner's lower bounds for them and, across a series, its upper bound (the series
    repeats of a plan that ignores the earlier events)."""
    home_mix: list[HomeMix]
    rounds: list[RoundSeating]
    theme_misses: list[ThemeMiss]
    repeat_pairs: int
    lower_bound: int
    series_repeat_pairs: int
    series_lower_bound: int
    series_repeat_bound: int


class Planned(Seating):
    changed: bool


class Rebalanced(Seating):
    moved: int


class Card(Answer):
    """The one card shape; `participant_id` for the facilitator and the author only."""
    id: str
    table_id: int
    phase_index: int
    round: int
    author_kind: str
    text: str
    colour: str
    hidden: bool
    group_id: int | None
    merged_into: str | None
    weight: int
    created_at_ms: int
    participant_id: int | None = None


class CardPage(Answer):
    """A page of cards, oldest first; `next` is the `after` of the next page."""
    cards: list[Card]
    next: str | None


class Group(Answer):
    id: int
    name: str


class Board(Answer):
    """The board's layout, the projector's screen and pages, and the groups."""
    view: str
    screen: str | None
    pages: str
    vote_on: str
    groups: list[Group]


class Ranked(Answer):
    rank: int
    dots: int
    card_id: str | None = None
    group_id: int | None = None


class Voting(Answer):
    """Voting settings; the counts and the ranking once revealed (the facilitator always)."""
    budget: int
    open: bool
    revealed: bool
    vote_on: str
    counts: dict[str, int] | None = None
    ranking: list[Ranked] | None = None


class MyDots(Answer):
    """A voter's own dots: per card id, or per group id when voting on groups."""
    budget: int
    used: int
    left: int
    dots: dict[str, int]
    vote_on: str


class Votes(Voting):
    screen: str | None
    mine: MyDots | None = None


class BoardAndVoting(Board):
    budget: int
    open: bool
    revealed: bool
    counts: dict[str, int] | None = None
    ranking: list[Ranked] | None = None


class Deleted(Answer):
    deleted: int


class Merged(Answer):
    card: Card
    merged: list[str]


class Unmerged(Answer):
    card: Card
    restored: list[Card]


class Duplicate(Answer):
    cards: list[str]
    text: str


class Duplicates(Answer):
    duplicates: list[Duplicate]


class Keyword(Answer):
    word: str
    count: int


class Keywords(Answer):
    """The words on most visible cards: overall, per table id, theme and affiliation."""
    overall: list[Keyword]
    tables: dict[str, list[Keyword]]
    themes: dict[str, list[Keyword]]
    affiliations: dict[str, list[Keyword]]


class Suggestion(Answer):
    id: str
    name: str
    keywords: list[str]
    cards: list[str]


class Suggestions(Answer):
    suggestions: list[Suggestion]
    ungrouped: int
    seconds: float


class Accepted(Group):
    """The suggested group made: the cards moved into it, how many were skipped (grouped
    since)."""
    cards: list[str]
    skipped: int


class SurveyQuestion(Answer):
    id: str
    kind: str
    text: str
    options: list[str]


class Survey(Answer):
    """The event's survey: its questions and whether the phones may answer; how many have
    answered (facilitator), or the asker's own answers (participant)."""
    questions: list[SurveyQuestion]
    open: bool
    answered: int | None = None
    mine: dict[str, str] | None = None


class PhotoCreated(Answer):
    """A photo stored: its id and where its JPEG is (to the same token)."""
    id: int
    url: str


class Photo(Answer):
    """A table's photo: the phase (round) it was taken in, its size in pixels, whether the
    projector shows it, its JPEG and thumbnail."""
    id: int
    table_id: int
    phase_index: int
    phase_title: str
    created_at_ms: int
    width: int
    height: int
    on_projector: bool
    url: str
    thumbnail_url: str


class Photos(Answer):
    photos: list[Photo]


class PhotoDeleted(Answer):
    deleted: int


class SurveyAnswers(Answer):
    """A participant's answers as stored (scale5 as "1".."5")."""
    answers: dict[str, str]


class QuestionResults(SurveyQuestion):
    answered: int
    counts: dict[str, int]
    """Per answer (1..5, or each option) how many gave it; empty for a text question."""
    mean: float | None
    texts: list[str]


class SurveyResults(Answer):
    open: bool
    answered: int
    questions: list[QuestionResults]


class ActionStep(Answer):
    status: str
    note: str
    at_ms: int
    session_id: str
    """The event where the change was made."""


class Action(Answer):
    """An action of the action plan: what, who brings what per stakeholder code, by when,
    its status and history; the hands raised for it counted per stakeholder, never named.
    `mine`: whether the asking participant's hand is raised."""
    id: int
    session_id: str
    table_id: int | None
    group_id: int | None
    theme: str
    what: str
    roles: dict[str, str]
    due: str | None
    status: str
    created_at_ms: int
    volunteers: dict[str, int]
    volunteer_count: int
    history: list[ActionStep]
    mine: bool | None = None


class Actions(Answer):
    actions: list[Action]


class Hand(Answer):
    """A participant's hand for an action after the request, and the action's counts."""
    action_id: int
    raised: bool
    volunteers: dict[str, int]
    volunteer_count: int


class SeriesActions(Answer):
    """Every action of a series' events, first event first, with its history."""
    series_id: str
    actions: list[Action]
