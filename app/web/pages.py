"""HTML pages: the start page, the console, the projector, the host tablet and the phone.

Every route adapts a page visit or a form to one action (app/actions/) and answers with a
page or a message fragment (#flash); the change itself reaches every screen through the
hub. Database work runs in a worker thread: page visits are plain functions (FastAPI runs
them in its thread pool), and a form post, which must await its body, hands its action to
`run_in_threadpool`.

A page link carries its token in the URL. The first visit answers a short sign-in step
instead of the page: it sets the token's HttpOnly cookie and moves on to the clean URL with
a zero-second refresh, which replaces the history entry. Its status is 401 (the page itself
is shown only once the cookie comes back) because Chromium keeps a URL that never answered
2xx hidden: the token URL is neither in the history list nor suggested by the address bar,
where a 303 redirect left it suggested (docs/api.md, "Page links").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import auth, cards, links, rounds
from app.actions import access, admission, board, exports, insight, seating, sessions
from app.i18n import LANGUAGES, N_, NN_, translate
from app.refusal import Refusal
from app.render import Audience
from app.schemas import (
    AFFILIATION_LABELS,
    DEFAULT_TIME_ZONE,
    DETAILS,
    MAX_ID,
    AbsenceIn,
    ArrivalIn,
    CardIn,
    ControlIn,
    JoinIn,
    MoveIn,
    RowIdPath,
    SessionIn,
    SessionPatch,
    TablePatch,
)
from app.templating import render
from app.timing import now_ms
from app.view import SessionView
from app.web import urls
from app.web.deps import (
    DOCUMENT_FAILED,
    ServicesDep,
    SettingsDep,
    card_response,
    client_address,
    cookie_identity,
    describe_invalid,
    document_download,
    document_failure,
    document_job,
    download,
    error_text,
    page_language,
    same_origin,
)

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


def _set_cookie(response: Response, settings, role: str, session_id: str, token: str) -> None:
    response.set_cookie(auth.cookie_name(role, session_id), token, max_age=COOKIE_MAX_AGE,
                        httponly=True, samesite="lax", secure=settings.cookie_secure)


def _cookie_redirect(request: Request, settings, role: str, session_id: str,
                     token: str, target: str) -> RedirectResponse:
    """After a form post: the cookie, and the page to see next."""
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, settings, role, session_id, token)
    return response


def _sign_in_step(request: Request, settings, role: str, session_id: str, token: str,
                  language: str, target: str | None = None) -> HTMLResponse:
    """The answer to a page link with a token (see the module's docstring)."""
    response = _page(request, language, "pages/signing_in.html", status=401,
                     target=target or request.url.path)
    _set_cookie(response, settings, role, session_id, token)
    return response


def _enter(request: Request, settings, services, view: SessionView, roles: tuple[str, ...],
           target: str | None = None):
    """Who opens this page: a token in the URL becomes a cookie (the sign-in step towards
    `target`, by default this page, is returned; a phone that joined as someone else is
    asked first); otherwise the first of `roles` whose cookie is valid."""
    session_id = view.session.id
    token = request.query_params.get("token")
    if token:
        identity = access.signed_in(services, session_id, [(role, token) for role in roles])
        if identity is None:
            return None
        joined = _joined_as_someone_else(request, session_id, identity)
        if joined is not None:
            return _ask_to_switch(request, view, joined, identity, token)
        return _sign_in_step(request, settings, identity.role, session_id, token,
                             page_language(request), target)
    return cookie_identity(request, session_id, *roles)


def _joined_as_someone_else(request: Request, session_id: str,
                            linked: auth.Identity) -> auth.Identity | None:
    """The participant this phone joined as, when a link carries another participant's
    token (a shared link or QR code must not silently make the phone that person)."""
    if linked.role != auth.PARTICIPANT:
        return None
    joined = cookie_identity(request, session_id, auth.PARTICIPANT)
    if joined is None or joined.participant_id == linked.participant_id:
        return None
    return joined


def _ask_to_switch(request: Request, view: SessionView, joined: auth.Identity,
                   linked: auth.Identity, token: str) -> HTMLResponse:
    """Continue as the link's participant (a form that posts its token) or stay. A 4xx
    status and no-store, as for the sign-in step: the token URL stays out of history."""
    language = page_language(request, view.session.language)

    def name(identity: auth.Identity) -> str:
        person = view.person(identity.participant_id)
        return person.name if person is not None else ""

    return _page(request, language, "pages/switch_participant.html", status=409,
                 session_id=view.session.id, token=token, joined_name=name(joined),
                 linked_name=name(linked))


@dataclass
class Visit:
    """An authorised page visit: the event, who is visiting, and the language to show."""

    view: SessionView
    identity: auth.Identity
    language: str


def _visit(request: Request, settings, services, session_id: str,
           roles: tuple[str, ...]) -> Visit | Response:
    """The event and the visitor, or the response to send instead (404, token redirect,
    or the page that asks for the right link)."""
    view = sessions.view_by_id(services, session_id)
    if view is None:
        return _no_event(request)
    entered = _enter(request, settings, services, view, roles)
    if entered is None:
        return _denied(request, session_id, roles)
    if not isinstance(entered, auth.Identity):
        return entered
    return Visit(view, entered, page_language(request, view.session.language))


def _denied(request: Request, session_id: str, roles: tuple[str, ...]) -> HTMLResponse:
    """The page without a valid link; the console's says where its link is found again
    (nobody else can hand it out)."""
    language = page_language(request)
    if roles == (auth.FACILITATOR,):
        return _message(request, language, 401, N_("This page needs its link"),
                        N_("The console opens with its own link. On the computer the server "
                           "runs on, its start page lists the events with their console "
                           "links (elsewhere, with the organiser passcode); "
                           "`worldcafe links %(session_id)s` prints them; a co-facilitator "
                           "link from the other console works too."), session_id=session_id)
    return _message(request, language, 401, N_("This page needs its link"),
                    N_("Open the link or QR code you were given for this screen. If it does "
                       "not work any more, ask the facilitator."))


def _no_event(request: Request) -> HTMLResponse:
    return _message(request, page_language(request), 404, N_("Event not found"),
                    N_("There is no such event. Check the address or the join code."))


# --- the start page: create an event -------------------------------------------------------

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
    return _page(request, language, "pages/landing.html", status=status, form=form,
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
    _set_cookie(response, settings, auth.FACILITATOR, view.session.id,
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


def _live_context(view: SessionView) -> dict:
    return {"view": view, "clock": view.clock, "phase": view.phase,
            "remaining_ms": view.clock.remaining_at(now_ms())}


def _host_urls(base: str, view: SessionView) -> dict[int, str]:
    return {t.id: links.host_url(base, view, t) for t in view.tables}


# --- forms posted from the pages -------------------------------------------------------------

def _flash(request: Request, language: str, text: str, kind: str, status: int) -> HTMLResponse:
    return _page(request, language, "fragments/_flash.html", status=status,
                 flash_text=text, flash_kind=kind)


Work = Callable[[auth.Identity, object], object]


async def _from_page(request: Request, session_id: str, roles: tuple[str, ...], work: Work,
                     denied: str) -> Response:
    """A form posted with the page's cookie (and a same-site Origin): `work` calls the
    action in a worker thread; the answer is a message fragment (#flash): a note (a msgid,
    or a msgid and its parameters), an error or nothing."""
    language = page_language(request)
    if not same_origin(request, request.app.state.settings):
        return _flash(request, language, translate(language, denied), "error", 403)
    form = await request.form()

    def attempt() -> Response:
        identity = cookie_identity(request, session_id, *roles)
        if identity is None:
            return _flash(request, language, translate(language, denied), "error", 403)
        try:
            note = work(identity, form)
        except ValidationError as error:
            return _flash(request, language, describe_invalid(error, language), "error", 422)
        except Refusal as refusal:
            return _flash(request, language, refusal.text(language), "error", refusal.status)
        if isinstance(note, tuple):  # a msgid and its parameters
            text = translate(language, note[0], **note[1])
        else:
            text = translate(language, note) if isinstance(note, str) else ""
        return _flash(request, language, text, "note" if text else "", 200)

    return await run_in_threadpool(attempt)


def _form_int(form, name: str) -> int:
    try:
        value = int(form.get(name, ""))
        if not 0 < value <= MAX_ID:
            raise ValueError(value)
        return value
    except ValueError:
        raise Refusal("invalid",
                      N_("There is no such participant or table in this event.")) from None


def _form_group(form) -> int | str | None:
    """A form's `group_id`: empty for no group, else the number (or the text, refused)."""
    raw = form.get("group_id", "")
    return _form_number(raw) if raw else None


def _form_number(raw: str) -> int | str:
    """A form field's whole number, or the text as sent for the action to refuse (only
    ASCII digits: "²".isdigit() is true, int("²") fails)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw


def _yes_no(form, name: str) -> bool | str:
    value = form.get(name)
    return {"yes": True, "no": False}.get(value, value)


FACILITATOR_ONLY = N_("Only the facilitator may do this.")
SIGNED_OUT = N_("This page is no longer signed in. Open your link or QR code again.")


# --- the facilitator ------------------------------------------------------------------------

@router.get("/f/{session_id}", response_class=HTMLResponse)
def console(session_id: str, request: Request, services: ServicesDep,
            settings: SettingsDep) -> Response:
    visit = _visit(request, settings, services, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    base = urls.base_url(request)
    return _page(request, visit.language, "pages/console.html", view_name="facilitator",
                 audience=Audience("facilitator", visit.language, base=base),
                 documents=exports.console_documents(services, visit.identity, base),
                 **_live_context(visit.view))


@router.post("/f/{session_id}/control")
async def control_from_console(session_id: str, request: Request,
                               services: ServicesDep) -> Response:
    def work(identity, form) -> str | None:
        command = ControlIn.model_validate({k: v or None for k, v in form.items()})
        return sessions.control(services, identity, command).value.note

    return await _from_page(request, session_id, (auth.FACILITATOR,), work,
                            N_("Only the facilitator may control the rounds."))


def _absence(services):
    def work(identity, form) -> None:
        absence = AbsenceIn.model_validate({"absent": form.get("absent") == "yes"})
        seating.mark_absent(services, identity, _form_int(form, "participant_id"),
                            absence.absent)

    return work


SEATING_ONLY = N_("Only the facilitator or the table host may do this.")


@router.post("/f/{session_id}/seats")
async def move_from_console(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        move = MoveIn.model_validate({"participant_id": _form_int(form, "participant_id"),
                                      "table_id": _form_int(form, "table_id"),
                                      "phase_index": form.get("phase_index") or None})
        seating.move(services, identity, move)

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, SEATING_ONLY)


@router.post("/f/{session_id}/seating/plan")
async def plan_from_console(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    def work(identity, _form) -> str:
        if seating.plan_now(services, identity).value.changed:
            return N_("The moves are planned: the route slips can be printed.")
        return N_("The moves were planned already; nothing changed.")

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/absence")
async def absence_from_console(session_id: str, request: Request,
                               services: ServicesDep) -> Response:
    return await _from_page(request, session_id, (auth.FACILITATOR,), _absence(services),
                            SEATING_ONLY)


@router.post("/h/{session_id}/affiliation")
async def host_affiliation(session_id: str, request: Request, services: ServicesDep) -> Response:
    """The host's own affiliation, from the form on their tablet."""
    def work(identity, form) -> tuple[str, dict]:
        spec = TablePatch(host_affiliation=form.get("affiliation", ""))
        table = sessions.choose_host_affiliation(services, identity, identity.table_id,
                                                 spec).value
        return N_("Your cards count as: %(affiliation)s"), {
            "affiliation": translate(page_language(request),
                                     AFFILIATION_LABELS[table.host_affiliation])}

    return await _from_page(request, session_id, (auth.HOST,), work, SIGNED_OUT)


@router.post("/h/{session_id}/absence")
async def absence_from_host(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    return await _from_page(request, session_id, (auth.HOST,), _absence(services),
                            SEATING_ONLY)


@router.post("/f/{session_id}/joining")
async def joining_from_console(session_id: str, request: Request,
                               services: ServicesDep) -> Response:
    def work(identity, form) -> str:
        open_ = _yes_no(form, "open")
        if not isinstance(open_, bool):
            raise Refusal("invalid", N_("'open' must be yes or no."))
        admission.set_joining(services, identity, open_)
        return N_("Joining is open again.") if open_ else N_("Joining is closed.")

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/join_code")
async def join_code_from_console(session_id: str, request: Request,
                                 services: ServicesDep) -> Response:
    def work(identity, _form) -> str:
        admission.new_join_code(services, identity)
        return N_("A new join code is on the projector; the old one no longer works.")

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/participants/{participant_id}/remove")
async def remove_from_console(session_id: str, participant_id: RowIdPath, request: Request,
                              services: ServicesDep) -> Response:
    def work(identity, form) -> str:
        removed = admission.remove_participants(services, identity, [participant_id],
                                                form.get("hide_cards") == "yes").value
        if removed.hidden_cards:
            return N_("Removed; their cards are hidden.")
        return N_("Removed.")

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/join_flood")
async def flood_review_from_console(session_id: str, request: Request,
                                    services: ServicesDep) -> Response:
    """The console's review of a flood of joins: remove the ticked people (and hide their
    cards), or keep everyone; either way the notice goes."""
    def work(identity, form) -> tuple[tuple[str, str], dict] | str:
        ticked = [_form_int({"id": value}, "id") for value in form.getlist("remove")] \
            if form.get("action") == "remove" else []
        admission.review_flood(services, identity, ticked)
        if not ticked:
            return N_("Everyone who joined stays.")
        return NN_("Removed %(num)s person; their cards are hidden.",
                   "Removed %(num)s people; their cards are hidden."), {"num": len(ticked)}

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/reception")
async def reception_from_console(session_id: str, request: Request,
                                 services: ServicesDep) -> Response:
    def work(identity, form) -> tuple[str, dict]:
        spec = ArrivalIn.model_validate(
            {key: form.get(key, "") for key in ("name", "affiliation", "theme")})
        added = sessions.register(services, identity, spec).value
        table = added.view.table(added.home_table)
        return (N_("%(name)s is added: home table %(number)s."),
                {"name": spec.name, "number": table.number if table else "–"})

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/tokens")
async def new_link_from_console(session_id: str, request: Request,
                                services: ServicesDep) -> Response:
    def work(identity, form) -> str:
        role = form.get("role", "")
        table_id = _form_int(form, "table_id") if role == auth.HOST else None
        revoke = form.get("revoke") == "yes"
        admission.new_link(services, identity, role, table_id, revoke)
        if revoke:
            return N_("The co-facilitator's link no longer works.")
        return N_("The new link is in the list; the old device is signed out.")

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


def _edit_form(view: SessionView) -> dict:
    tables = [{"name": t.name, "theme": t.theme} for t in view.tables]
    return _form_from_spec(view.session.language, view.session.title, tables, "custom",
                           view.program, view.session.card_max_length,
                           {name: getattr(view.session, name) for name in DETAILS})


def _edit_page(request: Request, language: str, view: SessionView, form: dict,
               error: str = "", status: int = 200) -> HTMLResponse:
    return _page(request, language, "pages/edit.html", status=status, view=view, form=form,
                 form_error=error, form_action=f"/f/{view.session.id}/edit",
                 submit_label=translate(language, N_("Save changes")))


@router.get("/f/{session_id}/edit", response_class=HTMLResponse)
def edit_page(session_id: str, request: Request, services: ServicesDep,
              settings: SettingsDep) -> Response:
    visit = _visit(request, settings, services, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    return _edit_page(request, visit.language, visit.view, _edit_form(visit.view))


@router.post("/f/{session_id}/edit")
async def edit_from_form(session_id: str, request: Request, services: ServicesDep,
                         settings: SettingsDep) -> Response:
    if not same_origin(request, settings):
        return _denied(request, session_id, (auth.FACILITATOR,))
    submitted = _submitted_form(await request.form())

    def attempt() -> Response:
        visit = _visit(request, settings, services, session_id, (auth.FACILITATOR,))
        if not isinstance(visit, Visit):
            return visit
        try:
            sessions.edit(services, visit.identity, SessionPatch.model_validate(submitted))
        except (ValidationError, Refusal) as error:
            return _edit_page(request, visit.language, visit.view, _redisplay(submitted),
                              error_text(error, visit.language), status=422)
        return RedirectResponse(f"/f/{session_id}", status_code=303)

    return await run_in_threadpool(attempt)


@router.get("/f/{session_id}/hosts", response_class=HTMLResponse)
def host_sheet(session_id: str, request: Request, services: ServicesDep,
               settings: SettingsDep) -> Response:
    visit = _visit(request, settings, services, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    return _page(request, visit.language, "pages/hosts_print.html", view=visit.view,
                 host_urls=_host_urls(urls.base_url(request), visit.view))


@router.get("/f/{session_id}/export.{fmt}")
async def export_from_console(session_id: str, fmt: str, request: Request,
                              services: ServicesDep, settings: SettingsDep) -> Response:
    """The console's export links: the same downloads as the API, by the facilitator's
    cookie (a document awaited from its worker process)."""
    visit = await run_in_threadpool(_visit, request, settings, services, session_id,
                                    (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    base = urls.base_url(request)
    try:
        if fmt in exports.DOCUMENT_FORMATS:
            return await document_download(services, visit.identity, fmt, base)
        return download(await run_in_threadpool(exports.export, services, visit.identity, fmt,
                                                 base))
    except Refusal as refusal:
        heading = {"unknown_format": N_("Unknown export format"),
                   DOCUMENT_FAILED: N_("The document could not be made")}.get(
                       refusal.code, N_("Not ready to print yet"))
        return _message(request, visit.language, refusal.status, heading, refusal.message,
                        **refusal.params)


@router.post("/f/{session_id}/documents/{name}", response_class=HTMLResponse)
async def start_document_from_console(session_id: str, name: str, request: Request,
                                      services: ServicesDep) -> Response:
    """The console's button: start making the document; its piece of the list, which
    then asks for its progress every second."""
    return await _console_document(session_id, name, request, services, start=True)


@router.get("/f/{session_id}/documents/{name}", response_class=HTMLResponse)
async def document_from_console(session_id: str, name: str, request: Request,
                                services: ServicesDep) -> Response:
    """A document's piece of the console's list: its progress, its download or why not."""
    return await _console_document(session_id, name, request, services, start=False)


async def _console_document(session_id: str, name: str, request: Request,
                            services: ServicesDep, *, start: bool) -> Response:
    language = page_language(request)
    if start and not same_origin(request, request.app.state.settings):
        return _flash(request, language, translate(language, FACILITATOR_ONLY), "error", 403)
    identity = await run_in_threadpool(cookie_identity, request, session_id, auth.FACILITATOR)
    if identity is None:
        return _flash(request, language, translate(language, SIGNED_OUT), "error", 403)
    try:
        found = await document_job(services, identity, name, urls.base_url(request),
                                   start=start)
    except Refusal as refusal:
        return _flash(request, language, refusal.text(language), "error", refusal.status)
    return _page(request, language, "fragments/_document.html", session_id=session_id,
                 document=found, failure=(document_failure(found.job).text(language)
                                          if found.job and found.job.status == "failed"
                                          else ""))


# --- the projector and the table hosts -----------------------------------------------------

@router.get("/p/{session_id}", response_class=HTMLResponse)
def projector(session_id: str, request: Request, services: ServicesDep,
              settings: SettingsDep) -> Response:
    visit = _visit(request, settings, services, session_id, (auth.PROJECTOR, auth.FACILITATOR))
    if not isinstance(visit, Visit):
        return visit
    return _page(request, visit.language, "pages/projector.html", view_name="projector",
                 wake_lock=True,
                 audience=Audience("projector", visit.language, base=urls.base_url(request)),
                 **_live_context(visit.view))


@router.get("/h/{session_id}", response_class=HTMLResponse)
def host(session_id: str, request: Request, services: ServicesDep,
         settings: SettingsDep) -> Response:
    visit = _visit(request, settings, services, session_id, (auth.HOST,))
    if not isinstance(visit, Visit):
        return visit
    return _page(request, visit.language, "pages/host.html", view_name="host", wake_lock=True,
                 table=visit.view.table(visit.identity.table_id), audience=visit.identity,
                 card_post_url=f"/h/{session_id}/cards",
                 **_live_context(visit.view))


# --- participants ----------------------------------------------------------------------------

def _join_view(services, join_code: str) -> tuple[SessionView | None, bool]:
    """The event of a join code, and whether the code was replaced (a phone or printed QR
    code that read it before); (None, False) for no event."""
    session_id = access.session_for_join_code(services, join_code)
    replaced = session_id is None
    if replaced:
        session_id = access.session_for_replaced_code(services, join_code)
    view = sessions.view_by_id(services, session_id) if session_id else None
    return view, replaced and view is not None


BLANK_JOIN = {"name": "", "affiliation": "citizen", "theme": "", "expectation": ""}
CODE_REFUSALS = ("join_code_replaced", "wrong_join_code", "too_many_attempts")
"""Refusals of the code itself: the form asks for the code on the screen."""


def _join_form(request: Request, language: str, view, form: dict, error: str = "",
               status: int = 200, ask_code: bool = False) -> HTMLResponse:
    """The join form; `ask_code`: the code is typed in (the one the phone had was
    replaced, or mistyped), and the current code is not written into the page."""
    themes = list(dict.fromkeys(t.theme for t in view.tables if t.theme))
    return _page(request, language, "pages/join.html", status=status, view=view, form=form,
                 themes=themes, form_error=error, ask_code=ask_code)


def _wrong_join_code(request: Request, services) -> HTMLResponse:
    """Counts towards the guessing limit; a 429 page once the limit is reached."""
    address = client_address(request)
    try:
        access.guard_join_attempts(services, address)
    except Refusal as refusal:
        return _message(request, page_language(request), 429, N_("Please wait"),
                        refusal.message, **refusal.params)
    access.record_wrong_join_code(services, address)
    return _no_event(request)


def _joining_closed(request: Request, language: str) -> HTMLResponse:
    return _message(request, language, 409, N_("Joining is closed"),
                    N_("The facilitator has closed joining for now. Ask them, or try again "
                       "in a moment."))


def _event_ended(request: Request, language: str) -> HTMLResponse:
    """A finished event's join link: 410 Gone, a message and no form (its results are on
    the phones of those who took part)."""
    return _message(request, language, 410, N_("This event has ended"),
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
    session_id = view.session.id
    entered = _enter(request, settings, services, view, (auth.PARTICIPANT,),
                     f"/m/{session_id}")
    if isinstance(entered, Response):
        return entered
    if entered is not None:
        return RedirectResponse(f"/m/{session_id}", status_code=303)
    language = page_language(request, view.session.language)
    if view.clock.status == rounds.FINISHED:
        return _event_ended(request, language)
    if not view.session.joining_open:
        return _joining_closed(request, language)
    if replaced:
        return _join_form(request, language, view, BLANK_JOIN,
                          access.code_replaced().text(language), status=403, ask_code=True)
    return _join_form(request, language, view, BLANK_JOIN)


@router.get("/m/{session_id}", response_class=HTMLResponse)
def participant_page(session_id: str, request: Request, services: ServicesDep,
                     settings: SettingsDep) -> Response:
    """A participant's own page, by the event's id: it keeps working when the join code
    is replaced."""
    visit = _visit(request, settings, services, session_id, (auth.PARTICIPANT,))
    if not isinstance(visit, Visit):
        return visit
    return _page(request, visit.language, "pages/participant.html", view_name="participant",
                 person=visit.view.person(visit.identity.participant_id),
                 audience=visit.identity, card_post_url=f"/m/{session_id}/cards",
                 **_live_context(visit.view))


@router.post("/m/{session_id}/switch")
def switch_participant(session_id: str, request: Request, services: ServicesDep,
                       settings: SettingsDep, token: str = Form(max_length=64)) -> Response:
    """The phone chose to continue as the participant whose link it opened."""
    if not same_origin(request, settings):
        raise Refusal("forbidden", N_("This request comes from another site."))
    identity = access.signed_in(services, session_id, [(auth.PARTICIPANT, token)])
    if identity is None:
        return _denied(request, session_id, (auth.PARTICIPANT,))
    return _cookie_redirect(request, settings, auth.PARTICIPANT, session_id, token,
                            f"/m/{session_id}")


@router.post("/j/{join_code}")
async def join_from_form(join_code: str, request: Request, services: ServicesDep,
                         settings: SettingsDep) -> Response:
    view, _replaced = await run_in_threadpool(_join_view, services, join_code)
    if view is None:
        return await run_in_threadpool(_wrong_join_code, request, services)
    return await _join_posted(request, services, settings, view, join_code)


@router.post("/j")
async def join_with_typed_code(request: Request, services: ServicesDep,
                               settings: SettingsDep) -> Response:
    """The join form of a phone whose code was replaced: the new code typed in, what
    they wrote kept."""
    posted = await request.form()
    session_id = str(posted.get("session", ""))
    view = await run_in_threadpool(sessions.view_by_id, services, session_id) \
        if 0 < len(session_id) <= 16 else None
    if view is None:
        return _no_event(request)
    return await _join_posted(request, services, settings, view,
                              str(posted.get("join_code", "")))


async def _join_posted(request: Request, services, settings, view: SessionView,
                       join_code: str) -> Response:
    """A join form posted for `view`'s event with `join_code` (checked by the join)."""
    posted = await request.form()
    form = {key: posted.get(key, "") for key in BLANK_JOIN}
    language = page_language(request, view.session.language)
    if view.clock.status == rounds.FINISHED:
        return _event_ended(request, language)
    if not view.session.joining_open:
        return _joining_closed(request, language)

    def refused(error: ValidationError | Refusal) -> Response:
        if isinstance(error, Refusal) and error.code == "joining_closed":
            return _joining_closed(request, language)
        status = error.status if isinstance(error, Refusal) else 422
        ask_code = isinstance(error, Refusal) and error.code in CODE_REFUSALS
        return _join_form(request, language, view, form, error_text(error, language),
                          status=status, ask_code=ask_code)

    try:
        spec = JoinIn.model_validate({**form, "join_code": join_code})
        joined = await sessions.join_in_turn(services, view.session.id, spec,
                                             client_address(request))
    except (ValidationError, Refusal) as error:
        return await run_in_threadpool(refused, error)
    return _cookie_redirect(request, settings, auth.PARTICIPANT, view.session.id,
                            joined.value.token, f"/m/{view.session.id}")


# --- cards from the pages (JSON in and out, authenticated by the page's cookie) ------------

def _card_from_page(request: Request, services, session_id: str, role: str,
                    spec: CardIn) -> JSONResponse:
    """The pages' offline queue (static/js/cards.js) posts here with the HttpOnly cookie;
    the answers are those of `POST /api/v1/sessions/{id}/cards`."""
    if not same_origin(request, request.app.state.settings):
        raise Refusal("forbidden", N_("This request comes from another site."))
    identity = cookie_identity(request, session_id, role)
    if identity is None:
        raise Refusal("invalid_token", SIGNED_OUT)
    token = request.cookies[auth.cookie_name(role, session_id)]
    return card_response(board.add_card(services, identity, token, spec).value)


@router.post("/f/{session_id}/cards")
def card_from_console(session_id: str, spec: CardIn, request: Request,
                      services: ServicesDep) -> JSONResponse:
    return _card_from_page(request, services, session_id, auth.FACILITATOR, spec)


@router.post("/h/{session_id}/cards")
def card_from_host(session_id: str, spec: CardIn, request: Request,
                   services: ServicesDep) -> JSONResponse:
    return _card_from_page(request, services, session_id, auth.HOST, spec)


@router.post("/m/{session_id}/cards")
def card_from_phone(session_id: str, spec: CardIn, request: Request,
                    services: ServicesDep) -> JSONResponse:
    return _card_from_page(request, services, session_id, auth.PARTICIPANT, spec)


# --- the harvest board from the console, dot voting from the phones ------------------------

@router.post("/f/{session_id}/groups")
async def group_from_console(session_id: str, request: Request,
                             services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        board.create_group(services, identity, form.get("name", ""))

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/groups/{group_id}")
async def rename_from_console(session_id: str, group_id: RowIdPath, request: Request,
                              services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        board.rename_group(services, identity, group_id, form.get("name", ""))

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/groups/{group_id}/delete")
async def delete_from_console(session_id: str, group_id: RowIdPath, request: Request,
                              services: ServicesDep) -> Response:
    def work(identity, _form) -> None:
        board.delete_group(services, identity, group_id)

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/cards/{card_id}/edit")
async def card_edit_from_console(session_id: str, card_id: str, request: Request,
                                 services: ServicesDep) -> Response:
    """One form per change: `group_id` (empty: not grouped), `hidden` (yes/no) or `text`."""
    def work(identity, form) -> None:
        changes: dict = {}
        if "group_id" in form:
            changes["group_id"] = _form_group(form)
        if "hidden" in form:
            changes["hidden"] = _yes_no(form, "hidden")
        if "text" in form:
            changes["text"] = form.get("text")
        board.change_card(services, identity, card_id, changes)

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/merge")
async def merge_from_console(session_id: str, request: Request,
                             services: ServicesDep) -> Response:
    """Merge the cards ticked on the board (or offered as near-identical) into the first of
    them, which is kept. Merging asks first: without `confirmed=yes` the answer is the
    confirmation naming the cards (fragments/_merge_confirm.html) and nothing changes."""
    form = await request.form()
    chosen = list(dict.fromkeys(form.getlist("cards")))

    def two_or_more() -> None:
        if len(chosen) < 2:
            raise Refusal("invalid", N_("Tick at least two cards to merge."))

    def confirmation(identity) -> dict:
        two_or_more()
        preview = board.merge_preview(services, identity, chosen[0], chosen[1:])
        return {"view": preview.view, "keep": preview.keep, "others": preview.others}

    def work(identity, _form) -> tuple:
        two_or_more()
        merged = board.merge(services, identity, chosen[0], chosen[1:]).value
        return (NN_("Merged: %(num)s card.", "Merged: %(num)s cards."),
                {"num": merged.weights[merged.kept.id]})

    if form.get("confirmed") != "yes":
        return await run_in_threadpool(_console_fragment, request, session_id,
                                       "fragments/_merge_confirm.html", confirmation)
    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/cards/{card_id}/unmerge")
async def unmerge_from_console(session_id: str, card_id: str, request: Request,
                               services: ServicesDep) -> Response:
    """「Unmerge」 on a merged card: the cards merged into it are back with their dots."""
    def work(identity, _form) -> tuple:
        restored = board.unmerge(services, identity, card_id).value
        return (NN_("Unmerged: %(num)s card is back on the board.",
                    "Unmerged: %(num)s cards are back on the board."),
                {"num": len(restored.others)})

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/group_cards")
async def group_cards_from_console(session_id: str, request: Request,
                                   services: ServicesDep) -> Response:
    """Move the cards selected on the board into the chosen group ("" = no group)."""
    def work(identity, form) -> str:
        moved = board.group_cards(services, identity, form.getlist("cards"),
                                  _form_group(form)).value
        return N_("Moved.") if moved else N_("Those cards are in that group already.")

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/board")
async def board_from_console(session_id: str, request: Request,
                             services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        changes: dict = {}
        for name in ("view", "screen", "pages", "vote_on"):
            if name in form:
                changes[name] = form.get(name)
        if "budget" in form:
            changes["budget"] = _form_number(form.get("budget", ""))
        for name in ("open", "revealed"):
            if name in form:
                changes[name] = _yes_no(form, name)
        board.change_board(services, identity, changes)

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


def _console_fragment(request: Request, session_id: str, template: str,
                      work: Callable[[auth.Identity], dict]) -> HTMLResponse:
    """A piece of the console drawn on demand (in this worker thread): `work` calls the
    action and gives the template's context; a refusal is a message (#flash)."""
    language = page_language(request)
    identity = cookie_identity(request, session_id, auth.FACILITATOR)
    if identity is None:
        return _flash(request, language, translate(language, FACILITATOR_ONLY), "error", 403)
    try:
        context = work(identity)
    except Refusal as refusal:
        return _flash(request, language, refusal.text(language), "error", refusal.status)
    language = page_language(request, context["view"].session.language)
    return _page(request, language, template, view_name="facilitator", **context)


@router.get("/f/{session_id}/suggestions", response_class=HTMLResponse)
def suggestions_panel(session_id: str, request: Request, services: ServicesDep) -> Response:
    """The console's suggested groups ("Suggest groups"); never on the projector."""
    def work(identity) -> dict:
        suggested = insight.suggest(services, identity)
        return {"view": suggested.view, "suggested": suggested}

    return _console_fragment(request, session_id, "fragments/_suggestions.html", work)


@router.post("/f/{session_id}/suggestions/{suggestion_id}/accept")
async def accept_from_console(session_id: str, suggestion_id: str, request: Request,
                              services: ServicesDep) -> Response:
    """The suggestion's form: its name as edited and the cards left ticked."""
    def work(identity, form) -> tuple:
        accepted = insight.accept(services, identity, suggestion_id, form.get("name", ""),
                                  form.getlist("cards")).value
        note = (NN_("“%(name)s” made with %(num)s card; the others were grouped meanwhile "
                    "and stay where they are.",
                    "“%(name)s” made with %(num)s cards; the others were grouped meanwhile "
                    "and stay where they are.") if accepted.skipped
                else NN_("“%(name)s” made with %(num)s card.",
                         "“%(name)s” made with %(num)s cards."))
        return note, {"name": accepted.group.name, "num": len(accepted.moved)}

    return await _from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.get("/f/{session_id}/duplicates", response_class=HTMLResponse)
def duplicates_panel(session_id: str, request: Request, services: ServicesDep) -> Response:
    """The console's near-identical cards ("Find duplicates"), each offered as a merge."""
    def work(identity) -> dict:
        found = board.duplicates(services, identity)
        return {"view": found.view, "duplicates": found.duplicates}

    return _console_fragment(request, session_id, "fragments/_duplicates.html", work)


@router.get("/f/{session_id}/stakeholders", response_class=HTMLResponse)
def stakeholders_panel(session_id: str, request: Request, services: ServicesDep) -> Response:
    """Who said what, on demand: cards and keywords by affiliation, never names."""
    def work(identity) -> dict:
        compared = insight.compare(services, identity)
        return {"view": compared.view, "comparison": compared.comparison}

    return _console_fragment(request, session_id, "fragments/_stakeholders.html", work)


async def _vote_from_phone(request: Request, services, session_id: str, delta: int) -> Response:
    """A dot on the card (`card_id`) or on the group (`group_id`) the tapped button names."""
    def work(identity, form) -> None:
        if "group_id" in form:
            board.vote_group(services, identity, _form_group(form), delta)
        else:
            board.vote(services, identity, form.get("card_id", ""), delta)

    return await _from_page(request, session_id, (auth.PARTICIPANT,), work, SIGNED_OUT)


@router.post("/m/{session_id}/votes")
async def vote_from_phone(session_id: str, request: Request, services: ServicesDep) -> Response:
    return await _vote_from_phone(request, services, session_id, +1)


@router.post("/m/{session_id}/votes/remove")
async def unvote_from_phone(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    return await _vote_from_phone(request, services, session_id, -1)
