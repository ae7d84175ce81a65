"""Photos of the tables' paper sheets (模造紙) in the database: stored as the action
prepared them (a JPEG without EXIF and its thumbnail), listed without their bytes, read one
at a time, the one the projector shows, deleted."""

from __future__ import annotations

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from app.i18n import N_
from app.refusal import Refusal
from app.store.db import reading, writing
from app.store.models import CafeTable, RunState, TablePhoto
from app.store.records import PhotoRecord, record_fields
from app.store.rows import bump, locked_event


def no_photo() -> Refusal:
    return Refusal("no_photo", N_("There is no such photo in this event."))


def photos_of(db: Session, session_id: str) -> list[PhotoRecord]:
    """The event's photos, oldest first, without their bytes (in the caller's
    transaction)."""
    columns = [getattr(TablePhoto, name) for name in record_fields(PhotoRecord)]
    rows = db.execute(select(*columns).where(TablePhoto.session_id == session_id)
                      .order_by(TablePhoto.id))
    return [PhotoRecord(*row) for row in rows]


def _record(row: TablePhoto) -> PhotoRecord:
    return PhotoRecord(*(getattr(row, name) for name in record_fields(PhotoRecord)))


def _photo(db: Session, session_id: str, photo_id: int) -> TablePhoto:
    row = db.get(TablePhoto, photo_id)
    if row is None or row.session_id != session_id:
        raise no_photo()
    return row


def add(engine: Engine, session_id: str, table_id: int, jpeg: bytes, thumbnail: bytes,
        size: tuple[int, int], by_host: bool, now_ms: int) -> tuple[PhotoRecord, int]:
    """A table's photo, filed under the phase the programme is in now."""
    with writing(engine) as db:
        locked_event(db, session_id)
        table = db.get(CafeTable, table_id)
        if table is None or table.session_id != session_id:
            raise Refusal("not_found", N_("There is no such table in this event."))
        run = db.get(RunState, session_id)
        row = TablePhoto(session_id=session_id, table_id=table_id, phase_index=run.phase_index,
                         created_at_ms=now_ms, width=size[0], height=size[1], by_host=by_host,
                         jpeg=jpeg, thumbnail=thumbnail)
        db.add(row)
        db.flush()
        return _record(row), bump(db, session_id)


def image(engine: Engine, session_id: str, photo_id: int, thumbnail: bool
          ) -> tuple[PhotoRecord, bytes]:
    """One photo and its JPEG (or its thumbnail's)."""
    with reading(engine) as db:
        row = _photo(db, session_id, photo_id)
        return _record(row), row.thumbnail if thumbnail else row.jpeg


def find(engine: Engine, session_id: str, photo_id: int) -> PhotoRecord:
    with reading(engine) as db:
        return _record(_photo(db, session_id, photo_id))


def delete(engine: Engine, session_id: str, photo_id: int) -> tuple[PhotoRecord, int]:
    with writing(engine) as db:
        locked_event(db, session_id)
        row = _photo(db, session_id, photo_id)
        record = _record(row)
        db.delete(row)
        return record, bump(db, session_id)


def show(engine: Engine, session_id: str, photo_id: int, on: bool) -> tuple[int | None, int]:
    """Puts the photo on the projector (the one shown before goes) or takes it off; the
    photo the projector shows afterwards (None: none)."""
    with writing(engine) as db:
        locked_event(db, session_id)
        _photo(db, session_id, photo_id)
        chosen = TablePhoto.session_id == session_id
        if on:
            db.execute(update(TablePhoto).where(chosen)
                       .values(on_projector=TablePhoto.id == photo_id))
        else:
            db.execute(update(TablePhoto).where(TablePhoto.id == photo_id)
                       .values(on_projector=False))
        shown = db.execute(select(TablePhoto.id).where(chosen, TablePhoto.on_projector)).scalar()
        return shown, bump(db, session_id)


def images(engine: Engine, session_id: str) -> dict[int, bytes]:
    """Every photo's JPEG of the event by id (the documents' pages of photos)."""
    with reading(engine) as db:
        return dict(db.execute(select(TablePhoto.id, TablePhoto.jpeg)
                               .where(TablePhoto.session_id == session_id)).all())
