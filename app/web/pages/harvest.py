"""The console's harvest: cards, KJ groups, merges, the board and the voting, the
suggestions, near-identical cards, who said what, and the exports and documents."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app import auth
from app.actions import board, exports, insight
from app.i18n import N_, NN_, translate
from app.refusal import Refusal
from app.schemas import (
    CardIn,
)
from app.web import urls
from app.web.deps import (
    DOCUMENT_FAILED,
    RowIdPath,
    ServicesDep,
    SettingsDep,
    cookie_identity,
    document_download,
    document_failure,
    document_job,
    download,
    page_language,
    same_origin,
)
from app.web.pages.visits import (
    FACILITATOR_ONLY,
    SIGNED_OUT,
    Visit,
    card_from_page,
    check_visit,
    flash,
    form_group,
    form_number,
    from_page,
    message_page,
    render_page,
    yes_no,
)

router = APIRouter()


@router.get("/f/{session_id}/export.{fmt}")
async def export_from_console(session_id: str, fmt: str, request: Request,
                              services: ServicesDep, settings: SettingsDep) -> Response:
    """The console's export links: the same downloads as the API, by the facilitator's
    cookie (a document awaited from its worker process)."""
    visit = await run_in_threadpool(check_visit, request, settings, services, session_id,
                                    (auth.FACILITATOR,))
    if not isinstance(visit, Visit):
        return visit
    base = urls.base_url(request)
    try:
        if fmt in exports.DOCUMENT_FORMATS:
            return await document_download(services, visit.identity, fmt, base)
        return download(await run_in_threadpool(exports.export, services, visit.identity, fmt))
    except Refusal as refusal:
        heading = {"unknown_format": N_("Unknown export format"),
                   DOCUMENT_FAILED: N_("The document could not be made")}.get(
                       refusal.code, N_("Not ready to print yet"))
        return message_page(request, visit.language, refusal.status, heading, refusal.message,
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
        return flash(request, language, translate(language, FACILITATOR_ONLY), "error", 403)
    identity = await run_in_threadpool(cookie_identity, request, session_id, auth.FACILITATOR)
    if identity is None:
        return flash(request, language, translate(language, SIGNED_OUT), "error", 403)
    try:
        found = await document_job(services, identity, name, urls.base_url(request),
                                   start=start)
    except Refusal as refusal:
        return flash(request, language, refusal.text(language), "error", refusal.status)
    return render_page(request, language, "fragments/_document.html", session_id=session_id,
                       document=found, failure=(document_failure(found.job).text(language)
                                                if found.job and found.job.status == "failed"
                                                else ""))


@router.post("/f/{session_id}/cards")
def card_from_console(session_id: str, spec: CardIn, request: Request,
                      services: ServicesDep) -> JSONResponse:
    return card_from_page(request, services, session_id, auth.FACILITATOR, spec)


@router.post("/f/{session_id}/groups")
async def group_from_console(session_id: str, request: Request,
                             services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        board.create_group(services, identity, form.get("name", ""))

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/groups/{group_id}")
async def rename_from_console(session_id: str, group_id: RowIdPath, request: Request,
                              services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        board.rename_group(services, identity, group_id, form.get("name", ""))

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/groups/{group_id}/delete")
async def delete_from_console(session_id: str, group_id: RowIdPath, request: Request,
                              services: ServicesDep) -> Response:
    def work(identity, _form) -> None:
        board.delete_group(services, identity, group_id)

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/cards/{card_id}/edit")
async def card_edit_from_console(session_id: str, card_id: str, request: Request,
                                 services: ServicesDep) -> Response:
    """One form per change: `group_id` (empty: not grouped), `hidden` (yes/no) or `text`."""
    def work(identity, form) -> None:
        changes: dict = {}
        if "group_id" in form:
            changes["group_id"] = form_group(form)
        if "hidden" in form:
            changes["hidden"] = yes_no(form, "hidden")
        if "text" in form:
            changes["text"] = form.get("text")
        board.change_card(services, identity, card_id, changes)

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


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
    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/cards/{card_id}/unmerge")
async def unmerge_from_console(session_id: str, card_id: str, request: Request,
                               services: ServicesDep) -> Response:
    """「Unmerge」 on a merged card: the cards merged into it are back with their dots."""
    def work(identity, _form) -> tuple:
        restored = board.unmerge(services, identity, card_id).value
        return (NN_("Unmerged: %(num)s card is back on the board.",
                    "Unmerged: %(num)s cards are back on the board."),
                {"num": len(restored.others)})

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/group_cards")
async def group_cards_from_console(session_id: str, request: Request,
                                   services: ServicesDep) -> Response:
    """Move the cards selected on the board into the chosen group ("" = no group)."""
    def work(identity, form) -> str:
        moved = board.group_cards(services, identity, form.getlist("cards"),
                                  form_group(form)).value
        return N_("Moved.") if moved else N_("Those cards are in that group already.")

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


@router.post("/f/{session_id}/board")
async def board_from_console(session_id: str, request: Request,
                             services: ServicesDep) -> Response:
    def work(identity, form) -> None:
        changes: dict = {}
        for name in ("view", "screen", "pages", "vote_on"):
            if name in form:
                changes[name] = form.get(name)
        if "budget" in form:
            changes["budget"] = form_number(form.get("budget", ""))
        for name in ("open", "revealed"):
            if name in form:
                changes[name] = yes_no(form, name)
        board.change_board(services, identity, changes)

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


def _console_fragment(request: Request, session_id: str, template: str,
                      work: Callable[[auth.Identity], dict]) -> HTMLResponse:
    """A piece of the console drawn on demand (in this worker thread): `work` calls the
    action and gives the template's context; a refusal is a message (#flash)."""
    language = page_language(request)
    identity = cookie_identity(request, session_id, auth.FACILITATOR)
    if identity is None:
        return flash(request, language, translate(language, FACILITATOR_ONLY), "error", 403)
    try:
        context = work(identity)
    except Refusal as refusal:
        return flash(request, language, refusal.text(language), "error", refusal.status)
    language = page_language(request, context["view"].session.language)
    return render_page(request, language, template, page_name="facilitator", **context)


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

    return await from_page(request, session_id, (auth.FACILITATOR,), work, FACILITATOR_ONLY)


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
