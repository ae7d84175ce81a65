"""What clients may send: shapes, limits and the messages people see when input is wrong.

Both the JSON API and the HTML forms validate through these models, so a rule and its
message live in one place. Messages are gettext msgids, translated when shown.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Annotated

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from app import cards
from app.i18n import LANGUAGES, N_
from app.refusal import Refusal
from app.rounds import ACTIONS, DEFAULT_MOVES, PHASE_KINDS, PRESETS
from app.stakeholders import AFFILIATIONS
from app.store.records import (
    ACTION_MOVES,
    ACTION_STATUSES,
    AGREED,
    DONE,
    DROPPED,
    IN_PROGRESS,
    PROPOSED,
)
from app.text import has_forbidden, is_reading, normalised, refuse_stacked_marks

MAX_ID = 2**31 - 1
"""Row ids, phase indexes and seconds are bounded where they are read: a 1e20 is a
refusal, not an overflow in the database."""
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Index = Annotated[int, Field(ge=0, le=1000)]
Count = Annotated[int, Field(ge=-MAX_ID, le=MAX_ID)]

MAX_TABLES = 100
MAX_PHASES = 50
MAX_MINUTES = 600



def _text(limit: int, label: str, required: bool = True):
    def clean(value: object) -> object:
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise Refusal("invalid", N_("%(field)s must be text."), field=label)
        if has_forbidden(value):
            raise Refusal("invalid", N_("%(field)s contains control characters."), field=label)
        value = normalised(value, one_line=limit <= 120)
        if required and not value:
            raise Refusal("invalid", N_("%(field)s must not be empty."), field=label)
        refuse_stacked_marks(value)
        if len(value) > limit:
            raise Refusal("invalid",
                          N_("%(field)s is too long (at most %(limit)s characters)."),
                          field=label, limit=limit)
        return value

    return BeforeValidator(clean)


Title = Annotated[str, _text(120, N_("Title"))]
TableName = Annotated[str, _text(60, N_("Table name"))]
Theme = Annotated[str, _text(120, N_("Theme"), required=False)]
PhaseTitle = Annotated[str, _text(80, N_("Phase title"))]
Question = Annotated[str, _text(300, N_("Question"), required=False)]
Name = Annotated[str, _text(40, N_("Name"))]
Expectation = Annotated[str, _text(140, N_("Expectation"), required=False)]
Furigana = Annotated[str, _text(60, N_("Furigana"), required=False)]
Email = Annotated[str, _text(254, N_("Email"), required=False)]
Contact = Annotated[str, _text(200, N_("Contact"), required=False)]
Venue = Annotated[str, _text(120, N_("Venue"), required=False)]
Organiser = Annotated[str, _text(120, N_("Organiser"), required=False)]
Purpose = Annotated[str, _text(1000, N_("Purpose"), required=False)]
PrivacyNotice = Annotated[str, _text(2000, N_("Privacy notice"), required=False)]
DEFAULT_TIME_ZONE = "Asia/Tokyo"
DATE_ERAS = ("", "reiwa")
"""How documents write the event's year: 2026年 (""), or 令和8年 ("reiwa")."""
DETAILS = ("date", "start_time", "venue", "organiser", "purpose", "time_zone", "date_era",
           "contact", "privacy_notice")
"""The event's details: what the report's title block and every local time need, and the
privacy notice the join form shows."""


def _date_era(value: object) -> str:
    if value in (None, ""):
        return ""
    if value not in DATE_ERAS:
        raise Refusal("invalid", N_("The era must be empty (Western years) or reiwa."))
    return value


DateEra = Annotated[str, BeforeValidator(_date_era)]


def _event_date(value: object) -> str:
    """"" or an ISO date (YYYY-MM-DD)."""
    if value in (None, ""):
        return ""
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(value)
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise Refusal("invalid", N_("The date must look like 2026-12-02.")) from None


def _start_time(value: object) -> str:
    """"" or a time of day (HH:MM, 24 hours)."""
    if value in (None, ""):
        return ""
    try:
        if not isinstance(value, str) or len(value) != 5:
            raise ValueError(value)
        return datetime.time.fromisoformat(value).strftime("%H:%M")
    except ValueError:
        raise Refusal("invalid", N_("The start time must look like 13:30.")) from None


def _time_zone(value: object) -> str:
    """An IANA time zone name the server knows, e.g. Asia/Tokyo."""
    try:
        if not isinstance(value, str) or not value or len(value) > 64 or "\x00" in value:
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise Refusal("invalid", N_("Unknown time zone (for example Asia/Tokyo).")) from None
    return value


EventDate = Annotated[str, BeforeValidator(_event_date)]
StartTime = Annotated[str, BeforeValidator(_start_time)]
TimeZone = Annotated[str, BeforeValidator(_time_zone)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class TableIn(Strict):
    name: TableName
    theme: Theme = ""
    capacity: Count | None = Field(default=None)

    @field_validator("capacity")
    @classmethod
    def _capacity(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 100:
            raise Refusal("invalid", N_("A table seats between 1 and 100 people."))
        return value


class PhaseIn(Strict):
    kind: str = "plain"
    title: PhaseTitle
    minutes: float
    question: Question = ""
    moves: bool | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in PHASE_KINDS:
            raise Refusal("invalid", N_("Unknown phase kind %(kind)s."), kind=value)
        return value

    @field_validator("minutes")
    @classmethod
    def _minutes(cls, value: float) -> float:
        if not 0 < value <= MAX_MINUTES:
            raise Refusal("invalid", N_("Minutes must be more than 0 and at most %(limit)s."),
                          limit=MAX_MINUTES)
        return value

    def moves_or_default(self) -> bool:
        return DEFAULT_MOVES[self.kind] if self.moves is None else self.moves


def _tables(value: list[TableIn]) -> list[TableIn]:
    if not value:
        raise Refusal("invalid", N_("Add at least one table."))
    if len(value) > MAX_TABLES:
        raise Refusal("invalid", N_("At most %(limit)s tables."), limit=MAX_TABLES)
    return value


def _program(value: str | list[PhaseIn]) -> str | list[PhaseIn]:
    if isinstance(value, str):
        if value not in PRESETS:
            raise Refusal("invalid", N_("Unknown program preset %(name)s."), name=value)
        return value
    if not value:
        raise Refusal("invalid", N_("The program needs at least one phase."))
    if len(value) > MAX_PHASES:
        raise Refusal("invalid", N_("At most %(limit)s phases."), limit=MAX_PHASES)
    return value


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise Refusal("invalid", N_("Language must be ja or en."))
    return value


def _card_max_length(value: int | None) -> int | None:
    if value is not None and not cards.SHORTEST_LIMIT <= value <= cards.LONGEST_LIMIT:
        raise Refusal("invalid", N_("A card may hold between %(low)s and %(high)s characters."),
                      low=cards.SHORTEST_LIMIT, high=cards.LONGEST_LIMIT)
    return value


class SessionIn(Strict):
    title: Title
    language: str = "ja"
    tables: list[TableIn]
    program: str | list[PhaseIn] = "standard"
    card_max_length: Count = cards.MAX_TEXT
    date: EventDate = ""
    start_time: StartTime = ""
    venue: Venue = ""
    organiser: Organiser = ""
    purpose: Purpose = ""
    time_zone: TimeZone = DEFAULT_TIME_ZONE
    date_era: DateEra = ""
    contact: Contact = ""
    privacy_notice: PrivacyNotice = ""

    _check_card_max_length = field_validator("card_max_length")(_card_max_length)

    _check_language = field_validator("language")(_language)
    _check_tables = field_validator("tables")(_tables)
    _check_program = field_validator("program")(_program)


def _optional_tables(value: list[TableIn] | None) -> list[TableIn] | None:
    return None if value is None else _tables(value)


def _optional_program(value: str | list[PhaseIn] | None) -> str | list[PhaseIn] | None:
    return None if value is None else _program(value)


class SessionPatch(Strict):
    """An edit of an existing event: only the fields given change."""

    title: Title | None = None
    language: str | None = None
    tables: list[TableIn] | None = None
    program: str | list[PhaseIn] | None = None
    card_max_length: Count | None = None
    date: EventDate | None = None
    start_time: StartTime | None = None
    venue: Venue | None = None
    organiser: Organiser | None = None
    purpose: Purpose | None = None
    time_zone: TimeZone | None = None
    date_era: DateEra | None = None
    contact: Contact | None = None
    privacy_notice: PrivacyNotice | None = None
    joining_open: StrictBool | None = None
    """Close joining (false) or open it again (true)."""

    _check_card_max_length = field_validator("card_max_length")(_card_max_length)

    @property
    def edits_the_event(self) -> bool:
        """Whether it changes more than joining (every screen is drawn again then)."""
        return bool(self.model_fields_set - {"joining_open"})

    @field_validator("language")
    @classmethod
    def _check_language(cls, value: str | None) -> str | None:
        return None if value is None else _language(value)

    _check_tables = field_validator("tables")(_optional_tables)
    _check_program = field_validator("program")(_optional_program)


class CarryIn(Strict):
    """What a follow-up takes over from the event it follows."""

    participants: StrictBool = False
    """The people who took part, each the same person in the follow-up (a new link)."""
    groups: list[RowId] = Field(default_factory=list, max_length=100)
    """KJ groups of the event, the follow-up's starting material (前回の主な意見)."""
    tables: StrictBool = True
    """The tables (names, themes, capacities); false: the request gives `tables`."""
    program: StrictBool = True
    """The programme; false: the request's `program`, or the standard one."""


class FollowUpIn(Strict):
    """The next event of a series (第2回, …): the event's own settings where not given."""

    title: Title | None = None
    date: EventDate | None = None
    tables: list[TableIn] | None = None
    program: str | list[PhaseIn] | None = None
    carry: CarryIn = Field(default_factory=CarryIn)

    _check_tables = field_validator("tables")(_optional_tables)
    _check_program = field_validator("program")(_optional_program)


class ArrivalIn(Strict):
    """Who arrives: from their phone (JoinIn) or at the reception desk, for someone
    without a phone (the facilitator registers them)."""

    name: Name
    affiliation: str = "other"
    theme: Theme = ""
    expectation: Expectation = ""

    @field_validator("affiliation")
    @classmethod
    def _affiliation(cls, value: str) -> str:
        return known_affiliation(value)


def known_affiliation(value: str) -> str:
    if value not in AFFILIATIONS:
        raise Refusal("invalid", N_("Choose an affiliation from the list."))
    return value


class TablePatch(Strict):
    """A table host's own affiliation: their cards count under it (the stakeholder
    comparison, the keywords per affiliation), not under "host"."""

    host_affiliation: str

    @field_validator("host_affiliation")
    @classmethod
    def _host_affiliation(cls, value: str) -> str:
        return known_affiliation(value)


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
"""Enough of an address to write to: the office's own list, never used to send mail here."""


class RegisteredIn(ArrivalIn):
    """Someone from the office's list of applications (POST …/participants/import): they
    come with the reading of their name (for the name tag and the 50音 order) and may
    give an email address."""

    furigana: Furigana = ""
    email: Email = ""

    @field_validator("furigana")
    @classmethod
    def _furigana(cls, value: str) -> str:
        if not is_reading(value):
            raise Refusal("invalid", N_("Write the furigana in kana (hiragana or katakana)."))
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not EMAIL.fullmatch(value):
            raise Refusal("invalid", N_("This is not an email address."))
        return value


class ImportIn(Strict):
    """A pre-registration list sent as JSON: the CSV's text."""

    csv: str


class JoinIn(ArrivalIn):
    join_code: str = Field(max_length=20)
    consent: bool = False
    """Agreed to the event's privacy notice (needed only when the event has one)."""


class JoinFormIn(JoinIn):
    """The join form: affiliation and theme start unselected and must be chosen (a default
    would count everyone who skips them as 市民 at the first theme); the JSON API keeps
    them optional (JoinIn)."""

    affiliation: str = Field(default="", validate_default=True)

    def require_theme(self, themes: list[str]) -> JoinFormIn:
        """Refused without a theme when the event's tables have themes to choose from."""
        if themes and not self.theme:
            raise Refusal("invalid", N_("Choose a theme from the list."))
        return self


class ControlIn(Strict):
    action: str
    seconds: Count | None = None
    phase_index: Index | None = None
    from_phase: Index | None = None

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        if value not in ACTIONS:
            raise Refusal("invalid", N_("Unknown action %(action)s."), action=value)
        return value


class MoveIn(Strict):
    participant_id: RowId
    table_id: RowId
    phase_index: Index | None = None


class AbsenceIn(Strict):
    absent: bool


class RemovalIn(Strict):
    """Participants to remove at once (e.g. those who joined in a flood)."""

    participant_ids: list[RowId] = Field(min_length=1, max_length=1000)
    hide_cards: bool = False


def _card_text(value: object) -> str:
    try:
        return cards.clean_text(value, cards.LONGEST_LIMIT)  # the event's own limit: later
    except Refusal as refusal:
        # the messages name the card themselves: no "Card:" prefix (see describe_invalid)
        raise Refusal("invalid", refusal.message, field=N_("Card"), **refusal.params) from None


def _card_id(value: object) -> str:
    try:
        return cards.clean_id(value)
    except Refusal as refusal:
        raise Refusal("invalid", refusal.message, field="id", **refusal.params) from None


class CardIn(BaseModel):
    """A new card: the client's UUID, the text as written, and (for the facilitator, who
    is at no table) the table it belongs to."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, BeforeValidator(_card_id)]
    text: Annotated[str, BeforeValidator(_card_text)]
    table_id: RowId | None = None


class GroupIn(BaseModel):
    """A group's name; its rules (app/cards.py clean_group_name) are checked when stored."""

    model_config = ConfigDict(extra="ignore")
    name: object = None


class CardPatch(BaseModel):
    """The facilitator's moderation of a card: only the fields sent change."""

    model_config = ConfigDict(extra="ignore")
    hidden: bool | None = None
    text: object = None
    group_id: RowId | None = None


class MergeIn(BaseModel):
    """The cards to merge into the card of the URL (which is kept)."""

    model_config = ConfigDict(extra="ignore")
    cards: list[str] = Field(min_length=1, max_length=50)


class AcceptIn(BaseModel):
    """Accepting a suggested group: another name, a part of its cards (both optional)."""

    model_config = ConfigDict(extra="ignore")
    name: object = None
    cards: list[str] | None = Field(default=None, max_length=2000)


class BoardPatch(BaseModel):
    """The board's layout and the dot-voting settings: only the fields sent change."""

    model_config = ConfigDict(extra="ignore")
    view: str | None = None
    screen: str | None = None
    pages: str | None = None
    budget: Count | None = None
    open: bool | None = Field(default=None, validation_alias=AliasChoices("open", "voting_open"))
    """Voting open; `voting_open` is the same field by its longer name."""
    revealed: bool | None = None
    vote_on: str | None = None


# --- the survey (アンケート) ---------------------------------------------------------------

SURVEY_KINDS = ("scale5", "choice", "text")
"""scale5: 1 (not at all) to 5 (very much); choice: one of its options; text: free text."""
MAX_QUESTIONS = 10
MAX_OPTIONS = 10
QuestionId = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]
QuestionText = Annotated[str, _text(300, N_("Question"))]
OptionText = Annotated[str, _text(60, N_("Option"))]
_answer_text = _text(1000, N_("Answer"), required=False).func


class SurveyQuestionIn(Strict):
    id: QuestionId
    kind: str
    text: QuestionText
    options: list[OptionText] = Field(default_factory=list, max_length=MAX_OPTIONS)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in SURVEY_KINDS:
            raise Refusal("invalid", N_("A question's kind is scale5, choice or text."))
        return value

    def checked(self) -> SurveyQuestionIn:
        """A choice needs two options or more (all different); the others none."""
        if self.kind == "choice":
            if len(self.options) < 2 or len(set(self.options)) != len(self.options):
                raise Refusal("invalid",
                              N_("A choice question needs at least two different options."))
        elif self.options:
            raise Refusal("invalid", N_("Only a choice question has options."))
        return self


class SurveyIn(Strict):
    """The survey's questions, all of them at once (`PUT …/survey`)."""

    questions: list[SurveyQuestionIn]

    @field_validator("questions")
    @classmethod
    def _questions(cls, value: list[SurveyQuestionIn]) -> list[SurveyQuestionIn]:
        if not 1 <= len(value) <= MAX_QUESTIONS:
            raise Refusal("invalid", N_("A survey has between 1 and %(limit)s questions."),
                          limit=MAX_QUESTIONS)
        if len({q.id for q in value}) != len(value):
            raise Refusal("invalid", N_("Every question needs its own id."))
        return [q.checked() for q in value]


class SurveyPatch(Strict):
    """Open the survey to the phones, or close it (`PATCH …/survey`)."""

    open: StrictBool


class PhotoPatch(Strict):
    """Put a table's photo on the projector, or take it off (`PATCH …/photos/{pid}`)."""

    on_projector: StrictBool


class SurveyAnswersIn(BaseModel):
    """A participant's answers by question id: 1 to 5 for scale5, an option's text for a
    choice, free text; questions left out are not answered."""

    model_config = ConfigDict(extra="ignore")
    answers: dict[QuestionId, StrictInt | StrictStr] = Field(max_length=MAX_QUESTIONS)

    def cleaned(self, questions) -> tuple[tuple[str, str], ...]:
        """The answers as (question id, text) pairs in the questions' order, each checked
        against its question (`questions`: QuestionRecord-like)."""
        by_id = {q.id: q for q in questions}
        unknown = set(self.answers) - set(by_id)
        if unknown:
            raise Refusal("invalid", N_("There is no question %(id)s in this survey."),
                          id=sorted(unknown)[0])
        pairs = []
        for question in questions:
            if question.id in self.answers:
                value = _answer(question, self.answers[question.id])
                if value:
                    pairs.append((question.id, value))
        if not pairs:
            raise Refusal("invalid", N_("Answer at least one question."))
        return tuple(pairs)


def _answer(question, raw: int | str) -> str:
    """One answer as stored text ("" = left empty); `question.choices` are the answers a
    scale5 or choice question takes."""
    if question.kind == "text":
        return _answer_text(raw)
    value = str(raw).strip()
    if value not in (*question.choices, ""):
        raise Refusal("invalid", N_("Answer %(id)s with a number from 1 to 5.")
                      if question.kind == "scale5"
                      else N_("Answer %(id)s with one of its options."), id=question.id)
    return value


# --- the action plan (役割分担・時限性) -----------------------------------------------------

ACTION_STATUS_LABELS = {
    PROPOSED: N_("Proposed"),
    AGREED: N_("Agreed"),
    IN_PROGRESS: N_("In progress"),
    DONE: N_("Done"),
    DROPPED: N_("Dropped"),
}
ROLE_CODES = AFFILIATIONS
"""Who an action asks to bring something: the stakeholder codes of stakeholders.py."""

ActionWhat = Annotated[str, _text(300, N_("What we will do"))]
ActionNote = Annotated[str, _text(1000, N_("Note"), required=False)]


def status_move(current: str, wanted: object) -> str:
    """The status an action may move to from `current` (409 status_move otherwise: an
    unknown status, a step skipped or back, a final status left)."""
    if wanted not in ACTION_STATUSES:
        raise Refusal("status_move", N_("Unknown action status %(status)s."),
                      status=str(wanted)[:40])
    if wanted != current and wanted not in ACTION_MOVES[current]:
        raise Refusal("status_move",
                      N_("An action cannot move from %(current)s to %(wanted)s."),
                      current=ACTION_STATUS_LABELS[current],
                      wanted=ACTION_STATUS_LABELS[str(wanted)])
    return str(wanted)


def _roles(value: object) -> tuple[tuple[str, str], ...]:
    """{stakeholder code: what they bring}, in the codes' order; an empty text leaves the
    stakeholder out; an unknown code is refused."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise Refusal("invalid", N_("Roles must map stakeholder codes to what they bring."))
    unknown = set(value) - set(ROLE_CODES)
    if unknown:
        raise Refusal("invalid", N_("Unknown stakeholder %(role)s; use one of %(codes)s."),
                      role=str(sorted(map(str, unknown))[0])[:40],
                      codes=", ".join(ROLE_CODES))
    cleaned = {code: _role_text(text) for code, text in value.items()}
    return tuple((code, cleaned[code]) for code in ROLE_CODES if cleaned.get(code))


_role_text = _text(200, N_("Role"), required=False).func
Roles = Annotated[tuple[tuple[str, str], ...], BeforeValidator(_roles)]
DueDate = Annotated[str, BeforeValidator(_event_date)]


class ActionIn(BaseModel):
    """A drafted action: what, who brings what (by stakeholder code), by when; the table or
    KJ group it comes from (a host's own table when neither is given)."""

    model_config = ConfigDict(extra="ignore")
    what: ActionWhat
    roles: Roles = ()
    due: DueDate = ""
    table_id: RowId | None = None
    group_id: RowId | None = None


class ActionPatch(BaseModel):
    """A change of an action: only the fields sent change (`due` or `roles` null clears
    them); `status` moves along ACTION_MOVES (checked against the stored status: 409
    status_move), `note` says what happened (kept in the action's history with the
    status)."""

    model_config = ConfigDict(extra="ignore")
    what: ActionWhat | None = None
    roles: Roles | None = None
    due: DueDate | None = None
    status: object = None
    note: ActionNote = ""
