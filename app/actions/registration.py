"""Pre-registration: the office's list of applications (a CSV in UTF-8 or Shift_JIS, or
an Excel workbook) read, checked row by row and stored whole or not at all. The people on
it start not arrived; the reception ticks them in (actions/seating.py arrive)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError

from app import auth
from app.actions import Done, Services, announce, require
from app.documents.seating_files import RowProblem, read_people, sheet_rows
from app.i18n import N_
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import RegisteredIn
from app.store import registration, sessions

COLUMNS = ("name", "furigana", "affiliation", "theme", "email")
"""The columns of the list, in the order problems are named within a row."""


@dataclass(frozen=True)
class Checked:
    """The list as read: everyone on it, and every problem by row and column."""

    people: list[RegisteredIn]
    problems: list[RowProblem]


@dataclass(frozen=True)
class Imported:
    view: EventView
    people: tuple
    """(PersonRecord, token) of each person stored, in the order of the list."""


def check(services: Services, identity: auth.Identity, data: bytes) -> Checked:
    """The dry run: the list read and checked against the event's themes, nothing stored."""
    require(identity, auth.FACILITATOR)
    view = sessions.load_view(services.engine, identity.event_id, with_board=False)
    return _checked(view, data)


def import_people(services: Services, identity: auth.Identity, data: bytes
                  ) -> Done[Imported]:
    """Everyone on the list stored, not arrived, or no one when a row has a problem."""
    checked = check(services, identity, data)
    if checked.problems:
        first = checked.problems[0]
        raise Refusal("invalid_rows", N_("Nobody was imported: %(count)s problems in the list, "
                                         "the first in row %(row)s (%(column)s). Check the "
                                         "list with a dry run."),
                      count=len(checked.problems), row=first.row, column=first.column)
    stored = registration.register_all(services.engine, identity.event_id, checked.people,
                                       services.now(), services.max_participants)
    published = announce(services, identity.event_id, stored.seq,
                         changes.SeatingChanged(stored.seating.seats, stored.seating.people))
    view = sessions.load_view(services.engine, identity.event_id, with_board=False)
    return Done(Imported(view, stored.people), published)


def _checked(view: EventView, data: bytes) -> Checked:
    sheet = read_people(sheet_rows(data))
    problems = list(sheet.problems)
    themes = [theme for theme in view.themes if theme]
    people = []
    for person in sheet.people:
        found = {(p.row, p.column) for p in problems}
        theme = _theme(person.theme or "", themes)
        if theme is None:
            problems.append(RowProblem(person.row, "theme", Refusal(
                "invalid", N_("No table has the theme %(theme)s; give a table's theme or "
                              "its number (1 to %(count)s)."),
                theme=repr(person.theme), count=len(themes))))
        try:
            people.append(RegisteredIn.model_validate({
                "name": person.name, "furigana": person.furigana, "email": person.email,
                "affiliation": person.affiliation or "other", "theme": theme or ""}))
        except ValidationError as error:
            for detail in error.errors():
                column = str(detail["loc"][0]) if detail.get("loc") else "name"
                cause = (detail.get("ctx") or {}).get("error")
                if (person.row, column) not in found:
                    problems.append(RowProblem(person.row, column, cause if isinstance(
                        cause, Refusal) else Refusal("invalid", N_("This value cannot be read."))))
    problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column)))
    return Checked(people, problems)


def _theme(cell: str, themes: list[str]) -> str | None:
    """A table's theme named by its text or by its number among the themes (1, ①, "２");
    "" for none; None when no table has it."""
    if not cell:
        return ""
    folded = unicodedata.normalize("NFKC", cell).strip()
    if folded.isdecimal():
        number = int(folded)
        return themes[number - 1] if 1 <= number <= len(themes) else None
    by_text = {unicodedata.normalize("NFKC", theme).casefold(): theme for theme in themes}
    return by_text.get(folded.casefold())
