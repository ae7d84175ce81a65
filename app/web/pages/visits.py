"""What every page route shares: a visit's sign-in and role check as dependencies (a Visit,
or PageAnswer with the page to show instead), who posts a form, page and message answers,
the flash fragment, and the one way a page answers a refusal (`refusal_answer`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.requests import HTTPConnection

from app import auth
from app.actions import access, board, sessions
from app.i18n import N_, translate
from app.live.view import EventView
from app.refusal import Refusal
from app.rounds import now_ms
from app.schemas import CardIn
from app.templating import render
from app.web.deps import (
    DOCUMENT_FAILED,
    ServicesDep,
    SettingsDep,
    card_response,
    client_address,
    cookie_identity,
    error_text,
    page_language,
    same_origin,
    wants_a_page,
)

COOKIE_MAX_AGE = 7 * 24 * 3600


def render_page(request: Request, language: str, template: str, status: int = 200,
                **context: object) -> HTMLResponse:
    html = render(language, template, current_path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def message_page(request: Request, language: str, status: int, heading: str, text: str,
                 **params: object) -> HTMLResponse:
    return render_page(request, language, "pages/message.html", status=status,
                       heading=translate(language, heading),
                       text=translate(language, text, **params))


def set_cookie(response: Response, settings, role: str, event_id: str, token: str) -> None:
    response.set_cookie(auth.cookie_name(role, event_id), token, max_age=COOKIE_MAX_AGE,
                        httponly=True, samesite="lax", secure=settings.cookie_secure)


def cookie_redirect(request: Request, settings, role: str, event_id: str,
                    token: str, target: str) -> RedirectResponse:
    """After a form post: the cookie, and the page to see next."""
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, settings, role, event_id, token)
    return response


def sign_in_step(request: Request, settings, role: str, event_id: str, token: str,
                 language: str, target: str | None = None) -> HTMLResponse:
    """The answer to a page link with a token (see the module's docstring)."""
    response = render_page(request, language, "pages/signing_in.html", status=401,
                           target=target or request.url.path)
    set_cookie(response, settings, role, event_id, token)
    return response


def enter(request: Request, settings, services, view: EventView, roles: tuple[str, ...],
          target: str | None = None) -> auth.Identity | None:
    """Who opens this page: a token in the URL becomes a cookie (PageAnswer with the
    sign-in step towards `target`, by default this page; a phone that joined as someone
    else is asked first); otherwise the first of `roles` whose cookie is valid."""
    event_id = view.event.id
    token = request.query_params.get("token")
    if token:
        identity = access.signed_in(services, event_id, [(role, token) for role in roles])
        if identity is None:
            return None
        joined = joined_as_someone_else(request, event_id, identity)
        if joined is not None:
            raise PageAnswer(ask_to_switch(request, view, joined, identity, token))
        raise PageAnswer(sign_in_step(request, settings, identity.role, event_id, token,
                                      page_language(request), target))
    return cookie_identity(request, event_id, *roles)


def joined_as_someone_else(request: Request, event_id: str,
                           linked: auth.Identity) -> auth.Identity | None:
    """The participant this phone joined as, when a link carries another participant's
    token (a shared link or QR code must not silently make the phone that person)."""
    if linked.role != auth.PARTICIPANT:
        return None
    joined = cookie_identity(request, event_id, auth.PARTICIPANT)
    if joined is None or joined.participant_id == linked.participant_id:
        return None
    return joined


def ask_to_switch(request: Request, view: EventView, joined: auth.Identity,
                  linked: auth.Identity, token: str) -> HTMLResponse:
    """Continue as the link's participant (a form that posts its token) or stay. A 4xx
    status and no-store, as for the sign-in step: the token URL stays out of history."""
    language = page_language(request, view.event.language)

    def name(identity: auth.Identity) -> str:
        person = view.person(identity.participant_id)
        return person.name if person is not None else ""

    return render_page(request, language, "pages/switch_participant.html", status=409,
                       event_id=view.event.id, token=token, joined_name=name(joined),
                       linked_name=name(linked))


@dataclass
class Visit:
    """An authorised page visit: the event, who is visiting, and the language to show."""

    view: EventView
    identity: auth.Identity
    language: str


class PageAnswer(Exception):  # noqa: N818 -- an answer, not an error
    """A page route's answer instead of its page: the sign-in step, the page that asks for
    the right link, no such event, the switch question. Raised by the visit dependencies;
    app/main.py's handler sends `response`."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


FLASH = "flash"
MESSAGE = "message"
REFUSED_HEADING = N_("This cannot be done right now")
REFUSAL_HEADINGS = {
    "unknown_format": N_("Unknown export format"),
    DOCUMENT_FAILED: N_("The document could not be made"),
    "not_planned": N_("Not ready to print yet"),
    "too_many_attempts": N_("Please wait"),
}
"""A message page's heading by the refusal's code."""


def answer_refusals(request: HTTPConnection, kind: str, language: str | None = None) -> None:
    """How this request's refusals are answered (`refusal_answer`): as the message fragment
    of a form (FLASH) or as a message page (MESSAGE), in `language` when known."""
    request.state.refusals = (kind, language)


def refusal_answer(request: Request, error: Refusal | ValidationError) -> Response | None:
    """The one way a page answers a refusal, or a form its model refused: the message
    fragment (#flash) for a form or a piece of a page, a message page for a page (and for
    any browser that navigates to a refused address); None for a program, which gets the
    error shape (app/main.py)."""
    kind, language = getattr(request.state, "refusals", (None, None))
    if kind is None and isinstance(error, Refusal) and wants_a_page(request):
        kind = MESSAGE
    if kind is None:
        return None
    language = language or page_language(request)
    text = error_text(error, language)
    refusal = error if isinstance(error, Refusal) else None
    status = refusal.status if refusal else 422
    if kind == FLASH:
        response = flash(request, language, text, "error", status)
    else:
        heading = REFUSAL_HEADINGS.get(refusal.code if refusal else "", REFUSED_HEADING)
        response = render_page(request, language, "pages/message.html", status=status,
                               heading=translate(language, heading), text=text)
    response.headers.update(refusal.headers if refusal and refusal.headers else {})
    return response


def check_visit(request: Request, settings, services, event_id: str,
                roles: tuple[str, ...]) -> Visit:
    """The event and the visitor; otherwise PageAnswer with the page to show instead (no
    such event, the sign-in step, the page that asks for the right link)."""
    view = sessions.view_by_id(services, event_id)
    if view is None:
        raise PageAnswer(no_event_page(request))
    identity = enter(request, settings, services, view, roles)
    if identity is None:
        raise PageAnswer(denied_page(request, event_id, roles))
    visit = Visit(view, identity, page_language(request, view.event.language))
    answer_refusals(request, MESSAGE, visit.language)
    return visit


def visit_of(*roles: str, posted: bool = False) -> object:
    """A page visit by one of `roles` as a dependency (FastAPI runs it in its thread pool).
    `posted`: a whole-page form (same-site only; another site's post gets the page that
    asks for the right link)."""
    def visit(event_id: str, request: Request, settings: SettingsDep,
              services: ServicesDep) -> Visit:
        if posted and not same_origin(request, settings):
            raise PageAnswer(denied_page(request, event_id, roles))
        return check_visit(request, settings, services, event_id, roles)

    return Depends(visit)


ConsoleVisit = Annotated[Visit, visit_of(auth.FACILITATOR)]
ConsoleFormVisit = Annotated[Visit, visit_of(auth.FACILITATOR, posted=True)]
ProjectorVisit = Annotated[Visit, visit_of(auth.PROJECTOR, auth.FACILITATOR)]
HostVisit = Annotated[Visit, visit_of(auth.HOST)]
PhoneVisit = Annotated[Visit, visit_of(auth.PARTICIPANT)]


def denied_page(request: Request, event_id: str, roles: tuple[str, ...]) -> HTMLResponse:
    """The page without a valid link; the console's says where its link is found again
    (nobody else can hand it out)."""
    language = page_language(request)
    if roles == (auth.FACILITATOR,):
        return message_page(request, language, 401, N_("This page needs its link"),
                            N_("The console opens with its own link. On the computer the server "
                               "runs on, its start page lists the events with their console "
                               "links (elsewhere, with the organiser passcode); "
                               "`worldcafe links %(event_id)s` prints them; a co-facilitator "
                               "link from the other console works too."), event_id=event_id)
    return message_page(request, language, 401, N_("This page needs its link"),
                        N_("Open the link or QR code you were given for this screen. If it does "
                           "not work any more, ask the facilitator."))


def no_event_page(request: Request) -> HTMLResponse:
    return message_page(request, page_language(request), 404, N_("Event not found"),
                        N_("There is no such event. Check the address or the join code."))


def live_context(view: EventView) -> dict:
    return {"view": view, "clock": view.clock, "phase": view.phase,
            "remaining_ms": view.clock.remaining_at(now_ms())}


def flash(request: Request, language: str, text: str, kind: str, status: int) -> HTMLResponse:
    return render_page(request, language, "fragments/_flash.html", status=status,
                       flash_text=text, flash_kind=kind)


def note(request: Request, msgid: str | tuple[str, str] | None = None,
         **params: object) -> HTMLResponse:
    """A form's answer: the message fragment (#flash) with a note, or empty."""
    language = page_language(request)
    text = translate(language, msgid, **params) if msgid else ""
    return flash(request, language, text, "note" if text else "", 200)


def cookie_of(*roles: str, denied: str) -> object:
    """Who posts a page's form (or asks for a piece of a page): the first of `roles` whose
    cookie is valid, and for a post a same-site Origin; otherwise `denied` (403). Its
    refusals, and those of the action, are answered as the message fragment (#flash)."""
    def identity(event_id: str, request: Request, settings: SettingsDep) -> auth.Identity:
        answer_refusals(request, FLASH)
        if request.method != "GET" and not same_origin(request, settings):
            raise Refusal("forbidden", denied)
        found = cookie_identity(request, event_id, *roles)
        if found is None:
            raise Refusal("forbidden", denied)
        return found

    return Depends(identity)


FACILITATOR_ONLY = N_("Only the facilitator may do this.")


SIGNED_OUT = N_("This page is no longer signed in. Open your link or QR code again.")


SEATING_ONLY = N_("Only the facilitator or the table host may do this.")


Facilitator = Annotated[auth.Identity, cookie_of(auth.FACILITATOR, denied=FACILITATOR_ONLY)]
"""The console's forms and pieces."""
Seating = Annotated[auth.Identity, cookie_of(auth.FACILITATOR, denied=SEATING_ONLY)]
TableHost = Annotated[auth.Identity, cookie_of(auth.HOST, denied=SIGNED_OUT)]
TableHostSeating = Annotated[auth.Identity, cookie_of(auth.HOST, denied=SEATING_ONLY)]
Participant = Annotated[auth.Identity, cookie_of(auth.PARTICIPANT, denied=SIGNED_OUT)]
SignedInFacilitator = Annotated[auth.Identity, cookie_of(auth.FACILITATOR, denied=SIGNED_OUT)]


def own_card_from_page(request: Request, services, identity: auth.Identity, card_id: str,
                       change) -> HTMLResponse:
    """A table host's or a participant's own card from their page (forms.OwnCardForm): its
    new text, or withdrawn (hidden), by the rules of `PATCH …/cards/{id}` for an author;
    the page's note."""
    if change.withdraw:
        board.change_card(services, identity, card_id, {"hidden": True})
        return note(request, N_("Your card is withdrawn from every screen."))
    board.change_card(services, identity, card_id, {"text": change.text})
    return note(request, N_("Your card is changed on every screen."))


def card_from_page(request: Request, services, event_id: str, role: str,
                   spec: CardIn) -> JSONResponse:
    """The pages' offline queue (static/js/cards.js) posts here with the HttpOnly cookie;
    the answers are those of `POST /api/v1/sessions/{id}/cards`."""
    if not same_origin(request, request.app.state.settings):
        raise Refusal("forbidden", N_("This request comes from another site."))
    identity = cookie_identity(request, event_id, role)
    if identity is None:
        raise Refusal("invalid_token", SIGNED_OUT)
    token = request.cookies[auth.cookie_name(role, event_id)]
    return card_response(board.add_card(services, identity, token, spec,
                                        client_address(request)).value)
