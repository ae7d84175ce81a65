"""Exports of the harvest at any moment: CSV, Markdown, JSON, an A3 landscape PDF that looks
like the paper sheets (模造紙) and a PNG of it.

Every format is built from the same rows (`export_rows`), taken from a loaded SessionView:
visible cards only (hidden and merged-away cards are left out), and never the author's name,
only their affiliation ("table host" for a host's card), so a card the facilitator hid or
edited does not reveal who wrote it. Card text is kept as written and escaped for each format
(HTML entities in Markdown and the PDF, a leading quote against spreadsheet formulas in CSV).

The PDF is HTML (templates/exports/board.html) laid out by WeasyPrint, which finds Debian's
Noto Sans CJK through fontconfig; the PNG is the PDF rasterised by pypdfium2. Both are
imported only when a PDF or PNG is asked for.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote
from zoneinfo import ZoneInfo

from app.i18n import N_, normalize, translate
from app.schemas import AFFILIATION_LABELS

if TYPE_CHECKING:
    from app.view import SessionView

FORMATS = ("csv", "md", "json", "pdf", "png")
TEXT_FORMATS = ("csv", "md", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "png": "image/png",
}
JSON_FORMAT_VERSION = 1
PNG_SCALE = 1.5
"""PDF points to pixels: A3 landscape becomes about 1786 × 1263 pixels a page."""
PNG_MAX_PAGES = 8

HOST_LABEL = N_("table host")
FACILITATOR_LABEL = N_("facilitator")
THEME_LABEL = N_("Theme")
NO_CARDS = N_("No cards yet")
VOTES_LABEL = N_("%(n)s votes")
EXPORTED_LABEL = N_("exported %(time)s")
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
    ("created_at", N_("Created")),
)
"""CSV columns: the row field and its heading (translated into the event's language)."""

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
    colour: str
    created_at: str
    created_at_ms: int


def local_iso(view: SessionView, ms: int) -> str:
    """A UTC millisecond time as ISO 8601 in the event's time zone, with its offset, to the
    second (the laptop serving the event may well keep UTC)."""
    zone = ZoneInfo(view.session.time_zone)
    return datetime.fromtimestamp(ms / 1000, zone).isoformat(timespec="seconds")


def event_day(view: SessionView) -> str:
    """The day of the event as YYYY-MM-DD: its given date, else the day it was created."""
    return view.session.date or local_iso(view, view.session.created_at_ms)[:10]


def _affiliation(view: SessionView, card, language: str) -> tuple[str, str]:
    if card.author_kind == "host":
        return "host", translate(language, HOST_LABEL)
    if card.author_kind == "facilitator":
        return "facilitator", translate(language, FACILITATOR_LABEL)
    person = view.person(card.participant_id)
    if person is None:
        return "", ""
    label = AFFILIATION_LABELS.get(person.affiliation)
    return person.affiliation, translate(language, label) if label else person.affiliation


def export_rows(view: SessionView, language: str | None = None) -> list[ExportRow]:
    """The visible cards of the event, by table number, then phase, then oldest first."""
    language = normalize(language or view.session.language)
    tables = {t.id: t for t in view.tables}
    groups = {g.id: g.name for g in view.groups}
    counts = view.vote_counts()
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
            phase_title=phase.title if phase else "", author_kind=card.author_kind,
            affiliation_code=code, affiliation=label, group_id=group_id,
            group=groups.get(group_id, ""), votes=counts.get(card.id, 0), colour=card.colour,
            created_at=local_iso(view, card.created_at_ms), created_at_ms=card.created_at_ms))
    rows.sort(key=lambda r: (r.table_number or 0, r.phase_index, r.created_at_ms, r.id))
    return rows


# --- text formats ----------------------------------------------------------------------------

def guard_formula(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: list[ExportRow], language: str) -> bytes:
    """UTF-8 with a BOM and CRLF line ends, so that Excel (Japanese Windows too) opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([translate(language, heading) for _field, heading in COLUMNS])
    for row in rows:
        writer.writerow([guard_formula(getattr(row, field)) for field, _heading in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_escape(text: str) -> str:
    """Text shown as written in Markdown: HTML escaped, Markdown's own marks backslashed."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _heading(view: SessionView, language: str, exported_at: str) -> tuple[str, str]:
    created = event_day(view)
    when = translate(language, EXPORTED_LABEL, time=exported_at[:16].replace("T", " "))
    return view.session.title, f"{created} · {when}"


def to_markdown(view: SessionView, rows: list[ExportRow], language: str,
                exported_at: str) -> bytes:
    """By table, then by phase, like the paper sheets: one section per table and its theme."""
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
            lines += [f"### {phase_index + 1}. {md_escape(in_phase[0].phase_title)}", ""]
            for row in in_phase:
                notes = [row.affiliation] + ([row.group] if row.group else [])
                if row.votes:
                    notes.append(translate(language, VOTES_LABEL, n=row.votes))
                lines.append(f"- {md_escape(row.text)} ({md_escape(' · '.join(notes))})")
            lines.append("")
    return "\n".join(lines).encode("utf-8")


def to_json(view: SessionView, rows: list[ExportRow], exported_at: str) -> bytes:
    """The documented shape (docs/api.md): the event, its tables, phases and groups, and the
    visible cards with their table, phase, affiliation, group and votes."""
    body = {
        "format": "worldcafe-export",
        "version": JSON_FORMAT_VERSION,
        "exported_at": exported_at,
        "session": {"id": view.session.id, "title": view.session.title,
                    "language": view.session.language,
                    "created_at": local_iso(view, view.session.created_at_ms)},
        "tables": [{"id": t.id, "number": t.number, "name": t.name, "theme": t.theme}
                   for t in view.tables],
        "phases": [{"index": i, "kind": p.kind, "title": p.title, "minutes": p.minutes}
                   for i, p in enumerate(view.program)],
        "groups": [{"id": g.id, "name": g.name} for g in view.groups],
        "cards": [_card_json(row) for row in rows],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def _card_json(row: ExportRow) -> dict:
    body = asdict(row)
    for internal in ("phase_number", "affiliation"):
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


def board_pages(view: SessionView, rows: list[ExportRow]) -> list[dict]:
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


def board_html(view: SessionView, rows: list[ExportRow], language: str,
               exported_at: str) -> str:
    """The paper-sheet report as HTML: a title band, then one sheet per table."""
    from app.templating import render

    title, dates = _heading(view, language, exported_at)
    return render(language, "exports/board.html", title=title, dates=dates,
                  pages=board_pages(view, rows), total=len(rows))


def to_pdf(document: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=document).write_pdf()


def to_png(pdf: bytes, scale: float = PNG_SCALE) -> bytes:
    """The PDF's pages, rasterised and stacked top to bottom (at most PNG_MAX_PAGES)."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = [document[i].render(scale=scale).to_pil()
                 for i in range(min(len(document), PNG_MAX_PAGES))]
    finally:
        document.close()
    board = Image.new("RGB", (max(p.width for p in pages), sum(p.height for p in pages)),
                      "white")
    top = 0
    for page in pages:
        board.paste(page, (0, top))
        top += page.height
    out = io.BytesIO()
    board.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- one entry point for the routes and the command line -----------------------------------

def export(view: SessionView, fmt: str, language: str | None = None,
           now_ms: int | None = None, *, timeline: Sequence = (), base: str = "") -> bytes:
    """The export of `view` in `fmt` (one of FORMATS), in the event's language by default.
    `timeline` is the event's recorded clock (for the report's programme); `base` the address
    people reach the server at (for the join QR codes of the printed materials)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt}")
    language = normalize(language or view.session.language)
    exported_at = local_iso(view, now_ms if now_ms is not None else _now_ms())
    rows = export_rows(view, language)
    if fmt == "csv":
        return to_csv(rows, language)
    if fmt == "md":
        return to_markdown(view, rows, language, exported_at)
    if fmt == "json":
        return to_json(view, rows, exported_at)
    pdf = to_pdf(board_html(view, rows, language, exported_at))
    return pdf if fmt == "pdf" else to_png(pdf)


def _now_ms() -> int:
    from app.timing import now_ms

    return now_ms()


def filename(view: SessionView, fmt: str) -> str:
    """The export's file name: the title and the date, e.g. 協働ワーキング-2026-11-24.csv."""
    title = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", view.session.title).strip(" ._") or "worldcafe"
    return f"{title}-{event_day(view)}.{fmt}"


def content_disposition(view: SessionView, fmt: str) -> str:
    """attachment with an ASCII name for old clients and the real one in RFC 5987 form."""
    name = filename(view, fmt)
    ascii_name = name if re.fullmatch(r"[A-Za-z0-9._ -]+", name) else (
        f"worldcafe-{view.session.id}-{event_day(view)}.{fmt}")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
