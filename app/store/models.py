"""Database tables, created only by Alembic migrations (migrations/).

Times are UTC milliseconds, stored as BigInteger: they overflow 32 bits.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, LargeBinary, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel


class EventSession(SQLModel, table=True):
    """One World Café event: its title, language and the code people join with."""

    __tablename__ = "event_session"

    id: str = Field(primary_key=True, max_length=16)
    title: str = Field(max_length=120)
    language: str = Field(max_length=8)
    join_code: str = Field(max_length=12, unique=True, index=True)
    facilitator_token: str = Field(max_length=64, unique=True)
    projector_token: str = Field(max_length=64, unique=True)
    cofacilitator_token: str | None = Field(default=None, max_length=64, unique=True)
    """A second console's link, made and revoked by the facilitator (None: there is none)."""
    created_at_ms: int = Field(sa_type=BigInteger)
    card_max_length: int = 140
    """Longest card text, in characters, for this event."""
    vote_budget: int = Field(default=3, sa_column_kwargs={"server_default": "3"})
    """Dots each participant may place on the harvest board."""
    voting_open: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    """Phones show the cards to vote on, and votes are taken, only while voting is open."""
    votes_revealed: bool = Field(default=False,
                                 sa_column_kwargs={"server_default": sa_false()})
    """Vote counts are shown (board, phones, JSON) only once the facilitator reveals them."""
    board_layout: str = Field(default="table", max_length=16,
                              sa_column_kwargs={"name": "board_view", "server_default": "table"})
    """How the harvest board is laid out (table, group, phase, theme); the projector
    follows the facilitator's choice."""
    date: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    """The day of the event, YYYY-MM-DD ("" = not given)."""
    start_time: str = Field(default="", max_length=5, sa_column_kwargs={"server_default": ""})
    venue: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    organiser: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    purpose: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    time_zone: str = Field(default="Asia/Tokyo", max_length=64,
                           sa_column_kwargs={"server_default": "Asia/Tokyo"})
    """Where the event takes place: every page and export shows local times in it."""
    projector_screen: str = Field(default="auto", max_length=16,
                                  sa_column_kwargs={"server_default": "auto"})
    """The screen the facilitator pinned on the projector, or auto (app/screens.py)."""
    projector_paused: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    """The facilitator stopped the projector's board pages from turning by themselves."""
    projector_page_turns: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """The facilitator's steps through the board pages so far (+1 next, -1 previous): every
    projector moves by the steps it has not followed yet (static/js/projector.js)."""
    seq: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    """Bumped by every committed change to the event; its live changes carry the number, so
    that every screen applies them in commit order (app/live/changes.py)."""
    joining_open: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    """The facilitator can close joining (a flood of fake joins) and open it again."""
    finished_at_ms: int | None = Field(default=None, sa_type=BigInteger)
    """When the event finished (None while it runs); its tokens expire some days after."""
    flood_since_ms: int | None = Field(default=None, sa_type=BigInteger)
    """A flood of joins the server answered by itself with a new join code, not yet
    reviewed by the facilitator: from when (None: there is none) ..."""
    flood_until_ms: int | None = Field(default=None, sa_type=BigInteger)
    """... until when; the people who joined in between are listed on the console."""
    card_flood_since_ms: int | None = Field(default=None, sa_type=BigInteger)
    """A flood of cards from one address (over its card budget), not yet reviewed by the
    facilitator: from when (None: there is none) ..."""
    card_flood_until_ms: int | None = Field(default=None, sa_type=BigInteger)
    """... until when it was last refused; who wrote cards in between is listed."""
    vote_on: str = Field(default="cards", max_length=8,
                         sa_column_kwargs={"server_default": "cards"})
    """What the dots go on: "cards", or "groups" (the KJ groups, when duplicates and near
    duplicates would split the dots); app/cards.py VOTE_TARGETS."""
    date_era: str = Field(default="", max_length=8, sa_column_kwargs={"server_default": ""})
    """"reiwa": the documents date the event by the Japanese era (令和8年12月7日（月）);
    "": by the Western year (2026年12月7日（月）)."""
    contact: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    """Whom to ask about the event (a phone number, an address), printed on the poster."""
    privacy_notice: str = Field(default="", max_length=2000,
                                sa_column_kwargs={"server_default": ""})
    """How the event uses what people give when they join (個人情報の取扱い): when set, the
    join form shows it and a join needs their consent ("" = no notice, no consent box)."""
    series_id: str | None = Field(default=None, max_length=16, index=True)
    """The series of sessions (第1回, 第2回, …) this event belongs to: the id of its first
    event, set on that first one when its first follow-up is made (None: a single event).
    store/series.py lists a series' events in order."""
    series_repeat_bound: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """The planner's bound on the meetings of pairs who met in an earlier event of the
    series, kept with the plan it was made for (store/seating.py replan;
    tables.Plan.series_repeat_bound): it cannot be recomputed from the seats."""
    anonymised_at_ms: int | None = Field(default=None, sa_type=BigInteger)
    """When the participants' names, readings and emails were erased and every link but
    the facilitator's revoked (store/erasure.py); None: not (yet)."""


class ReplacedJoinCode(SQLModel, table=True):
    """A join code that was replaced: a phone that still holds it is told to read the new
    one from the screen (and is not counted as guessing)."""

    __tablename__ = "replaced_join_code"

    code: str = Field(primary_key=True, max_length=12)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    replaced_at_ms: int = Field(sa_type=BigInteger)


class CafeTable(SQLModel, table=True):
    """A themed table with a host who stays put all event."""

    __tablename__ = "cafe_table"
    __table_args__ = (UniqueConstraint("session_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    number: int
    name: str = Field(max_length=60)
    theme: str = Field(default="", max_length=120)
    capacity: int | None = None
    host_token: str = Field(max_length=64, unique=True)
    host_affiliation: str = Field(default="", max_length=20)
    """The host's own stakeholder group (schemas.AFFILIATIONS), "" until they give it."""


class Participant(SQLModel, table=True):
    """Someone who joined by QR code; sits at a home table chosen by theme."""

    __tablename__ = "participant"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=40)
    affiliation: str = Field(max_length=16)
    theme: str = Field(default="", max_length=120)
    expectation: str = Field(default="", max_length=140)
    home_table_id: int | None = Field(default=None, foreign_key="cafe_table.id")
    token: str = Field(max_length=64, unique=True)
    joined_at_ms: int = Field(sa_type=BigInteger)
    absent: bool = False
    """Marked absent by a host or the facilitator: no seat in later rounds."""
    furigana: str = Field(default="", max_length=60, sa_column_kwargs={"server_default": ""})
    """The reading of the name in kana, for name tags and the 50音 order of lists."""
    email: str = Field(default="", max_length=254, sa_column_kwargs={"server_default": ""})
    arrived: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    """False for someone pre-registered until the reception ticks them in: only people
    who arrived are seated when the moves are planned."""
    person_id: int | None = Field(default=None, index=True)
    """One person across a series: the id of their participant row in the first event they
    came to (None: this row is that first one). A follow-up's carried rows copy it."""
    home_by_hand: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    """The facilitator set the home table by hand: a re-balance of the home tables keeps
    it."""


class CarriedGroup(SQLModel, table=True):
    """A KJ group of an earlier event of the series, carried into a follow-up as its
    starting material (前回の主な意見): a copy, so the follow-up shows it as it was."""

    __tablename__ = "carried_group"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    from_session_id: str = Field(max_length=16)
    from_group_id: int
    position: int
    name: str = Field(max_length=60)
    theme: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    """The theme of the tables most of its cards came from ("" = none)."""
    dots: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    cards: str = Field(sa_type=Text)
    """JSON: its top card texts, most dots first."""


class Phase(SQLModel, table=True):
    """One step of the program: a plain timed segment or a round."""

    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    position: int
    kind: str = Field(max_length=16)
    title: str = Field(max_length=80)
    minutes: float
    question: str = Field(default="", max_length=300)
    moves: bool = False


class RunState(SQLModel, table=True):
    """The clock of record: a running phase keeps its deadline, a paused one what remains."""

    __tablename__ = "run_state"

    session_id: str = Field(
        foreign_key="event_session.id", primary_key=True, ondelete="CASCADE"
    )
    phase_index: int = 0
    status: str = Field(default="ready", max_length=16)
    started_at_ms: int | None = Field(default=None, sa_type=BigInteger)
    ends_at_ms: int | None = Field(default=None, sa_type=BigInteger)
    remaining_ms: int | None = Field(default=None, sa_type=BigInteger)
    version: int = 0


class ClockEntry(SQLModel, table=True):
    """One change of the clock, as it was left: the report's minutes actually spent per
    phase come from these (RunState keeps only the latest)."""

    __tablename__ = "clock_entry"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    at_ms: int = Field(sa_type=BigInteger)
    phase_index: int
    status: str = Field(max_length=16)


class Seat(SQLModel, table=True):
    """Where a participant sits in one moving round (round 0, home, is their home table)."""

    __tablename__ = "seat"
    __table_args__ = (UniqueConstraint("session_id", "round_index", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    round_index: int
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    table_id: int = Field(foreign_key="cafe_table.id", ondelete="CASCADE")
    manual: bool = False
    """Placed by the facilitator by hand; the planner keeps it."""


class Card(SQLModel, table=True):
    """A sticky note (付箋) written at a table. The id is made by the client, so a resent card
    is recognised (retries are idempotent); table, phase and round are stamped by the server
    from the seating at the moment the card arrives."""

    __tablename__ = "card"

    id: str = Field(primary_key=True, max_length=36)
    """The client's UUID, in its canonical lower-case form."""
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    table_id: int = Field(foreign_key="cafe_table.id", index=True, ondelete="CASCADE")
    phase_index: int
    round_index: int = 0
    """The seating round of the phase (0 = home tables)."""
    author_kind: str = Field(max_length=16)
    """participant, host or facilitator."""
    participant_id: int | None = Field(default=None, foreign_key="participant.id",
                                       ondelete="SET NULL")
    text: str = Field(max_length=1000)
    """As written (after trimming); the length limit is a rule of app/cards.py, not of the
    column, so that it can become a per-event setting."""
    colour: str = Field(max_length=16)
    hidden: bool = False
    group_id: int | None = Field(default=None, foreign_key="card_group.id",
                                 ondelete="SET NULL")
    """The affinity group on the harvest board; None = not grouped yet."""
    created_at_ms: int = Field(sa_type=BigInteger)
    merged_into: str | None = Field(default=None, max_length=36)
    """Set (with `hidden`) when the facilitator merged this card into another one."""
    text_before_merge: str | None = Field(default=None, max_length=1000)
    """A kept card's own text before its first merge, given back when it is unmerged."""


class CardGroup(SQLModel, table=True):
    """A named cluster of cards on the harvest board (意見グループ, affinity diagram)."""

    __tablename__ = "card_group"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=60)
    created_at_ms: int = Field(sa_type=BigInteger)


class Vote(SQLModel, table=True):
    """The dots one participant put on one card (dot voting; several per card allowed)."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("participant_id", "card_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    card_id: str = Field(foreign_key="card.id", max_length=36, index=True, ondelete="CASCADE")
    dots: int = 1


class MovedDots(SQLModel, table=True):
    """Dots a merge moved from a merged card to the kept one, per voter: what an unmerge
    gives back (the vote rows themselves are added together on the kept card)."""

    __tablename__ = "moved_dots"
    __table_args__ = (UniqueConstraint("card_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    card_id: str = Field(foreign_key="card.id", max_length=36, ondelete="CASCADE")
    """The merged card the dots were on."""
    kept_id: str = Field(foreign_key="card.id", max_length=36, index=True, ondelete="CASCADE")
    """The card they were moved to."""
    dots: int


class GroupVote(SQLModel, table=True):
    """The dots one participant put on one KJ group, when the event votes on groups."""

    __tablename__ = "group_vote"
    __table_args__ = (UniqueConstraint("participant_id", "group_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    group_id: int = Field(foreign_key="card_group.id", index=True, ondelete="CASCADE")
    dots: int = 1


class KeywordTerms(SQLModel, table=True):
    """The keyword terms (app/keywords.py Term) of one card text of an event, analysed
    once when the card is written, so that a restart draws the keyword charts without
    running the analyser over every card again. Keyed by the text's digest: a card whose
    text changes finds its terms under the new text."""

    __tablename__ = "keyword_terms"

    session_id: str = Field(foreign_key="event_session.id", primary_key=True,
                            ondelete="CASCADE")
    text_digest: str = Field(primary_key=True, max_length=64)
    """sha256 of the text, hex."""
    terms: str = Field(sa_type=Text)
    """JSON: [[parts], noun] per term (keywords.terms_as_data)."""


class Survey(SQLModel, table=True):
    """The event's survey (アンケート): its questions, and whether phones may answer now."""

    __tablename__ = "survey"

    session_id: str = Field(foreign_key="event_session.id", primary_key=True,
                            ondelete="CASCADE")
    questions: str = Field(sa_type=Text)
    """JSON: [{"id", "kind", "text", "options"}] (schemas.SurveyIn)."""
    open: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class SurveyAnswer(SQLModel, table=True):
    """One participant's answers to the survey: one row each, changed while it is open."""

    __tablename__ = "survey_answer"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", unique=True, ondelete="CASCADE")
    answers: str = Field(sa_type=Text)
    """JSON: {question id: value} (a scale5 answer as "1".."5", a choice as its option)."""
    answered_at_ms: int = Field(sa_type=BigInteger)


class ActionItem(SQLModel, table=True):
    """An action of the action plan (役割分担・時限性): what, who brings what, by when, its
    status now. It belongs to the event where it was drafted (`session_id`), from a table
    or a KJ group; its status changes are kept in action_history, wherever they are made."""

    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    table_id: int | None = Field(default=None, foreign_key="cafe_table.id",
                                 ondelete="SET NULL")
    group_id: int | None = Field(default=None, foreign_key="card_group.id",
                                 ondelete="SET NULL")
    what: str = Field(max_length=300)
    roles: str = Field(sa_type=Text)
    """JSON: [[stakeholder code, what they bring], ...] in the codes' order."""
    due: str = Field(default="", max_length=10)
    """"" or an ISO date (YYYY-MM-DD)."""
    status: str = Field(max_length=16)
    created_at_ms: int = Field(sa_type=BigInteger)


class ActionHistory(SQLModel, table=True):
    """One step of an action's history: the status it moved to (or kept) and what
    happened, when, in which event (a later session of a series reviews it)."""

    __tablename__ = "action_history"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action_item.id", index=True, ondelete="CASCADE")
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    """The event where the change was made."""
    status: str = Field(max_length=16)
    note: str = Field(default="", max_length=1000)
    at_ms: int = Field(sa_type=BigInteger)


class ActionVolunteer(SQLModel, table=True):
    """A participant's raised hand for an action: one row per person and action."""

    __tablename__ = "action_volunteer"
    __table_args__ = (UniqueConstraint("action_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    action_id: int = Field(foreign_key="action_item.id", ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")


class TablePhoto(SQLModel, table=True):
    """A photo of a table's paper sheet (模造紙), as the server re-encoded it: a JPEG of at
    most 2400 px on its long side without any EXIF (no location), and its thumbnail. Kept
    in the database, so that a backup holds them and deleting the event erases them."""

    __tablename__ = "table_photo"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="event_session.id", index=True, ondelete="CASCADE")
    table_id: int = Field(foreign_key="cafe_table.id", ondelete="CASCADE")
    phase_index: int
    """The programme's phase when it was taken (its round)."""
    created_at_ms: int = Field(sa_type=BigInteger)
    width: int
    height: int
    by_host: bool
    """Taken by the table's host (who may delete it again), not by the facilitator."""
    on_projector: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    """The photo the projector shows large (at most one of an event)."""
    jpeg: bytes = Field(sa_type=LargeBinary)
    thumbnail: bytes = Field(sa_type=LargeBinary)
