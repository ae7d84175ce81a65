"""Live changes: what a committed write announces, as typed records of what changed.

Every write to an event bumps the event's `seq` in the same transaction and publishes one
`Batch` with that number and the changes it made. Screens apply batches in `seq`
order (app/live/hub.py), so nothing is ever shown from a state older than one already shown; a
number that never arrives means a lost batch, and the screens resync from the database.

A change carries the changed rows (the card, the group, the dots), so a push renders what
changed and nothing else (app/live/delivery.py). Batches travel between workers as JSON
(`encode`, `decode`).
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from functools import cache
from typing import ClassVar

from app.rounds import ClockState
from app.store.records import (
    ActionRecord,
    ActionStepRecord,
    CardRecord,
    GroupRecord,
    GroupVoteRecord,
    PersonRecord,
    PhotoRecord,
    SurveyAnswerRecord,
    SurveyRecord,
    TableRecord,
    VolunteerRecord,
    VoteRecord,
)


@dataclass(frozen=True)
class EventEdited:
    """Title, language, tables or program changed: every screen is drawn again."""

    type: ClassVar[str] = "event_edited"


@dataclass(frozen=True)
class PhaseChanged:
    clock: ClockState
    type: ClassVar[str] = "phase"


@dataclass(frozen=True)
class Joined:
    person: PersonRecord
    seats: tuple[tuple[int, int], ...] = ()
    """(round, table id) of the newcomer's seats, once the moves are planned."""
    type: ClassVar[str] = "joined"


@dataclass(frozen=True)
class SeatingChanged:
    """The plan changed (planned, re-planned around an absence or a move by hand)."""

    seats: tuple[tuple[int, int, int], ...]
    """Every (round, participant id, table id) of the moving rounds."""
    people: tuple[PersonRecord, ...]
    """Everyone, with their home table and absence as they are now."""
    type: ClassVar[str] = "seating"


@dataclass(frozen=True)
class CardAdded:
    card: CardRecord
    type: ClassVar[str] = "card_added"


@dataclass(frozen=True)
class CardEdited:
    card: CardRecord
    type: ClassVar[str] = "card_edited"


@dataclass(frozen=True)
class CardHidden:
    """Hidden, or shown again (`card.hidden` says which)."""

    card: CardRecord
    type: ClassVar[str] = "card_hidden"


@dataclass(frozen=True)
class CardGrouped:
    """Moved into a group, or out of every group (`card.group_id` None)."""

    card: CardRecord
    type: ClassVar[str] = "card_grouped"


@dataclass(frozen=True)
class CardsMerged:
    """`kept` has the combined text and the dots of the others, which are hidden."""

    kept: CardRecord
    merged: tuple[CardRecord, ...]
    votes: tuple[VoteRecord, ...]
    """Every vote on the kept card after the merge."""
    type: ClassVar[str] = "cards_merged"


@dataclass(frozen=True)
class CardsUnmerged:
    """`kept` has its own text back; `merged`, the cards that were merged into it, are
    shown again with the dots the merge had moved."""

    kept: CardRecord
    merged: tuple[CardRecord, ...]
    votes: tuple[VoteRecord, ...]
    """Every vote on the kept card and on the cards given back, after the change."""
    type: ClassVar[str] = "cards_unmerged"


@dataclass(frozen=True)
class GroupSaved:
    """A group created or renamed."""

    group: GroupRecord
    created: bool
    type: ClassVar[str] = "group_saved"


@dataclass(frozen=True)
class GroupDeleted:
    group_id: int
    type: ClassVar[str] = "group_deleted"


@dataclass(frozen=True)
class LayoutChosen:
    layout: str
    type: ClassVar[str] = "layout"


@dataclass(frozen=True)
class ScreenChosen:
    """The facilitator pinned a projector screen (or gave it back to the phase)."""

    screen: str
    type: ClassVar[str] = "screen"


@dataclass(frozen=True)
class PagesCommanded:
    """The facilitator paused or played the board screen's pages, or stepped them (`turns`
    counts the steps so far: +1 next, -1 previous)."""

    paused: bool
    turns: int
    type: ClassVar[str] = "pages"


@dataclass(frozen=True)
class DotsChanged:
    """One voter's dots on one card now (0: none left there)."""

    vote: VoteRecord
    type: ClassVar[str] = "dots"


@dataclass(frozen=True)
class GroupDotsChanged:
    """One voter's dots on one KJ group now (0: none left there)."""

    vote: GroupVoteRecord
    type: ClassVar[str] = "group_dots"


@dataclass(frozen=True)
class VotingChanged:
    budget: int
    open: bool
    revealed: bool
    vote_on: str = "cards"
    type: ClassVar[str] = "voting"


@dataclass(frozen=True)
class JoiningChanged:
    """Joining closed or opened again, or a new join code (the old one is refused); the
    windows of the floods the server answered by itself (of joins with the right code, of
    cards over an address's budget), until the facilitator reviews them."""

    join_code: str
    open: bool
    flood_since_ms: int | None = None
    flood_until_ms: int | None = None
    card_flood_since_ms: int | None = None
    card_flood_until_ms: int | None = None
    type: ClassVar[str] = "joining"


@dataclass(frozen=True)
class HostAffiliationChosen:
    """A table's host gave their own affiliation: their cards count under it."""

    table: TableRecord
    type: ClassVar[str] = "host_affiliation"


@dataclass(frozen=True)
class SurveyChanged:
    """The survey's questions were set, or it was opened or closed."""

    survey: SurveyRecord
    type: ClassVar[str] = "survey"


@dataclass(frozen=True)
class SurveyAnswered:
    """A participant answered the survey (or changed their answers)."""

    answer: SurveyAnswerRecord
    type: ClassVar[str] = "survey_answer"


@dataclass(frozen=True)
class ActionSaved:
    """An action drafted (`created`) or changed: its text, roles, due date or status;
    `steps` are the steps its history gained (a status moved, a note of what happened)."""

    action: ActionRecord
    created: bool
    steps: tuple[ActionStepRecord, ...] = ()
    type: ClassVar[str] = "action"


@dataclass(frozen=True)
class HandRaised:
    """A participant raised (or lowered) their hand for an action. Screens show only the
    counts per stakeholder, never who."""

    hand: VolunteerRecord
    raised: bool
    type: ClassVar[str] = "hand"


@dataclass(frozen=True)
class PhotoAdded:
    """A photo of a table's paper sheet was uploaded."""

    photo: PhotoRecord
    type: ClassVar[str] = "photo_added"


@dataclass(frozen=True)
class PhotoDeleted:
    photo: PhotoRecord
    type: ClassVar[str] = "photo_deleted"


@dataclass(frozen=True)
class PhotoProjected:
    """The facilitator put a photo on the projector (`photo_id`), or took it off (None)."""

    photo_id: int | None
    type: ClassVar[str] = "photo_projected"


@dataclass(frozen=True)
class SignedOut:
    """Tokens stopped being valid: a participant was removed (`holder_id` their id), a
    host's link was replaced (the table's id), the projector's or the co-facilitator's
    (role auth.CO_FACILITATOR; None). Every worker
    forgets the event's known tokens and closes that holder's sockets."""

    role: str
    holder_id: int | None = None
    type: ClassVar[str] = "signed_out"


Change = (EventEdited | PhaseChanged | Joined | SeatingChanged | CardAdded | CardEdited
          | CardHidden | CardGrouped | CardsMerged | CardsUnmerged | GroupSaved
          | GroupDeleted | LayoutChosen | ScreenChosen | PagesCommanded | DotsChanged
          | GroupDotsChanged | VotingChanged | JoiningChanged | HostAffiliationChosen
          | SurveyChanged | SurveyAnswered | ActionSaved | HandRaised | PhotoAdded
          | PhotoDeleted | PhotoProjected | SignedOut)
"""Every live change. Each consumer (EventView.apply, Delivery.apply, json_messages, the
hub's arrival) handles them in one `match` that ends in `assert_never`: a new class not
handled there is a type error, and an AssertionError when one arrives."""
CHANGE_CLASSES: tuple[type[Change], ...] = typing.get_args(Change)
BY_TYPE: dict[str, type[Change]] = {cls.type: cls for cls in CHANGE_CLASSES}
"""Each class by its `type`, which names it on the bus (tests/unit/test_changes.py checks
that no two share one)."""


def dots_changed(vote: VoteRecord | GroupVoteRecord) -> DotsChanged | GroupDotsChanged:
    """The change of a voter's dots now, on a card or on a group."""
    return GroupDotsChanged(vote) if isinstance(vote, GroupVoteRecord) else DotsChanged(vote)


@dataclass(frozen=True)
class Batch:
    """The changes of one committed write, numbered by the event's `seq` after it."""

    event_id: str
    seq: int
    changes: tuple[Change, ...]


# --- JSON between workers ---------------------------------------------------------------


def encode(batch: Batch) -> str:
    return json.dumps({"event_id": batch.event_id, "seq": batch.seq,
                       "changes": [{"type": change.type, **dataclasses.asdict(change)}
                                   for change in batch.changes]}, ensure_ascii=False)


def decode(text: str | bytes) -> Batch:
    data = json.loads(text)
    decoded = []
    for item in data["changes"]:
        cls = BY_TYPE[item.pop("type")]
        hints = _hints(cls)
        decoded.append(cls(**{name: _value(hints[name], value) for name, value in item.items()}))
    return Batch(data["event_id"], data["seq"], tuple(decoded))


@cache
def _hints(cls: type) -> dict:
    return typing.get_type_hints(cls)


def _value(hint, value):
    """A JSON value back in the type of its field: records, clocks and tuples of them."""
    if dataclasses.is_dataclass(hint):
        return hint(**{name: _value(field_hint, value[name])
                       for name, field_hint in _hints(hint).items() if name in value})
    if typing.get_origin(hint) is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_value(item, v) for v in value)
    return value
