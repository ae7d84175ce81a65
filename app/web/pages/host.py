"""The table host's tablet: the page, the host's affiliation, absences, cards (new ones,
and their own edited or withdrawn), the photos of the paper sheet and the table's draft
actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app import auth
from app.actions import action_plan, photos, seating, sessions
from app.i18n import N_, translate
from app.schemas import CardIn, TablePatch
from app.stakeholders import AFFILIATION_LABELS
from app.web.deps import RowIdPath, ServicesDep, jpeg_answer, page_language, photo_sent
from app.web.pages.forms import (
    AbsenceForm,
    ActionDraftForm,
    AffiliationForm,
    OwnCardForm,
    posted,
)
from app.web.pages.visits import (
    HostVisit,
    TableHost,
    TableHostSeating,
    card_from_page,
    live_context,
    note,
    own_card_from_page,
    render_page,
)

router = APIRouter()


@router.post("/h/{event_id}/affiliation")
def host_affiliation(identity: TableHost,
                     chosen: Annotated[AffiliationForm, posted(AffiliationForm)],
                     request: Request, services: ServicesDep) -> Response:
    """The host's own affiliation, from the form on their tablet."""
    spec = TablePatch(host_affiliation=chosen.affiliation)
    table = sessions.choose_host_affiliation(services, identity, identity.table_id, spec).value
    return note(request, N_("Your cards count as: %(affiliation)s"),
                affiliation=translate(page_language(request),
                                      AFFILIATION_LABELS[table.host_affiliation]))


@router.post("/h/{event_id}/absence")
def absence_from_host(identity: TableHostSeating,
                      absence: Annotated[AbsenceForm, posted(AbsenceForm)],
                      request: Request, services: ServicesDep) -> Response:
    seating.mark_absent(services, identity, absence.participant_id, absence.absent)
    return note(request)


@router.post("/h/{event_id}/actions")
def action_from_host(identity: TableHost,
                     drafted: Annotated[ActionDraftForm, posted(ActionDraftForm)],
                     request: Request, services: ServicesDep) -> Response:
    """An action drafted at the host's table (the form empties once it is added)."""
    action_plan.draft(services, identity, drafted)
    return note(request, N_("The action is added: the room sees it."))


@router.get("/h/{event_id}", response_class=HTMLResponse)
def host(visit: HostVisit, request: Request) -> Response:
    return render_page(request, visit.language, "pages/host.html", page_name="host",
                       wake_lock=True, table=visit.view.table(visit.identity.table_id),
                       audience=visit.identity, card_post_url=f"/h/{visit.view.event.id}/cards",
                       **live_context(visit.view))


@router.post("/h/{event_id}/cards")
def card_from_host(event_id: str, spec: CardIn, request: Request,
                   services: ServicesDep) -> JSONResponse:
    return card_from_page(request, services, event_id, auth.HOST, spec)


@router.post("/h/{event_id}/cards/{card_id}")
def own_card_from_host(identity: TableHost, card_id: str, request: Request,
                       change: Annotated[OwnCardForm, posted(OwnCardForm)],
                       services: ServicesDep) -> Response:
    return own_card_from_page(request, services, identity, card_id, change)


@router.post("/h/{event_id}/photos")
def photo_from_host(identity: TableHost, data: Annotated[bytes, Depends(photo_sent)],
                    request: Request, services: ServicesDep) -> Response:
    """The tablet's photo of the table's paper sheet (the field `photo`)."""
    photos.upload(services, identity, identity.table_id, data)
    return note(request, N_("The photo is stored, without its location."))


@router.get("/h/{event_id}/photos/{photo_id}")
def photo_on_host(identity: TableHost, photo_id: RowIdPath, services: ServicesDep,
                  thumbnail: bool = False) -> Response:
    return jpeg_answer(photos.image(services, identity, photo_id, thumbnail=thumbnail))


@router.post("/h/{event_id}/photos/{photo_id}/delete")
def delete_photo_from_host(identity: TableHost, photo_id: RowIdPath, request: Request,
                           services: ServicesDep) -> Response:
    photos.delete(services, identity, photo_id)
    return note(request, N_("The photo is deleted."))
