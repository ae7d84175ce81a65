"""Seating without a server: CSV import, output formats and the `worldcafe plan` command.

Parsing and formatting are pure functions (text in, text out) so they can be tested alone;
only `run_plan` reads files and prints.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from app.documents.exports import guard_formula, md_escape
from app.i18n import N_, translate
from app.refusal import Refusal
from app.stakeholders import AFFILIATION_LABELS, AFFILIATIONS
from app.tables import Person, Plan, Table, plan_seating


def input_error(message: str, **params: object) -> Refusal:
    """A problem with the command's input, phrased for the person who made the file."""
    return Refusal("invalid", message, **params)


@dataclass(frozen=True)
class Participant:
    name: str = ""
    affiliation: str | None = None
    theme: str | None = None
    furigana: str = ""
    email: str = ""
    row: int = field(default=0, compare=False)
    """Where in the file, counting the header as row 1, as a spreadsheet shows it."""


@dataclass(frozen=True)
class RowProblem:
    """Why one cell of the file cannot be taken, for the person who made the file."""

    row: int
    column: str
    refusal: Refusal


@dataclass(frozen=True)
class PeopleSheet:
    people: list[Participant]
    problems: list[RowProblem]


def _key(text: str) -> str:
    """Compare labels the way people mean them: full-width, case and spaces ignored."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


_AFFILIATION_CODES = {
    _key(label): code
    for code in AFFILIATIONS
    for label in (translate("ja", AFFILIATION_LABELS[code]), AFFILIATION_LABELS[code], code)
}
"""A cell names an affiliation by its Japanese label, its English label or its code."""
_COLUMNS = {
    "name": ("名前", "氏名", "お名前", "name"),
    "furigana": ("ふりがな", "フリガナ", "よみがな", "ヨミガナ", "読み仮名", "furigana"),
    "affiliation": ("所属", "属性", "立場", "affiliation"),
    "theme": ("テーマ", "希望テーマ", "theme"),
    "email": ("メールアドレス", "メール", "Eメール", "email", "e-mail"),
}
_COLUMN_NAMES = {_key(label): column for column, labels in _COLUMNS.items() for label in labels}
XLSX_MAGIC = b"PK\x03\x04"
"""An XLSX workbook is a zip file."""


def decode_csv(data: bytes) -> str:
    """UTF-8 text with or without the byte order mark Excel writes, else Shift_JIS
    (CP932), what Japanese Excel and most application forms save a CSV as."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as error:
            position = error.start
    raise input_error(N_("The file is neither UTF-8 nor Shift_JIS (CP932) text (byte "
                         "%(position)s); in Excel, save it as CSV UTF-8 or as a workbook."),
                      position=position)


def sheet_rows(data: bytes) -> list[list[str]]:
    """The rows of a table people made: the first sheet of an XLSX workbook, else CSV."""
    if data.startswith(XLSX_MAGIC):
        return _workbook_rows(data)
    return list(csv.reader(io.StringIO(decode_csv(data), newline="")))


def _workbook_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a broken zip or workbook is the file's problem
        raise input_error(N_("The file could not be read as an Excel workbook (XLSX).")
                          ) from None
    try:
        return [[_cell_text(value) for value in row]
                for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell as people see it: no cell is empty text, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_people(rows: list[list[str]]) -> PeopleSheet:
    """Participants from a table's rows: a header row (Japanese or English), then one row
    each, every problem of a row named by its row and column; a file without people or
    without a name column is refused whole."""
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise input_error(N_("The file is empty."))
    header, *records = rows
    columns: dict[str, int] = {}
    for index, label in enumerate(header):
        column = _COLUMN_NAMES.get(_key(label))
        if column is not None:
            columns.setdefault(column, index)
    if "name" not in columns:
        found = ", ".join(label.strip() for label in header if label.strip()) or "—"
        raise input_error(N_("No name column: the first row needs 名前, 氏名 or name "
                             "(found: %(found)s)."), found=found)

    def cell(row: list[str], column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    people, problems = [], []
    for number, row in enumerate(records, start=2):
        if not any(value.strip() for value in row):
            continue
        name = cell(row, "name")
        if not name:
            problems.append(RowProblem(number, "name",
                                       input_error(N_("The name is empty."))))
        label = cell(row, "affiliation")
        affiliation = _AFFILIATION_CODES.get(_key(label)) if label else None
        if label and affiliation is None:
            problems.append(RowProblem(number, "affiliation", _unknown_affiliation(label)))
        people.append(Participant(name, affiliation, cell(row, "theme") or None,
                                  cell(row, "furigana"), cell(row, "email"), number))
    if not people:
        raise input_error(N_("The file has a header but no people."))
    return PeopleSheet(people, problems)


def _unknown_affiliation(label: str) -> Refusal:
    known = "、".join(translate("ja", AFFILIATION_LABELS[code]) for code in AFFILIATIONS)
    return input_error(N_("Unknown affiliation %(label)s; use one of %(known)s (or "
                          "%(codes)s)."), label=repr(label), known=known,
                       codes=", ".join(AFFILIATIONS))


def parse_people_csv(text: str) -> list[Participant]:
    """Participants from CSV text for `worldcafe plan`: the file's first problem refuses
    it, named by its row as a spreadsheet counts them."""
    sheet = read_people(list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))))
    if sheet.problems:
        problem = sheet.problems[0]
        raise input_error(f"row {problem.row}: {problem.refusal}")
    return sheet.people


def table_themes(participants: list[Participant], table_count: int) -> list[str | None]:
    """Themes for the tables: one table per theme while they last (most wanted first), the
    rest in proportion to how many people chose each (D'Hondt).

    Tables of one theme sit next to each other, in the order the themes first appear.
    """
    wanted = Counter(p.theme for p in participants if p.theme)
    if not wanted:
        return [None] * table_count
    given = Counter(theme for theme, _ in wanted.most_common(table_count))
    for _ in range(table_count - len(given)):
        theme = max(wanted, key=lambda t: wanted[t] / (given[t] + 1))
        given[theme] += 1
    return [theme for theme in wanted for _ in range(given[theme])]


# --- output formats ----------------------------------------------------------------------


def format_json(plan: Plan, participants: list[Participant], tables: list[Table]) -> str:
    """The contract of docs/api.md (the seating): people and tables by 0-based position."""
    document = {
        "rounds": [[seating[t.id] for t in tables] for seating in plan.rounds],
        "repeat_pairs": plan.repeat_pairs,
        "lower_bound": plan.lower_bound,
        "seconds": round(plan.seconds, 3),
        "theme_misses": [
            {"person": miss.person, "themes": list(miss.themes), "reason": miss.reason}
            for miss in plan.theme_misses
        ],
    }
    return json.dumps(document) + "\n"


def miss_lines(plan: Plan, participants: list[Participant]) -> list[str]:
    """One sentence per traveller the theme rule fails: who (numbered from 1), which themes
    their first rounds leave out, and why."""
    lines = []
    for miss in plan.theme_misses:
        name = participants[miss.person].name
        who = f"person {miss.person + 1}" + (f" ({name})" if name else "")
        lines.append(f"{who} does not visit {', '.join(miss.themes)}: {miss.message}")
    return lines


def _numbers(plan: Plan, tables: list[Table]) -> dict[int, list[int]]:
    """Each person's route as 1-based table numbers."""
    number = {t.id: position + 1 for position, t in enumerate(tables)}
    routes: dict[int, list[int]] = {}
    for seating in plan.rounds:
        for table, seated in seating.items():
            for person in seated:
                routes.setdefault(person, []).append(number[table])
    return routes


def _route_text(route: list[int]) -> str:
    return " → ".join(str(table) for table in route)


def format_csv(plan: Plan, participants: list[Participant], tables: list[Table]) -> str:
    """One row per person: number, name, affiliation, table per round, route."""
    named = any(p.name for p in participants)
    rounds = len(plan.rounds)
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(
        ["person", *(["name"] if named else []), "affiliation"]
        + [f"round {r + 1}" for r in range(rounds)]
        + ["route"]
    )
    routes = _numbers(plan, tables)
    for person, participant in enumerate(participants):
        route = routes[person]
        writer.writerow([guard_formula(cell) for cell in (
            [person + 1, *([participant.name] if named else []), participant.affiliation or ""]
            + route
            + [_route_text(route)])])
    return output.getvalue()


def _cell(text: str) -> str:
    """Text as written in a Markdown table cell, escaped like the exports' Markdown."""
    return md_escape(" ".join(text.split()))


def format_md(plan: Plan, participants: list[Participant], tables: list[Table]) -> str:
    """A printable plan: the summary, every person's route, then who sits where per round."""

    def who(person: int) -> str:
        name = participants[person].name
        return f"{person + 1} {_cell(name)}" if name else str(person + 1)

    rounds = len(plan.rounds)
    returning = " (the last returns home)" if plan.return_round else ""
    lines = [
        "# Seating plan",
        "",
        f"{len(participants)} people, {len(tables)} tables, {rounds} rounds{returning}.",
        f"Repeated pairs: {plan.repeat_pairs} (lower bound {plan.lower_bound}). "
        f"Planned in {plan.seconds:.2f} s.",
    ]
    misses = miss_lines(plan, participants)
    if misses:
        lines += ["", "## Themes left out", ""] + [f"- {_cell(line)}" for line in misses]
    lines += ["", "## Routes", "", "| person | affiliation | route |", "|---|---|---|"]
    routes = _numbers(plan, tables)
    for person, participant in enumerate(participants):
        lines.append(
            f"| {who(person)} | {_cell(participant.affiliation or '')} | "
            f"{_route_text(routes[person])} |"
        )
    for r, seating in enumerate(plan.rounds):
        title = f"Round {r + 1}"
        if r == 0:
            title += " (home)"
        elif plan.return_round and r == rounds - 1:
            title += " (return)"
        lines += ["", f"## {title}", "", "| table | people |", "|---|---|"]
        for position, table in enumerate(tables):
            label = f"{position + 1} ({_cell(table.theme)})" if table.theme else str(position + 1)
            people = ", ".join(who(person) for person in seating[table.id])
            lines.append(f"| {label} | {people} |")
    return "\n".join(lines) + "\n"


FORMATS = {"json": format_json, "csv": format_csv, "md": format_md}


# --- the command -------------------------------------------------------------------------


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--people", type=int, metavar="N", help="plan for N people (0..N-1)")
    source.add_argument(
        "file", nargs="?", metavar="FILE.csv",
        help="people from a CSV file (UTF-8 or Shift_JIS) with columns name, affiliation, theme",
    )
    parser.add_argument("--tables", type=int, required=True, metavar="T", help="number of tables")
    parser.add_argument(
        "--rounds", type=int, required=True, metavar="R",
        help="seating rounds in all, the home round (and the return round) included",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument(
        "--time-limit", type=float, default=2.0, metavar="SEC",
        help="search time budget in seconds (default 2)",
    )
    parser.add_argument("--format", choices=sorted(FORMATS), default="json", help="output format")
    parser.add_argument(
        "--return", dest="return_round", action="store_true",
        help="the last round sends everyone back to their home table",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def run_plan(args: argparse.Namespace, clock: Callable[[], float] = time.monotonic) -> int:
    """Plan, format and write; a bad input is a message on stderr and exit code 2. `clock`
    bounds the search (`--time-limit` seconds of it)."""
    try:
        if args.file is not None:
            with open(args.file, "rb") as source:
                participants = parse_people_csv(decode_csv(source.read()))
        else:
            participants = [Participant() for _ in range(max(args.people, 0))]
        tables = [
            Table(number, theme=theme)
            for number, theme in enumerate(table_themes(participants, max(args.tables, 0)))
        ]
        people = [
            Person(number, affiliation=p.affiliation, theme=p.theme)
            for number, p in enumerate(participants)
        ]
        plan = plan_seating(
            people, tables, args.rounds, seed=args.seed, time_limit=args.time_limit,
            return_round=args.return_round, clock=clock,
        )
        text = FORMATS[args.format](plan, participants, tables)
        for line in miss_lines(plan, participants):
            print(f"worldcafe plan: {line}", file=sys.stderr)
        if args.output:
            # Excel reads a CSV as UTF-8 only when it starts with a byte order mark
            encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
            with open(args.output, "w", encoding=encoding, newline="") as target:
                target.write(text)
        else:
            sys.stdout.write(text)
    except Refusal as error:
        print(f"worldcafe plan: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"worldcafe plan: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    return 0
