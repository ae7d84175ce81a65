"""Consent and the survey against a real server (SQLite and PostgreSQL): a join without
consent is refused when the event has a privacy notice; a survey answered by 10 phones is
in its results, the live console's counts, export.survey.csv and the report's text."""

import csv
import io

from tests.fixtures.api import (
    assert_refused,
    bearer,
    create_event,
    facilitator,
    join,
    listen,
    next_json,
)
from tests.fixtures.printed import pdf_text, squeeze
from tests.fixtures.timing import seconds

NOTICE = "お預かりした氏名と所属は本ワークショップの運営と報告書の集計にのみ使います。"
QUESTIONS = [
    {"id": "satisfaction", "kind": "scale5", "text": "本日のワークショップの満足度"},
    {"id": "again", "kind": "choice", "text": "また参加したいですか",
     "options": ["はい", "いいえ"]},
    {"id": "comments", "kind": "text", "text": "感想をお書きください"},
]


def survey_url(event: dict, path: str = "") -> str:
    return f"/api/v1/sessions/{event['id']}/survey{path}"


def test_a_privacy_notice_is_in_the_answers_and_a_join_needs_consent(server, api):
    event = create_event(api, privacy_notice=NOTICE)
    assert event["privacy_notice"] == NOTICE
    shown = api.get(f"/api/v1/sessions/{event['id']}", headers=facilitator(event)).json()
    assert shown["privacy_notice"] == NOTICE
    message = assert_refused(join(api, event, "同意なし"), 422, "invalid")
    assert "agree" in message
    assert_refused(join(api, event, "同意なし", consent=False), 422, "invalid")
    assert join(api, event, "同意あり", consent=True).status_code == 201
    patched = api.patch(f"/api/v1/sessions/{event['id']}", headers=facilitator(event),
                        json={"privacy_notice": ""})
    assert patched.status_code == 200 and patched.json()["privacy_notice"] == ""
    assert join(api, event, "お知らせなし").status_code == 201  # no notice, no consent asked


def test_the_survey_takes_up_to_ten_questions_and_answers_only_while_open(server, api):
    event = create_event(api)
    person = join(api, event, "回答者").json()
    assert_refused(api.get(survey_url(event), headers=facilitator(event)), 404, "no_survey")
    eleven = [{"id": f"q{n}", "kind": "text", "text": f"質問{n}"} for n in range(11)]
    assert_refused(api.put(survey_url(event), headers=facilitator(event),
                           json={"questions": eleven}), 422, "invalid")
    assert_refused(api.put(survey_url(event), headers=bearer(person["token"]),
                           json={"questions": QUESTIONS}), 403, "forbidden")
    put = api.put(survey_url(event), headers=facilitator(event), json={"questions": QUESTIONS})
    assert put.status_code == 200 and put.json()["open"] is False
    answers = {"answers": {"satisfaction": 4, "again": "はい"}}
    assert_refused(api.post(survey_url(event, "/answers"), headers=bearer(person["token"]),
                            json=answers), 409, "survey_closed")
    opened = api.patch(survey_url(event), headers=facilitator(event), json={"open": True})
    assert opened.json()["open"] is True
    assert_refused(api.post(survey_url(event, "/answers"), headers=bearer(person["token"]),
                            json={"answers": {"satisfaction": 6}}), 422, "invalid")
    first = api.post(survey_url(event, "/answers"), headers=bearer(person["token"]), json=answers)
    assert first.status_code == 200, first.text
    changed = api.post(survey_url(event, "/answers"), headers=bearer(person["token"]),
                       json={"answers": {"satisfaction": 2, "comments": "楽しかった"}})
    assert changed.json()["answers"] == {"satisfaction": "2", "comments": "楽しかった"}
    mine = api.get(survey_url(event), headers=bearer(person["token"])).json()
    assert mine["mine"] == {"satisfaction": "2", "comments": "楽しかった"}
    results = api.get(survey_url(event, "/results"), headers=facilitator(event)).json()
    assert results["answered"] == 1  # changed, not counted twice
    assert results["questions"][0]["counts"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 0}
    assert_refused(api.put(survey_url(event), headers=facilitator(event),
                           json={"questions": QUESTIONS}), 409, "survey_answered")
    api.patch(survey_url(event), headers=facilitator(event), json={"open": False})
    assert_refused(api.post(survey_url(event, "/answers"), headers=bearer(person["token"]),
                            json=answers), 409, "survey_closed")


def test_ten_phones_answers_are_in_the_results_the_csv_and_the_report(server, api, tmp_path):
    event = create_event(api)
    people = [join(api, event, f"参加者{n}", affiliation="citizen" if n % 2 else "city").json()
              for n in range(10)]
    api.put(survey_url(event), headers=facilitator(event), json={"questions": QUESTIONS})
    api.patch(survey_url(event), headers=facilitator(event), json={"open": True})
    with listen(server, event, event["facilitator_token"], format="json") as console:
        next_json(console, "snapshot")
        for n, person in enumerate(people):
            answered = api.post(survey_url(event, "/answers"), headers=bearer(person["token"]),
                                json={"answers": {"satisfaction": 5 if n < 7 else 3,
                                                  "again": "はい" if n < 8 else "いいえ",
                                                  "comments": f"感想その{n}：地域の話が聞けた"}})
            assert answered.status_code == 200, answered.text
    results = api.get(survey_url(event, "/results"), headers=facilitator(event)).json()
    satisfaction, again, comments = results["questions"]
    assert results["answered"] == 10
    assert satisfaction["counts"] == {"1": 0, "2": 0, "3": 3, "4": 0, "5": 7}
    assert abs(satisfaction["mean"] - 4.4) < 1e-9
    assert again["counts"] == {"はい": 8, "いいえ": 2}
    assert sorted(comments["texts"]) == sorted(f"感想その{n}：地域の話が聞けた" for n in range(10))

    exported = api.get(f"/api/v1/sessions/{event['id']}/export.survey.csv",
                       headers=facilitator(event))
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][2:] == [q["text"] for q in QUESTIONS]
    assert len(rows) == 11 and all("参加者" not in cell for row in rows for cell in row)
    assert {row[4] for row in rows[1:]} == {f"感想その{n}：地域の話が聞けた" for n in range(10)}

    report = api.get(f"/api/v1/sessions/{event['id']}/export.report.pdf",
                     headers=facilitator(event), timeout=seconds(120))
    assert report.status_code == 200, report.text
    text = squeeze(pdf_text(report.content, tmp_path))
    assert "アンケート" in text and squeeze(QUESTIONS[0]["text"]) in text
    assert all(f"感想その{n}：地域の話が聞けた" in text for n in range(10))
    assert "10" in text.split("回答者数")[1][:4]  # Respondents: 10
