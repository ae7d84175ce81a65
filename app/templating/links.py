"""Absolute page URLs, from the address people reach the server at (`base`): for API
answers, QR codes, the console's links and the demo's printout."""

from __future__ import annotations

from urllib.parse import urlencode

from app.live.view import EventView
from app.store.records import EventRecord


def with_token(url: str, token: str) -> str:
    return f"{url}?{urlencode({'token': token})}"


def join_url(base: str, view: EventView) -> str:
    return f"{base}/j/{view.event.join_code}"


def host_url(base: str, view: EventView, table) -> str:
    return with_token(f"{base}/h/{view.event.id}", table.host_token)


def console_url(base: str, event: EventRecord) -> str:
    """The facilitator's console (from an event record: the landing page lists events
    without loading them)."""
    return with_token(f"{base}/f/{event.id}", event.facilitator_token)


def co_facilitator_url(base: str, view: EventView) -> str | None:
    """A second console's link, while the facilitator keeps one."""
    token = view.event.cofacilitator_token
    return with_token(f"{base}/f/{view.event.id}", token) if token else None


def projector_url(base: str, view: EventView) -> str:
    return with_token(f"{base}/p/{view.event.id}", view.event.projector_token)


def participant_url(base: str, view: EventView, token: str) -> str:
    """A participant's own page: by the event's id, so that it keeps working when the
    join code is replaced."""
    return with_token(f"{base}/m/{view.event.id}", token)


def created_body(base: str, view: EventView) -> dict:
    """What the creator of an event gets back: ids, tokens and every page's link."""
    return {
        "id": view.event.id,
        "privacy_notice": view.event.privacy_notice,
        "join_code": view.event.join_code,
        "facilitator_token": view.event.facilitator_token,
        "projector_token": view.event.projector_token,
        "tables": [
            {"id": t.id, "number": t.number, "name": t.name, "theme": t.theme,
             "host_affiliation": t.host_affiliation or None,
             "host_token": t.host_token, "host_url": host_url(base, view, t)}
            for t in view.tables
        ],
        "urls": {
            "console": console_url(base, view.event),
            "projector": projector_url(base, view),
            "join": join_url(base, view),
        },
    }
