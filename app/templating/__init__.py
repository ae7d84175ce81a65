"""Templates: one Jinja environment per language, shared by the pages, the live pushes
(app/live/delivery.py) and the exports (app/documents/exports.py)."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import jinja2
import segno
from markupsafe import Markup

from app import cards, keywords, rounds, schemas, screens, stakeholders
from app.i18n import LANGUAGE_NAMES, LANGUAGES, day_text, translations
from app.stakeholders import AFFILIATION_LABELS, AFFILIATIONS
from app.templating import links
from app.templating.phrases import phrases, print_phrases

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

def format_remaining(ms: int) -> str:
    """M:SS, or H:MM:SS from an hour, rounded up so 0:00 shows only at the very end."""
    seconds = math.ceil(max(0, ms) / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def table_label(table) -> str:
    """A table's one name everywhere: its own name, with its number unless the name has it
    ("3 Aテーブル", but "テーブル3")."""
    return table.name if str(table.number) in table.name else f"{table.number} {table.name}"


def qr_svg(url: str) -> str:
    """An inline SVG QR code, no styles or scripts (it must pass the page's CSP)."""
    return segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#111", light="#fff")


@cache
def environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_translations(translations(language), newstyle=True)
    env.filters["remaining"] = format_remaining
    env.filters["phrases"] = phrases
    env.filters["print_phrases"] = print_phrases
    env.filters["table_label"] = table_label
    env.filters["day"] = lambda value: day_text(value, language)
    env.filters["number"] = lambda value: f"{value:g}" if isinstance(value, float) else value
    env.globals.update(
        language=language,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        affiliations=AFFILIATIONS,
        affiliation_labels=AFFILIATION_LABELS,
        presets=rounds.PRESETS,
        preset_labels=rounds.PRESET_LABELS,
        phase_kinds=rounds.PHASE_KINDS,
        phase_kind_labels=rounds.PHASE_KIND_LABELS,
        qr_svg=qr_svg,
        links=links,
        projector_screens=screens.CHOICES,
        projector_screen_labels=screens.CHOICE_LABELS,
        card_colour=cards.colour_for_phase,
        keyword_bar_width=keywords.bar_width,
        keyword_chart_lengths=keywords.CHART_LENGTHS,
        stakeholder_labels=stakeholders.LABELS,
        volunteers=stakeholders.volunteers,
        action_statuses=schemas.ACTION_STATUSES,
        action_status_labels=schemas.ACTION_STATUS_LABELS,
        action_moves=schemas.ACTION_MOVES,
        item=_item_in,
        phase_heading=lambda program, index, with_title=True: rounds.phase_heading(
            program, index, translations(language).gettext, with_title),
    )
    return env


def render(language: str, template: str, **context: object) -> str:
    return environment(language).get_template(template).render(**context)


ITEM_INPUTS = {
    "board_card": lambda view, card: (view.dots_on(card.id), view.weight(card.id),
                                      view.revealed, view.event.id,
                                      tuple(view.groups), tuple(view.program)),
    "vote_card": lambda view, card: (view.vote_on, view.weight(card.id), view.revealed,
                                     view.revealed and view.dots_on(card.id)),
    "table_card": lambda view, card: (view.event.id, view.event.card_max_length),
    "my_card": lambda view, card: (view.table(card.table_id), tuple(view.program),
                                   view.event.id, view.event.card_max_length),
}
"""The card items (templates/fragments/_{name}.html) and everything each shows besides the
card itself (the whole program: a phase's heading counts the rounds and moves before it),
its view (facilitator, projector, ...) and the language: the key under which
an item's text is kept, so a list of 2000 cards is drawn from the items already drawn."""

MAX_ITEMS = 50_000
_items: dict[tuple, str] = {}


def item(language: str, name: str, view, page_name: str, card) -> Markup:
    """One card item, rendered once for the same inputs (pages and pushes alike)."""
    key = (language, name, page_name, card, *ITEM_INPUTS[name](view, card))
    text = _items.get(key)
    if text is None:
        if len(_items) >= MAX_ITEMS:
            _items.clear()
        text = _items[key] = render(language, f"fragments/_{name}.html", view=view,
                                    page_name=page_name, card=card)
    return Markup(text)


_pieces: dict[tuple, str] = {}


def kept_piece(key: tuple, draw) -> str:
    """A piece drawn once for `key` (everything its text depends on), for pages and pushes
    alike: a participant's own pieces, drawn again for every snapshot otherwise."""
    text = _pieces.get(key)
    if text is None:
        if len(_pieces) >= MAX_ITEMS:
            _pieces.clear()
        text = _pieces[key] = draw()
    return text


def forget_items() -> None:
    _items.clear()
    _pieces.clear()


@jinja2.pass_context
def _item_in(context, name: str, card) -> Markup:
    """`{{ item('board_card', card) }}` in a template, with the template's view."""
    return item(context["language"], name, context["view"], context["page_name"], card)
