"""The harvest as a download: CSV, Markdown, JSON, the A3 PDF and its PNG."""

from __future__ import annotations

from dataclasses import dataclass

from app import auth, exports
from app.actions import Services, require
from app.i18n import N_
from app.refusal import Refusal
from app.store import sessions


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
    return Download(exports.export(view, fmt, base=base), exports.MEDIA_TYPES[fmt],
                    exports.content_disposition(view, fmt))
