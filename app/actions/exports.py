"""The harvest as a download: CSV, Markdown, JSON, the A3 PDF and its PNG; the printed
materials (app/documents/printed.py); the report (app/documents/report.py). The text
formats are made at once; the others, the documents, by a worker process each
(app/documents/jobs.py), kept until the board changes."""

from __future__ import annotations

from dataclasses import dataclass

from app import auth
from app.actions import Services, require
from app.documents import exports, jobs
from app.i18n import N_
from app.live.view import EventView
from app.refusal import Refusal
from app.store import sessions

DOCUMENT_FORMATS = ("pdf", "png", *exports.REPORT_FORMATS, *exports.PRINTED_FORMATS,
                    *exports.SERIES_FORMATS)
"""The exports made by a worker process (seconds to minutes of WeasyPrint or python-docx)."""
CONSOLE_DOCUMENTS = ("pdf", "png", *exports.REPORT_FORMATS)
"""The documents the console makes with a button and its progress (the printed materials,
small, are plain links that wait for theirs)."""


@dataclass(frozen=True)
class Download:
    body: bytes
    media_type: str
    disposition: str


@dataclass(frozen=True)
class DocumentJob:
    """A document of the event as its board is now, and its job (None: never asked for)."""

    place: jobs.Place
    job: jobs.Job | None
    media_type: str
    disposition: str


def _check_format(identity: auth.Identity, fmt: str, formats: tuple[str, ...]) -> None:
    require(identity, auth.FACILITATOR)
    if fmt not in formats:
        raise Refusal("unknown_format", N_("Unknown export format: %(format)s."), format=fmt)


def document(services: Services, identity: auth.Identity, name: str, base: str, *,
             start: bool) -> DocumentJob:
    """The facilitator's document `name` (one of DOCUMENT_FORMATS) of the board as it is
    now: its job started when `start` and not made yet, else only looked up."""
    _check_format(identity, name, DOCUMENT_FORMATS)
    view = sessions.load_view(services.engine, identity.event_id, with_board=False)
    check_ready(view, name)
    return _document_job(services, view, name, base, start)


def console_documents(services: Services, identity: auth.Identity,
                      base: str) -> list[DocumentJob]:
    """The console's documents (CONSOLE_DOCUMENTS) with their jobs, none started."""
    require(identity, auth.FACILITATOR)
    view = sessions.load_view(services.engine, identity.event_id, with_board=False)
    return [_document_job(services, view, name, base, False) for name in CONSOLE_DOCUMENTS]


def _document_job(services: Services, view: EventView, name: str, base: str,
                  start: bool) -> DocumentJob:
    maker = services.documents
    seq = (sessions.series_seq(services.engine, view.event.id)
           if name in exports.SERIES_FORMATS else view.seq)
    place = maker.place(view.event.id, name, jobs.key_of(seq, view.event.language, base))
    return DocumentJob(place, maker.start(place, base) if start else maker.state(place),
                       exports.MEDIA_TYPES[name], exports.content_disposition(view, name))


def export(services: Services, identity: auth.Identity, fmt: str) -> Download:
    """The facilitator's export of the event as it is now in a text format (docs/api.md)."""
    _check_format(identity, fmt, exports.TEXT_FORMATS)
    view = sessions.load_view(services.engine, identity.event_id)
    return Download(exports.export(view, fmt),
                    exports.MEDIA_TYPES[fmt], exports.content_disposition(view, fmt))


def check_ready(view: EventView, fmt: str) -> None:
    """Route slips only once the moves are planned: before, every route would read home,
    home, home (the command line asks too)."""
    if fmt == "routes.pdf" and not view.planned:
        raise Refusal("not_planned", N_("Plan the moves first (\"Plan the moves now\" on the "
                                        "console): the route slips show the planned tables."))
