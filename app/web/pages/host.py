"""The table host's tablet: the page, the host's affiliation, absences and cards."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app import auth
from app.actions import sessions
from app.i18n import N_, translate
from app.schemas import (
    CardIn,
    TablePatch,
)
from app.stakeholders import AFFILIATION_LABELS
from app.web.deps import (
    ServicesDep,
    SettingsDep,
    page_language,
)
from app.web.pages.visits import (
    SEATING_ONLY,
    SIGNED_OUT,
    Visit,
    absence_change,
    card_from_page,
    check_visit,
    from_page,
    live_context,
    render_page,
)

router = APIRouter()


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

    return await from_page(request, session_id, (auth.HOST,), work, SIGNED_OUT)


@router.post("/h/{session_id}/absence")
async def absence_from_host(session_id: str, request: Request,
                            services: ServicesDep) -> Response:
    return await from_page(request, session_id, (auth.HOST,), absence_change(services),
                           SEATING_ONLY)


@router.get("/h/{session_id}", response_class=HTMLResponse)
def host(session_id: str, request: Request, services: ServicesDep,
         settings: SettingsDep) -> Response:
    visit = check_visit(request, settings, services, session_id, (auth.HOST,))
    if not isinstance(visit, Visit):
        return visit
    return render_page(request, visit.language, "pages/host.html", page_name="host", wake_lock=True,
                       table=visit.view.table(visit.identity.table_id), audience=visit.identity,
                       card_post_url=f"/h/{session_id}/cards",
                       **live_context(visit.view))


@router.post("/h/{session_id}/cards")
def card_from_host(session_id: str, spec: CardIn, request: Request,
                   services: ServicesDep) -> JSONResponse:
    return card_from_page(request, services, session_id, auth.HOST, spec)
