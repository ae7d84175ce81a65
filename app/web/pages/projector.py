"""The projector's page, and the photo it shows when the facilitator puts one on it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app import auth
from app.actions import photos
from app.live.delivery import Audience
from app.web import urls
from app.web.deps import RowIdPath, ServicesDep, jpeg_answer
from app.web.pages.visits import SIGNED_OUT, ProjectorVisit, cookie_of, live_context, render_page

router = APIRouter()
Screen = Annotated[auth.Identity, cookie_of(auth.PROJECTOR, auth.FACILITATOR, denied=SIGNED_OUT)]
"""The projector's own cookie, or the facilitator's (who may open the projector too)."""


@router.get("/p/{event_id}", response_class=HTMLResponse)
def projector(visit: ProjectorVisit, request: Request) -> Response:
    return render_page(request, visit.language, "pages/projector.html", page_name="projector",
                       wake_lock=True,
                       audience=Audience("projector", visit.language, base=urls.base_url(request)),
                       **live_context(visit.view))


@router.get("/p/{event_id}/photos/{photo_id}")
def photo_on_projector(identity: Screen, photo_id: RowIdPath, services: ServicesDep) -> Response:
    """The photo the facilitator put on the projector (no other)."""
    return jpeg_answer(photos.image(services, identity, photo_id))
