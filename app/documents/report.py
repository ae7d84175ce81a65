"""The city office's report (報告書) of one event: what it was, its programme as planned and
as run, who took part, what each table wrote, the groups the room made, what it voted for,
the words used most and the self-introductions.

`build` assembles it purely from a EventView, the clock's log, the language and the time:
a title and sections of plain blocks (fields, texts, tables, subheadings, lists). The PDF
(A4 portrait, templates/exports/report.html laid out by WeasyPrint) and the DOCX
(python-docx, for the office to edit into its own template) are drawn from the same blocks,
so their headings and contents agree. Like every export it never names anyone: cards carry
their author's affiliation, self-introductions too.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from app import rounds, stakeholders
from app.documents import exports
from app.i18n import N_, day_text, translate
from app.schemas import ACTION_STATUS_LABELS
from app.stakeholders import AFFILIATION_LABELS, AFFILIATIONS
from app.templating import table_label

if TYPE_CHECKING:
    from app.live.view import EventView

KEYWORDS_PER_THEME = 10
WORD_SEPARATOR = " · "
"""Between the words of a list in a table cell."""
MINUTE_MS = 60_000

REPORT = N_("Report")
OVERVIEW = N_("Overview")
PROGRAM = N_("Program")
ATTENDANCE = N_("Attendance")
OPINIONS = N_("Opinions by theme and table")
GROUPS = N_("Opinion groups")
TOP_CARDS = N_("Cards with the most votes")
TOP_GROUPS = N_("Groups with the most votes")
KEYWORDS = N_("Keywords by theme")
STAKEHOLDERS = N_("Who said what")
SURVEY = N_("Survey")
ACTION_PLAN = N_("Action plan")
REVIEW = N_("Progress of the actions of earlier sessions")
PHOTOS = exports.PHOTOS_LABEL
APPENDIX = N_("Appendix: self-introductions")
CARRIED = N_("Main opinions from last time")
BAR_CELLS = 20
"""The DOCX draws a bar as up to this many blocks (█) for the largest count."""


# --- the blocks a section is made of -----------------------------------------------------------

@dataclass(frozen=True)
class Fields:
    """Labels and their values, as a two-column table."""

    kind: ClassVar[str] = "fields"
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Text:
    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    columns: tuple[str, ...]
    rows: tuple[tuple[str | tuple[str, ...], ...], ...]
    """A cell is a text, or a list of words (the keywords) that breaks only between them."""
    widths: tuple[int, ...]
    """Each column's share of the width, in percent (the PDF fixes them, so a long text
    wraps in its cell instead of pushing the table off the page)."""
    numeric: tuple[int, ...] = ()
    """The columns that hold numbers (right-aligned)."""
    total: tuple[str, ...] | None = None
    """A last row in bold (the sums)."""


@dataclass(frozen=True)
class Subheading:
    kind: ClassVar[str] = "subheading"
    text: str
    level: int
    """2 under a section heading, 3 under that, 4 under that."""


@dataclass(frozen=True)
class Items:
    """A list of texts (cards, self-introductions), each with a note in small print."""

    kind: ClassVar[str] = "items"
    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Bars:
    """A bar chart: each answer with how many gave it, the bars scaled to the largest."""

    kind: ClassVar[str] = "bars"
    bars: tuple[tuple[str, int], ...]

    @property
    def most(self) -> int:
        return max((n for _, n in self.bars), default=0)

    def share(self, count: int) -> float:
        """The bar's length, 0 to 1 of the full width."""
        return count / self.most if self.most else 0.0


@dataclass(frozen=True)
class Photos:
    """A table's photos of its paper sheet, on a page of their own (the PDF) or after a
    page break (the DOCX), under the table's name."""

    kind: ClassVar[str] = "photos"
    heading: str
    photos: tuple[exports.SheetPhoto, ...]


Block = Fields | Text | Table | Subheading | Items | Bars | Photos


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Report:
    language: str
    title: str
    subtitle: str
    sections: tuple[Section, ...]

    @property
    def headings(self) -> list[str]:
        return [section.heading for section in self.sections]


# --- the content ---------------------------------------------------------------------------------

def _minutes(ms: int) -> str:
    return f"{round(ms / MINUTE_MS, 1):g}"


def _clock_time(view: EventView, ms: int) -> str:
    """HH:MM in the event's time zone."""
    return exports.local_iso(view, ms)[11:16]


def _first_round_start(view: EventView, spent: dict[int, rounds.TimeSpent]) -> int | None:
    """When the first round of the program first started (None: not yet)."""
    return next((spent[index].first_started_ms for index, phase in enumerate(view.program)
                 if phase.is_round and index in spent), None)


def _overview(view: EventView, t, language: str, spent: dict[int, rounds.TimeSpent],
              now_ms: int) -> Section:
    session = view.event
    started = min((s.first_started_ms for s in spent.values()), default=None)
    start_time = session.start_time or (_clock_time(view, started) if started is not None else "")
    pairs = [(t(N_("Date")), exports.date_text(view, language)), (t(N_("Start time")), start_time),
             (t(N_("Venue")), session.venue), (t(N_("Organiser")), session.organiser),
             (t(N_("Purpose")), session.purpose),
             (t(N_("Report made")), exports.local_iso(view, now_ms)[:16].replace("T", " "))]
    return Section(t(OVERVIEW), (Fields(tuple((k, v) for k, v in pairs if v)),))


def _programme(view: EventView, t, spent: dict[int, rounds.TimeSpent]) -> Section:
    rows = []
    for index, phase in enumerate(view.program):
        ran = spent.get(index)
        rows.append((rounds.phase_heading(view.program, index, t),
                     _clock_time(view, ran.first_started_ms) if ran else "–",
                     f"{phase.minutes:g}", _minutes(ran.ms) if ran else "–"))
    total = (t(N_("Total")), "", f"{sum(p.minutes for p in view.program):g}",
             _minutes(sum(spent[i].ms for i in range(len(view.program)) if i in spent)))
    table = Table((t(N_("Phase")), t(N_("Started")), t(N_("Planned (min)")),
                   t(N_("Actual (min)"))), tuple(rows), (60, 12, 14, 14), (2, 3), total)
    note = Text(t(N_("Actual minutes are the time the timer ran, pauses left out.")))
    return Section(t(PROGRAM), (table, note))


def affiliation_label(language: str, code: str) -> str:
    label = AFFILIATION_LABELS.get(code)
    return translate(language, label) if label else code


def _attendance(view: EventView, t, language: str,
                spent: dict[int, rounds.TimeSpent]) -> Section:
    people = [p for p in view.participants if p.arrived]  # no-shows did not take part
    no_shows = len(view.participants) - len(people)
    joined = Counter(p.affiliation for p in people)
    absent = Counter(p.affiliation for p in people if p.absent)
    codes = [*(c for c in AFFILIATIONS if joined[c]), *(c for c in joined if c not in AFFILIATIONS)]
    by_stakeholder = Table(
        (t(N_("Affiliation")), t(N_("Participants")), t(N_("Absent"))),
        tuple((affiliation_label(language, c), str(joined[c]), str(absent[c])) for c in codes),
        (60, 20, 20), (1, 2), (t(N_("Total")), str(len(people)), str(sum(absent.values()))))
    round_start = _first_round_start(view, spent)
    late = [p for p in people if round_start is not None and p.joined_at_ms > round_start]
    figures = Fields((
        (t(N_("Participants")), str(len(people))),
        (t(N_("Number of tables")), str(len(view.tables))),
        (t(N_("Table hosts")), str(len(view.tables))),
        (t(N_("Latecomers (joined after the first round started)")), str(len(late))),
        (t(N_("Absent")), str(sum(absent.values()))),
        *(((t(N_("Pre-registered who did not come")), str(no_shows)),) if no_shows else ())))
    tables = Table(
        (t(N_("No.")), t(N_("Table")), t(N_("Theme")), t(N_("Home table members"))),
        tuple((str(table.number), table.name, table.theme, str(len(view.seated_at(table.id, 0))))
              for table in view.tables),
        (8, 30, 48, 14), (0, 3))
    return Section(t(ATTENDANCE), (figures, by_stakeholder, tables))


def _card_note(row: exports.ExportRow, *where: str) -> str:
    """A card's small print: its weight (×N, N cards merged into it), where it was written
    (when not said above it), the author's affiliation and its dots."""
    return " · ".join(filter(None, [exports.weight_mark(row.weight), *where, row.affiliation,
                                    f"●{row.votes}" if row.votes else ""]))


def carried_section(view: EventView, t) -> Section:
    """The groups of an earlier event of the series this one started from (前回の主な意見),
    by theme, each with its top cards and its dots then."""
    blocks: list[Block] = [Text(t(N_("The groups of the last session this session started "
                                     "from, with their cards most voted for.")))]
    for theme in dict.fromkeys(group.theme for group in view.carried):
        if theme:
            blocks.append(Subheading(f"{t(N_('Theme'))}: {theme}", 2))
        for group in (g for g in view.carried if g.theme == theme):
            blocks.append(Subheading(f"{group.name}（●{group.dots}）" if group.dots
                                     else group.name, 3))
            blocks.append(Items(tuple((text, "") for text in group.cards)) if group.cards
                          else Text(t(N_("No cards yet"))))
    return Section(t(CARRIED), tuple(blocks))


def _opinions(view: EventView, t, rows: list[exports.ExportRow]) -> Section:
    blocks: list[Block] = []
    for theme in view.themes:
        if theme:
            blocks.append(Subheading(f"{t(N_('Theme'))}: {theme}", 2))
        for table in (table for table in view.tables if table.theme == theme):
            mine = [r for r in rows if r.table_id == table.id]
            blocks.append(Subheading(table_label(table), 3))
            if not mine:
                blocks.append(Text(t(N_("No cards yet"))))
            for phase_index in sorted({r.phase_index for r in mine}):
                in_phase = [r for r in mine if r.phase_index == phase_index]
                blocks.append(Subheading(in_phase[0].phase_title, 4))
                blocks.append(Items(tuple((r.text, _card_note(r)) for r in in_phase)))
    return Section(t(OPINIONS), tuple(blocks))


def _groups(view: EventView, t, rows: list[exports.ExportRow]) -> Section:
    summary = exports.group_summary(view, rows)
    if not summary:
        return Section(t(GROUPS), (Text(t(N_("No groups were made."))),))
    names = [s.group.name if s.group else t(exports.UNGROUPED_LABEL) for s in summary]
    blocks: list[Block] = [Table(
        (t(N_("Group")), t(N_("Cards")), t(N_("Votes"))),
        tuple((name, str(s.count), str(s.dots)) for name, s in zip(names, summary, strict=True)),
        (64, 18, 18), (1, 2))]
    for name, group in zip(names, summary, strict=True):
        blocks.append(Subheading(name, 2))
        blocks.append(Items(tuple((r.text, _card_note(r, table_label(view.table(r.table_id))))
                                  for r in group.rows)) if group.rows
                      else Text(t(N_("No cards yet"))))
    return Section(t(GROUPS), tuple(blocks))


def _top_cards(view: EventView, t, rows: list[exports.ExportRow]) -> Section:
    """The top ten of the ranking the room saw: the cards, or the groups when the event
    voted on groups."""
    if view.vote_on == "groups":
        return _top_groups(view, t, rows)
    ranking = view.ranking()
    if not ranking:
        return Section(t(TOP_CARDS), (Text(t(N_("No votes were placed."))),))
    by_id = {r.id: r for r in rows}
    table = Table(
        (t(N_("Rank")), t(N_("Card")), t(N_("Table")), t(N_("Group")), t(N_("Votes"))),
        tuple((str(rank), exports.weighed_text(by_id[card.id]),
               table_label(view.table(card.table_id)), by_id[card.id].group, str(dots))
              for rank, card, dots in ranking),
        (7, 45, 14, 24, 10), (0, 4))
    return Section(t(TOP_CARDS), (table,))


def _top_groups(view: EventView, t, rows: list[exports.ExportRow]) -> Section:
    ranking = view.group_ranking()
    if not ranking:
        return Section(t(TOP_GROUPS), (Text(t(N_("No votes were placed."))),))
    counts = Counter(row.group_id for row in rows)
    table = Table(
        (t(N_("Rank")), t(N_("Group")), t(N_("Cards")), t(N_("Votes"))),
        tuple((str(rank), group.name, str(counts[group.id]), str(dots))
              for rank, group, dots in ranking),
        (8, 62, 15, 15), (0, 2, 3))
    return Section(t(TOP_GROUPS), (table,))


def _keywords(view: EventView, t) -> Section:
    """The whole event, then each theme: its own chart when a theme spans several tables,
    otherwise each table's (which is its theme's)."""
    charts = view.keyword_charts(KEYWORDS_PER_THEME)
    by_theme = charts["themes"] or [
        (table.theme or table_label(table), ranked) for table, ranked in charts["tables"]]
    rows = [(t(N_("All tables")), charts["all"]), *by_theme]
    table = Table((t(N_("Theme")), t(N_("Keywords (cards using each)"))),
                  tuple((name, tuple(f"{word} ({count})" for word, count in ranked) or "–")
                        for name, ranked in rows), (34, 66))
    return Section(t(KEYWORDS), (table,))


def _stakeholders(view: EventView, t) -> Section:
    """Per theme, each stakeholder group's cards and keywords (app/stakeholders.py); then
    each group's cards by stakeholder. Never a name."""
    compared = stakeholders.compare(view)
    if not compared.codes:
        return Section(t(STAKEHOLDERS), (Text(t(N_("No cards yet"))),))
    label = {code: t(stakeholders.LABELS[code]) if code in stakeholders.LABELS else code
             for code in compared.codes}
    blocks: list[Block] = [Text(t(N_("The cards and keywords of each stakeholder group, "
                                     "by the affiliation people chose; never names.")))]
    for row in compared.themes:
        name = (t(N_("All tables")) if row.theme is None
                else f"{t(N_('Theme'))}: {row.theme}" if row.theme else t(N_("No theme")))
        blocks += [Subheading(name, 2), Table(
            (t(N_("Affiliation")), t(N_("Cards")), t(N_("Keywords (cards using each)"))),
            tuple((label[code], str(voice.cards),
                   tuple(f"{word} ({count})" for word, count in voice.keywords) or "–")
                  for code, voice in row.voices.items()), (22, 12, 66), (1,))]
    if compared.groups:
        share = 70 // (len(compared.codes) + 1)
        blocks += [Subheading(t(N_("Groups by stakeholder")), 2), Table(
            (t(N_("Group")), *label.values(), t(N_("Total"))),
            tuple((g.group.name if g.group else t(exports.UNGROUPED_LABEL),
                   *(str(g.counts[code]) for code in compared.codes), str(g.cards))
                  for g in compared.groups),
            (100 - share * (len(compared.codes) + 1), *[share] * (len(compared.codes) + 1)),
            tuple(range(1, len(compared.codes) + 2)))]
    return Section(t(STAKEHOLDERS), tuple(blocks))


ACTION_COLUMNS = (N_("What we will do"), N_("Who brings what"), N_("By when"), N_("Status"),
                  N_("Hands raised"))


def action_cells(view: EventView, action, t, language: str) -> tuple:
    """An action as the report's table cells (ACTION_COLUMNS): what (and where it was
    drafted), what each stakeholder brings, by when, the status now, the hands raised per
    stakeholder (counts, never names)."""
    source = view.action_source(action)
    what = (translate(language, N_("%(what)s (from %(source)s)"), what=action.what,
                      source=source) if source else action.what)
    return (what, _by_stakeholder(action.roles, t) or "–", _due(action, language),
            t(ACTION_STATUS_LABELS[action.status]),
            _by_stakeholder(stakeholders.volunteers(view, action.id), t) or "0")


def _due(action, language: str) -> str:
    """By when, as the language writes a day; a dash when no day was set."""
    return day_text(action.due, language) if action.due else "–"


def _by_stakeholder(pairs, t) -> tuple[str, ...]:
    """(stakeholder code, value) pairs as lines 「市民: …」."""
    return tuple(f"{t(AFFILIATION_LABELS[code])}: {value}" for code, value in pairs)


def action_progress(steps, session_label: Callable[[str], str], t) -> tuple[str, ...]:
    """An action's history as lines: the session of each step (`session_label` of its
    event id), the status it moved to and what happened."""
    return tuple(f"{session_label(step.session_id)}: {t(ACTION_STATUS_LABELS[step.status])}"
                 + (f" ({step.note})" if step.note else "") for step in steps)


def _action_review(view: EventView, t, language: str) -> Section:
    """A follow-up's review: the actions of the earlier sessions, with the session each
    was decided in, its roles and due date, its status now and its progress since."""
    def session(event_id: str) -> str:
        return translate(language, N_("Session %(number)s"),
                         number=view.session_number(event_id))

    rows = tuple((a.what, session(a.session_id), _by_stakeholder(a.roles, t) or "–",
                  _due(a, language), t(ACTION_STATUS_LABELS[a.status]),
                  action_progress(view.action_steps.get(a.id, ()), session, t))
                 for a in view.earlier_actions.values())
    return Section(t(REVIEW), (Table(
        (t(N_("What we will do")), t(N_("Session")), t(N_("Who brings what")),
         t(N_("By when")), t(N_("Status")), t(N_("Progress"))), rows,
        (24, 10, 20, 10, 10, 26)),))


def _action_plan(view: EventView, t, language: str) -> Section:
    """The actions by theme (action_cells)."""
    blocks: list[Block] = [Text(t(N_("What the tables decided to do, who brings what and by "
                                     "when; the hands raised for each on the phones, by "
                                     "stakeholder, without names.")))]
    by_theme: dict[str, list] = {}
    for action in view.action_list():
        by_theme.setdefault(view.action_theme(action), []).append(action)
    for theme, listed in by_theme.items():
        blocks += [Subheading(f"{t(N_('Theme'))}: {theme}" if theme else t(N_("No theme")), 2),
                   Table(tuple(t(column) for column in ACTION_COLUMNS),
                         tuple(action_cells(view, a, t, language) for a in listed),
                         (30, 30, 12, 12, 16))]
    return Section(t(ACTION_PLAN), tuple(blocks))


def _survey(view: EventView, t, language: str) -> Section:
    """Per question, a bar chart of the answers (scale5: 1 to 5, with the average; a
    choice: its options) or the free texts; never who answered what."""
    blocks: list[Block] = [Fields(((t(N_("Respondents")), str(len(view.survey_answers))),))]
    for number, result in enumerate(view.survey_results(), start=1):
        blocks.append(Subheading(f"{number}. {result.question.text}", 2))
        if result.question.kind == "text":
            blocks.append(Items(tuple((text, "") for text in result.texts)) if result.texts
                          else Text(t(N_("No answers."))))
            continue
        blocks.append(Bars(result.counts))
        if result.mean is not None:
            blocks.append(Text(translate(language, N_("Average %(mean)s (1 = not at all, "
                                                      "5 = very much), %(n)s answers."),
                                         mean=f"{result.mean:.1f}", n=result.answered)))
        else:
            blocks.append(Text(translate(language, N_("%(n)s answers."), n=result.answered)))
    return Section(t(SURVEY), tuple(blocks))


def _photos(view: EventView, t, images: Mapping[int, bytes]) -> Section:
    """A page per table with the photos of its paper sheet (模造紙), oldest first."""
    return Section(t(PHOTOS), tuple(
        Photos(table_label(shot.table) + (f" · {shot.table.theme}" if shot.table.theme else ""),
               shot.photos)
        for shot in exports.table_photos(view, images)))


def _appendix(view: EventView, t) -> Section:
    written = exports.expectations(view)
    intro = Text(t(N_("What participants wrote about their hopes for the day when they "
                      "joined, without names.")))
    return Section(t(APPENDIX), (intro, Items(tuple((text, "") for text in written))) if written
                   else (intro, Text(t(N_("No self-introductions were written.")))))


def build(view: EventView, timeline: Sequence, language: str, now_ms: int,
          images: Mapping[int, bytes] | None = None) -> Report:
    """The report of `view` in `language` at `now_ms`; `timeline` is the clock's log
    (records with at_ms, phase_index and status, oldest first); `images` the photos of the
    paper sheets (photo id -> JPEG), a section when there are any."""
    def t(msgid: str) -> str:
        return translate(language, msgid)

    spent = rounds.time_spent(timeline, now_ms)
    rows = exports.export_rows(view, language)
    return Report(language, view.event.title, t(REPORT), (
        _overview(view, t, language, spent, now_ms), _programme(view, t, spent),
        _attendance(view, t, language, spent),
        *([carried_section(view, t)] if view.carried else []), _opinions(view, t, rows),
        _groups(view, t, rows), _top_cards(view, t, rows), _keywords(view, t),
        _stakeholders(view, t),
        *([_action_review(view, t, language)] if view.earlier_actions else []),
        *([_action_plan(view, t, language)] if view.actions else []),
        *([_survey(view, t, language)] if view.survey is not None else []),
        *([_photos(view, t, images)] if images and view.photos else []),
        _appendix(view, t)))


# --- the PDF and the DOCX --------------------------------------------------------------------

def to_pdf(report: Report, progress: exports.Progress = exports.quiet) -> bytes:
    from app.templating import render

    return exports.to_pdf(render(report.language, "exports/report.html", report=report),
                          progress)


def to_docx(report: Report) -> bytes:
    """The same sections as Word headings (Heading 1 for a section, 2–4 below), tables in
    the "Table Grid" style with a repeated header row, lists as bullets; page numbers in
    the footer."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    document = docx.Document()
    document.core_properties.title = f"{report.title} {report.subtitle}"
    document.core_properties.language = report.language
    for language in document.styles.element.iter(qn("w:lang")):
        # East Asian text (titles and cards, in an English report too) is Japanese: Word
        # then breaks its lines by Japanese rules and picks a Japanese font
        language.set(qn("w:eastAsia"), "ja-JP")
    page = document.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = Mm(20)
    _page_numbers(page.footer.paragraphs[0])
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle, style="Subtitle")
    for section in report.sections:
        document.add_heading(section.heading, level=1)
        for block in section.blocks:
            if isinstance(block, Subheading):
                document.add_heading(block.text, level=block.level)
            elif isinstance(block, Text):
                document.add_paragraph(block.text)
            elif isinstance(block, Items):
                for text, note in block.items:
                    item = document.add_paragraph(text, style="List Bullet")
                    if note:
                        small = item.add_run(f"  {note}")
                        small.font.size, small.font.color.rgb = Pt(8), RGBColor(0x66, 0x66, 0x66)
            elif isinstance(block, Fields):
                _docx_table(document, None, block.pairs, bold_first_column=True)
            elif isinstance(block, Photos):
                _docx_photos(document, block)
            elif isinstance(block, Bars):
                _docx_table(document, None, [
                    (label, str(count), "█" * round(block.share(count) * BAR_CELLS))
                    for label, count in block.bars], numeric=(1,))
            else:
                _docx_table(document, block.columns,
                            [*block.rows, *([block.total] if block.total else [])],
                            numeric=block.numeric, bold_last_row=block.total is not None)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_table(document, columns, rows, *, numeric=(), bold_first_column=False,
                bold_last_row=False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    width = len(columns) if columns else len(rows[0]) if rows else 2
    table = document.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    if columns:
        header = table.add_row()
        header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat on each page
        for cell, text in zip(header.cells, columns, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
    for number, values in enumerate(rows):
        cells = table.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text if isinstance(text, str) else WORD_SEPARATOR.join(text)
            paragraph = cell.paragraphs[0]
            if column in numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if paragraph.runs and ((bold_first_column and column == 0)
                                   or (bold_last_row and number == len(rows) - 1)):
                paragraph.runs[0].bold = True
    document.add_paragraph()


DOCX_PHOTO_WIDTH_MM = 170
DOCX_PHOTO_HEIGHT_MM = 110
"""A photo's largest box on the A4 page (two to a page)."""


def _docx_photos(document, block: Photos) -> None:
    """A page break, the table as a Heading 2, each photo fitted into its box with its
    caption."""
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(block.heading, level=2)
    for photo in block.photos:
        scale = min(DOCX_PHOTO_WIDTH_MM / photo.width, DOCX_PHOTO_HEIGHT_MM / photo.height)
        document.add_picture(io.BytesIO(photo.jpeg), width=Mm(photo.width * scale),
                             height=Mm(photo.height * scale))
        document.add_paragraph(photo.caption, style="Caption")


def _page_numbers(paragraph) -> None:
    """"PAGE / NUMPAGES" as Word fields, centred."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for position, code in enumerate(("PAGE", "NUMPAGES")):
        if position:
            paragraph.add_run(" / ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), code)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)


def export(view: EventView, fmt: str, language: str, now_ms: int,
           timeline: Sequence, progress: exports.Progress = exports.quiet,
           images: Mapping[int, bytes] | None = None) -> bytes:
    """The report as report.pdf or report.docx (app/documents/exports.py dispatches here)."""
    report = build(view, timeline, language, now_ms, images)
    if fmt == "report.pdf":
        return to_pdf(report, progress)
    progress("writing")
    return to_docx(report)
