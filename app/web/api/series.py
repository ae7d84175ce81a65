"""/api/v1/sessions/{id}/follow_up and …/series: the next event of a series, and the
series' events."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.actions import series
from app.schemas import FollowUpIn
from app.templating import links
from app.web import answers, urls
from app.web.answers import AnswerRoute
from app.web.deps import IdentityDep, ServicesDep

router = APIRouter(route_class=AnswerRoute)


@router.post("/sessions/{event_id}/follow_up", status_code=201, response_model=answers.Created)
def follow_up(event_id: str, identity: IdentityDep, spec: FollowUpIn, request: Request,
              services: ServicesDep) -> dict:
    """The next event of the series (facilitator), answered like POST /sessions."""
    view = series.follow_up(services, identity, spec).value
    return links.created_body(urls.base_url(request), view)


@router.get("/sessions/{event_id}/series", response_model=answers.Series)
def get_series(event_id: str, identity: IdentityDep, services: ServicesDep) -> dict:
    series_id, events = series.listing(services, identity)
    return {"series_id": series_id, "sessions": [
        {"id": e.event.id, "title": e.event.title, "date": e.event.date, "status": e.status,
         "participants": e.participants} for e in events]}
