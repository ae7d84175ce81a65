"""Printed materials for the day, each a PDF laid out by WeasyPrint like the board export
(app/documents/exports.py): a join poster, table tents, route slips with the reception's seating
list, name tags with each person's own QR code and the attendance list (templates/exports/).

The QR codes are inline SVG, so every page is vector: the A3 poster prints as sharp on A4
("fit to page"). They encode the join URL (app/templating/links.py) at `base`, the address people
reach the server at; a new join code makes printed copies stale. The route slips show
`EventView.full_route`, the seating that `GET .../seating` answers with.

Long texts (titles, table names, themes, questions, names) get a smaller type step
(`fit`), so the longest the forms allow still stay in their boxes on one page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

import segno
from markupsafe import Markup

from app.documents import exports
from app.templating import links
from app.text import fifty_sound_key

if TYPE_CHECKING:
    from app.live.view import EventView
    from app.store.records import PersonRecord

TITLE_LIMITS = (24, 48)
DETAILS_LIMITS = (40, 80)
TABLE_NAME_LIMITS = (10, 24)
THEME_LIMITS = (30, 60)
QUESTIONS_LIMITS = (200, 400)
PERSON_NAME_LIMITS = (12, 24)
"""The widths (in full-width characters) up to which a text keeps type size step 1 or 2."""

TAG_NAME_LIMITS = (6, 10)
"""A name tag's name: 26 pt up to six full-width characters (a family and a given name
with a space), 19 pt up to ten."""

SLIPS_PER_PAGE = 8
"""Two columns of four on A4 portrait: 105 × 74 mm, a size people keep in a pocket."""
ROUTE_WIDTH_MM = 85
"""The width of a slip's route line."""
ROUTE_EM = 0.56
"""The width of a digit, an arrow or a space, in em (Noto Sans CJK JP bold)."""
MM_PER_PT = 25.4 / 72


def print_qr(url: str) -> Markup:
    """The QR code as inline SVG sized by the page (a viewBox, no pixel size), with the
    four-module quiet zone that printed codes need."""
    return Markup(segno.make(url, error="m").svg_inline(omitsize=True, border=4,
                                                        dark="#000", light="#fff"))


def text_width(text: str) -> float:
    """About how many full-width characters wide `text` is (Latin letters are narrower)."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def fit(text: str, limits: tuple[float, float]) -> int:
    """The type size step of a text: 1 (large) up to the first width limit, 2 up to the
    second, else 3 (small)."""
    width = text_width(text)
    return 1 if width <= limits[0] else 2 if width <= limits[1] else 3


def route_size(route: str) -> float:
    """The type size (pt) that puts a route on one line of its slip: 34 pt at most (a few
    rounds), 12 at least."""
    return round(max(12.0, min(34.0, ROUTE_WIDTH_MM / (len(route) * ROUTE_EM * MM_PER_PT))), 1)


def _details(view: EventView, language: str) -> str:
    """The day (as the office writes dates), the start time and the venue, as one line."""
    session = view.event
    when = " ".join(part for part in (exports.date_text(view, language), session.start_time)
                    if part)
    return " · ".join(part for part in (when, session.venue) if part)


def _render(view: EventView, language: str, template: str, **context: object) -> bytes:
    from app.templating import render

    return exports.to_pdf(render(language, template, event=view.event,
                                 details=_details(view, language), **context))


def poster(view: EventView, language: str, base: str) -> bytes:
    """A3 portrait: the join QR large, the join code, the URL and how to join."""
    url = links.join_url(base, view)
    return _render(view, language, "exports/poster.html", join_url=url, qr=print_qr(url),
                   title_fit=fit(view.event.title, TITLE_LIMITS),
                   details_fit=fit(_details(view, language), DETAILS_LIMITS))


def tents(view: EventView, language: str, base: str) -> bytes:
    """One A4 page per table, folded across the middle; the upper half is upside down, so
    the tent reads from both sides."""
    questions = view.round_questions
    tent_list = [{"table": t, "name_fit": fit(t.name, TABLE_NAME_LIMITS),
                  "theme_fit": fit(t.theme, THEME_LIMITS)} for t in view.tables]
    return _render(view, language, "exports/tents.html", tents=tent_list, questions=questions,
                   questions_fit=fit("".join(questions), QUESTIONS_LIMITS),
                   qr=print_qr(links.join_url(base, view)))


def slip(view: EventView, person: PersonRecord) -> dict:
    """What one person's route slip shows (templates/exports/_slip.html): their name, home
    table and route through every round; the printed sheets of slips and the reception's
    single slip alike."""
    route = " → ".join(view.full_route(person))
    return {"person": person, "home": view.table(person.home_table_id),
            "name_fit": fit(person.name, PERSON_NAME_LIMITS),
            "route_text": route, "route_pt": route_size(route)}


def single_slip(view: EventView, person: PersonRecord, language: str) -> dict:
    """One person's slip with the event's line, for the reception's slip page."""
    return {"slip": slip(view, person), "details": _details(view, language)}


def routes(view: EventView, language: str, _base: str = "") -> bytes:
    """A slip per participant with their table of every round, eight to a page for
    cutting, by home table; then the reception's list of who sits at home where, each
    table's people in 50音 order."""
    order = {t.id: t.number for t in view.tables}
    slips = [slip(view, person) for person in sorted(view.participants, key=lambda p: (
        order.get(p.home_table_id, 0), fifty_sound_key(p.furigana, p.name)))]
    pages = [slips[start:start + SLIPS_PER_PAGE]
             for start in range(0, len(slips), SLIPS_PER_PAGE)]
    by_table = [{"table": t, "people": [s for s in slips if s["home"] == t]}
                for t in view.tables]
    return _render(view, language, "exports/routes.html", pages=pages, by_table=by_table)


TAGS_PER_PAGE = 10
"""Two columns of five 91 × 55 mm cards on A4 portrait: a name badge holder's size."""


def nametags(view: EventView, language: str, base: str,
             tokens: Mapping[int, str] | None = None) -> bytes:
    """A name tag per person in 50音 order: name large, furigana, affiliation, home table
    and theme, and a QR code of their own phone link (`tokens`: participant id → token),
    which signs the phone in as the page links do."""
    tags = [{"person": person, "home": view.table(person.home_table_id),
             "name_fit": fit(person.name, TAG_NAME_LIMITS),
             "qr": print_qr(links.participant_url(base, view, tokens[person.id]))
             if tokens and person.id in tokens else None}
            for person in view.by_reading()]
    pages = [tags[start:start + TAGS_PER_PAGE] for start in range(0, len(tags), TAGS_PER_PAGE)]
    return _render(view, language, "exports/nametags.html", pages=pages)


def attendance(view: EventView, language: str, _base: str = "") -> bytes:
    """出席者名簿: everyone in 50音 order, their home table and whether they arrived."""
    rows = [{"person": person, "home": view.table(person.home_table_id)}
            for person in view.by_reading()]
    return _render(view, language, "exports/attendance.html", rows=rows,
                   arrived=sum(1 for p in view.participants if p.arrived))


DOCUMENTS = {"poster.pdf": poster, "tents.pdf": tents, "routes.pdf": routes,
             "nametags.pdf": nametags, "attendance.pdf": attendance}
"""exports.PRINTED_FORMATS, each made by its function."""


def document(view: EventView, fmt: str, language: str, base: str,
             tokens: Mapping[int, str] | None = None) -> bytes:
    """The printed material `fmt`; only the name tags read `tokens`."""
    if fmt == "nametags.pdf":
        return nametags(view, language, base, tokens)
    return DOCUMENTS[fmt](view, language, base)
