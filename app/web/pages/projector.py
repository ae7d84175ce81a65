"""The projector's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import auth
from app.live.delivery import Audience
from app.web import urls
from app.web.deps import (
    ServicesDep,
    SettingsDep,
)
from app.web.pages.visits import Visit, check_visit, live_context, render_page

router = APIRouter()


@router.get("/p/{session_id}", response_class=HTMLResponse)
def projector(session_id: str, request: Request, services: ServicesDep,
              settings: SettingsDep) -> Response:
    visit = check_visit(request, settings, services, session_id, (auth.PROJECTOR, auth.FACILITATOR))
    if not isinstance(visit, Visit):
        return visit
    return render_page(request, visit.language, "pages/projector.html", page_name="projector",
                       wake_lock=True,
                       audience=Audience("projector", visit.language, base=urls.base_url(request)),
                       **live_context(visit.view))
