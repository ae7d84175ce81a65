"""/api/v1/sessions/{id}/participants and the doors: joining, the reception desk, join
codes, join floods and removing people."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from app import auth
from app.actions import admission, registration, seating, sessions
from app.schemas import (
    ArrivalIn,
    JoinIn,
    RemovalIn,
)
from app.templating import links
from app.web import answers, urls
from app.web.answers import AnswerRoute
from app.web.deps import (
    IdentityDep,
    RowIdPath,
    ServicesDep,
    api_language,
    client_address,
    list_sent,
)

router = APIRouter(route_class=AnswerRoute)
IMPORT_JSON = {"type": "object", "required": ["csv"], "properties": {"csv": {"type": "string"}}}
"""The JSON form of a pre-registration list (schemas.ImportIn): the CSV's text."""


@router.post("/sessions/{event_id}/participants", status_code=201, response_model=answers.Joined)
async def join(event_id: str, spec: JoinIn, request: Request, services: ServicesDep) -> dict:
    joined = (await sessions.join_in_turn(services, event_id, spec,
                                          client_address(request))).value
    return {"id": joined.person_id, "token": joined.token, "home_table": joined.home_table,
            "url": links.participant_url(urls.base_url(request), joined.view, joined.token)}


@router.post("/sessions/{event_id}/reception", status_code=201, response_model=answers.Joined)
def register(event_id: str, identity: IdentityDep, spec: ArrivalIn, request: Request,
             services: ServicesDep) -> dict:
    """The facilitator adds someone without a phone (joining by phone may be closed)."""
    added = sessions.register(services, identity, spec).value
    return {"id": added.person_id, "token": added.token, "home_table": added.home_table,
            "url": links.participant_url(urls.base_url(request), added.view, added.token)}


@router.post("/sessions/{event_id}/join_code", response_model=answers.JoinCode)
def new_join_code(event_id: str, identity: IdentityDep, request: Request,
                  services: ServicesDep) -> dict:
    """A new join code; the old one is refused from now on, joined phones keep working."""
    joining = admission.new_join_code(services, identity).value
    view = sessions.view(services, identity, auth.FACILITATOR, with_board=False)
    return {"join_code": joining.join_code, "joining_open": joining.open,
            "url": links.join_url(urls.base_url(request), view)}


@router.delete("/sessions/{event_id}/participants/{participant_id}",
               response_model=answers.Removed)
def remove_participant(event_id: str, identity: IdentityDep, participant_id: RowIdPath,
                       services: ServicesDep, hide_cards: bool = False) -> dict:
    """Their token stops working and their sockets close; `?hide_cards=true` hides their
    cards in the same change."""
    removed = admission.remove_participants(services, identity,
                                            [participant_id], hide_cards).value
    return {"removed": participant_id, "hidden_cards": removed.hidden_cards}


@router.post("/sessions/{event_id}/participants/removal", response_model=answers.RemovedMany)
def remove_participants(event_id: str, identity: IdentityDep, spec: RemovalIn,
                        services: ServicesDep) -> dict:
    """Several at once, all or none (those who joined in a flood): as one removal each."""
    removed = admission.remove_participants(services, identity,
                                            spec.participant_ids, spec.hide_cards).value
    return {"removed": list(removed.participant_ids), "hidden_cards": removed.hidden_cards}


@router.delete("/sessions/{event_id}/join_flood", response_model=answers.FloodReviewed)
def review_join_flood(event_id: str, identity: IdentityDep, request: Request,
                      services: ServicesDep) -> dict:
    """The facilitator has reviewed the flood the server answered: the notice goes (remove
    people first with .../participants/removal)."""
    admission.review_flood(services, identity)
    return {"join_flood": None}


@router.post("/sessions/{event_id}/participants/import",
             response_model=answers.Imported,
             openapi_extra={"requestBody": {"content": {
                 "multipart/form-data": {"schema": {
                     "type": "object", "required": ["file"],
                     "properties": {"file": {"type": "string", "format": "binary"}}}},
                 "application/json": {"schema": IMPORT_JSON}}}})
async def import_participants(event_id: str, identity: IdentityDep, request: Request,
                              services: ServicesDep, dry_run: bool = False) -> dict:
    """The office's list of applications (CSV in UTF-8 or Shift_JIS, or XLSX): with
    `?dry_run=true` the problems by row and column, nothing stored; else everyone stored
    (not arrived) with their own phone link, or no one."""
    data = await list_sent(request)
    if dry_run:
        checked = await run_in_threadpool(registration.check, services, identity, data)
        language = api_language(request)
        return {"rows": len(checked.people),
                "errors": [{"row": p.row, "column": p.column,
                            "message": p.refusal.text(language)} for p in checked.problems]}
    imported = (await run_in_threadpool(registration.import_people, services, identity,
                                        data)).value
    base = urls.base_url(request)
    return {"imported": len(imported.people),
            "participants": [{"id": person.id, "name": person.name,
                              "furigana": person.furigana,
                              "url": links.participant_url(base, imported.view, token)}
                             for person, token in imported.people]}


@router.post("/sessions/{event_id}/participants/{participant_id}/arrival",
             response_model=answers.Arrived)
def arrive(event_id: str, identity: IdentityDep, participant_id: RowIdPath,
           services: ServicesDep) -> dict:
    """The reception ticks in someone pre-registered; they are seated from now on."""
    person = seating.arrive(services, identity, participant_id).value.person(participant_id)
    return {"id": person.id, "arrived": person.arrived, "home_table": person.home_table_id}
