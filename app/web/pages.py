"""HTML pages: the start page, the console, the projector, the host tablet and the phone.

A page that carries a token in its URL sets the token's HttpOnly cookie and redirects to
the clean URL, so tokens do not linger in history, screenshots or Referer headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import auth, cards, exports, rounds, sessions
from app.hub import Event
from app.i18n import LANGUAGES, N_, translate
from app.schemas import (
    AbsenceIn,
    CardIn,
    ControlIn,
    InputError,
    JoinIn,
    MoveIn,
    SessionIn,
    SessionPatch,
)
from app.timing import now_ms
from app.web import api, urls
from app.web.api import accept_card
from app.web.deps import (
    ApiError,
    EngineDep,
    HubDep,
    SettingsDep,
    cookie_identity,
    describe_invalid,
    guard_join_attempts,
    page_language,
    record_wrong_join_code,
    same_origin,
)
from app.web.render import render

router = APIRouter()

COOKIE_MAX_AGE = 7 * 24 * 3600
BLANK_TABLE_ROWS = 3
DEFAULT_TABLES = (
    (N_("Table %(n)s"), N_("Supporting older people in the neighbourhood")),
    (N_("Table %(n)s"), N_("Helping children grow up in the community")),
    (N_("Table %(n)s"), N_("Telling the city's story with its citizens")),
)


def _page(request: Request, language: str, template: str, status: int = 200,
          **context: object) -> HTMLResponse:
    html = render(language, template, current_path=request.url.path, **context)
    return HTMLResponse(html, status_code=status)


def _message(request: Request, language: str, status: int, heading: str, text: str,
             **params: object) -> HTMLResponse:
    return _page(request, language, "pages/message.html", status=status,
                 heading=translate(language, heading), text=translate(language, text, **params))


def _cookie_redirect(request: Request, settings, role: str, session_id: str,
                     token: str) -> RedirectResponse:
    response = RedirectResponse(request.url.path, status_code=303)
    response.set_cookie(auth.cookie_name(role, session_id), token, max_age=COOKIE_MAX_AGE,
                        httponly=True, samesite="lax", secure=settings.cookie_secure)
    return response


def _enter(request: Request, settings, engine, session_id: str, roles: tuple[str, ...]):
    """Who opens this page: a token in the URL becomes a cookie (a redirect is returned);
    otherwise the first of `roles` whose cookie is valid."""
    token = request.query_params.get("token")
    if token:
        identity = sessions.identify(engine, session_id, token)
        if identity is not None and identity.role in roles:
            return _cookie_redirect(request, settings, identity.role, session_id, token)
        return None
    for role in roles:
        identity = cookie_identity(request, session_id, role)
        if identity is not None:
            return identity
    return None


@dataclass
class Visit:
    """An authorised page visit: the event, who is visiting, and the language to show."""

    view: sessions.SessionView
    identity: auth.Identity
    language: str


def _visit(request: Request, settings, engine, session_id: str,
           roles: tuple[str, ...]) -> Visit | Response:
    """The event and the visitor, or the response to send instead (404, token redirect,
    or the page that asks for the right link)."""
    view = _view_or_none(engine, session_id)
    if view is None:
        return _no_event(request)
    entered = _enter(request, settings, engine, session_id, roles)
    if entered is None:
        return _denied(request)
    if not isinstance(entered, auth.Identity):
        return entered
    return Visit(view, entered, page_language(request, view.session.language))


def _error_text(error: ValidationError | InputError, language: str) -> str:
    if isinstance(error, ValidationError):
        return describe_invalid(error, language)
    return translate(language, error.message, **error.params)


def _denied(request: Request) -> HTMLResponse:
    language = page_language(request)
    return _message(request, language, 401, N_("This page needs its link"),
                    N_("Open the link or QR code you were given for this screen. If it does "
                       "not work any more, ask the facilitator."))


def _view_or_none(engine, session_id: str) -> sessions.SessionView | None:
    try:
        return sessions.load_view(engine, session_id)
    except sessions.NotFound:
        return None


def _no_event(request: Request) -> HTMLResponse:
    return _message(request, page_language(request), 404, N_("Event not found"),
                    N_("There is no such event. Check the address or the join code."))


# --- the start page: create an event -------------------------------------------------------

def _form_from_spec(language: str, title: str, tables: list[dict], program: str,
                    phases: list[rounds.PhaseSpec], card_max_length: object = cards.MAX_TEXT,
                    ) -> dict:
    blank = [{"name": "", "theme": ""}] * BLANK_TABLE_ROWS
    return {
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
        "tables": tables,
        "program": phases if program == "custom" else program,
        "_phases": phases,
        "_program": program,
    }


def _redisplay(submitted: dict) -> dict:
    phases = [rounds.PhaseSpec(p["kind"], p["title"], p["minutes"], p["question"], p["moves"])
              for p in submitted["_phases"]]
    return _form_from_spec(submitted["language"], submitted["title"], submitted["tables"],
                           submitted["_program"], phases, submitted["card_max_length"])


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    language = page_language(request)
    return _page(request, language, "pages/landing.html", form=_new_event_form(language),
                 form_action="/", submit_label=translate(language, N_("Create the event")))


@router.post("/")
async def create_from_form(request: Request, engine: EngineDep,
                           settings: SettingsDep) -> Response:
    language = page_language(request)
    submitted = _submitted_form(await request.form())
    try:
        spec = SessionIn.model_validate(submitted)
    except ValidationError as error:
        return _page(request, language, "pages/landing.html", status=422,
                     form=_redisplay(submitted), form_error=describe_invalid(error, language),
                     form_action="/",
                     submit_label=translate(language, N_("Create the event")))
    view = await run_in_threadpool(sessions.create_session, engine, spec, now_ms())
    response = RedirectResponse(f"/f/{view.session.id}", status_code=303)
    response.set_cookie(auth.cookie_name(auth.FACILITATOR, view.session.id),
                        view.session.facilitator_token, max_age=COOKIE_MAX_AGE,
                        httponly=True, samesite="lax", secure=settings.cookie_secure)
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


def _live_context(view: sessions.SessionView) -> dict:
    return {"view": view, "clock": view.clock, "phase": view.phase,
            "remaining_ms": view.clock.remaining_at(now_ms())}


def _host_urls(base: str, view: sessions.SessionView) -> dict[int, str]:
    return {t.id: urls.host_url(base, view, t) for t in view.tables}


# --- the facilitator ------------------------------------------------------------------------

@router.get("/f/{session_id}", response_class=HTMLResponse)
def console(session_id: str, request: Request, engine: EngineDep,
            settings: SettingsDep) -> Response:
    visit = _visit(request, settings, engine, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    view, base = visit.view, urls.base_url(request)
    return _page(request, visit.language, "pages/console.html", view_name="facilitator",
                 projector_url=urls.projector_url(base, view), join_url=urls.join_url(base, view),
                 host_urls=_host_urls(base, view), **_live_context(view))


def _flash(request: Request, language: str, text: str, kind: str, status: int) -> HTMLResponse:
    return _page(request, language, "fragments/_flash.html", status=status,
                 flash_text=text, flash_kind=kind)


@router.post("/f/{session_id}/control")
async def control_from_console(session_id: str, request: Request, engine: EngineDep,
                               settings: SettingsDep, hub: HubDep) -> Response:
    language = page_language(request)
    if not same_origin(request, settings) or cookie_identity(
            request, session_id, auth.FACILITATOR) is None:
        return _flash(request, language, translate(
            language, N_("Only the facilitator may control the rounds.")), "error", 403)
    form = await request.form()
    try:
        command = ControlIn.model_validate({k: v or None for k, v in form.items()})
        transition = await run_in_threadpool(
            sessions.control, engine, session_id, command.action, now_ms(),
            seconds=command.seconds, phase_index=command.phase_index,
            from_phase=command.from_phase)
    except ValidationError as error:
        return _flash(request, language, describe_invalid(error, language), "error", 422)
    except rounds.ClockError as error:
        return _flash(request, language, translate(language, error.message), "error", 409)
    for event_type in transition.events:
        await hub.publish(Event(session_id, event_type))
    note = translate(language, transition.note) if transition.note else ""
    return _flash(request, language, note, "note" if note else "", 200)


async def _seating_from_page(request: Request, session_id: str, roles: tuple[str, ...],
                             change, hub) -> Response:
    """A seating change posted from a page (console or host tablet); the answer is a flash
    message, the change itself reaches every screen through the hub."""
    language = page_language(request)
    identity = next(filter(None, (cookie_identity(request, session_id, role)
                                  for role in roles)), None)
    if identity is None or not same_origin(request, request.app.state.settings):
        return _flash(request, language, translate(
            language, N_("Only the facilitator or the table host may do this.")), "error", 403)
    form = await request.form()
    try:
        await run_in_threadpool(change, identity, form)
    except (ValidationError, InputError) as error:
        return _flash(request, language, _error_text(error, language), "error", 422)
    await hub.publish(Event(session_id, "seating"))
    return _flash(request, language, "", "", 200)


def _absence_change(engine, session_id: str):
    def change(identity: auth.Identity, form) -> None:
        absence = AbsenceIn.model_validate({"absent": form.get("absent") == "yes"})
        sessions.set_absent(engine, session_id, _form_int(form, "participant_id"),
                            absence.absent, identity)

    return change


def _form_int(form, name: str) -> int:
    try:
        return int(form.get(name, ""))
    except ValueError:
        raise InputError(N_("There is no such participant or table in this event.")) from None


@router.post("/f/{session_id}/seats")
async def move_from_console(session_id: str, request: Request, engine: EngineDep,
                            hub: HubDep) -> Response:
    def change(_identity: auth.Identity, form) -> None:
        move = MoveIn.model_validate({"participant_id": _form_int(form, "participant_id"),
                                      "table_id": _form_int(form, "table_id"),
                                      "phase_index": form.get("phase_index") or None})
        sessions.move_by_hand(engine, session_id, move.participant_id, move.table_id,
                              move.phase_index)

    return await _seating_from_page(request, session_id, (auth.FACILITATOR,), change, hub)


@router.post("/f/{session_id}/absence")
async def absence_from_console(session_id: str, request: Request, engine: EngineDep,
                               hub: HubDep) -> Response:
    return await _seating_from_page(request, session_id, (auth.FACILITATOR,),
                                    _absence_change(engine, session_id), hub)


@router.post("/h/{session_id}/absence")
async def absence_from_host(session_id: str, request: Request, engine: EngineDep,
                            hub: HubDep) -> Response:
    return await _seating_from_page(request, session_id, (auth.HOST,),
                                    _absence_change(engine, session_id), hub)


def _edit_form(view: sessions.SessionView) -> dict:
    tables = [{"name": t.name, "theme": t.theme} for t in view.tables]
    return _form_from_spec(view.session.language, view.session.title, tables, "custom",
                           view.program, view.session.card_max_length)


def _edit_page(request: Request, language: str, view: sessions.SessionView, form: dict,
               error: str = "", status: int = 200) -> HTMLResponse:
    return _page(request, language, "pages/edit.html", status=status, view=view, form=form,
                 form_error=error, form_action=f"/f/{view.session.id}/edit",
                 submit_label=translate(language, N_("Save changes")))


@router.get("/f/{session_id}/edit", response_class=HTMLResponse)
def edit_page(session_id: str, request: Request, engine: EngineDep,
              settings: SettingsDep) -> Response:
    visit = _visit(request, settings, engine, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    return _edit_page(request, visit.language, visit.view, _edit_form(visit.view))


@router.post("/f/{session_id}/edit")
async def edit_from_form(session_id: str, request: Request, engine: EngineDep,
                         settings: SettingsDep, hub: HubDep) -> Response:
    if not same_origin(request, settings):
        return _denied(request)
    visit = _visit(request, settings, engine, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    submitted = _submitted_form(await request.form())
    try:
        patch = SessionPatch.model_validate(submitted)
        await run_in_threadpool(sessions.update_session, engine, session_id, patch)
    except (ValidationError, InputError) as error:
        return _edit_page(request, visit.language, visit.view, _redisplay(submitted),
                          _error_text(error, visit.language), status=422)
    await hub.publish(Event(session_id, "session"))
    return RedirectResponse(f"/f/{session_id}", status_code=303)


@router.get("/f/{session_id}/hosts", response_class=HTMLResponse)
def host_sheet(session_id: str, request: Request, engine: EngineDep,
               settings: SettingsDep) -> Response:
    visit = _visit(request, settings, engine, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    return _page(request, visit.language, "pages/hosts_print.html", view=visit.view,
                 host_urls=_host_urls(urls.base_url(request), visit.view))


@router.get("/f/{session_id}/export.{fmt}")
def export_from_console(session_id: str, fmt: str, request: Request, engine: EngineDep,
                        settings: SettingsDep) -> Response:
    """The console's export links: the same downloads as the API, by the facilitator's cookie."""
    visit = _visit(request, settings, engine, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    if fmt not in exports.FORMATS:
        return _message(request, visit.language, 404, N_("Unknown export format"),
                        N_("Unknown export format: %(format)s."), format=fmt)
    return api.export_response(visit.view, fmt)


# --- the projector and the table hosts -----------------------------------------------------

@router.get("/p/{session_id}", response_class=HTMLResponse)
def projector(session_id: str, request: Request, engine: EngineDep,
              settings: SettingsDep) -> Response:
    visit = _visit(request, settings, engine, session_id, (auth.PROJECTOR, auth.FACILITATOR))
    if not isinstance(visit, Visit):
        return visit
    return _page(request, visit.language, "pages/projector.html", view_name="projector",
                 wake_lock=True, join_url=urls.join_url(urls.base_url(request), visit.view),
                 **_live_context(visit.view))


@router.get("/h/{session_id}", response_class=HTMLResponse)
def host(session_id: str, request: Request, engine: EngineDep,
         settings: SettingsDep) -> Response:
    visit = _visit(request, settings, engine, session_id, (auth.HOST,))
    if not isinstance(visit, Visit):
        return visit
    return _page(request, visit.language, "pages/host.html", view_name="host", wake_lock=True,
                 table=visit.view.table(visit.identity.table_id), audience=visit.identity,
                 card_post_url=f"/h/{session_id}/cards",
                 **_live_context(visit.view))


# --- participants ----------------------------------------------------------------------------

def _join_view(engine, join_code: str) -> sessions.SessionView | None:
    session_id = sessions.session_id_for_join_code(engine, join_code)
    return _view_or_none(engine, session_id) if session_id else None


def _join_form(request: Request, language: str, view, form: dict, error: str = "",
               status: int = 200) -> HTMLResponse:
    themes = list(dict.fromkeys(t.theme for t in view.tables if t.theme))
    return _page(request, language, "pages/join.html", status=status, view=view, form=form,
                 themes=themes, form_error=error)


def _wrong_join_code(request: Request) -> HTMLResponse:
    """Counts towards the guessing limit; a 429 page once the limit is reached."""
    try:
        guard_join_attempts(request)
    except ApiError as error:
        return _message(request, page_language(request), 429, N_("Please wait"),
                        error.message, **error.params)
    record_wrong_join_code(request)
    return _no_event(request)


@router.get("/j/{join_code}", response_class=HTMLResponse)
def participant_page(join_code: str, request: Request, engine: EngineDep,
                     settings: SettingsDep) -> Response:
    view = _join_view(engine, join_code)
    if view is None:
        return _wrong_join_code(request)
    session_id = view.session.id
    entered = _enter(request, settings, engine, session_id, (auth.PARTICIPANT,))
    if isinstance(entered, Response):
        return entered
    language = page_language(request, view.session.language)
    if entered is None:
        blank = {"name": "", "affiliation": "citizen", "theme": "", "expectation": ""}
        return _join_form(request, language, view, blank)
    person = next(p for p in view.participants if p.id == entered.participant_id)
    return _page(request, language, "pages/participant.html", view_name="participant",
                 person=person, audience=entered,
                 card_post_url=f"/j/{view.session.join_code}/cards", **_live_context(view))


@router.post("/j/{join_code}")
async def join_from_form(join_code: str, request: Request, engine: EngineDep,
                         settings: SettingsDep, hub: HubDep) -> Response:
    view = _join_view(engine, join_code)
    if view is None:
        return _wrong_join_code(request)
    language = page_language(request, view.session.language)
    posted = await request.form()
    form = {key: posted.get(key, "") for key in ("name", "affiliation", "theme", "expectation")}
    try:
        spec = JoinIn.model_validate({**form, "join_code": join_code})
        person = await run_in_threadpool(sessions.join, engine, view.session.id, spec, now_ms())
    except (ValidationError, InputError) as error:
        return _join_form(request, language, view, form, _error_text(error, language),
                          status=422)
    for event in sessions.joined_events(sessions.load_view(engine, view.session.id), person):
        await hub.publish(event)
    return _cookie_redirect(request, settings, auth.PARTICIPANT, view.session.id, person.token)


# --- cards from the pages (JSON in and out, authenticated by the page's cookie) ------------

async def _card_from_page(request: Request, session_id: str, role: str,
                          spec: CardIn) -> JSONResponse:
    """The pages' offline queue (static/js/cards.js) posts here with the HttpOnly cookie;
    the answers are those of `POST /api/v1/sessions/{id}/cards`."""
    if not same_origin(request, request.app.state.settings):
        raise ApiError(403, "forbidden", N_("This request comes from another site."))
    identity = await run_in_threadpool(cookie_identity, request, session_id, role)
    if identity is None:
        raise ApiError(401, "invalid_token", N_(
            "This page is no longer signed in. Open your link or QR code again."))
    token = request.cookies[auth.cookie_name(role, session_id)]
    return await accept_card(request, session_id, identity, token, spec)


@router.post("/f/{session_id}/cards")
async def card_from_console(session_id: str, spec: CardIn, request: Request) -> JSONResponse:
    return await _card_from_page(request, session_id, auth.FACILITATOR, spec)


@router.post("/h/{session_id}/cards")
async def card_from_host(session_id: str, spec: CardIn, request: Request) -> JSONResponse:
    return await _card_from_page(request, session_id, auth.HOST, spec)


@router.post("/j/{join_code}/cards")
async def card_from_phone(join_code: str, spec: CardIn, request: Request,
                          engine: EngineDep) -> JSONResponse:
    session_id = await run_in_threadpool(sessions.session_id_for_join_code, engine, join_code)
    if session_id is None:
        raise ApiError(404, "not_found", N_("There is no such event."))
    return await _card_from_page(request, session_id, auth.PARTICIPANT, spec)


# --- the harvest board from the console, dot voting from the phones ------------------------
# Forms posted with the page's cookie (and a same-site Origin); the answer is a flash
# message, the change itself reaches every screen through the hub.

def _yes_no(form, name: str) -> bool | str:
    value = form.get(name)
    return {"yes": True, "no": False}.get(value, value)


async def _from_page(request: Request, session_id: str, role: str, action) -> Response:
    language = page_language(request)
    identity = cookie_identity(request, session_id, role)
    if identity is None or not same_origin(request, request.app.state.settings):
        text = N_("Only the facilitator may do this.") if role == auth.FACILITATOR \
            else N_("This page is no longer signed in. Open your link or QR code again.")
        return _flash(request, language, translate(language, text), "error", 403)
    form = await request.form()
    try:
        await action(identity, form)
    except ApiError as error:
        return _flash(request, language, translate(language, error.message, **error.params),
                      "error", error.status)
    return _flash(request, language, "", "", 200)


@router.post("/f/{session_id}/groups")
async def group_from_console(session_id: str, request: Request) -> Response:
    async def action(_identity, form) -> None:
        await api.create_group(request, session_id, form.get("name", ""))

    return await _from_page(request, session_id, auth.FACILITATOR, action)


@router.post("/f/{session_id}/groups/{group_id}")
async def rename_from_console(session_id: str, group_id: int, request: Request) -> Response:
    async def action(_identity, form) -> None:
        await api.rename_group(request, session_id, group_id, form.get("name", ""))

    return await _from_page(request, session_id, auth.FACILITATOR, action)


@router.post("/f/{session_id}/groups/{group_id}/delete")
async def delete_from_console(session_id: str, group_id: int, request: Request) -> Response:
    async def action(_identity, _form) -> None:
        await api.delete_group(request, session_id, group_id)

    return await _from_page(request, session_id, auth.FACILITATOR, action)


@router.post("/f/{session_id}/cards/{card_id}/edit")
async def card_edit_from_console(session_id: str, card_id: str, request: Request) -> Response:
    """One form per change: `group_id` (empty: not grouped), `hidden` (yes/no) or `text`."""
    async def action(_identity, form) -> None:
        changes: dict = {}
        if "group_id" in form:
            raw = form.get("group_id", "")
            changes["group_id"] = int(raw) if raw.isdigit() else None if raw == "" else raw
        if "hidden" in form:
            changes["hidden"] = _yes_no(form, "hidden")
        if "text" in form:
            changes["text"] = form.get("text")
        if not changes:
            raise ApiError(422, "invalid", N_("Send at least one of hidden, text or group_id."))
        await api.change_card(request, session_id, card_id, changes)

    return await _from_page(request, session_id, auth.FACILITATOR, action)


@router.post("/f/{session_id}/merge")
async def merge_from_console(session_id: str, request: Request) -> Response:
    """Merge the cards ticked on the board into the first of them (which is kept)."""
    async def action(_identity, form) -> None:
        chosen = list(dict.fromkeys(form.getlist("cards")))
        if len(chosen) < 2:
            raise ApiError(422, "invalid", N_("Tick at least two cards to merge."))
        await api.merge_cards(request, session_id, chosen[0], chosen[1:])

    return await _from_page(request, session_id, auth.FACILITATOR, action)


@router.post("/f/{session_id}/board")
async def board_from_console(session_id: str, request: Request) -> Response:
    async def action(_identity, form) -> None:
        changes: dict = {}
        if "view" in form:
            changes["view"] = form.get("view")
        if "budget" in form:
            raw = form.get("budget", "")
            changes["budget"] = int(raw) if raw.isdigit() else raw
        for name in ("open", "revealed"):
            if name in form:
                changes[name] = _yes_no(form, name)
        await api.change_board(request, session_id, changes)

    return await _from_page(request, session_id, auth.FACILITATOR, action)


async def _vote_from_phone(request: Request, join_code: str, delta: int) -> Response:
    session_id = await run_in_threadpool(sessions.session_id_for_join_code,
                                         request.app.state.engine, join_code)
    if session_id is None:
        return _no_event(request)

    async def action(identity, form) -> None:
        await api.cast_vote(request, session_id, identity, form.get("card_id", ""), delta)

    return await _from_page(request, session_id, auth.PARTICIPANT, action)


@router.post("/j/{join_code}/votes")
async def vote_from_phone(join_code: str, request: Request) -> Response:
    return await _vote_from_phone(request, join_code, +1)


@router.post("/j/{join_code}/votes/remove")
async def unvote_from_phone(join_code: str, request: Request) -> Response:
    return await _vote_from_phone(request, join_code, -1)
