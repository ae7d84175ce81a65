"""The survey's rules without a server: what a question and an answer may be, what the
answers add up to in the view (and after a live change), the report's section with a bar
chart per question (PDF, drawn to test-artifacts/report-survey.png, and DOCX) and
export.survey.csv."""

from __future__ import annotations

import csv
import io

import docx
import pypdfium2
import pytest
from pydantic import ValidationError

from app.actions.survey import default_questions
from app.documents import exports, report
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import JoinFormIn, SurveyAnswersIn, SurveyIn
from app.store.records import PersonRecord, QuestionRecord, SurveyAnswerRecord, SurveyRecord
from tests.fixtures.browser import ARTIFACTS
from tests.fixtures.documents import NAMES, NOW, TIMELINE, report_view

QUESTIONS = (QuestionRecord("satisfaction", "scale5", "本日の満足度"),
             QuestionRecord("again", "choice", "また参加したいですか", ("はい", "いいえ")),
             QuestionRecord("comments", "text", "感想"))


def answered(*given: tuple[int, dict]) -> list[SurveyAnswerRecord]:
    return [SurveyAnswerRecord(person, tuple(answers.items())) for person, answers in given]


def with_survey(view: EventView, answers, open_: bool = False) -> EventView:
    view.survey = SurveyRecord(QUESTIONS, open_)
    view.survey_answers = {a.participant_id: a for a in answers}
    return view


ANSWERS = answered((1, {"satisfaction": "5", "again": "はい", "comments": "楽しかった"}),
                   (2, {"satisfaction": "3", "again": "はい"}),
                   (3, {"satisfaction": "5", "comments": "また来たい"}),
                   (4, {"again": "いいえ"}))


def test_a_survey_takes_one_to_ten_questions_with_their_own_ids_and_fitting_options():
    def refused(questions) -> str:
        with pytest.raises(ValidationError) as caught:
            SurveyIn.model_validate({"questions": questions})
        return str(caught.value)

    one = {"id": "q1", "kind": "scale5", "text": "満足度"}
    assert len(SurveyIn.model_validate({"questions": [one]}).questions) == 1
    assert "between 1 and 10" in refused([])
    assert "between 1 and 10" in refused([{**one, "id": f"q{n}"} for n in range(11)])
    assert "its own id" in refused([one, one])
    assert "scale5, choice or text" in refused([{**one, "kind": "stars"}])
    assert "two different options" in refused([{**one, "kind": "choice", "options": ["a"]}])
    assert "two different options" in refused([{**one, "kind": "choice",
                                                "options": ["a", "a"]}])
    assert "Only a choice" in refused([{**one, "options": ["a", "b"]}])
    assert "Question" in refused([{**one, "text": " "}])


def test_answers_are_checked_against_their_questions_and_kept_in_their_order():
    def cleaned(answers: dict):
        return SurveyAnswersIn.model_validate({"answers": answers}).cleaned(QUESTIONS)

    assert cleaned({"comments": " よかった ", "satisfaction": 4}) == (
        ("satisfaction", "4"), ("comments", "よかった"))
    assert cleaned({"again": "いいえ", "comments": ""}) == (("again", "いいえ"),)
    with pytest.raises(ValidationError):
        cleaned({"satisfaction": True})  # not a number
    for wrong, message in (({"satisfaction": 0}, "1 to 5"), ({"satisfaction": "6"}, "1 to 5"),
                           ({"again": "たぶん"}, "one of its options"),
                           ({"other": "x"}, "no question other"),
                           ({"comments": "   "}, "at least one")):
        with pytest.raises(Refusal, match=message):
            cleaned(wrong)


def test_the_join_form_needs_an_affiliation_and_a_theme_when_there_are_themes():
    form = {"name": "佐藤", "join_code": "ABCD", "theme": ""}
    with pytest.raises(ValidationError, match="affiliation"):
        JoinFormIn.model_validate(form)
    chosen = JoinFormIn.model_validate({**form, "affiliation": "npo"})
    with pytest.raises(Refusal, match="theme"):
        chosen.require_theme(["見守り"])
    assert chosen.require_theme([]).theme == ""  # no themes to choose from


def test_the_results_count_each_answer_and_follow_live_changes():
    view = with_survey(report_view(), ANSWERS)
    satisfaction, again, comments = view.survey_results()
    assert satisfaction.counts == (("1", 0), ("2", 0), ("3", 1), ("4", 0), ("5", 2))
    assert satisfaction.answered == 3 and satisfaction.mean == pytest.approx(13 / 3)
    assert again.counts == (("はい", 2), ("いいえ", 1)) and again.mean is None
    assert comments.counts == () and comments.texts == ("楽しかった", "また来たい")

    view.apply(changes.SurveyAnswered(SurveyAnswerRecord(2, (("satisfaction", "1"),))))
    assert view.survey_results()[0].counts[0] == ("1", 1)
    assert view.survey_results()[1].counts == (("はい", 1), ("いいえ", 1))  # replaced
    people = tuple(p for p in view.participants if p.id != 1)
    view.apply(changes.SeatingChanged((), people))  # person 1 removed
    assert 1 not in view.survey_answers
    view.apply(changes.SurveyChanged(SurveyRecord(QUESTIONS, True)))
    assert view.survey.open


def test_survey_changes_cross_the_bus_as_they_were():
    batch = changes.Batch("s1", 9, (changes.SurveyChanged(SurveyRecord(QUESTIONS, True)),
                                    changes.SurveyAnswered(ANSWERS[0])))
    assert changes.decode(changes.encode(batch)) == batch


def test_the_default_questions_are_a_collaboration_workshops_in_the_events_language():
    japanese = default_questions("ja")
    assert [q.kind for q in japanese] == ["scale5", "scale5", "choice", "text"]
    assert "満足度" in japanese[0].text and "理解が深まり" in japanese[1].text
    assert "また参加" in japanese[2].text and japanese[2].options == ("はい",
                                                                    "どちらとも言えない",
                                                                    "いいえ")
    assert "感想" in japanese[3].text
    assert default_questions("en")[0].text.startswith("How satisfied")


def test_the_report_has_a_survey_section_with_bars_and_the_free_texts():
    assert "Survey" not in report.build(report_view(), TIMELINE, "en", NOW).headings
    built = report.build(with_survey(report_view(), ANSWERS), TIMELINE, "en", NOW)
    assert built.headings[-2:] == ["Survey", "Appendix: self-introductions"]
    section = next(s for s in built.sections if s.heading == "Survey")
    bars = [b for b in section.blocks if isinstance(b, report.Bars)]
    assert [b.bars for b in bars] == [r.counts for r in with_survey(
        report_view(), ANSWERS).survey_results()[:2]]
    assert bars[0].share(2) == 1 and bars[0].share(1) == 0.5
    texts = [b.text for b in section.blocks if isinstance(b, report.Text)]
    assert "Average 4.3 (1 = not at all, 5 = very much), 3 answers." in texts
    items = [b for b in section.blocks if isinstance(b, report.Items)]
    assert items[-1].items == (("楽しかった", ""), ("また来たい", ""))
    cells = [[c.text for c in row.cells] for table in
             docx.Document(io.BytesIO(report.to_docx(built))).tables for row in table.rows]
    assert ["5", "2", "█" * 20] in cells and ["3", "1", "█" * 10] in cells


def test_the_report_pdf_draws_the_survey_section(tmp_path):
    view = with_survey(report_view("ja"), ANSWERS)
    pdf = pypdfium2.PdfDocument(report.to_pdf(report.build(view, TIMELINE, "ja", NOW)))
    try:
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        page = next(i for i, text in enumerate(texts) if "本日の満足度" in text)
        ARTIFACTS.mkdir(exist_ok=True)
        pdf[page].render(scale=1.5).to_pil().save(ARTIFACTS / "report-survey.png")
    finally:
        pdf.close()
    assert "アンケート" in texts[page] and "楽しかった" in "".join(texts[page:])
    assert "平均 4.3" in texts[page]


def test_the_survey_csv_has_a_row_per_respondent_and_no_name():
    view = with_survey(report_view("ja"), ANSWERS)
    data = exports.export(view, "survey.csv", now_ms=NOW)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["回答者", "所属", "本日の満足度", "また参加したいですか", "感想"]
    assert rows[1] == ["1", "市民", "5", "はい", "楽しかった"]
    assert rows[4] == ["4", "NPO", "", "いいえ", ""]
    assert not any(name in cell for name in NAMES for row in rows for cell in row)
    formula = with_survey(report_view(), answered((1, {"comments": "=1+1"})))
    assert b"'=1+1" in exports.export(formula, "survey.csv", now_ms=NOW)


def test_a_person_record_is_all_the_csv_needs():
    """The CSV reads a respondent's affiliation from the people of the view."""
    view = with_survey(report_view(), answered((99, {"again": "はい"})))
    view.participants = [*view.participants, PersonRecord(99, "x", "business", "", "", None,
                                                           0, False)]
    rows = list(csv.reader(io.StringIO(exports.export(view, "survey.csv", "en", NOW)
                                       .decode("utf-8-sig"))))
    assert rows[1][:2] == ["1", "Business"]
