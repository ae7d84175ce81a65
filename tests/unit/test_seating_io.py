"""CSV import, output formats and the `worldcafe plan` command."""

import csv
import io
import json
import time

import pytest

from app import cli
from app.documents import seating_files
from app.documents.seating_files import (
    Participant,
    decode_csv,
    format_csv,
    format_json,
    format_md,
    parse_people_csv,
    table_themes,
)
from app.refusal import Refusal
from app.tables import Person, Table, plan_seating
from tests.fixtures.timing import step_clock

JAPANESE = "\ufeff氏名,所属,希望テーマ\r\n田中,市民,子ども\r\n佐藤,行政,高齢者\r\n鈴木,ＮＰＯ,\r\n"


def plan_for(participants, tables, rounds, return_round=False):
    people = [Person(i, affiliation=p.affiliation) for i, p in enumerate(participants)]
    return plan_seating(people, tables, rounds, time_limit=0.05, return_round=return_round,
                        clock=time.monotonic)


def test_excel_file_with_bom_japanese_headers_and_crlf():
    assert parse_people_csv(decode_csv(JAPANESE.encode())) == [
        Participant("田中", "citizen", "子ども"),
        Participant("佐藤", "city", "高齢者"),
        Participant("鈴木", "npo", None),
    ]


def test_english_headers_in_any_case_and_order_with_blank_lines():
    text = "Theme,NAME,Affiliation\nkids,Ann,Business\n\n,Bo,community\n,Cy,\n"
    assert parse_people_csv(text) == [
        Participant("Ann", "business", "kids"),
        Participant("Bo", "community", None),
        Participant("Cy", None, None),
    ]


@pytest.mark.parametrize(
    ("label", "code"),
    [("市民", "citizen"), ("行政", "city"), ("NPO", "npo"), ("npo", "npo"), ("事業者", "business"),
     ("地域", "community"), ("その他", "other"), ("Other", "other"), (" city ", "city"),
     ("City staff", "city"), ("Neighbourhood group", "community")],
)
def test_affiliations_map_to_one_code(label, code):
    assert parse_people_csv(f"名前,立場\nA,{label}\n")[0].affiliation == code


def test_quoted_names_keep_their_commas():
    assert parse_people_csv('name\n"Tanaka, Ken"\n')[0].name == "Tanaka, Ken"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("名前,所属\nA,市民\nB,学生\n", "row 3: Unknown affiliation '学生'"),
        ("名前,所属\nA,市民\n,行政\n", "row 3: The name is empty"),
        ("所属,テーマ\n市民,x\n", "No name column"),
        ("", "The file is empty"),
        ("\r\n\r\n", "The file is empty"),
        ("name,affiliation\n", "no people"),
    ],
)
def test_bad_files_name_the_problem(text, message):
    with pytest.raises(Refusal, match=message):
        parse_people_csv(text)


def test_shift_jis_files_are_read_and_other_bytes_refused():
    assert decode_csv("名前\n髙橋\n".encode("cp932")) == "名前\n髙橋\n"
    with pytest.raises(Refusal, match="neither UTF-8 nor Shift_JIS"):
        decode_csv(b"\xff\xfe\x00n\x00a\x00m\x00e\x81")


def test_tables_follow_the_demand_for_themes():
    people = [Participant(theme=t) for t in ["a", "a", "a", "a", "b", "b", "c"]]
    assert table_themes(people, 4) == ["a", "a", "b", "c"]
    assert table_themes([Participant()], 2) == [None, None]


def test_json_is_the_contract():
    tables = [Table(t) for t in range(3)]
    plan = plan_for([Participant()] * 9, tables, 4)
    document = json.loads(format_json(plan, [Participant()] * 9, tables))
    assert set(document) == {"rounds", "repeat_pairs", "lower_bound", "seconds", "theme_misses"}
    assert document["theme_misses"] == []
    assert len(document["rounds"]) == 4
    for groups in document["rounds"]:
        assert sorted(p for group in groups for p in group) == list(range(9))
        assert [len(group) for group in groups] == [3, 3, 3]
    assert document["repeat_pairs"] == 0
    assert isinstance(document["seconds"], float)


def test_csv_has_a_row_per_person_with_route():
    participants = parse_people_csv(JAPANESE)
    tables = [Table(0), Table(1)]
    plan = plan_for(participants, tables, 3, return_round=True)
    rows = list(csv.reader(io.StringIO(format_csv(plan, participants, tables))))
    assert rows[0] == ["person", "name", "affiliation", "round 1", "round 2", "round 3", "route"]
    first = rows[1]
    assert first[:3] == ["1", "田中", "citizen"]
    assert first[3] == first[5] != first[4]
    assert first[6] == f"{first[3]} → {first[4]} → {first[5]}"


def test_csv_without_names_has_no_name_column():
    tables = [Table(0), Table(1)]
    plan = plan_for([Participant()] * 4, tables, 2)
    header = format_csv(plan, [Participant()] * 4, tables).splitlines()[0]
    assert header == "person,affiliation,round 1,round 2,route"


def test_markdown_shows_routes_tables_and_the_summary():
    participants = parse_people_csv(JAPANESE)
    tables = [Table(0, theme="子ども"), Table(1, theme="高齢者")]
    plan = plan_for(participants, tables, 3, return_round=True)
    text = format_md(plan, participants, tables)
    assert f"Repeated pairs: {plan.repeat_pairs} (lower bound {plan.lower_bound})" in text
    assert "| 1 田中 | citizen | " in text
    assert "## Round 1 (home)" in text and "## Round 3 (return)" in text
    assert "| 1 (子ども) | " in text


def plan_command(arguments: list[str]) -> int:
    """`worldcafe plan` as the command line runs it, its search bounded by a step clock, so
    that what it finds does not depend on the machine's speed or load."""
    return seating_files.run_plan(cli.build_parser().parse_args(arguments), clock=step_clock())


def test_plan_command_prints_json(capsys):
    assert plan_command(["plan", "--people", "16", "--tables", "4", "--rounds", "5"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["repeat_pairs"] == 0
    assert [len(group) for group in document["rounds"][0]] == [4, 4, 4, 4]


def test_plan_command_seats_kirkmans_schoolgirls_without_a_repeat(capsys):
    assert plan_command(["plan", "--people", "15", "--tables", "5", "--rounds", "7"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["repeat_pairs"] == document["lower_bound"] == 0
    pairs = [frozenset((a, b)) for groups in document["rounds"] for group in groups
             for a in group for b in group if a < b]
    assert len(pairs) == len(set(pairs)) == 105  # every pair of the 15 meets exactly once


def themed_csv(tmp_path, themes):
    source = tmp_path / "people.csv"
    rows = [f"P{n},{['市民', '行政', 'NPO'][n % 3]},{theme}" for n, theme in enumerate(themes)]
    source.write_text("名前,所属,テーマ\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return source


def test_plan_command_with_themes_shows_everyone_every_theme(tmp_path, capsys):
    source = themed_csv(tmp_path, ["子ども", "防災", "福祉"] * 6)
    arguments = ["plan", str(source), "--tables", "6", "--rounds", "4", "--return",
                 "--time-limit", "0.5"]
    assert plan_command(arguments) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    themes = ["子ども", "子ども", "防災", "防災", "福祉", "福祉"]
    wanted = ["子ども", "防災", "福祉"] * 6
    for person in range(18):
        route = [next(t for t, group in enumerate(groups) if person in group)
                 for groups in document["rounds"]]
        assert themes[route[0]] == wanted[person]  # the home table has the chosen theme
        assert {themes[t] for t in route[:3]} == set(wanted)
        assert route[3] == route[0]
    assert document["theme_misses"] == [] and captured.err == ""


def test_plan_command_prints_the_theme_misses(tmp_path, capsys):
    # Three want a, two want b: tables a, a, b. The b table seats at most two per round,
    # four visits in two rounds for five people: someone never sees b.
    source = themed_csv(tmp_path, ["a", "a", "a", "b", "b"])
    arguments = ["plan", str(source), "--tables", "3", "--rounds", "2", "--format", "md",
                 "--time-limit", "0.2"]
    assert plan_command(arguments) == 0
    captured = capsys.readouterr()
    assert "## Themes left out" in captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("worldcafe plan: person ")
    assert lines[0].endswith("does not visit b: the tables of that theme had no free seat "
                             "for them")


def test_plan_command_reads_csv_and_writes_a_file(tmp_path, capsys):
    source = tmp_path / "people.csv"
    source.write_bytes(JAPANESE.encode())
    target = tmp_path / "plan.csv"
    arguments = ["plan", str(source), "--tables", "2", "--rounds", "3", "--return",
                 "--format", "csv", "-o", str(target), "--time-limit", "0.1"]
    assert cli.main(arguments) == 0
    assert capsys.readouterr().out == ""
    written = target.read_bytes()
    assert written.startswith("\ufeff".encode())
    assert "田中" in written.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--people", "3", "--tables", "5", "--rounds", "2"], "more tables (5) than people (3)"),
        (["--people", "9", "--tables", "3", "--rounds", "0"], "at least one round"),
        (["--people", "9", "--tables", "0", "--rounds", "2"], "no tables"),
        (["missing.csv", "--tables", "3", "--rounds", "2"], "missing.csv: No such file"),
    ],
)
def test_plan_command_errors_are_messages_not_tracebacks(arguments, message, capsys):
    assert cli.main(["plan", *arguments]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error


def test_plan_command_names_the_bad_row(tmp_path, capsys):
    source = tmp_path / "people.csv"
    source.write_text("name,affiliation\nAnn,citizen\nBo,alien\n", encoding="utf-8")
    assert cli.main(["plan", str(source), "--tables", "1", "--rounds", "1"]) == 2
    assert "row 3: Unknown affiliation 'alien'" in capsys.readouterr().err


def test_plan_command_needs_people_or_a_file(capsys):
    with pytest.raises(SystemExit):
        cli.main(["plan", "--tables", "2", "--rounds", "2"])
    assert "required" in capsys.readouterr().err


def test_csv_and_markdown_are_guarded_like_the_exports():
    participants = parse_people_csv("氏名,所属\r\n=HYPERLINK(\"http://evil\"),市民\r\n"
                                    "@SUM(A1),行政\r\n<script>x</script>|表,市民\r\n")
    tables = [Table(0, theme="<b>見守り</b>"), Table(1)]
    plan = plan_for(participants, tables, 2)
    rows = list(csv.reader(io.StringIO(format_csv(plan, participants, tables))))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")" and rows[2][1] == "'@SUM(A1)"
    text = format_md(plan, participants, tables)
    assert "<script>" not in text and "&lt;script&gt;x&lt;/script&gt;\\|表" in text
    assert "<b>" not in text and "&lt;b&gt;見守り&lt;/b&gt;" in text
