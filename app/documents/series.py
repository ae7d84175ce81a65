"""The report of a series of events (シリーズ報告書: 第1回, 第2回, …), export.series.pdf:
the sessions, who came to each by stakeholder, and each theme's main groups session by
session (with the groups each session started from), and the actions of every session
with their progress since.

It is drawn with the report's blocks and template (report.py), from the views of every
event of the series, first first. Its sections are the functions of SECTIONS, each
`(SeriesContext, t) -> Section`, in order: a later feature adds its own by writing one
such function and listing it there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.documents import exports, report
from app.documents.report import Block, Section, Subheading, Table, Text
from app.i18n import N_, translate
from app.stakeholders import AFFILIATIONS

if TYPE_CHECKING:
    from app.live.view import EventView

SERIES_REPORT = N_("Series report")
SESSIONS = N_("Sessions")
ATTENDANCE = N_("Attendance by session")
MAIN_GROUPS = N_("Main groups by theme, session by session")
ACTIONS = N_("Actions and their progress")
GROUPS_PER_THEME = 5
"""The groups each session's theme lists, most dots first."""


@dataclass(frozen=True)
class SeriesContext:
    """What every section of the series report reads."""

    views: tuple[EventView, ...]
    """The events of the series, first first, each with its board."""
    language: str
    now_ms: int

    def number(self, view: EventView) -> str:
        """第N回 / Session N."""
        return translate(self.language, N_("Session %(number)s"),
                         number=self.views.index(view) + 1)


def _sessions(series: SeriesContext, t) -> Section:
    rows = tuple((series.number(view), view.event.title,
                  exports.date_text(view, series.language),
                  str(sum(1 for p in view.participants if p.arrived)),
                  str(sum(1 for p in view.participants if p.arrived and p.person_id is not None)))
                 for view in series.views)
    return Section(t(SESSIONS), (Table(
        (t(N_("Session")), t(N_("Title")), t(N_("Date")), t(N_("Participants")),
         t(N_("Came again"))), rows, (12, 38, 26, 12, 12), (3, 4)),))


def _attendance(series: SeriesContext, t) -> Section:
    """Who took part in each session, by stakeholder (the pre-registered who never came
    left out)."""
    counts = [Counter(p.affiliation for p in view.participants if p.arrived)
              for view in series.views]
    seen = sum(counts, Counter())
    codes = [*(c for c in AFFILIATIONS if seen[c]), *(c for c in seen if c not in AFFILIATIONS)]
    share = 60 // max(len(series.views), 1)
    table = Table(
        (t(N_("Affiliation")), *(series.number(view) for view in series.views)),
        tuple((report.affiliation_label(series.language, code),
               *(str(count[code]) for count in counts)) for code in codes),
        (100 - share * len(series.views), *[share] * len(series.views)),
        tuple(range(1, len(series.views) + 1)),
        (t(N_("Total")), *(str(sum(count.values())) for count in counts)))
    return Section(t(ATTENDANCE), (table,))


def _main_groups(series: SeriesContext, t) -> Section:
    """Per theme, each session's groups of that theme by dots (a group's theme: the theme
    most of its cards were written under) and the groups the session started from."""
    themes = list(dict.fromkeys(table.theme for view in series.views for table in view.tables))
    blocks: list[Block] = []
    for theme in themes:
        blocks.append(Subheading(f"{t(N_('Theme'))}: {theme}" if theme else t(N_("No theme")),
                                 2))
        for view in series.views:
            blocks.append(Subheading(f"{series.number(view)} {view.event.title}", 3))
            carried = [group.name for group in view.carried if group.theme == theme]
            if carried:
                blocks.append(Text(translate(series.language, N_("Started from: %(groups)s"),
                                             groups=report.WORD_SEPARATOR.join(carried))))
            groups = [(group, dots) for group, dots in view.group_dots()
                      if view.group_theme(group.id) == theme][:GROUPS_PER_THEME]
            blocks.append(Table(
                (t(N_("Group")), t(N_("Cards")), t(N_("Votes"))),
                tuple((group.name, str(view.count(("group", group.id), "shown")), str(dots))
                      for group, dots in groups), (64, 18, 18), (1, 2)) if groups
                else Text(t(N_("No groups were made."))))
    return Section(t(MAIN_GROUPS), tuple(blocks))


def _actions(series: SeriesContext, t) -> Section:
    """Per session, the actions drafted there (report.action_cells: what, roles, due,
    status now, hands) and their progress: each step of their history with the session
    it was made in and what happened."""
    numbers = {view.event.id: series.number(view) for view in series.views}

    def progress(view: EventView, action) -> tuple[str, ...]:
        return report.action_progress(view.action_steps.get(action.id, ()),
                                      lambda event_id: numbers.get(event_id, "–"), t)

    blocks: list[Block] = []
    for view in series.views:
        if not view.actions:
            continue
        blocks += [Subheading(f"{series.number(view)} {view.event.title}", 2), Table(
            (*(t(column) for column in report.ACTION_COLUMNS), t(N_("Progress"))),
            tuple((*report.action_cells(view, action, t, series.language),
                   progress(view, action)) for action in view.action_list()),
            (22, 20, 10, 10, 14, 24))]
    return Section(t(ACTIONS), tuple(blocks) or (Text(t(N_("No actions were drafted."))),))


SECTIONS: tuple[Callable[[SeriesContext, Callable[[str], str]], Section], ...] = (
    _sessions,
    _attendance,
    _main_groups,
    _actions,
)


def build(views: Sequence[EventView], language: str, now_ms: int) -> report.Report:
    """The series report of `views` (the events of one series, first first)."""
    def t(msgid: str) -> str:
        return translate(language, msgid)

    series = SeriesContext(tuple(views), language, now_ms)
    return report.Report(language, views[0].event.title, t(SERIES_REPORT),
                         tuple(section(series, t) for section in SECTIONS))


def export(views: Sequence[EventView], language: str, now_ms: int,
           progress: exports.Progress = exports.quiet) -> bytes:
    """The series report as a PDF (A4, the report's layout)."""
    return report.to_pdf(build(views, language, now_ms), progress)
