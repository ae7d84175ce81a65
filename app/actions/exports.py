"""The harvest as a download: CSV, Markdown, JSON, the A3 PDF and its PNG; the printed
materials (app/printed.py); the report (app/report.py)."""

from __future__ import annotations

from dataclasses import dataclass

from app import auth, exports
from app.actions import Services, require
from app.i18n import N_
from app.refusal import Refusal
from app.store import sessions
from app.view import SessionView


@dataclass(frozen=True)
class Download:
    body: bytes
    media_type: str
    disposition: str


def export(services: Services, identity: auth.Identity, fmt: str, base: str) -> Download:
    """The facilitator's export of the event as it is now (docs/api.md); `base` is the
    address people reach the server at, for the printed join QR codes."""
    require(identity, auth.FACILITATOR)
    if fmt not in exports.FORMATS:
        raise Refusal("unknown_format", N_("Unknown export format: %(format)s."), format=fmt)
    view = sessions.load_view(services.engine, identity.session_id)
    check_ready(view, fmt)
    timeline = (sessions.clock_log(services.engine, identity.session_id)
                if fmt in exports.REPORT_FORMATS else ())  # only the report reads the clock
    return Download(exports.export(view, fmt, timeline=timeline, base=base),
                    exports.MEDIA_TYPES[fmt], exports.content_disposition(view, fmt))


def check_ready(view: SessionView, fmt: str) -> None:
    """Route slips only once the moves are planned: before, every route would read home,
    home, home (the command line asks too)."""
    if fmt == "routes.pdf" and not view.planned:
        raise Refusal("not_planned", N_("Plan the moves first (\"Plan the moves now\" on the "
                                        "console): the route slips show the planned tables."))
