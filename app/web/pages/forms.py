"""The pages' forms as models: what each form posts, read from its text into the values the
actions take (yes/no into booleans, row ids into numbers, empty fields into None), with
the messages people saw when the pages read forms by hand.

A form is read by the `posted(Model)` dependency; a value the model refuses raises
pydantic's ValidationError, which a form route answers as its message fragment (#flash,
422, app/web/pages/visits.py `refusal_answer`). Conversions that refuse with a sentence of
their own run before the fields (`model_validator(mode="before")`), so the sentence is
shown as it is, without a field's name before it."""

from __future__ import annotations

from typing import Annotated, TypeVar, get_origin

from fastapi import Depends, Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from app import cards
from app.i18n import N_, translate
from app.refusal import Refusal
from app.schemas import (
    DEFAULT_TIME_ZONE,
    DETAILS,
    MAX_ID,
    ActionIn,
    ArrivalIn,
    ControlIn,
    MoveIn,
)

NO_SUCH_ROW = N_("There is no such participant or table in this event.")


def row_id(raw: object) -> int:
    """A participant's or table's id as a form sends it; refused as no such row."""
    try:
        value = int(raw if isinstance(raw, str) else "")
    except ValueError:
        raise Refusal("invalid", NO_SUCH_ROW) from None
    if not 0 < value <= MAX_ID:
        raise Refusal("invalid", NO_SUCH_ROW)
    return value


def form_number(raw: object) -> object:
    """A form field's whole number, or the text as sent for the action to refuse (only
    ASCII digits: "²".isdigit() is true, int("²") fails)."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 10:
        return int(raw)
    return raw


def group_number(raw: object) -> object:
    """A form's `group_id`: empty for no group, else the number (or the text, refused by
    the action)."""
    return form_number(raw) if raw else None


def yes_no(raw: object) -> object:
    """yes/no as booleans; anything else as sent, for the action to refuse."""
    return {"yes": True, "no": False}.get(raw, raw) if isinstance(raw, str) else raw


def ticked(raw: object) -> bool:
    """A checkbox or a yes/no field that means yes only when it says so."""
    return raw == "yes"


Number = Annotated[int | str, BeforeValidator(form_number)]
GroupNumber = Annotated[int | str | None, BeforeValidator(group_number)]
YesNo = Annotated[bool | str, BeforeValidator(yes_no)]
Ticked = Annotated[bool, BeforeValidator(ticked)]
Text = str | None


class PageForm(BaseModel):
    """A page's form: the fields it sent (`model_fields_set`), others at their defaults."""

    model_config = ConfigDict(extra="ignore")

    def sent(self) -> dict:
        """The fields the form sent, as the actions take them (a change per field)."""
        return self.model_dump(exclude_unset=True)


Model = TypeVar("Model", bound=BaseModel)


def posted(model: type[Model]) -> object:
    """The dependency that reads a posted form into `model`: a field typed as a list takes
    every value sent under its name, any other field the last one."""
    def many(name: str) -> bool:
        field = model.model_fields.get(name)
        return field is not None and get_origin(field.annotation) is list

    async def read(request: Request) -> BaseModel:
        form = await request.form()
        return model.model_validate({name: form.getlist(name) if many(name) else form.get(name)
                                     for name in form})

    return Depends(read)


class ControlForm(ControlIn):
    """The console's clock buttons: ControlIn, empty fields left out."""

    @model_validator(mode="before")
    @classmethod
    def _empty(cls, data: dict) -> dict:
        return {name: value or None for name, value in data.items()}


class MoveForm(MoveIn):
    """A seat moved on the console."""

    @model_validator(mode="before")
    @classmethod
    def _rows(cls, data: dict) -> dict:
        return {**data, "participant_id": row_id(data.get("participant_id")),
                "table_id": row_id(data.get("table_id")),
                "phase_index": data.get("phase_index") or None}


class AbsenceForm(PageForm):
    """Someone marked away (or back) by the facilitator or their table's host."""

    participant_id: int
    absent: Ticked = False

    @model_validator(mode="before")
    @classmethod
    def _row(cls, data: dict) -> dict:
        return {**data, "participant_id": row_id(data.get("participant_id"))}


class JoiningForm(PageForm):
    """Joining opened or closed."""

    open: bool

    @model_validator(mode="before")
    @classmethod
    def _yes_or_no(cls, data: dict) -> dict:
        value = yes_no(data.get("open"))
        if not isinstance(value, bool):
            raise Refusal("invalid", N_("'open' must be yes or no."))
        return {**data, "open": value}


class SurveyOpenForm(JoiningForm):
    """The survey opened or closed (the same yes/no `open`)."""


class ProjectorPhotoForm(PageForm):
    """A photo put on the projector (`on=yes`) or taken off (`on=no`)."""

    on: Annotated[bool, BeforeValidator(lambda raw: yes_no(raw) is True)]


class SurveyForm(PageForm):
    """The survey's form: a field per question, named by its id; a field left empty is no
    answer (the answers are checked against the questions by the action)."""

    answers: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _answers(cls, data: dict) -> dict:
        return {"answers": {name: value for name, value in data.items()
                            if isinstance(value, str) and value.strip()}}


class ActionDraftForm(ActionIn):
    """A drafted action: `what`, a `role_{code}` field per stakeholder (left empty: not
    asked to bring anything), `due`; the console's names its KJ group (`group_id`), a
    host's is always from their own table."""

    @model_validator(mode="before")
    @classmethod
    def _roles(cls, data: dict) -> dict:
        return {"what": data.get("what"), "due": data.get("due"),
                "group_id": group_number(data.get("group_id")),
                "roles": {name.removeprefix("role_"): value for name, value in data.items()
                          if name.startswith("role_")}}


class ActionMoveForm(PageForm):
    """The console's status button of an action, and the note of what happened."""

    status: str = ""
    note: str = ""


class FollowUpForm(PageForm):
    """The console's box for the next event of the series: its title and date (empty: the
    defaults of `POST …/follow_up`), what it carries (ticked boxes) and the groups ticked."""

    title: str = ""
    date: str = ""
    participants: Ticked = False
    tables: Ticked = False
    program: Ticked = False
    groups: list[Number] = []

    def spec(self) -> dict:
        """The request `FollowUpIn` validates, as the API takes it."""
        return {"title": self.title.strip() or None, "date": self.date or None,
                "carry": {"participants": self.participants, "groups": self.groups,
                          "tables": self.tables, "program": self.program}}


class RemovalForm(PageForm):
    hide_cards: Ticked = False


class ErasureForm(PageForm):
    """Erasing the names or deleting the event: the first post asks again, the second
    (`confirmed=yes`) does it."""

    confirmed: Ticked = False


class FloodReviewForm(PageForm):
    """The review of a flood of joins: remove the ticked people, or keep everyone."""

    action: Text = None
    remove: list[int] = []

    @model_validator(mode="before")
    @classmethod
    def _rows(cls, data: dict) -> dict:
        chosen = data.get("remove", []) if data.get("action") == "remove" else []
        return {**data, "remove": [row_id(value) for value in chosen]}


class ReceptionForm(ArrivalIn):
    """Someone without a phone, registered at the reception desk."""

    @model_validator(mode="before")
    @classmethod
    def _typed(cls, data: dict) -> dict:
        return {name: data.get(name, "") for name in ("name", "affiliation", "theme")}


class LinkForm(PageForm):
    """A new link for a device (a table's host: `table_id`), or the co-facilitator's
    revoked."""

    role: str = ""
    table_id: int | None = None
    revoke: Ticked = False

    @model_validator(mode="before")
    @classmethod
    def _table(cls, data: dict) -> dict:
        host = data.get("role") == "host"
        return {**data, "table_id": row_id(data.get("table_id")) if host else None}


class ImportForm(PageForm):
    """The pre-registration upload (its list is the field `file`): a dry run, the
    preview, unless `dry_run=false`."""

    dry_run: Annotated[bool, BeforeValidator(lambda raw: raw != "false")] = True


class NameForm(PageForm):
    """A group's name."""

    name: str = ""


class CardEditForm(PageForm):
    """One change of a card per form: its group (empty: none), hidden, or its text."""

    group_id: GroupNumber = None
    hidden: YesNo | None = None
    text: Text = None


class MergeForm(PageForm):
    """The ticked cards, the first kept; `confirmed` once the confirmation was seen."""

    cards: list[str] = []
    confirmed: Ticked = False

    @property
    def chosen(self) -> list[str]:
        return list(dict.fromkeys(self.cards))


class GroupCardsForm(PageForm):
    cards: list[str] = []
    group_id: GroupNumber = None


class BoardForm(PageForm):
    """The board's settings, each sent alone or together."""

    view: Text = None
    screen: Text = None
    pages: Text = None
    vote_on: Text = None
    budget: Number | None = None
    open: YesNo | None = None
    revealed: YesNo | None = None


class SuggestionForm(PageForm):
    """A suggested group as accepted: its name as edited and the cards left ticked."""

    name: str = ""
    cards: list[str] = []


class OwnCardForm(PageForm):
    """One's own card changed from the host's tablet or the phone: a new `text`, or
    `withdraw` it."""

    text: str = ""
    withdraw: Ticked = False


class AffiliationForm(PageForm):
    affiliation: str = ""


class VoteForm(PageForm):
    """A dot on the card or on the group the tapped button names."""

    card_id: str = ""
    group_id: GroupNumber = None


class PasscodeForm(PageForm):
    passcode: str = ""


JOIN_FIELDS = ("name", "affiliation", "theme", "expectation", "consent")


class JoinForm(PageForm):
    """The join form (and, when the code was replaced, the event and the typed code)."""

    name: str = ""
    affiliation: str = ""
    theme: str = ""
    expectation: str = ""
    consent: Ticked = False
    """The privacy notice's box (only when the event has one)."""
    session: str = ""
    join_code: str = ""

    def typed(self) -> dict:
        """What the person typed, to show again with a refusal."""
        return {name: getattr(self, name) for name in JOIN_FIELDS}


TABLE_NAME = N_("Table %(n)s")
"""A table's name when its row gives only a theme (EventForm.tables), and every row's
placeholder on the event form."""


class EventForm(PageForm):
    """The event form (new or edited): a row per table and per phase; empty rows left
    out. `passcode` only on the start page."""

    title: str = ""
    language: str = "ja"
    card_max_length: str = ""
    program: str = "standard"
    passcode: str = ""
    table_name: list[str] = []
    table_theme: list[str] = []
    phase_kind: list[str] = []
    phase_title: list[str] = []
    phase_minutes: list[str] = []
    phase_question: list[str] = []
    phase_moves: list[str] = []
    details: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _details(cls, data: dict) -> dict:
        return {**data, "details": {name: data.get(name) or "" for name in DETAILS}}

    @property
    def tables(self) -> list[dict]:
        """The rows filled in; a row with only a theme is named as its placeholder says
        (「テーブル3」, by its place among the tables)."""
        filled = [(name, theme) for name, theme in
                  zip(self.table_name, self.table_theme, strict=False)
                  if name.strip() or theme.strip()]
        return [{"name": name if name.strip() else translate(self.language, TABLE_NAME, n=n),
                 "theme": theme} for n, (name, theme) in enumerate(filled, start=1)]

    @property
    def phases(self) -> list[dict]:
        rows = zip(self.phase_kind, self.phase_title, self.phase_minutes,
                   self.phase_question, self.phase_moves, strict=False)
        return [{"kind": kind, "title": title, "minutes": minutes, "question": question,
                 "moves": moves == "yes"}
                for kind, title, minutes, question, moves in rows
                if title.strip() or minutes.strip() or question.strip()]

    def spec(self) -> dict:
        """The event as SessionIn and SessionPatch take it."""
        return {
            "title": self.title,
            "language": self.language,
            "card_max_length": self.card_max_length or cards.MAX_TEXT,
            **self.details,
            "time_zone": self.details["time_zone"] or DEFAULT_TIME_ZONE,
            "tables": self.tables,
            "program": self.phases if self.program == "custom" else self.program,
        }
