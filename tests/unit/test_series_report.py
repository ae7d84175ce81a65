"""The series report (app/documents/series.py) from views made in memory: its sections in
order, attendance by stakeholder per session, each theme's groups session by session with
what a session started from; and the report of a follow-up with 前回の主な意見."""

from dataclasses import replace

from app.documents import report, series
from app.live.view import EventView
from app.store.records import CarriedGroupRecord
from tests.fixtures.documents import NOW, TIMELINE, report_view

CARRIED = CarriedGroupRecord(1, "s1", 7, 0, "Looking out", "Caring for elders", 2,
                             ("Neighbours check on each other", "A walking group for elders"))


def follow_up_of(first: EventView) -> EventView:
    """A second session: the same people (one came again as themselves), one carried
    group, no cards yet."""
    people = [replace(p, id=p.id + 10, person_id=p.id if p.id == 1 else None)
              for p in first.participants]
    return EventView(replace(first.event, id="s2", title="Working together 2026 (2)",
                             date="2027-01-18", series_id="s1"), first.tables, first.program,
                     first.clock, people, carried=[CARRIED])


def sections(built: report.Report) -> dict[str, report.Section]:
    return {section.heading: section for section in built.sections}


def test_the_series_report_has_the_sessions_attendance_and_groups_by_theme():
    first = report_view()
    built = series.build([first, follow_up_of(first)], "en", NOW)
    assert built.subtitle == "Series report"
    assert built.headings == ["Sessions", "Attendance by session",
                              "Main groups by theme, session by session",
                              "Actions and their progress"]
    (sessions,) = sections(built)["Sessions"].blocks
    assert [row[:3] for row in sessions.rows] == [
        ("Session 1", "Working together 2026", "Monday 21 September 2026"),
        ("Session 2", "Working together 2026 (2)", "Monday 18 January 2027")]
    assert [row[4] for row in sessions.rows] == ["0", "1"]  # came again
    (attendance,) = sections(built)["Attendance by session"].blocks
    assert attendance.rows[0] == ("Citizen", "2", "2")
    assert attendance.total == ("Total", "4", "4")
    blocks = sections(built)["Main groups by theme, session by session"].blocks
    texts = [getattr(b, "text", None) for b in blocks]
    assert texts.index("Theme: Caring for elders") < texts.index(
        "Session 2 Working together 2026 (2)") < texts.index("Started from: Looking out")
    tables = [b for b in blocks if isinstance(b, report.Table)]
    assert tables[0].rows == (("Looking out", "2", "2"),)  # its theme's group, by dots


def test_a_follow_ups_report_starts_from_the_carried_groups():
    second = follow_up_of(report_view())
    built = report.build(second, TIMELINE, "en", NOW)
    assert built.headings[3] == "Main opinions from last time"
    blocks = sections(built)["Main opinions from last time"].blocks
    assert any(isinstance(b, report.Subheading) and b.text == "Looking out（●2）"
               for b in blocks)
    items = [b for b in blocks if isinstance(b, report.Items)]
    assert items[0].items == (("Neighbours check on each other", ""),
                              ("A walking group for elders", ""))
    assert "Main opinions from last time" not in report.build(
        report_view(), TIMELINE, "en", NOW).headings
