"""What every page route shares: a visit's sign-in and role check, page and message
answers, the flash fragment, and reading forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from app import auth
from app.actions import access, board, seating, sessions
from app.i18n import N_, translate
from app.live.view import EventView
from app.refusal import Refusal
from app.rounds import now_ms
from app.schemas import (
    MAX_ID,
    AbsenceIn,
    CardIn,
)
from app.templating import render
from app.web.deps import (
    card_response,
    client_address,
    cookie_identity,
    describe_invalid,
    page_language,
    same_origin,
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


def set_cookie(response: Response, settings, role: str, session_id: str, token: str) -> None:
    response.set_cookie(auth.cookie_name(role, session_id), token, max_age=COOKIE_MAX_AGE,
                        httponly=True, samesite="lax", secure=settings.cookie_secure)


def cookie_redirect(request: Request, settings, role: str, session_id: str,
                    token: str, target: str) -> RedirectResponse:
    """After a form post: the cookie, and the page to see next."""
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, settings, role, session_id, token)
    return response


def sign_in_step(request: Request, settings, role: str, session_id: str, token: str,
                 language: str, target: str | None = None) -> HTMLResponse:
    """The answer to a page link with a token (see the module's docstring)."""
    response = render_page(request, language, "pages/signing_in.html", status=401,
                           target=target or request.url.path)
    set_cookie(response, settings, role, session_id, token)
    return response


def enter(request: Request, settings, services, view: EventView, roles: tuple[str, ...],
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
        joined = joined_as_someone_else(request, session_id, identity)
        if joined is not None:
            return ask_to_switch(request, view, joined, identity, token)
        return sign_in_step(request, settings, identity.role, session_id, token,
                            page_language(request), target)
    return cookie_identity(request, session_id, *roles)


def joined_as_someone_else(request: Request, session_id: str,
                           linked: auth.Identity) -> auth.Identity | None:
    """The participant this phone joined as, when a link carries another participant's
    token (a shared link or QR code must not silently make the phone that person)."""
    if linked.role != auth.PARTICIPANT:
        return None
    joined = cookie_identity(request, session_id, auth.PARTICIPANT)
    if joined is None or joined.participant_id == linked.participant_id:
        return None
    return joined


def ask_to_switch(request: Request, view: EventView, joined: auth.Identity,
                  linked: auth.Identity, token: str) -> HTMLResponse:
    """Continue as the link's participant (a form that posts its token) or stay. A 4xx
    status and no-store, as for the sign-in step: the token URL stays out of history."""
    language = page_language(request, view.session.language)

    def name(identity: auth.Identity) -> str:
        person = view.person(identity.participant_id)
        return person.name if person is not None else ""

    return render_page(request, language, "pages/switch_participant.html", status=409,
                       session_id=view.session.id, token=token, joined_name=name(joined),
                       linked_name=name(linked))


@dataclass
class Visit:
    """An authorised page visit: the event, who is visiting, and the language to show."""

    view: EventView
    identity: auth.Identity
    language: str


def check_visit(request: Request, settings, services, session_id: str,
                roles: tuple[str, ...]) -> Visit | Response:
    """The event and the visitor, or the response to send instead (404, token redirect,
    or the page that asks for the right link)."""
    view = sessions.view_by_id(services, session_id)
    if view is None:
        return no_event_page(request)
    entered = enter(request, settings, services, view, roles)
    if entered is None:
        return denied_page(request, session_id, roles)
    if not isinstance(entered, auth.Identity):
        return entered
    return Visit(view, entered, page_language(request, view.session.language))


def denied_page(request: Request, session_id: str, roles: tuple[str, ...]) -> HTMLResponse:
    """The page without a valid link; the console's says where its link is found again
    (nobody else can hand it out)."""
    language = page_language(request)
    if roles == (auth.FACILITATOR,):
        return message_page(request, language, 401, N_("This page needs its link"),
                            N_("The console opens with its own link. On the computer the server "
                               "runs on, its start page lists the events with their console "
                               "links (elsewhere, with the organiser passcode); "
                               "`worldcafe links %(session_id)s` prints them; a co-facilitator "
                               "link from the other console works too."), session_id=session_id)
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


Work = Callable[[auth.Identity, object], object]


async def from_page(request: Request, session_id: str, roles: tuple[str, ...], work: Work,
                    denied: str) -> Response:
    """A form posted with the page's cookie (and a same-site Origin): `work` calls the
    action in a worker thread; the answer is a message fragment (#flash): a note (a msgid,
    or a msgid and its parameters), an error or nothing."""
    language = page_language(request)
    if not same_origin(request, request.app.state.settings):
        return flash(request, language, translate(language, denied), "error", 403)
    form = await request.form()

    def attempt() -> Response:
        identity = cookie_identity(request, session_id, *roles)
        if identity is None:
            return flash(request, language, translate(language, denied), "error", 403)
        try:
            note = work(identity, form)
        except ValidationError as error:
            return flash(request, language, describe_invalid(error, language), "error", 422)
        except Refusal as refusal:
            return flash(request, language, refusal.text(language), "error", refusal.status)
        if isinstance(note, tuple):  # a msgid and its parameters
            text = translate(language, note[0], **note[1])
        else:
            text = translate(language, note) if isinstance(note, str) else ""
        return flash(request, language, text, "note" if text else "", 200)

    return await run_in_threadpool(attempt)


def form_int(form, name: str) -> int:
    try:
        value = int(form.get(name, ""))
        if not 0 < value <= MAX_ID:
            raise ValueError(value)
        return value
    except ValueError:
        raise Refusal("invalid",
                      N_("There is no such participant or table in this event.")) from None


def form_group(form) -> int | str | None:
    """A form's `group_id`: empty for no group, else the number (or the text, refused)."""
    raw = form.get("group_id", "")
    return form_number(raw) if raw else None


def form_number(raw: str) -> int | str:
    """A form field's whole number, or the text as sent for the action to refuse (only
    ASCII digits: "²".isdigit() is true, int("²") fails)."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw


def yes_no(form, name: str) -> bool | str:
    value = form.get(name)
    return {"yes": True, "no": False}.get(value, value)


FACILITATOR_ONLY = N_("Only the facilitator may do this.")


SIGNED_OUT = N_("This page is no longer signed in. Open your link or QR code again.")


def absence_change(services):
    def work(identity, form) -> None:
        absence = AbsenceIn.model_validate({"absent": form.get("absent") == "yes"})
        seating.mark_absent(services, identity, form_int(form, "participant_id"),
                            absence.absent)

    return work


SEATING_ONLY = N_("Only the facilitator or the table host may do this.")


def card_from_page(request: Request, services, session_id: str, role: str,
                   spec: CardIn) -> JSONResponse:
    """The pages' offline queue (static/js/cards.js) posts here with the HttpOnly cookie;
    the answers are those of `POST /api/v1/sessions/{id}/cards`."""
    if not same_origin(request, request.app.state.settings):
        raise Refusal("forbidden", N_("This request comes from another site."))
    identity = cookie_identity(request, session_id, role)
    if identity is None:
        raise Refusal("invalid_token", SIGNED_OUT)
    token = request.cookies[auth.cookie_name(role, session_id)]
    return card_response(board.add_card(services, identity, token, spec,
                                        client_address(request)).value)
