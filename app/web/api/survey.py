"""/api/v1/sessions/{id}/survey: the survey (アンケート) — its questions, opening and
closing it, a participant's answers and the results."""

from __future__ import annotations

from fastapi import APIRouter

from app import auth
from app.actions import survey
from app.live import wire
from app.schemas import SurveyAnswersIn, SurveyIn, SurveyPatch
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import IdentityDep, ServicesDep

router = APIRouter(route_class=AnswerRoute)


@router.put("/sessions/{event_id}/survey", response_model=answers.Survey)
def set_questions(event_id: str, identity: IdentityDep, spec: SurveyIn,
                  services: ServicesDep) -> dict:
    """The questions, all at once (facilitator); 409 survey_answered once answered."""
    return wire.survey_json(survey.set_questions(services, identity, spec).value)


@router.patch("/sessions/{event_id}/survey", response_model=answers.Survey)
def open_or_close(event_id: str, identity: IdentityDep, patch: SurveyPatch,
                  services: ServicesDep) -> dict:
    """`{"open": true}` opens the survey to the phones, false closes it (facilitator)."""
    return wire.survey_json(survey.set_open(services, identity, patch).value)


@router.get("/sessions/{event_id}/survey", response_model=answers.Survey)
def get_survey(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """The questions for any token; the facilitator also sees how many answered, a
    participant their own answers."""
    view = survey.current(services, identity)
    body = wire.survey_json(view.survey)
    if identity.role == auth.FACILITATOR:
        body["answered"] = len(view.survey_answers)
    elif identity.role == auth.PARTICIPANT:
        mine = view.survey_answer(identity.participant_id)
        body["mine"] = dict(mine.answers) if mine else {}
    return body


@router.post("/sessions/{event_id}/survey/answers", response_model=answers.SurveyAnswers)
def answer(event_id: str, identity: IdentityDep, spec: SurveyAnswersIn,
           services: ServicesDep) -> dict:
    """A participant's answers; sent again while the survey is open they replace the
    earlier ones (409 survey_closed when it is not open)."""
    return {"answers": dict(survey.answer(services, identity, spec).value.answers)}


@router.get("/sessions/{event_id}/survey/results", response_model=answers.SurveyResults)
def results(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    """What the answers add up to, per question (facilitator)."""
    return wire.survey_results_json(survey.results(services, identity))
