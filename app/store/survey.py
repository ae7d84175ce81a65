"""The survey (アンケート) in the database: its questions, opening and closing it, and
each participant's answers (one row each, replaced while the survey is open)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.i18n import N_
from app.refusal import Refusal
from app.store.db import writing
from app.store.models import Participant, Survey, SurveyAnswer
from app.store.records import QuestionRecord, SurveyAnswerRecord, SurveyRecord
from app.store.rows import bump, locked_event

Answers = tuple[tuple[str, str], ...]


def _record(row: Survey) -> SurveyRecord:
    questions = tuple(QuestionRecord(q["id"], q["kind"], q["text"], tuple(q["options"]))
                      for q in json.loads(row.questions))
    return SurveyRecord(questions, row.open)


def _answer_record(row: SurveyAnswer) -> SurveyAnswerRecord:
    return SurveyAnswerRecord(row.participant_id,
                              tuple((key, value) for key, value in json.loads(row.answers)))


def survey_of(db: Session, session_id: str
              ) -> tuple[SurveyRecord | None, list[SurveyAnswerRecord]]:
    """The event's survey (None: there is none) and every answer, in the caller's
    transaction."""
    row = db.get(Survey, session_id)
    if row is None:
        return None, []
    answers = db.exec(select(SurveyAnswer).where(SurveyAnswer.session_id == session_id)
                      .order_by(SurveyAnswer.id)).all()
    return _record(row), [_answer_record(answer) for answer in answers]


def no_survey() -> Refusal:
    return Refusal("no_survey", N_("This event has no survey yet."))


def set_questions(engine: Engine, session_id: str, questions: Sequence[QuestionRecord]
                  ) -> tuple[SurveyRecord, int]:
    """The survey's questions, all at once; refused once someone has answered (their
    answers would no longer match). A new survey starts closed."""
    data = json.dumps([{"id": q.id, "kind": q.kind, "text": q.text, "options": list(q.options)}
                       for q in questions], ensure_ascii=False)
    with writing(engine) as db:
        locked_event(db, session_id)
        answered = db.exec(select(SurveyAnswer.id)
                           .where(SurveyAnswer.session_id == session_id)).first()
        if answered is not None:
            raise Refusal("survey_answered",
                          N_("People have answered the survey; its questions cannot change."))
        row = db.get(Survey, session_id) or Survey(session_id=session_id, open=False)
        row.questions = data
        db.add(row)
        db.flush()
        return _record(row), bump(db, session_id)


def set_open(engine: Engine, session_id: str, open_: bool) -> tuple[SurveyRecord, int]:
    with writing(engine) as db:
        locked_event(db, session_id)
        row = db.get(Survey, session_id)
        if row is None:
            raise no_survey()
        row.open = open_
        db.add(row)
        db.flush()
        return _record(row), bump(db, session_id)


def answer(engine: Engine, session_id: str, participant_id: int,
           cleaned: Callable[[Sequence[QuestionRecord]], Answers], now_ms: int
           ) -> tuple[SurveyAnswerRecord, int]:
    """A participant's answers, checked by `cleaned` against the questions as they are in
    this transaction; their earlier answers are replaced. Refused while the survey is
    closed."""
    with writing(engine) as db:
        locked_event(db, session_id)
        row = db.get(Survey, session_id)
        if row is None:
            raise no_survey()
        if not row.open:
            raise Refusal("survey_closed", N_("The survey is not open."))
        if db.get(Participant, participant_id) is None:
            raise Refusal("not_found", N_("There is no such participant in this event."))
        pairs = cleaned(_record(row).questions)
        answered = db.exec(select(SurveyAnswer)
                           .where(SurveyAnswer.participant_id == participant_id)).first()
        answered = answered or SurveyAnswer(session_id=session_id,
                                            participant_id=participant_id)
        answered.answers = json.dumps([list(pair) for pair in pairs], ensure_ascii=False)
        answered.answered_at_ms = now_ms
        db.add(answered)
        return SurveyAnswerRecord(participant_id, pairs), bump(db, session_id)
