"""The survey (アンケート): the facilitator sets its questions (the defaults of a 協働
workshop offered), opens and closes it; participants answer from their phones."""

from __future__ import annotations

from app import auth
from app.actions import Done, Services, announce, require
from app.i18n import N_, translate
from app.live import changes
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import SurveyAnswersIn, SurveyIn, SurveyPatch
from app.store import sessions, survey
from app.store.records import QuestionRecord, SurveyAnswerRecord, SurveyRecord

DEFAULT_QUESTIONS = (
    ("satisfaction", "scale5", N_("How satisfied are you with today's workshop?"), ()),
    ("understanding", "scale5",
     N_("Did today deepen your understanding of the themes and of working together?"), ()),
    ("again", "choice", N_("Would you like to take part again?"),
     (N_("Yes"), N_("Maybe"), N_("No"))),
    ("comments", "text", N_("Your impressions, or what you would like next time"), ()),
)
"""The questions offered when the facilitator starts a survey (満足度, 理解が深まったか,
また参加したいか, 感想), in the event's language."""


def default_questions(language: str) -> tuple[QuestionRecord, ...]:
    return tuple(QuestionRecord(id_, kind, translate(language, text),
                                tuple(translate(language, o) for o in options))
                 for id_, kind, text, options in DEFAULT_QUESTIONS)


def set_questions(services: Services, identity: auth.Identity, spec: SurveyIn
                  ) -> Done[SurveyRecord]:
    require(identity, auth.FACILITATOR)
    questions = [QuestionRecord(q.id, q.kind, q.text, tuple(q.options)) for q in spec.questions]
    return _announced(services, identity,
                      survey.set_questions(services.engine, identity.event_id, questions))


def start_default(services: Services, identity: auth.Identity) -> Done[SurveyRecord]:
    """The console's "start a survey": the default questions in the event's language."""
    require(identity, auth.FACILITATOR)
    view = sessions.load_view(services.engine, identity.event_id, with_board=False)
    questions = default_questions(view.event.language)
    return _announced(services, identity,
                      survey.set_questions(services.engine, identity.event_id, questions))


def set_open(services: Services, identity: auth.Identity, patch: SurveyPatch
             ) -> Done[SurveyRecord]:
    require(identity, auth.FACILITATOR)
    return _announced(services, identity,
                      survey.set_open(services.engine, identity.event_id, patch.open))


def _announced(services: Services, identity: auth.Identity,
               changed: tuple[SurveyRecord, int]) -> Done[SurveyRecord]:
    record, seq = changed
    return Done(record, announce(services, identity.event_id, seq,
                                 changes.SurveyChanged(record)))


def answer(services: Services, identity: auth.Identity, spec: SurveyAnswersIn
           ) -> Done[SurveyAnswerRecord]:
    """A participant's answers; sent again while the survey is open, they replace the
    earlier ones."""
    if identity.role != auth.PARTICIPANT or identity.participant_id is None:
        raise Refusal("forbidden", N_("Only participants answer the survey."))
    record, seq = survey.answer(services.engine, identity.event_id,
                                identity.participant_id, spec.cleaned, services.now())
    return Done(record, announce(services, identity.event_id, seq,
                                 changes.SurveyAnswered(record)))


def current(services: Services, identity: auth.Identity) -> EventView:
    """The event with its survey, for anyone of the event (404 no_survey without one)."""
    view = sessions.load_view(services.engine, identity.event_id, with_board=False)
    if view.survey is None:
        raise survey.no_survey()
    return view


def results(services: Services, identity: auth.Identity) -> EventView:
    """The event with its survey and every answer, for the facilitator: the results
    (EventView.survey_results) and the report's section."""
    require(identity, auth.FACILITATOR)
    return current(services, identity)
