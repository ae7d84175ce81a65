"""The projector's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.live.delivery import Audience
from app.web import urls
from app.web.pages.visits import ProjectorVisit, live_context, render_page

router = APIRouter()


@router.get("/p/{event_id}", response_class=HTMLResponse)
def projector(visit: ProjectorVisit, request: Request) -> Response:
    return render_page(request, visit.language, "pages/projector.html", page_name="projector",
                       wake_lock=True,
                       audience=Audience("projector", visit.language, base=urls.base_url(request)),
                       **live_context(visit.view))
