"""The participant's phone: the page, switching to another participant's link, cards and
dots."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app import auth
from app.actions import access, board
from app.i18n import N_
from app.refusal import Refusal
from app.schemas import (
    CardIn,
)
from app.web.deps import (
    ServicesDep,
    SettingsDep,
    same_origin,
)
from app.web.pages.visits import (
    SIGNED_OUT,
    Visit,
    card_from_page,
    check_visit,
    cookie_redirect,
    denied_page,
    form_group,
    from_page,
    live_context,
    render_page,
)

router = APIRouter()


@router.get("/m/{session_id}", response_class=HTMLResponse)
def participant_page(session_id: str, request: Request, services: ServicesDep,
                     settings: SettingsDep) -> Response:
    """A participant's own page, by the event's id: it keeps working when the join code
    is replaced."""
    visit = check_visit(request, settings, services, session_id, (auth.PARTICIPANT,))
    if not isinstance(visit, Visit):
        return visit
    return render_page(request, visit.language, "pages/participant.html", page_name="participant",
                       person=visit.view.person(visit.identity.participant_id),
                       audience=visit.identity, card_post_url=f"/m/{session_id}/cards",
                       **live_context(visit.view))


@router.post("/m/{session_id}/switch")
def switch_participant(session_id: str, request: Request, services: ServicesDep,
                       settings: SettingsDep, token: str = Form(max_length=64)) -> Response:
    """The phone chose to continue as the participant whose link it opened."""
    if not same_origin(request, settings):
        raise Refusal("forbidden", N_("This request comes from another site."))
    identity = access.signed_in(services, session_id, [(auth.PARTICIPANT, token)])
    if identity is None:
        return denied_page(request, session_id, (auth.PARTICIPANT,))
    return cookie_redirect(request, settings, auth.PARTICIPANT, session_id, token,
                           f"/m/{session_id}")


@router.post("/m/{session_id}/cards")
def card_from_phone(session_id: str, spec: CardIn, request: Request,
                    services: ServicesDep) -> JSONResponse:
    return card_from_page(request, services, session_id, auth.PARTICIPANT, spec)


async def _vote_from_phone(request: Request, services, session_id: str, delta: int) -> Response:
    """A dot on the card (`card_id`) or on the group (`group_id`) the tapped button names."""
    def work(identity, form) -> None:
        if "group_id" in form:
            board.vote_group(services, identity, form_group(form), delta)
        else:
            board.vote(services, identity, form.get("card_id", ""), delta)

    return await from_page(request, session_id, (auth.PARTICIPANT,), work, SIGNED_OUT)


@router.post("/m/{session_id}/votes")
async def vote_from_phone(session_id: str, request: Request, services: ServicesDep) -> Response:
    return await _vote_from_phone(request, services, session_id, +1)


@router.post("/m/{session_id}/votes/remove")
async def unvote_from_phone(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    return await _vote_from_phone(request, services, session_id, -1)
