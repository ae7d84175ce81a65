"""The console's harvest: cards, KJ groups, merges, the board and the voting, the
suggestions, near-identical cards, who said what, the photos of the paper sheets, and
the exports and documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app import auth
from app.actions import board, exports, insight, photos
from app.i18n import N_, NN_
from app.refusal import Refusal
from app.schemas import CardIn
from app.web import urls
from app.web.deps import (
    RowIdPath,
    ServicesDep,
    document_download,
    document_failure,
    document_job,
    download,
    jpeg_answer,
    page_language,
)
from app.web.pages.forms import (
    BoardForm,
    CardEditForm,
    GroupCardsForm,
    MergeForm,
    NameForm,
    ProjectorPhotoForm,
    SuggestionForm,
    posted,
)
from app.web.pages.visits import (
    ConsoleVisit,
    Facilitator,
    SignedInFacilitator,
    card_from_page,
    note,
    render_page,
)

router = APIRouter()


@router.get("/f/{event_id}/export.{fmt}")
async def export_from_console(visit: ConsoleVisit, fmt: str, request: Request,
                              services: ServicesDep) -> Response:
    """The console's export links: the same downloads as the API, by the facilitator's
    cookie (a document awaited from its worker process); a refusal is a message page."""
    if fmt in exports.DOCUMENT_FORMATS:
        return await document_download(services, visit.identity, fmt, urls.base_url(request))
    return download(await run_in_threadpool(exports.export, services, visit.identity, fmt))


@router.post("/f/{event_id}/documents/{name}", response_class=HTMLResponse)
async def start_document_from_console(identity: SignedInFacilitator, name: str,
                                      request: Request, services: ServicesDep) -> Response:
    """The console's button: start making the document; its piece of the list, which
    then asks for its progress every second."""
    return await _console_document(identity, name, request, services, start=True)


@router.get("/f/{event_id}/documents/{name}", response_class=HTMLResponse)
async def document_from_console(identity: SignedInFacilitator, name: str, request: Request,
                                services: ServicesDep) -> Response:
    """A document's piece of the console's list: its progress, its download or why not."""
    return await _console_document(identity, name, request, services, start=False)


async def _console_document(identity: auth.Identity, name: str, request: Request,
                            services: ServicesDep, *, start: bool) -> Response:
    language = page_language(request)
    found = await document_job(services, identity, name, urls.base_url(request), start=start)
    return render_page(request, language, "fragments/_document.html",
                       event_id=identity.event_id, document=found,
                       failure=(document_failure(found.job).text(language)
                                if found.job and found.job.status == "failed" else ""))


@router.post("/f/{event_id}/cards")
def card_from_console(event_id: str, spec: CardIn, request: Request,
                      services: ServicesDep) -> JSONResponse:
    return card_from_page(request, services, event_id, auth.FACILITATOR, spec)


@router.post("/f/{event_id}/groups")
def group_from_console(identity: Facilitator, group: Annotated[NameForm, posted(NameForm)],
                       request: Request, services: ServicesDep) -> Response:
    board.create_group(services, identity, group.name)
    return note(request)


@router.post("/f/{event_id}/groups/{group_id}")
def rename_from_console(identity: Facilitator, group_id: RowIdPath,
                        group: Annotated[NameForm, posted(NameForm)], request: Request,
                        services: ServicesDep) -> Response:
    board.rename_group(services, identity, group_id, group.name)
    return note(request)


@router.post("/f/{event_id}/groups/{group_id}/delete")
def delete_from_console(identity: Facilitator, group_id: RowIdPath, request: Request,
                        services: ServicesDep) -> Response:
    board.delete_group(services, identity, group_id)
    return note(request)


@router.post("/f/{event_id}/cards/{card_id}/edit")
def card_edit_from_console(identity: Facilitator, card_id: str,
                           edit: Annotated[CardEditForm, posted(CardEditForm)],
                           request: Request, services: ServicesDep) -> Response:
    """One form per change: `group_id` (empty: not grouped), `hidden` (yes/no) or `text`."""
    board.change_card(services, identity, card_id, edit.sent())
    return note(request)


@router.post("/f/{event_id}/merge")
def merge_from_console(identity: Facilitator, merge: Annotated[MergeForm, posted(MergeForm)],
                       request: Request, services: ServicesDep) -> Response:
    """Merge the cards ticked on the board (or offered as near-identical) into the first of
    them, which is kept. Merging asks first: without `confirmed=yes` the answer is the
    confirmation naming the cards (fragments/_merge_confirm.html) and nothing changes."""
    chosen = merge.chosen
    if len(chosen) < 2:
        raise Refusal("invalid", N_("Tick at least two cards to merge."))
    if not merge.confirmed:
        preview = board.merge_preview(services, identity, chosen[0], chosen[1:])
        return _console_fragment(request, "fragments/_merge_confirm.html", view=preview.view,
                                 keep=preview.keep, others=preview.others)
    merged = board.merge(services, identity, chosen[0], chosen[1:]).value
    return note(request, NN_("Merged: %(num)s card.", "Merged: %(num)s cards."),
                num=merged.weights[merged.kept.id])


@router.post("/f/{event_id}/cards/{card_id}/unmerge")
def unmerge_from_console(identity: Facilitator, card_id: str, request: Request,
                         services: ServicesDep) -> Response:
    """「Unmerge」 on a merged card: the cards merged into it are back with their dots."""
    restored = board.unmerge(services, identity, card_id).value
    return note(request, NN_("Unmerged: %(num)s card is back on the board.",
                             "Unmerged: %(num)s cards are back on the board."),
                num=len(restored.others))


@router.post("/f/{event_id}/group_cards")
def group_cards_from_console(identity: Facilitator,
                             grouping: Annotated[GroupCardsForm, posted(GroupCardsForm)],
                             request: Request, services: ServicesDep) -> Response:
    """Move the cards selected on the board into the chosen group ("" = no group)."""
    moved = board.group_cards(services, identity, grouping.cards, grouping.group_id).value
    return note(request, N_("Moved.") if moved else N_("Those cards are in that group already."))


@router.post("/f/{event_id}/board")
def board_from_console(identity: Facilitator, settings: Annotated[BoardForm, posted(BoardForm)],
                       request: Request, services: ServicesDep) -> Response:
    board.change_board(services, identity, settings.sent())
    return note(request)


def _console_fragment(request: Request, template: str, **context: object) -> HTMLResponse:
    """A piece of the console drawn on demand, in the event's language."""
    language = page_language(request, context["view"].event.language)
    return render_page(request, language, template, page_name="facilitator", **context)


@router.get("/f/{event_id}/suggestions", response_class=HTMLResponse)
def suggestions_panel(identity: Facilitator, request: Request,
                      services: ServicesDep) -> Response:
    """The console's suggested groups ("Suggest groups"); never on the projector."""
    suggested = insight.suggest(services, identity)
    return _console_fragment(request, "fragments/_suggestions.html", view=suggested.view,
                             suggested=suggested)


@router.post("/f/{event_id}/suggestions/{suggestion_id}/accept")
def accept_from_console(identity: Facilitator, suggestion_id: str,
                        accepting: Annotated[SuggestionForm, posted(SuggestionForm)],
                        request: Request, services: ServicesDep) -> Response:
    """The suggestion's form: its name as edited and the cards left ticked."""
    accepted = insight.accept(services, identity, suggestion_id, accepting.name,
                              accepting.cards).value
    message = (NN_("“%(name)s” made with %(num)s card; the others were grouped meanwhile "
                   "and stay where they are.",
                   "“%(name)s” made with %(num)s cards; the others were grouped meanwhile "
                   "and stay where they are.") if accepted.skipped
               else NN_("“%(name)s” made with %(num)s card.",
                        "“%(name)s” made with %(num)s cards."))
    return note(request, message, name=accepted.group.name, num=len(accepted.moved))


@router.get("/f/{event_id}/duplicates", response_class=HTMLResponse)
def duplicates_panel(identity: Facilitator, request: Request,
                     services: ServicesDep) -> Response:
    """The console's near-identical cards ("Find duplicates"), each offered as a merge."""
    found = board.duplicates(services, identity)
    return _console_fragment(request, "fragments/_duplicates.html", view=found.view,
                             duplicates=found.duplicates)


@router.get("/f/{event_id}/stakeholders", response_class=HTMLResponse)
def stakeholders_panel(identity: Facilitator, request: Request,
                       services: ServicesDep) -> Response:
    """Who said what, on demand: cards and keywords by affiliation, never names."""
    compared = insight.compare(services, identity)
    return _console_fragment(request, "fragments/_stakeholders.html", view=compared.view,
                             comparison=compared.comparison)


@router.get("/f/{event_id}/photos/{photo_id}")
def photo_on_console(identity: SignedInFacilitator, photo_id: RowIdPath,
                     services: ServicesDep, thumbnail: bool = False) -> Response:
    """A table's photo, or its thumbnail, for the console's list."""
    return jpeg_answer(photos.image(services, identity, photo_id, thumbnail=thumbnail))


@router.post("/f/{event_id}/photos/{photo_id}/projector")
def project_from_console(identity: Facilitator, photo_id: RowIdPath,
                         chosen: Annotated[ProjectorPhotoForm, posted(ProjectorPhotoForm)],
                         request: Request, services: ServicesDep) -> Response:
    photos.project(services, identity, photo_id, chosen.on)
    return note(request, N_("The projector shows the photo.") if chosen.on
                else N_("The projector no longer shows the photo."))


@router.post("/f/{event_id}/photos/{photo_id}/delete")
def delete_photo_from_console(identity: Facilitator, photo_id: RowIdPath, request: Request,
                              services: ServicesDep) -> Response:
    photos.delete(services, identity, photo_id)
    return note(request, N_("The photo is deleted."))
