"""The start page: a new event from the form (or the events on this server), the language
choice, and the same form again to edit an event from the console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import auth, cards, rounds
from app.actions import admission, sessions
from app.i18n import LANGUAGES, N_, translate
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import (
    DEFAULT_TIME_ZONE,
    DETAILS,
    SessionIn,
    SessionPatch,
)
from app.web import urls
from app.web.deps import ServicesDep, SettingsDep, client_address, error_text, page_language
from app.web.pages.forms import EventForm, PasscodeForm, posted
from app.web.pages.visits import ConsoleFormVisit, ConsoleVisit, render_page, set_cookie

router = APIRouter()


BLANK_TABLE_ROWS = 3


DEFAULT_TABLES = (
    (N_("Table %(n)s"), N_("Supporting older people in the neighbourhood")),
    (N_("Table %(n)s"), N_("Helping children grow up in the community")),
    (N_("Table %(n)s"), N_("Telling the city's story with its citizens")),
)


def _form_from_spec(language: str, title: str, tables: list[dict], program: str,
                    phases: list[rounds.PhaseSpec], card_max_length: object = cards.MAX_TEXT,
                    details: dict | None = None) -> dict:
    blank = [{"name": "", "theme": ""}] * BLANK_TABLE_ROWS
    return {
        **{name: "" for name in DETAILS}, "time_zone": DEFAULT_TIME_ZONE, **(details or {}),
        "title": title,
        "language": language,
        "card_max_length": card_max_length,
        "tables": [*tables, *blank],
        "program": program,
        "phases": [*phases, rounds.PhaseSpec(rounds.PLAIN, "", "")],
    }


def _new_event_form(language: str) -> dict:
    tables = [{"name": translate(language, name, n=n), "theme": translate(language, theme)}
              for n, (name, theme) in enumerate(DEFAULT_TABLES, start=1)]
    phases = rounds.preset("standard", lambda msgid: translate(language, msgid))
    return _form_from_spec(language, "", tables, "standard", phases)


def _redisplay(form: EventForm) -> dict:
    """The event form as it was posted, to show again with its error."""
    spec = form.spec()
    phases = [rounds.PhaseSpec(p["kind"], p["title"], p["minutes"], p["question"], p["moves"])
              for p in form.phases]
    return _form_from_spec(form.language, form.title, spec["tables"], form.program, phases,
                           spec["card_max_length"], {name: spec[name] for name in DETAILS})


def _landing(request: Request, language: str, form: dict, error: str = "",
             status: int = 200, listed: list | None = None,
             list_error: str = "") -> HTMLResponse:
    """The new event form, and the events on this server when they may be listed."""
    return render_page(request, language, "pages/landing.html", status=status, form=form,
                       form_error=error, form_action="/",
                       ask_passcode=bool(request.app.state.settings.organiser_passcode),
                       submit_label=translate(language, N_("Create the event")),
                       listed=listed, list_error=list_error, base=urls.base_url(request),
                       erase_after_ms=request.app.state.services.erase_names_after_ms)


def _listed(services, address: str) -> list | None:
    """The events on this server for its own computer; elsewhere they need the passcode."""
    if not admission.is_local(services, address):
        return None
    return admission.events_on_server(services, None, address)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, services: ServicesDep) -> HTMLResponse:
    language = page_language(request)
    return _landing(request, language, _new_event_form(language),
                    listed=_listed(services, client_address(request)))


@router.post("/events", response_class=HTMLResponse)
def events_from_landing(unlock: Annotated[PasscodeForm, posted(PasscodeForm)],
                        request: Request, services: ServicesDep) -> HTMLResponse:
    """The organiser's passcode lists the events on this server from any computer; a
    wrong one is said beside the passcode."""
    language = page_language(request)
    try:
        listed = admission.events_on_server(services, unlock.passcode, client_address(request))
    except Refusal as refusal:
        return _landing(request, language, _new_event_form(language), status=refusal.status,
                        list_error=refusal.text(language))
    return _landing(request, language, _new_event_form(language), listed=listed)


@router.post("/")
def create_from_form(form: Annotated[EventForm, posted(EventForm)], request: Request,
                     services: ServicesDep, settings: SettingsDep) -> Response:
    """A new event; what the form got wrong is said above it, with the form as sent."""
    language = page_language(request)
    try:
        spec = SessionIn.model_validate(form.spec())
        view = sessions.create(services, spec, form.passcode, client_address(request)).value
    except (ValidationError, Refusal) as error:
        return _landing(request, language, _redisplay(form), error_text(error, language),
                        error.status if isinstance(error, Refusal) else 422)
    response = RedirectResponse(f"/f/{view.event.id}", status_code=303)
    set_cookie(response, settings, auth.FACILITATOR, view.event.id,
               view.event.facilitator_token)
    return response


@router.get("/lang/{code}")
def choose_language(code: str, request: Request, settings: SettingsDep) -> RedirectResponse:
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        response.set_cookie("wc_lang", code, max_age=365 * 24 * 3600, samesite="lax",
                            secure=settings.cookie_secure)
    return response


def _edit_form(view: EventView) -> dict:
    tables = [{"name": t.name, "theme": t.theme} for t in view.tables]
    return _form_from_spec(view.event.language, view.event.title, tables, "custom",
                           view.program, view.event.card_max_length,
                           {name: getattr(view.event, name) for name in DETAILS})


def _edit_page(request: Request, language: str, view: EventView, form: dict,
               error: str = "", status: int = 200) -> HTMLResponse:
    return render_page(request, language, "pages/edit.html", status=status, view=view, form=form,
                       form_error=error, form_action=f"/f/{view.event.id}/edit",
                       submit_label=translate(language, N_("Save changes")))


@router.get("/f/{event_id}/edit", response_class=HTMLResponse)
def edit_page(visit: ConsoleVisit, request: Request) -> Response:
    return _edit_page(request, visit.language, visit.view, _edit_form(visit.view))


@router.post("/f/{event_id}/edit")
def edit_from_form(visit: ConsoleFormVisit, form: Annotated[EventForm, posted(EventForm)],
                   request: Request, services: ServicesDep) -> Response:
    """The event edited; what the form got wrong is said above it, with the form as sent."""
    try:
        sessions.edit(services, visit.identity, SessionPatch.model_validate(form.spec()))
    except (ValidationError, Refusal) as error:
        return _edit_page(request, visit.language, visit.view, _redisplay(form),
                          error_text(error, visit.language), status=422)
    return RedirectResponse(f"/f/{visit.view.event.id}", status_code=303)
