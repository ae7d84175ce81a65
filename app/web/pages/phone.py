"""The participant's phone: the page, switching to another participant's link, cards (new
ones, and their own edited or withdrawn), dots, the survey and hands raised for actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app import auth
from app.actions import access, action_plan, board, series, survey
from app.i18n import N_
from app.refusal import Refusal
from app.schemas import CardIn, SurveyAnswersIn
from app.templating import links
from app.web.deps import RowIdPath, ServicesDep, SettingsDep, same_origin
from app.web.pages.forms import OwnCardForm, SurveyForm, VoteForm, posted
from app.web.pages.visits import (
    Participant,
    PhoneVisit,
    card_from_page,
    cookie_redirect,
    denied_page,
    live_context,
    note,
    own_card_from_page,
    render_page,
)

router = APIRouter()


@router.get("/m/{event_id}", response_class=HTMLResponse)
def participant_page(visit: PhoneVisit, request: Request, services: ServicesDep) -> Response:
    """A participant's own page, by the event's id: it keeps working when the join code
    is replaced. A link of an earlier event of a series leads to the latest event the
    person was carried into (with their link there), while it is valid itself."""
    later = series.current_link(services, visit.identity)
    if later is not None:
        event_id, token = later
        return RedirectResponse(links.with_token(f"/m/{event_id}", token), status_code=303)
    return render_page(request, visit.language, "pages/participant.html", page_name="participant",
                       person=visit.view.person(visit.identity.participant_id),
                       audience=visit.identity,
                       card_post_url=f"/m/{visit.view.event.id}/cards",
                       **live_context(visit.view))


@router.post("/m/{event_id}/switch")
def switch_participant(event_id: str, request: Request, services: ServicesDep,
                       settings: SettingsDep, token: str = Form(max_length=64)) -> Response:
    """The phone chose to continue as the participant whose link it opened."""
    if not same_origin(request, settings):
        raise Refusal("forbidden", N_("This request comes from another site."))
    identity = access.signed_in(services, event_id, [(auth.PARTICIPANT, token)])
    if identity is None:
        return denied_page(request, event_id, (auth.PARTICIPANT,))
    return cookie_redirect(request, settings, auth.PARTICIPANT, event_id, token,
                           f"/m/{event_id}")


@router.post("/m/{event_id}/cards")
def card_from_phone(event_id: str, spec: CardIn, request: Request,
                    services: ServicesDep) -> JSONResponse:
    return card_from_page(request, services, event_id, auth.PARTICIPANT, spec)


@router.post("/m/{event_id}/cards/{card_id}")
def own_card_from_phone(identity: Participant, card_id: str, request: Request,
                        change: Annotated[OwnCardForm, posted(OwnCardForm)],
                        services: ServicesDep) -> Response:
    return own_card_from_page(request, services, identity, card_id, change)


def _vote(identity: auth.Identity, dot: VoteForm, request: Request, services,
          delta: int) -> Response:
    """A dot on the card (`card_id`) or on the group (`group_id`) the tapped button names."""
    if "group_id" in dot.model_fields_set:
        board.vote_group(services, identity, dot.group_id, delta)
    else:
        board.vote(services, identity, dot.card_id, delta)
    return note(request)


@router.post("/m/{event_id}/votes")
def vote_from_phone(identity: Participant, dot: Annotated[VoteForm, posted(VoteForm)],
                    request: Request, services: ServicesDep) -> Response:
    return _vote(identity, dot, request, services, +1)


@router.post("/m/{event_id}/votes/remove")
def unvote_from_phone(identity: Participant, dot: Annotated[VoteForm, posted(VoteForm)],
                      request: Request, services: ServicesDep) -> Response:
    return _vote(identity, dot, request, services, -1)


@router.post("/m/{event_id}/survey")
def survey_from_phone(identity: Participant, form: Annotated[SurveyForm, posted(SurveyForm)],
                      request: Request, services: ServicesDep) -> Response:
    survey.answer(services, identity, SurveyAnswersIn(answers=form.answers))
    return note(request, N_("Thank you! Your answers are saved."))


@router.post("/m/{event_id}/actions/{action_id}/hand")
def hand_from_phone(identity: Participant, action_id: RowIdPath, request: Request,
                    services: ServicesDep) -> Response:
    """The phone's hand raised for an action (raised already: nothing changes)."""
    action_plan.raise_hand(services, identity, action_id, raised=True)
    return note(request, N_("Your hand is raised. Thank you!"))


@router.post("/m/{event_id}/actions/{action_id}/hand/lower")
def lower_hand_from_phone(identity: Participant, action_id: RowIdPath, request: Request,
                          services: ServicesDep) -> Response:
    action_plan.raise_hand(services, identity, action_id, raised=False)
    return note(request, N_("Your hand is lowered."))
