"""Joining from a phone: the join page (by link or typed code) and its form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import auth, rounds
from app.actions import access, sessions
from app.i18n import LANGUAGE_NAMES, N_, translate
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import JoinFormIn
from app.web.deps import (
    ServicesDep,
    SettingsDep,
    client_address,
    error_text,
    language_to_offer,
    page_language,
)
from app.web.pages.forms import JoinForm, posted
from app.web.pages.visits import (
    MESSAGE,
    answer_refusals,
    cookie_redirect,
    enter,
    message_page,
    no_event_page,
    render_page,
)

router = APIRouter()


def _join_view(services, join_code: str) -> tuple[EventView | None, bool]:
    """The event of a join code, and whether the code was replaced (a phone or printed QR
    code that read it before); (None, False) for no event."""
    event_id = access.session_for_join_code(services, join_code)
    replaced = event_id is None
    if replaced:
        event_id = access.session_for_replaced_code(services, join_code)
    view = sessions.view_by_id(services, event_id) if event_id else None
    return view, replaced and view is not None


BLANK_JOIN = {"name": "", "affiliation": "", "theme": "", "expectation": "", "consent": False}
"""The join form as it opens: affiliation and theme unselected (JoinFormIn)."""


CODE_REFUSALS = ("join_code_replaced", "wrong_join_code", "too_many_attempts")
"""Refusals of the code itself: the form asks for the code on the screen."""


def _join_form(request: Request, language: str, view, form: dict, error: str = "",
               status: int = 200, ask_code: bool = False) -> HTMLResponse:
    """The join form; `ask_code`: the code is typed in (the one the phone had was
    replaced, or mistyped), and the current code is not written into the page."""
    return render_page(request, language, "pages/join.html", status=status, view=view, form=form,
                       themes=_themes(view), form_error=error, ask_code=ask_code,
                       offer=_language_offer(request, language))


def _language_offer(request: Request, language: str) -> dict | None:
    """The browser's language offered above the form, in that language (whoever reads
    English may not read the Japanese page around it)."""
    offered = language_to_offer(request, language)
    if offered is None:
        return None
    return {"code": offered, "name": LANGUAGE_NAMES[offered],
            "question": translate(offered, N_("Show this page in %(name)s?"),
                                  name=LANGUAGE_NAMES[offered]),
            "keep": translate(offered, N_("Keep %(name)s"),
                              name=LANGUAGE_NAMES[language])}


def _themes(view: EventView) -> list[str]:
    """The themes a newcomer chooses from (none when no table has one)."""
    return [theme for theme in view.themes if theme]


def _wrong_join_code(request: Request, services) -> HTMLResponse:
    """Counts towards the guessing limit; once the limit is reached, its refusal (429, a
    message page)."""
    address = client_address(request)
    answer_refusals(request, MESSAGE)
    access.guard_join_attempts(services, address)
    access.record_wrong_join_code(services, address)
    return no_event_page(request)


def _joining_closed(request: Request, language: str) -> HTMLResponse:
    return message_page(request, language, 409, N_("Joining is closed"),
                        N_("The facilitator has closed joining for now. Ask them, or try again "
                           "in a moment."))


def _event_ended(request: Request, language: str) -> HTMLResponse:
    """A finished event's join link: 410 Gone, a message and no form (its results are on
    the phones of those who took part)."""
    return message_page(request, language, 410, N_("This event has ended"),
                        N_("This event has finished, so joining is closed. Thank you for your "
                           "interest!"))


@router.get("/j/{join_code}", response_class=HTMLResponse)
def join_page(join_code: str, request: Request, services: ServicesDep,
              settings: SettingsDep) -> Response:
    """The join form; someone who joined already goes to their own page. A code that was
    replaced (a printed QR code, a phone that read the screen before) gets the form that
    asks for the code on the screen; a finished event says it has ended (410, no form)."""
    view, replaced = _join_view(services, join_code)
    if view is None:
        return _wrong_join_code(request, services)
    event_id = view.event.id
    if enter(request, settings, services, view, (auth.PARTICIPANT,),
             f"/m/{event_id}") is not None:
        return RedirectResponse(f"/m/{event_id}", status_code=303)
    language = page_language(request, view.event.language)
    if view.clock.status == rounds.FINISHED:
        return _event_ended(request, language)
    if not view.event.joining_open:
        return _joining_closed(request, language)
    if replaced:
        return _join_form(request, language, view, BLANK_JOIN,
                          access.code_replaced().text(language), status=403, ask_code=True)
    return _join_form(request, language, view, BLANK_JOIN)


Joining = Annotated[JoinForm, posted(JoinForm)]


@router.post("/j/{join_code}")
async def join_from_form(join_code: str, form: Joining, request: Request,
                         services: ServicesDep, settings: SettingsDep) -> Response:
    view, _replaced = await run_in_threadpool(_join_view, services, join_code)
    if view is None:
        return await run_in_threadpool(_wrong_join_code, request, services)
    return await _join_posted(request, services, settings, view, form, join_code)


@router.post("/j")
async def join_with_typed_code(form: Joining, request: Request, services: ServicesDep,
                               settings: SettingsDep) -> Response:
    """The join form of a phone whose code was replaced: the new code typed in, what
    they wrote kept."""
    view = await run_in_threadpool(sessions.view_by_id, services, form.session) \
        if 0 < len(form.session) <= 16 else None
    if view is None:
        return no_event_page(request)
    return await _join_posted(request, services, settings, view, form, form.join_code)


async def _join_posted(request: Request, services, settings, view: EventView, form: JoinForm,
                       join_code: str) -> Response:
    """A join form posted for `view`'s event with `join_code` (checked by the join); a
    refusal shows the form again with what they typed (the code's own refusals ask for
    the code on the screen)."""
    typed = form.typed()
    language = page_language(request, view.event.language)
    if view.clock.status == rounds.FINISHED:
        return _event_ended(request, language)
    if not view.event.joining_open:
        return _joining_closed(request, language)

    def refused(error: ValidationError | Refusal) -> Response:
        if isinstance(error, Refusal) and error.code == "joining_closed":
            return _joining_closed(request, language)
        status = error.status if isinstance(error, Refusal) else 422
        ask_code = isinstance(error, Refusal) and error.code in CODE_REFUSALS
        return _join_form(request, language, view, typed, error_text(error, language),
                          status=status, ask_code=ask_code)

    try:
        spec = JoinFormIn.model_validate({**typed, "join_code": join_code}).require_theme(
            _themes(view))
        joined = await sessions.join_in_turn(services, view.event.id, spec,
                                             client_address(request))
    except (ValidationError, Refusal) as error:
        return await run_in_threadpool(refused, error)
    return cookie_redirect(request, settings, auth.PARTICIPANT, view.event.id,
                           joined.value.token, f"/m/{view.event.id}")
