"""/api/v1/sessions/{id}/tables/{tid}/photos: photos of a table's paper sheet (模造紙) —
uploaded by the table's host or the facilitator, answered as the stored JPEG (EXIF
stripped, at most 2400 px) to the same tokens, put on the projector, deleted."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.actions import photos
from app.live import wire
from app.schemas import PhotoPatch
from app.web import answers
from app.web.answers import AnswerRoute
from app.web.deps import IdentityDep, RowIdPath, ServicesDep, jpeg_answer, photo_sent

router = APIRouter(route_class=AnswerRoute)
PHOTOS = "/sessions/{event_id}/tables/{table_id}/photos"
UPLOAD = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["photo"],
    "properties": {"photo": {"type": "string", "format": "binary"}}}}}}}


@router.post(PHOTOS, status_code=201, response_model=answers.PhotoCreated,
             openapi_extra=UPLOAD)
async def upload(event_id: str, table_id: RowIdPath, identity: IdentityDep, request: Request,
                 services: ServicesDep) -> dict:
    """A photo of the table's sheet (its host, or the facilitator): the multipart field
    `photo`, up to `WORLDCAFE_MAX_PHOTO_BYTES`; stored without EXIF, at most 2400 px."""
    data = await photo_sent(request)
    photo = (await run_in_threadpool(photos.upload, services, identity, table_id, data)).value
    return {"id": photo.id, "url": wire.photo_url(identity.event_id, photo)}


@router.get(PHOTOS, response_model=answers.Photos)
def table_photos(event_id: str, table_id: RowIdPath, identity: IdentityDep,
                 services: ServicesDep) -> dict:
    """The table's photos, oldest first (its host, or the facilitator)."""
    view = photos.of_table(services, identity, table_id)
    return {"photos": [wire.photo_json(view, photo) for photo in view.table_photos(table_id)]}


@router.get(PHOTOS + "/{photo_id}", response_class=Response,
            responses={200: {"description": "The photo",
                             "content": {"image/jpeg": {"schema": {"type": "string",
                                                                   "format": "binary"}}}}})
def photo(event_id: str, table_id: RowIdPath, photo_id: RowIdPath, identity: IdentityDep,
          services: ServicesDep, thumbnail: bool = False) -> Response:
    """The stored JPEG (`?thumbnail=true`: 480 px), to the table's host, the facilitator,
    or the projector while it shows it."""
    return jpeg_answer(photos.image(services, identity, photo_id, thumbnail=thumbnail,
                                    table_id=table_id))


@router.patch(PHOTOS + "/{photo_id}", response_model=answers.Photo)
def project(event_id: str, table_id: RowIdPath, photo_id: RowIdPath, patch: PhotoPatch,
            identity: IdentityDep, services: ServicesDep) -> dict:
    """`{"on_projector": true}` shows it large on the projector (the one shown before
    goes), false takes it off (facilitator)."""
    photos.project(services, identity, photo_id, patch.on_projector, table_id=table_id)
    view = photos.of_table(services, identity, table_id)
    return wire.photo_json(view, view.photo(photo_id))


@router.delete(PHOTOS + "/{photo_id}", response_model=answers.PhotoDeleted)
def delete(event_id: str, table_id: RowIdPath, photo_id: RowIdPath, identity: IdentityDep,
           services: ServicesDep) -> dict:
    """The facilitator, or the table's host for a photo a host took."""
    photos.delete(services, identity, photo_id, table_id=table_id)
    return {"deleted": photo_id}
