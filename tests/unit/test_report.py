"""The report (app/documents/report.py) assembled from a EventView made in memory and a recorded
clock: its sections in order, the minutes actually spent, the attendance, the cards by
theme, table and round, the groups and the ranking by dots, the keywords, the
self-introductions without names; and the PDF's bookmarks and the DOCX's headings."""

from __future__ import annotations

import io

import docx
import pypdfium2
import pytest

from app.documents import exports, formats, report
from app.i18n import day_text
from app.live.view import EventView
from app.store.records import (
    GroupVoteRecord,
)
from tests.fixtures.documents import NAMES, NOW, TIMELINE, report_view


def build(view: EventView | None = None, timeline=TIMELINE) -> report.Report:
    view = view or report_view()
    return report.build(view, timeline, view.event.language, NOW)


def section(built: report.Report, heading: str) -> report.Section:
    return next(s for s in built.sections if s.heading == heading)


def blocks(built: report.Report, heading: str, kind: type) -> list:
    return [b for b in section(built, heading).blocks if isinstance(b, kind)]


def test_the_sections_come_in_the_offices_order():
    assert build().headings == [
        "Overview", "Program", "Attendance", "Opinions by theme and table", "Opinion groups",
        "Cards with the most votes", "Keywords by theme", "Who said what",
        "Appendix: self-introductions"]


def test_the_overview_has_the_events_details_and_leaves_out_the_missing_ones():
    built = build(report_view(date="2026-11-24", start_time="13:30", venue="Civic centre",
                              organiser="Collaboration office", purpose="Talk\nand listen"))
    (fields,) = blocks(built, "Overview", report.Fields)
    assert dict(fields.pairs) == {"Date": "Tuesday 24 November 2026", "Start time": "13:30",
                                  "Venue": "Civic centre", "Organiser": "Collaboration office",
                                  "Purpose": "Talk\nand listen",
                                  "Report made": "2026-09-21 23:53"}
    (bare,) = blocks(build(), "Overview", report.Fields)
    labels = dict(bare.pairs)
    assert "Venue" not in labels and "Purpose" not in labels
    assert labels["Date"] == "Monday 21 September 2026"  # the day it was created, in Tokyo
    assert labels["Start time"] == "23:13"  # when the clock first ran
    japanese = build(report_view("ja", venue="市民会館"))
    assert ("会場", "市民会館") in blocks(japanese, japanese.headings[0], report.Fields)[0].pairs
    reiwa = build(report_view("ja", date="2026-12-07", date_era="reiwa"))
    (dated,) = blocks(reiwa, reiwa.headings[0], report.Fields)
    assert ("日付", "令和8年12月7日（月）") in dated.pairs


@pytest.mark.parametrize(("day", "language", "era", "written"), [
    ("2027-03-31", "ja", None, "2027年3月31日（水）"),
    ("2027-03-31", "en", None, "Wednesday 31 March 2027"),
    ("2027-03-31", "ja", "reiwa", "令和9年3月31日（水）"),
    ("2019-05-01", "ja", "reiwa", "令和元年5月1日（水）"),
    ("2027-03-31", "en", "reiwa", "Wednesday 31 March 2027"),  # the era is Japanese only
])
def test_a_day_is_written_as_the_language_writes_it(day, language, era, written):
    assert day_text(day, language, era) == written


def test_the_programme_has_the_minutes_planned_and_actually_spent():
    (table, *_rest) = blocks(build(), "Program", report.Table)
    assert table.columns == ("Phase", "Started", "Planned (min)", "Actual (min)")
    assert table.rows == (("Opening", "23:13", "10", "12"),
                          ("Round 1 (home table): Self-introduction", "23:26", "10", "10"),
                          ("Round 2 (move 1): Second table", "23:39", "15", "14"),
                          ("Harvest", "–", "15", "–"))
    assert table.total == ("Total", "", "50", "36")


def test_attendance_counts_stakeholders_tables_hosts_latecomers_and_absent_people():
    built = build()
    (figures,) = blocks(built, "Attendance", report.Fields)
    assert dict(figures.pairs) == {
        "Participants": "4", "Number of tables": "2", "Table hosts": "2",
        "Latecomers (joined after the first round started)": "1", "Absent": "1"}
    by_stakeholder, tables = blocks(built, "Attendance", report.Table)
    assert by_stakeholder.rows == (("Citizen", "2", "0"), ("City staff", "1", "0"),
                                   ("NPO", "1", "1"))
    assert by_stakeholder.total == ("Total", "4", "1")
    assert tables.rows == (("1", "Table 1", "Caring for elders", "2"),
                           ("2", "Table 2", "Children", "2"))


def test_nobody_is_late_before_the_first_round_starts():
    built = build(timeline=TIMELINE[:2])
    (figures,) = blocks(built, "Attendance", report.Fields)
    assert dict(figures.pairs)["Latecomers (joined after the first round started)"] == "0"


def test_opinions_are_by_theme_then_table_then_round_visible_cards_only():
    opinions = section(build(), "Opinions by theme and table").blocks
    outline = [(b.level, b.text) if isinstance(b, report.Subheading)
               else [text for text, _note in b.items] for b in opinions]
    assert outline == [
        (2, "Theme: Caring for elders"), (3, "Table 1"),
        (4, "Round 1 (home table): Self-introduction"),
        ["A walking group for elders", "Neighbours check on each other"],
        (4, "Round 2 (move 1): Second table"), ["Host note on the second table"],
        (2, "Theme: Children"), (3, "Table 2"),
        (4, "Round 1 (home table): Self-introduction"), ["A place for children after school"],
        (4, "Round 2 (move 1): Second table"), ["Elders teach children to cook"]]
    notes = [note for b in opinions if isinstance(b, report.Items) for _text, note in b.items]
    assert notes[:3] == ["Citizen · ●1", "Citizen · ●1", "table host"]


def test_no_name_and_no_hidden_card_appears_anywhere():
    everything = repr(build())
    assert "A hidden card" not in everything
    assert not any(name in everything for name in NAMES)


def test_groups_are_ordered_by_dots_with_their_card_counts():
    built = build()
    (table,) = blocks(built, "Opinion groups", report.Table)
    assert table.rows == (("After school", "1", "3"), ("Looking out", "2", "2"),
                          ("Empty group", "0", "0"), ("Not grouped yet", "2", "0"))
    headings = [b.text for b in blocks(built, "Opinion groups", report.Subheading)]
    assert headings == ["After school", "Looking out", "Empty group", "Not grouped yet"]


def test_the_top_cards_are_ranked_by_dots_and_a_hidden_cards_dots_do_not_count():
    (table,) = blocks(build(), "Cards with the most votes", report.Table)
    assert table.rows == (
        ("1", "A place for children after school", "Table 2", "After school", "3"),
        ("2", "A walking group for elders", "Table 1", "Looking out", "1"),
        ("2", "Neighbours check on each other", "Table 1", "Looking out", "1"))


def test_an_event_that_voted_on_groups_ranks_the_groups_with_their_dots():
    view = report_view(vote_on="groups")
    bare = EventView(view.event, view.tables, view.program, view.clock,
                     view.participants, groups=view.groups, cards=view.all_cards,
                     group_votes=[GroupVoteRecord(1, 8, 2), GroupVoteRecord(2, 9, 2),
                                  GroupVoteRecord(3, 7, 1)])
    built = build(bare)
    assert "Cards with the most votes" not in built.headings
    assert built.headings[5] == "Groups with the most votes"
    (table,) = blocks(built, "Groups with the most votes", report.Table)
    assert table.columns == ("Rank", "Group", "Cards", "Votes")
    assert table.rows == (("1", "After school", "1", "2"), ("1", "Empty group", "0", "2"),
                          ("3", "Looking out", "2", "1"))
    (groups,) = blocks(built, "Opinion groups", report.Table)
    assert groups.rows[:3] == (("After school", "1", "2"), ("Empty group", "0", "2"),
                               ("Looking out", "2", "1"))
    nothing = build(EventView(view.event, view.tables, view.program, view.clock,
                              view.participants, groups=view.groups, cards=view.all_cards))
    assert blocks(nothing, "Groups with the most votes", report.Text)[0].text == \
        "No votes were placed."


def test_without_groups_or_votes_the_sections_say_so():
    view = report_view()
    bare = EventView(view.event, view.tables, view.program, view.clock,
                     view.participants, cards=view.all_cards)
    built = build(bare)
    assert blocks(built, "Opinion groups", report.Text)[0].text == "No groups were made."
    assert blocks(built, "Cards with the most votes", report.Text)[0].text == \
        "No votes were placed."


def test_keywords_for_the_whole_event_and_each_theme():
    (table,) = blocks(build(), "Keywords by theme", report.Table)
    rows = dict(table.rows)
    assert list(rows) == ["All tables", "Caring for elders", "Children"]
    assert rows["All tables"][0] == "elders (2)"
    assert "children (2)" in rows["Children"] and "hidden" not in rows["Children"]
    assert ["Children", " · ".join(rows["Children"])] in _docx_cells(report.to_docx(build()))


def test_the_appendix_has_the_self_introductions_without_names():
    (items,) = blocks(build(), "Appendix: self-introductions", report.Items)
    assert items.items == (("Meet my neighbours", ""), ("Learn what the city plans", ""))


def _docx_cells(data: bytes) -> list[list[str]]:
    return [[cell.text for cell in row.cells]
            for table in docx.Document(io.BytesIO(data)).tables for row in table.rows]


def test_the_docx_has_the_same_headings_and_real_heading_styles_and_tables():
    built = build(report_view(venue="Civic centre"))
    document = docx.Document(io.BytesIO(report.to_docx(built)))
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert styled[0] == ("Title", "Working together 2026")
    assert [text for style, text in styled if style == "Heading 1"] == built.headings
    assert ("Heading 2", "Theme: Caring for elders") in styled
    assert ("Heading 4", "Round 1 (home table): Self-introduction") in styled
    cells = _docx_cells(report.to_docx(built))
    assert ["Venue", "Civic centre"] in cells
    assert ["Citizen", "2", "0"] in cells and ["Total", "4", "1"] in cells
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.1)
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_the_pdf_is_a4_portrait_and_bookmarks_the_same_section_headings():
    built = build()
    pdf = pypdfium2.PdfDocument(report.to_pdf(built))
    try:
        width, height = pdf[0].get_size()
        assert (width, height) == (pytest.approx(595.28, abs=1), pytest.approx(841.89, abs=1))
        assert [b.get_title() for b in pdf.get_toc() if b.level == 0] == built.headings
        pages = len(pdf)
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(pages))
    finally:
        pdf.close()
    assert "Working together 2026" in text and "After school" in text
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text


def test_export_dispatches_both_report_formats():
    view = report_view()
    pdf = formats.export(view, "report.pdf", now_ms=NOW, timeline=TIMELINE)
    word = formats.export(view, "report.docx", now_ms=NOW, timeline=TIMELINE)
    assert pdf.startswith(b"%PDF") and word.startswith(b"PK")
    assert exports.MEDIA_TYPES["report.docx"].endswith("wordprocessingml.document")
    assert "report.pdf" not in exports.TEXT_FORMATS
