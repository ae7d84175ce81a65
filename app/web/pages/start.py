"""The start page: a new event from the form (or the events on this server), the language
choice, and the same form again to edit an event from the console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
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
from app.web.deps import (
    ServicesDep,
    SettingsDep,
    client_address,
    error_text,
    page_language,
    same_origin,
)
from app.web.pages.visits import Visit, check_visit, denied_page, render_page, set_cookie

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


def _submitted_form(form) -> dict:
    """The event form as posted, shaped as SessionIn expects; empty rows are dropped."""
    tables = [
        {"name": name, "theme": theme}
        for name, theme in zip(form.getlist("table_name"), form.getlist("table_theme"),
                               strict=False)
        if name.strip() or theme.strip()
    ]
    rows = zip(form.getlist("phase_kind"), form.getlist("phase_title"),
               form.getlist("phase_minutes"), form.getlist("phase_question"),
               form.getlist("phase_moves"), strict=False)
    phases = [
        {"kind": kind, "title": title, "minutes": minutes, "question": question,
         "moves": moves == "yes"}
        for kind, title, minutes, question, moves in rows
        if title.strip() or minutes.strip() or question.strip()
    ]
    program = form.get("program", "standard")
    return {
        "title": form.get("title", ""),
        "language": form.get("language", "ja"),
        "card_max_length": form.get("card_max_length") or cards.MAX_TEXT,
        **{name: form.get(name, "") for name in DETAILS},
        "time_zone": form.get("time_zone") or DEFAULT_TIME_ZONE,
        "tables": tables,
        "program": phases if program == "custom" else program,
        "_phases": phases,
        "_program": program,
    }


def _redisplay(submitted: dict) -> dict:
    phases = [rounds.PhaseSpec(p["kind"], p["title"], p["minutes"], p["question"], p["moves"])
              for p in submitted["_phases"]]
    return _form_from_spec(submitted["language"], submitted["title"], submitted["tables"],
                           submitted["_program"], phases, submitted["card_max_length"],
                           {name: submitted[name] for name in DETAILS})


def _landing(request: Request, language: str, form: dict, error: str = "",
             status: int = 200, listed: list | None = None,
             list_error: str = "") -> HTMLResponse:
    """The new event form, and the events on this server when they may be listed."""
    return render_page(request, language, "pages/landing.html", status=status, form=form,
                       form_error=error, form_action="/",
                       ask_passcode=bool(request.app.state.settings.organiser_passcode),
                       submit_label=translate(language, N_("Create the event")),
                       listed=listed, list_error=list_error, base=urls.base_url(request))


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
async def events_from_landing(request: Request, services: ServicesDep) -> HTMLResponse:
    """The organiser's passcode lists the events on this server from any computer."""
    language = page_language(request)
    posted = await request.form()
    try:
        listed = await run_in_threadpool(admission.events_on_server, services,
                                         posted.get("passcode", ""), client_address(request))
    except Refusal as refusal:
        return _landing(request, language, _new_event_form(language), status=refusal.status,
                        list_error=refusal.text(language))
    return _landing(request, language, _new_event_form(language), listed=listed)


@router.post("/")
async def create_from_form(request: Request, services: ServicesDep,
                           settings: SettingsDep) -> Response:
    language = page_language(request)
    posted = await request.form()
    submitted = _submitted_form(posted)
    try:
        spec = SessionIn.model_validate(submitted)
        view = (await run_in_threadpool(sessions.create, services, spec,
                                        posted.get("passcode", ""),
                                        client_address(request))).value
    except (ValidationError, Refusal) as error:
        status = error.status if isinstance(error, Refusal) else 422
        return _landing(request, language, _redisplay(submitted),
                        error_text(error, language), status)
    response = RedirectResponse(f"/f/{view.session.id}", status_code=303)
    set_cookie(response, settings, auth.FACILITATOR, view.session.id,
               view.session.facilitator_token)
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
    return _form_from_spec(view.session.language, view.session.title, tables, "custom",
                           view.program, view.session.card_max_length,
                           {name: getattr(view.session, name) for name in DETAILS})


def _edit_page(request: Request, language: str, view: EventView, form: dict,
               error: str = "", status: int = 200) -> HTMLResponse:
    return render_page(request, language, "pages/edit.html", status=status, view=view, form=form,
                       form_error=error, form_action=f"/f/{view.session.id}/edit",
                       submit_label=translate(language, N_("Save changes")))


@router.get("/f/{session_id}/edit", response_class=HTMLResponse)
def edit_page(session_id: str, request: Request, services: ServicesDep,
              settings: SettingsDep) -> Response:
    visit = check_visit(request, settings, services, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    return _edit_page(request, visit.language, visit.view, _edit_form(visit.view))


@router.post("/f/{session_id}/edit")
async def edit_from_form(session_id: str, request: Request, services: ServicesDep,
                         settings: SettingsDep) -> Response:
    if not same_origin(request, settings):
        return denied_page(request, session_id, (auth.FACILITATOR,))
    submitted = _submitted_form(await request.form())

    def attempt() -> Response:
        visit = check_visit(request, settings, services, session_id, (auth.FACILITATOR,))
        if not isinstance(visit, Visit):
            return visit
        try:
            sessions.edit(services, visit.identity, SessionPatch.model_validate(submitted))
        except (ValidationError, Refusal) as error:
            return _edit_page(request, visit.language, visit.view, _redisplay(submitted),
                              error_text(error, visit.language), status=422)
        return RedirectResponse(f"/f/{session_id}", status_code=303)

    return await run_in_threadpool(attempt)
