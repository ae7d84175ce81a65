"""The facilitator's console: the page, the programme's clock, the seating and the moves,
who may join and who has, the reception desk, and the page links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from app import auth
from app.actions import admission, exports, registration, seating, sessions
from app.i18n import N_, NN_, translate
from app.live.delivery import Audience
from app.live.view import EventView
from app.refusal import Refusal
from app.schemas import (
    ArrivalIn,
    ControlIn,
    MoveIn,
)
from app.templating import links
from app.web import urls
from app.web.deps import (
    RowIdPath,
    ServicesDep,
    SettingsDep,
    cookie_identity,
    list_sent,
    page_language,
    same_origin,
)
from app.web.pages.visits import (
    FACILITATOR_ONLY,
    SEATING_ONLY,
    Visit,
    absence_change,
    check_visit,
    flash,
    form_int,
    from_page,
    live_context,
    render_page,
    yes_no,
)

router = APIRouter()


def _host_urls(base: str, view: EventView) -> dict[int, str]:
    return {t.id: links.host_url(base, view, t) for t in view.tables}


@router.get("/f/{session_id}", response_class=HTMLResponse)
def console(session_id: str, request: Request, services: ServicesDep,
            settings: SettingsDep) -> Response:
    visit = check_visit(request, settings, services, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    base = urls.base_url(request)
    return render_page(request, visit.language, "pages/console.html", page_name="facilitator",
                       audience=Audience("facilitator", visit.language, base=base),
                       documents=exports.console_documents(services, visit.identity, base),
                       **live_context(visit.view))


@router.post("/f/{session_id}/control")
async def control_from_console(session_id: str, request: Request,
                               services: ServicesDep) -> Response:
    def work(identity, form) -> str | None:
        command = ControlIn.model_validate({k: v or None for k, v in form.items()})
        return sessions.control(services, identity, command).value.note

    return await from_page(request, session_id, (auth.FACILITATOR,), work,
                           N_("Only the facilitator may control the rounds."))


@router.post("/f/{session_id}/seats")
async def move_from_console(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        move = MoveIn.model_validate({"participant_id": form_int(form, "participant_id"),
                                      "table_id": form_int(form, "table_id"),
                                      "phase_index": form.get("phase_index") or None})
        seating.move(services, identity, move)

    return await from_page(request, session_id, (auth.FACILITATOR,), work, SEATING_ONLY)


@router.post("/f/{session_id}/seating/plan")
async def plan_from_console(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    def work(identity, _form) -> str:
        if seating.plan_now(services, identity).value.changed:
            return N_("The moves are planned: the route slips can be printed.")
        return N_("The moves were planned already; nothing changed.")

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/absence")
async def absence_from_console(session_id: str, request: Request,
                               services: ServicesDep) -> Response:
    return await from_page(request, session_id, (auth.FACILITATOR,), absence_change(services),
                           SEATING_ONLY)


@router.post("/f/{session_id}/joining")
async def joining_from_console(session_id: str, request: Request,
                               services: ServicesDep) -> Response:
    def work(identity, form) -> str:
        open_ = yes_no(form, "open")
        if not isinstance(open_, bool):
            raise Refusal("invalid", N_("'open' must be yes or no."))
        admission.set_joining(services, identity, open_)
        return N_("Joining is open again.") if open_ else N_("Joining is closed.")

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/join_code")
async def join_code_from_console(session_id: str, request: Request,
                                 services: ServicesDep) -> Response:
    def work(identity, _form) -> str:
        admission.new_join_code(services, identity)
        return N_("A new join code is on the projector; the old one no longer works.")

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/participants/{participant_id}/remove")
async def remove_from_console(session_id: str, participant_id: RowIdPath, request: Request,
                              services: ServicesDep) -> Response:
    def work(identity, form) -> str:
        removed = admission.remove_participants(services, identity, [participant_id],
                                                form.get("hide_cards") == "yes").value
        if removed.hidden_cards:
            return N_("Removed; their cards are hidden.")
        return N_("Removed.")

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/join_flood")
async def flood_review_from_console(session_id: str, request: Request,
                                    services: ServicesDep) -> Response:
    """The console's review of a flood of joins: remove the ticked people (and hide their
    cards), or keep everyone; either way the notice goes."""
    def work(identity, form) -> tuple[tuple[str, str], dict] | str:
        ticked = [form_int({"id": value}, "id") for value in form.getlist("remove")] \
            if form.get("action") == "remove" else []
        admission.review_flood(services, identity, ticked)
        if not ticked:
            return N_("Everyone who joined stays.")
        return NN_("Removed %(num)s person; their cards are hidden.",
                   "Removed %(num)s people; their cards are hidden."), {"num": len(ticked)}

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


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

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/participants/import")
async def import_from_console(session_id: str, request: Request,
                              services: ServicesDep) -> Response:
    """The upload of a pre-registration list: `dry_run=true` draws the preview (rows and
    problems; the import button when there are none), else everyone is stored and the
    preview says how many."""
    language = page_language(request)
    if not same_origin(request, request.app.state.settings):
        return flash(request, language, translate(language, FACILITATOR_ONLY), "error", 403)
    dry_run = (await request.form()).get("dry_run") != "false"
    try:
        data = await list_sent(request)
    except Refusal as refusal:
        return flash(request, language, refusal.text(language), "error", refusal.status)

    def attempt() -> Response:
        identity = cookie_identity(request, session_id, auth.FACILITATOR)
        if identity is None:
            return flash(request, language, translate(language, FACILITATOR_ONLY), "error", 403)
        try:
            if dry_run:
                return render_page(request, language, "fragments/_import_preview.html",
                                   checked=registration.check(services, identity, data),
                                   imported=None)
            count = len(registration.import_people(services, identity, data).value.people)
        except Refusal as refusal:
            return flash(request, language, refusal.text(language), "error", refusal.status)
        return render_page(request, language, "fragments/_import_preview.html",
                           imported=count, checked=None, flash_kind="note",
                           flash_text=translate(language, NN_(
                               "Imported %(num)s person.", "Imported %(num)s people."),
                               num=count))

    return await run_in_threadpool(attempt)


@router.post("/f/{session_id}/participants/{participant_id}/arrival")
async def arrival_from_console(session_id: str, participant_id: RowIdPath, request: Request,
                               services: ServicesDep) -> Response:
    def work(identity, _form) -> tuple[str, dict]:
        view = seating.arrive(services, identity, participant_id).value
        person = view.person(participant_id)
        table = view.table(person.home_table_id) if person else None
        return (N_("%(name)s has arrived: home table %(number)s."),
                {"name": person.name if person else "", "number": table.number if table else "–"})

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/tokens")
async def new_link_from_console(session_id: str, request: Request,
                                services: ServicesDep) -> Response:
    def work(identity, form) -> str:
        role = form.get("role", "")
        table_id = form_int(form, "table_id") if role == auth.HOST else None
        revoke = form.get("revoke") == "yes"
        admission.new_link(services, identity, role, table_id, revoke)
        if revoke:
            return N_("The co-facilitator's link no longer works.")
        return N_("The new link is in the list; the old device is signed out.")

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.get("/f/{session_id}/hosts", response_class=HTMLResponse)
def host_sheet(session_id: str, request: Request, services: ServicesDep,
               settings: SettingsDep) -> Response:
    visit = check_visit(request, settings, services, session_id, (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    return render_page(request, visit.language, "pages/hosts_print.html", view=visit.view,
                       host_urls=_host_urls(urls.base_url(request), visit.view))
