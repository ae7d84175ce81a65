"""Any format of an event in one call: the harvest's own (exports.py), the printed
materials (printed.py), the report (report.py) and its series' report (series.py). Kept
apart from them all, which build on one another, so that no module imports one that
imports it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from app.documents import exports, printed, report, series
from app.documents.exports import (
    FORMATS,
    PRINTED_FORMATS,
    REPORT_FORMATS,
    SERIES_FORMATS,
    Progress,
    quiet,
)
from app.i18n import normalize
from app.rounds import now_ms as clock_now_ms

if TYPE_CHECKING:
    from app.live.view import EventView


def export(view: EventView, fmt: str, language: str | None = None,
           now_ms: int | None = None, *, timeline: Sequence = (), base: str = "",
           progress: Progress = quiet, tokens: Mapping[int, str] | None = None,
           series_views: Sequence[EventView] = (),
           images: Mapping[int, bytes] | None = None) -> bytes:
    """The export of `view` in `fmt` (one of FORMATS), in the event's language by default.
    `timeline` is the event's recorded clock (for the report's programme); `base` the address
    people reach the server at (for the join QR codes of the printed materials); `progress`
    hears each stage of a long one (app/documents/jobs.py STAGES); `tokens` (participant
    id → token) put each person's own link on their name tag; `series_views` are the
    events of its series, first first (the series report); `images` (photo id → JPEG) the
    photos of the paper sheets into the report and the A3 PDF."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format: {fmt}")
    language = normalize(language or view.event.language)
    now_ms = now_ms if now_ms is not None else clock_now_ms()
    if fmt in PRINTED_FORMATS:
        progress("analysing")
        return printed.document(view, fmt, language, base, tokens)
    if fmt in SERIES_FORMATS:
        progress("analysing")
        return series.export(series_views or [view], language, now_ms, progress)
    if fmt in REPORT_FORMATS:
        progress("analysing")
        return report.export(view, fmt, language, now_ms, timeline, progress, images)
    return exports.export(view, fmt, language, now_ms, progress=progress, images=images)
