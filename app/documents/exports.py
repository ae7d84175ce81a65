"""Exports of the harvest at any moment: CSV, Markdown, JSON, an A3 landscape PDF that looks
like the paper sheets (模造紙) and a PNG of it.

Every format is built from the same rows (`export_rows`), taken from a loaded EventView:
visible cards only (hidden and merged-away cards are left out), and never the author's name,
only their affiliation ("table host" for a host's card), so a card the facilitator hid or
edited does not reveal who wrote it. Card text is kept as written and escaped for each format
(HTML entities in Markdown and the PDF, a leading quote against spreadsheet formulas in CSV).

The PDF is HTML (templates/exports/board.html) laid out by WeasyPrint, which finds Debian's
Noto Sans CJK through fontconfig; the PNG is the same HTML laid out on one tall page and
rasterised by pypdfium2. Both are imported only when a PDF or PNG is asked for.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from app import rounds, stakeholders
from app.i18n import N_, NN_, day_text, normalize, translate, translations
from app.schemas import ACTION_STATUS_LABELS
from app.stakeholders import AFFILIATION_LABELS, AFFILIATIONS

if TYPE_CHECKING:
    from weasyprint import Document

    from app.live.view import EventView
    from app.store.records import GroupRecord, TableRecord

PRINTED_FORMATS = ("poster.pdf", "tents.pdf", "routes.pdf", "nametags.pdf", "attendance.pdf")
"""The printed materials (app/documents/printed.py)."""
REPORT_FORMATS = ("report.pdf", "report.docx")
"""The city office's report (app/documents/report.py)."""
SERIES_FORMATS = ("series.pdf",)
"""The report of the event's whole series (app/documents/series.py)."""
HARVEST_FORMATS = ("csv", "md", "json", "pdf", "png", "survey.csv", "actions.csv")
FORMATS = (*HARVEST_FORMATS, *PRINTED_FORMATS, *REPORT_FORMATS, *SERIES_FORMATS)
TEXT_FORMATS = ("csv", "md", "json", "survey.csv", "actions.csv")
PHOTO_FORMATS = ("pdf", *REPORT_FORMATS)
"""The documents that print the photos of the paper sheets."""
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "survey.csv": "text/csv; charset=utf-8",
    "actions.csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "png": "image/png",
    **dict.fromkeys(PRINTED_FORMATS, "application/pdf"),
    "report.pdf": "application/pdf",
    "series.pdf": "application/pdf",
    "report.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
JSON_FORMAT_VERSION = 1
PNG_SCALE = 1.5
"""PDF points to pixels: the A3 width (420 mm) becomes 1786 pixels."""
PNG_MAX_HEIGHT_PX = 12000
"""The PNG's tallest (about 2.8 m of board, some 1000 cards): its bitmap stays near 64 MB
on a laptop; the cards beyond are left out and the picture says how many."""

HOST_LABEL = N_("table host")
FACILITATOR_LABEL = N_("facilitator")
THEME_LABEL = N_("Theme")
NO_CARDS = N_("No cards yet")
VOTES_LABEL = N_("%(n)s votes")
EXPORTED_LABEL = N_("exported %(time)s")
CARD_COUNT = NN_("%(num)s card", "%(num)s cards")
GROUPS_LABEL = N_("Groups")
UNGROUPED_LABEL = N_("Not grouped yet")
RANKING_LABEL = N_("Ranking")
GROUP_RANK_LABEL = N_("Rank %(rank)s")
CARDS_LABEL = N_("Cards")
EXPECTATIONS_LABEL = N_("Self-introduction cards")
RESPONDENT_LABEL = N_("Respondent")
PHOTOS_LABEL = N_("Photos of the paper sheets")
COLUMNS = (
    ("text", N_("Card")),
    ("table_number", N_("Table no.")),
    ("table_name", N_("Table")),
    ("theme", N_("Theme")),
    ("phase_number", N_("Phase no.")),
    ("phase_title", N_("Phase")),
    ("affiliation", N_("Affiliation")),
    ("group", N_("Group")),
    ("votes", N_("Votes")),
    ("rank", N_("Rank")),
    ("created_at", N_("Created")),
    ("created_at_local", N_("Created (local time)")),
    ("weight", N_("Weight")),
    ("group_votes", N_("Group votes")),
    ("group_rank", N_("Group rank")),
)
"""CSV columns: the row field and its heading (translated into the event's language)."""
GROUP_FIELDS = ("group_votes", "group_rank")
"""A row's figures of its group: the JSON export gives them once, on the group."""

Progress = Callable[[str], None]
"""Told the stage a long export has reached ("analysing", "laying out", "writing")."""


def quiet(_stage: str) -> None:
    """No one listens to the stages."""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads a cell starting with these as a formula (CSV injection)."""


@dataclass(frozen=True)
class ExportRow:
    id: str
    text: str
    table_id: int
    table_number: int | None
    table_name: str
    theme: str
    phase_index: int
    phase_number: int
    phase_title: str
    author_kind: str
    affiliation_code: str
    affiliation: str
    group_id: int | None
    group: str
    votes: int
    weight: int
    """1 and every card merged into it (app/cards.py weights); shown as ×N when over 1."""
    rank: int | None
    """Its place in the ranking by dots (equal dots share it); None without dots."""
    group_votes: int
    """Its group's dots (EventView.group_dots: on the group itself when the event votes
    on groups, on its cards otherwise); 0 in no group."""
    group_rank: int | None
    """Its group's place in the ranking when the event votes on groups; None otherwise."""
    colour: str
    created_at: str
    created_at_local: str
    """The same time as Excel reads a date and time (local_clock)."""
    created_at_ms: int


def local_iso(view: EventView, ms: int) -> str:
    """A UTC millisecond time as ISO 8601 in the event's time zone, with its offset, to the
    second (the laptop serving the event may well keep UTC)."""
    zone = ZoneInfo(view.event.time_zone)
    return datetime.fromtimestamp(ms / 1000, zone).isoformat(timespec="seconds")


def local_clock(view: EventView, ms: int) -> str:
    """A UTC millisecond time as `2026/12/07 17:17` in the event's time zone: what Excel
    (Japanese or not) reads as a date and time, where it keeps the ISO form as text."""
    zone = ZoneInfo(view.event.time_zone)
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%Y/%m/%d %H:%M")


def event_day(view: EventView) -> str:
    """The day of the event as YYYY-MM-DD: its given date, else the day it was created."""
    return view.event.date or local_iso(view, view.event.created_at_ms)[:10]


def date_text(view: EventView, language: str) -> str:
    """The event's day as a document writes it (i18n.day_text, by the event's era choice)."""
    return day_text(event_day(view), language, view.event.date_era)


AUTHOR_LABELS = {**AFFILIATION_LABELS, "host": HOST_LABEL, "facilitator": FACILITATOR_LABEL}
"""The label of each code EventView.affiliation_of gives, as a card's note."""


def _affiliation(view: EventView, card, language: str) -> tuple[str, str]:
    code = view.affiliation_of(card)
    label = AUTHOR_LABELS.get(code)
    return code, translate(language, label) if label else code


def export_rows(view: EventView, language: str | None = None) -> list[ExportRow]:
    """The visible cards of the event, by table number, then phase, then oldest first."""
    language = normalize(language or view.event.language)
    tables = {t.id: t for t in view.tables}
    groups = {g.id: g.name for g in view.groups}
    counts = view.vote_counts()
    ranks = {card.id: rank for rank, card, _dots in view.ranking(limit=None)}
    group_votes = {group.id: dots for group, dots in view.group_dots()}
    group_ranks = ranked_groups(view)
    gettext = translations(language).gettext
    headings = [rounds.phase_heading(view.program, index, gettext)
                for index in range(len(view.program))]
    rows = []
    for card in view.board_cards():
        table = tables.get(card.table_id)
        phase = view.program[card.phase_index] if card.phase_index < len(view.program) else None
        code, label = _affiliation(view, card, language)
        group_id = card.group_id
        rows.append(ExportRow(
            id=card.id, text=card.text, table_id=card.table_id,
            table_number=table.number if table else None,
            table_name=table.name if table else "", theme=table.theme if table else "",
            phase_index=card.phase_index, phase_number=card.phase_index + 1,
            phase_title=headings[card.phase_index] if phase else "",
            author_kind=card.author_kind,
            affiliation_code=code, affiliation=label, group_id=group_id,
            group=groups.get(group_id, ""), votes=counts.get(card.id, 0),
            weight=view.weight(card.id), rank=ranks.get(card.id),
            group_votes=group_votes.get(group_id, 0), group_rank=group_ranks.get(group_id),
            colour=card.colour,
            created_at=local_iso(view, card.created_at_ms),
            created_at_local=local_clock(view, card.created_at_ms),
            created_at_ms=card.created_at_ms))
    rows.sort(key=lambda r: (r.table_number or 0, r.phase_index, r.created_at_ms, r.id))
    return rows


def ranked_groups(view: EventView) -> dict[int, int]:
    """group id -> its place in the ranking (EventView.group_ranking, every group with
    dots), when the event votes on groups; nothing when it votes on cards."""
    if view.vote_on != "groups":
        return {}
    return {group.id: rank for rank, group, _dots in view.group_ranking(limit=None)}


@dataclass(frozen=True)
class GroupSummary:
    """One KJ group, or the cards in none (`group` None), with its visible cards."""

    group: GroupRecord | None
    rows: list[ExportRow]
    dots: int
    rank: int | None = None
    """Its place in the ranking when the event votes on groups (ranked_groups)."""

    @property
    def count(self) -> int:
        return len(self.rows)


def group_summary(view: EventView, rows: list[ExportRow]) -> list[GroupSummary]:
    """The groups by dots, most first (the order of EventView.group_dots), each with its
    cards most dots first, then the cards in no group; nothing while there are no groups."""
    if not view.groups:
        return []
    by_group: dict[int | None, list[ExportRow]] = {}
    for row in sorted(rows, key=lambda r: (-r.votes, r.table_number or 0, r.created_at_ms)):
        by_group.setdefault(row.group_id, []).append(row)
    ranks = ranked_groups(view)
    summary = [GroupSummary(group, by_group.get(group.id, []), dots, ranks.get(group.id))
               for group, dots in view.group_dots()]
    loose = by_group.get(None, [])
    if loose:
        summary.append(GroupSummary(None, loose, sum(r.votes for r in loose)))
    return summary


def expectations(view: EventView) -> list[str]:
    """The self-introduction cards (what people expect, written at join) in the order they
    joined, without who wrote them: an expectation is often personal."""
    people = sorted(view.participants, key=lambda p: (p.joined_at_ms, p.id))
    return [p.expectation for p in people if p.expectation]


# --- text formats ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetPhoto:
    """A photo of a table's paper sheet as the documents print it (the stored JPEG)."""

    caption: str
    """The round it was taken in and the time, in the event's time zone."""
    jpeg: bytes
    width: int
    height: int

    @property
    def data_uri(self) -> str:
        return "data:image/jpeg;base64," + base64.b64encode(self.jpeg).decode("ascii")

    @property
    def portrait(self) -> bool:
        return self.height > self.width


@dataclass(frozen=True)
class TablePhotos:
    table: TableRecord
    photos: tuple[SheetPhoto, ...]


def table_photos(view: EventView, images: Mapping[int, bytes]) -> list[TablePhotos]:
    """Each table that has photos (of those in `images`, photo id -> JPEG), in table order,
    its photos oldest first."""
    found = []
    for table in view.tables:
        photos = tuple(SheetPhoto(_photo_caption(view, photo), images[photo.id], photo.width,
                                  photo.height)
                       for photo in view.table_photos(table.id) if photo.id in images)
        if photos:
            found.append(TablePhotos(table, photos))
    return found


def _photo_caption(view: EventView, photo) -> str:
    gettext = translations(normalize(view.event.language)).gettext
    phase = (rounds.phase_heading(view.program, photo.phase_index, gettext)
             if photo.phase_index < len(view.program) else "")
    taken = local_iso(view, photo.created_at_ms)[11:16]
    return f"{phase} · {taken}" if phase else taken


def guard_formula(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: list[ExportRow], language: str) -> bytes:
    """The cards, a row each (COLUMNS)."""
    return csv_bytes([translate(language, heading) for _field, heading in COLUMNS],
                     ([getattr(row, field) for field, _heading in COLUMNS] for row in rows))


def csv_bytes(heading: list[str], rows) -> bytes:
    """UTF-8 with a BOM and CRLF line ends, so that Excel (Japanese Windows too) opens it;
    no cell read as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(heading)
    for row in rows:
        writer.writerow([guard_formula(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def survey_csv(view: EventView, language: str) -> bytes:
    """The survey's answers, a row per respondent (numbered, with their affiliation, never
    their name) and a column per question, in the order people joined."""
    questions = view.survey.questions if view.survey is not None else ()
    heading = [translate(language, RESPONDENT_LABEL), translate(language, N_("Affiliation")),
               *(q.text for q in questions)]
    people = {p.id: p for p in view.participants}
    answers = [view.survey_answers[person_id] for person_id in sorted(view.survey_answers)]
    return csv_bytes(heading, (
        [number, _person_affiliation(people.get(answer.participant_id), language),
         *(answer.value(q.id) or "" for q in questions)]
        for number, answer in enumerate(answers, start=1)))


def actions_csv(view: EventView, language: str) -> bytes:
    """The action plan, a row per action in the order drafted: its theme, where it was
    drafted, what, what each stakeholder brings (a column each), the due date, the status
    and the hands raised, in all and per stakeholder (counts, never names)."""
    def t(msgid: str) -> str:
        return translate(language, msgid)

    labels = [t(AFFILIATION_LABELS[code]) for code in AFFILIATIONS]
    heading = [t(N_("Theme")), t(N_("From")), t(N_("What we will do")),
               *(t(N_("Role: %(stakeholder)s")) % {"stakeholder": label} for label in labels),
               t(N_("By when")), t(N_("Status")), t(N_("Hands raised")),
               *(t(N_("Hands: %(stakeholder)s")) % {"stakeholder": label} for label in labels)]
    rows = []
    for action in view.action_list():
        roles, hands = dict(action.roles), dict(stakeholders.volunteers(view, action.id))
        rows.append([view.action_theme(action), view.action_source(action), action.what,
                     *(roles.get(code, "") for code in AFFILIATIONS), action.due,
                     t(ACTION_STATUS_LABELS[action.status]), view.hands_for(action.id),
                     *(hands.get(code, 0) for code in AFFILIATIONS)])
    return csv_bytes(heading, rows)


def _person_affiliation(person, language: str) -> str:
    label = AFFILIATION_LABELS.get(person.affiliation) if person is not None else None
    return translate(language, label) if label else ""


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_escape(text: str) -> str:
    """Text shown as written in Markdown: HTML escaped, Markdown's own marks backslashed."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _heading(view: EventView, language: str, exported_at: str) -> tuple[str, str]:
    """The title, and one line: the event's day, start time and venue (when given) and when
    this was exported, by its time alone on the event's own day (the day once, not twice)."""
    day = event_day(view)
    exported = exported_at[:16].replace("T", " ").removeprefix(f"{day} ")
    parts = (f"{day} {view.event.start_time}".strip(), view.event.venue,
             translate(language, EXPORTED_LABEL, time=exported))
    return view.event.title, " · ".join(part for part in parts if part)


def weight_mark(weight: int) -> str:
    """×N for a card N cards were merged into; nothing for a single card."""
    return f"×{weight}" if weight > 1 else ""


def weighed_text(row: ExportRow) -> str:
    """A card's text and its ×N (when cards were merged into it)."""
    return " ".join(filter(None, (row.text, weight_mark(row.weight))))


def _md_card(row: ExportRow, language: str, *notes: str) -> str:
    """A card as a list item, its weight, its notes and its votes in brackets."""
    shown = [note for note in (weight_mark(row.weight), *notes) if note]
    if row.votes:
        shown.append(translate(language, VOTES_LABEL, n=row.votes))
    return f"- {md_escape(row.text)} ({md_escape(' · '.join(shown))})"


def to_markdown(view: EventView, rows: list[ExportRow], language: str,
                exported_at: str) -> bytes:
    """By table, then by phase, like the paper sheets: one section per table and its theme;
    then the groups, the ranking and the self-introduction cards."""
    title, dates = _heading(view, language, exported_at)
    lines = [f"# {md_escape(title)}", "", md_escape(dates), ""]
    for table in view.tables:
        mine = [r for r in rows if r.table_id == table.id]
        lines.append(f"## {table.number}. {md_escape(table.name)}")
        if table.theme:
            lines += ["", f"{translate(language, THEME_LABEL)}: {md_escape(table.theme)}"]
        lines.append("")
        if not mine:
            lines += [f"_{translate(language, NO_CARDS)}_", ""]
        for phase_index in sorted({r.phase_index for r in mine}):
            in_phase = [r for r in mine if r.phase_index == phase_index]
            lines += [f"### {md_escape(in_phase[0].phase_title)}", ""]
            lines += [_md_card(row, language, row.affiliation, row.group) for row in in_phase]
            lines.append("")
    lines += _md_groups(view, rows, language) + _md_ranking(view, rows, language)
    texts = expectations(view)
    if texts:
        lines += [f"## {translate(language, EXPECTATIONS_LABEL)}", ""]
        lines += [f"- {md_escape(text)}" for text in texts] + [""]
    return "\n".join(lines).encode("utf-8")


def _md_groups(view: EventView, rows: list[ExportRow], language: str) -> list[str]:
    """The KJ groups by dots: name, card count, dots (and rank when the event votes on
    groups), then their cards."""
    summary = group_summary(view, rows)
    if not summary:
        return []
    lines = [f"## {translate(language, GROUPS_LABEL)}", ""]
    for group in summary:
        name = group.group.name if group.group else translate(language, UNGROUPED_LABEL)
        figures = [translate(language, CARD_COUNT, num=group.count)]
        if group.group:
            figures.append(translate(language, VOTES_LABEL, n=group.dots))
        if group.rank:
            figures.append(translate(language, GROUP_RANK_LABEL, rank=group.rank))
        lines += [f"### {md_escape(name)}", "", " · ".join(figures), ""]
        lines += [_md_card(row, language, f"{row.table_number}. {row.table_name}",
                           row.affiliation) for row in group.rows]
        lines.append("")
    return lines


def _md_ranking(view: EventView, rows: list[ExportRow], language: str) -> list[str]:
    """The top ten by dots as a table, as the projector and the phones show them: the
    cards (EventView.ranking), or the groups when the event votes on groups
    (EventView.group_ranking) with their card counts."""
    headings = {**dict(COLUMNS), "cards": CARDS_LABEL}
    if view.vote_on == "groups":
        counts = Counter(row.group_id for row in rows)
        fields, align = ("rank", "group", "votes", "cards"), "|---:|---|---:|---:|"
        body = [(str(rank), md_escape(group.name), str(dots), str(counts[group.id]))
                for rank, group, dots in view.group_ranking()]
    else:
        by_id = {row.id: row for row in rows}
        fields, align = ("rank", "text", "votes", "table_name", "group"), "|---:|---|---:|---|---|"
        body = [(str(rank), md_escape(weighed_text(row)), str(dots),
                 md_escape(f"{row.table_number}. {row.table_name}"), md_escape(row.group))
                for rank, card, dots in view.ranking() for row in (by_id[card.id],)]
    if not body:
        return []
    heading = " | ".join(translate(language, headings[field]) for field in fields)
    return [f"## {translate(language, RANKING_LABEL)}", "", f"| {heading} |", align,
            *(f"| {' | '.join(cells)} |" for cells in body), ""]


def to_json(view: EventView, rows: list[ExportRow], exported_at: str) -> bytes:
    """The documented shape (docs/api.md): the event, what its dots go on, its tables,
    phases and groups (with their card counts, dots and, when the event votes on groups,
    rank), the visible cards with their table, phase, affiliation, group, votes and rank,
    and the self-introduction cards without names."""
    figures = {s.group.id: s for s in group_summary(view, rows) if s.group}
    body = {
        "format": "worldcafe-export",
        "version": JSON_FORMAT_VERSION,
        "exported_at": exported_at,
        "session": {"id": view.event.id, "title": view.event.title,
                    "language": view.event.language,
                    "created_at": local_iso(view, view.event.created_at_ms)},
        "vote_on": view.vote_on,
        "tables": [{"id": t.id, "number": t.number, "name": t.name, "theme": t.theme}
                   for t in view.tables],
        "phases": [{"index": i, "kind": p.kind, "title": p.title, "minutes": p.minutes}
                   for i, p in enumerate(view.program)],
        "groups": [{"id": g.id, "name": g.name, "card_count": figures[g.id].count,
                    "dots": figures[g.id].dots, "rank": figures[g.id].rank}
                   for g in view.groups],
        "cards": [_card_json(row) for row in rows],
        "expectations": expectations(view),
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def _card_json(row: ExportRow) -> dict:
    body = asdict(row)
    for internal in ("phase_number", "affiliation", "created_at_local", *GROUP_FIELDS):
        body.pop(internal)
    body["affiliation"] = row.affiliation_code
    body["affiliation_label"] = row.affiliation
    body["group"] = row.group or None
    return body


# --- PDF and PNG -------------------------------------------------------------------------------

SHEETS_PER_ROW = 3
SHEET_ROW_WIDTH_MM = 396
"""A3 landscape (420 mm) less the page margins."""
SHEET_HEIGHT_MM = 235
"""What a row of sheets may take on one page, below the title band, with some room spare."""
NOTE_WIDTH_MM = 40
"""A sticky note with its gap (templates/exports/board.html)."""


def _note_height_mm(text: str) -> float:
    """A rough height of one note: about ten full-width characters a line at 9 pt."""
    width = sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)
    lines = math.ceil(max(width, 1) / 10) + 1  # the text, then the affiliation line
    return max(20.0, 4 + 4.4 * lines) + 2


def _sheet_height_mm(phases: list[tuple[int, list[ExportRow]]], per_row: int) -> float:
    height = 24.0  # table name and theme
    for _index, phase_rows in phases:
        height += 7
        for start in range(0, len(phase_rows), per_row):
            height += max(_note_height_mm(r.text) for r in phase_rows[start:start + per_row])
    return height


def board_pages(view: EventView, rows: list[ExportRow]) -> list[dict]:
    """The sheets, a row of up to three tables a page, like paper sheets on a wall. A row
    whose notes would not fit on one page is laid out wide instead: one table after another
    across the whole page width, its notes flowing on to the next page."""
    sheets = []
    for table in view.tables:
        mine = [r for r in rows if r.table_id == table.id]
        phases = [(index, [r for r in mine if r.phase_index == index])
                  for index in sorted({r.phase_index for r in mine})]
        sheets.append({"table": table, "count": len(mine), "phases": phases})
    columns = max(1, min(SHEETS_PER_ROW, len(sheets)))
    per_row = max(1, int((SHEET_ROW_WIDTH_MM / columns - 12) // NOTE_WIDTH_MM))
    pages = []
    for start in range(0, len(sheets), columns):
        row = sheets[start:start + columns]
        fits = all(_sheet_height_mm(s["phases"], per_row) <= SHEET_HEIGHT_MM for s in row)
        pages.append({"sheets": row, "columns": columns, "wide": not fits})
    return pages


def sheet_layouts(view: EventView, picture: bool = False) -> tuple[str, ...]:
    """The sheets a board document holds, "table" and/or "group".

    The PDF is the record people take home, so it never depends on what the projector
    happens to show at the moment of the download: the table sheets always, then, once the
    room has made groups, a sheet per group (a PDF taken while the ranking is on screen still
    has the groups). The PNG is one picture, of the board as the room sees it: the groups in
    the group layout (once there are groups), the tables in every other layout."""
    grouped = bool(view.groups)
    if picture:
        return ("group",) if grouped and view.board_layout == "group" else ("table",)
    return ("table", "group") if grouped else ("table",)


def board_html(view: EventView, rows: list[ExportRow], language: str, exported_at: str,
               *, picture: bool = False, left_out: frozenset[str] = frozenset(),
               images: Mapping[int, bytes] | None = None) -> str:
    """The paper-sheet report as HTML: a title band, then the sheets of `sheet_layouts`,
    then (the PDF) a page per photo of a real paper sheet (`images`, photo id -> JPEG).
    A picture is one page PNG_MAX_HEIGHT_PX tall; `left_out` names the sheets and notes
    (their ids in the picture) that did not fit on it."""
    from app.templating import render

    layouts = sheet_layouts(view, picture)
    title, dates = _heading(view, language, exported_at)
    return render(language, "exports/board.html", title=title, dates=dates, total=len(rows),
                  pages=board_pages(view, rows) if "table" in layouts else [],
                  groups=group_summary(view, rows) if "group" in layouts else [],
                  picture=picture, picture_height_mm=PNG_PAGE_HEIGHT_MM, left_out=left_out,
                  left_out_cards=sum(name.startswith("card-") for name in left_out),
                  photos=table_photos(view, images or {}))


def to_pdf(document: str, progress: Progress = quiet) -> bytes:
    import weasyprint

    progress("laying out")
    laid_out = weasyprint.HTML(string=document).render()
    progress("writing")
    return laid_out.write_pdf()


PNG_PAGE_HEIGHT_MM = PNG_MAX_HEIGHT_PX / PNG_SCALE / 72 * 25.4
"""The picture's one page (about 2822 mm; a PDF page may be up to 5080 mm)."""
PNG_MARGIN_PT = 12 / 25.4 * 72
"""The picture's page margin (templates/exports/board.html), kept below the board."""
PNG_RESERVE_PX = 120
"""CSS pixels (about 32 mm) kept free at the bottom of a picture that overflowed: room for
the end of the last sheet and the line that says how many cards were left out."""
PNG_ATTEMPTS = 3


def picture_document(view: EventView, rows: list[ExportRow], language: str,
                     exported_at: str) -> Document:
    """The board laid out as one picture, a document of one page. When the board is taller,
    the sheets and notes that landed beyond the page (or in its last PNG_RESERVE_PX) are
    left out and it is laid out again: WeasyPrint's page anchors say where each one landed.
    After PNG_ATTEMPTS layouts the first page is what there is."""
    import weasyprint

    left_out: frozenset[str] = frozenset()
    for _attempt in range(PNG_ATTEMPTS):
        html_text = board_html(view, rows, language, exported_at, picture=True,
                               left_out=left_out)
        document = weasyprint.HTML(string=html_text).render()
        if len(document.pages) == 1:
            break
        first = document.pages[0]
        limit = first.height - PNG_RESERVE_PX
        beyond = {name for page in document.pages[1:] for name in page.anchors}
        beyond |= {name for name, box in first.anchors.items() if box[3] > limit}
        left_out = left_out | (beyond - {"board-end"})
    return document


def to_png(document: Document, scale: float = PNG_SCALE) -> bytes:
    """The first page of a picture document, rasterised down to where the board ends (the
    page is as tall as the tallest picture, the board mostly much shorter)."""
    import pypdfium2

    first = document.pages[0]
    end = first.anchors.get("board-end")
    end_pt = end[1] * 0.75 + PNG_MARGIN_PT if end else first.height * 0.75
    pdf = pypdfium2.PdfDocument(document.write_pdf())
    try:
        page = pdf[0]
        bottom = max(0.0, page.get_height() - end_pt)
        image = page.render(scale=scale, crop=(0, bottom, 0, 0)).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- the harvest's own formats ------------------------------------------------------------

def export(view: EventView, fmt: str, language: str | None = None,
           now_ms: int | None = None, *, progress: Progress = quiet,
           images: Mapping[int, bytes] | None = None) -> bytes:
    """The harvest of `view` in `fmt` (csv, md, json, pdf or png), in the event's language
    by default; `progress` hears each stage of a long one (app/documents/jobs.py STAGES);
    `images` (photo id -> JPEG) are the photos of the paper sheets the PDF ends with.
    Every format, the printed materials and the report too: app/documents/formats.py."""
    if fmt not in HARVEST_FORMATS:
        raise ValueError(f"not a harvest format: {fmt}")
    language = normalize(language or view.event.language)
    now_ms = now_ms if now_ms is not None else _now_ms()
    progress("analysing")
    exported_at = local_iso(view, now_ms)
    rows = export_rows(view, language)
    if fmt == "csv":
        return to_csv(rows, language)
    if fmt == "survey.csv":
        return survey_csv(view, language)
    if fmt == "actions.csv":
        return actions_csv(view, language)
    if fmt == "md":
        return to_markdown(view, rows, language, exported_at)
    if fmt == "json":
        return to_json(view, rows, exported_at)
    if fmt == "png":
        progress("laying out")
        picture = picture_document(view, rows, language, exported_at)
        progress("writing")
        return to_png(picture)
    return to_pdf(board_html(view, rows, language, exported_at, images=images), progress)


def _now_ms() -> int:
    from app.rounds import now_ms

    return now_ms()


def filename(view: EventView, fmt: str) -> str:
    """The export's file name: the title and the date, e.g. 協働ワーキング-2026-11-24.csv."""
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", view.event.title).strip(" ._") or "worldcafe"
    return f"{title}-{event_day(view)}.{fmt}"


def content_disposition(view: EventView, fmt: str) -> str:
    """attachment with an ASCII name for old clients and the real one in RFC 5987 form."""
    name = filename(view, fmt)
    ascii_name = name if re.fullmatch(r"[A-Za-z0-9._ -]+", name) else (
        f"worldcafe-{view.event.id}-{event_day(view)}.{fmt}")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
